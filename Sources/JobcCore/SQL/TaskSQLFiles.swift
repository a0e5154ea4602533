/// The SQL files a task runs: the value of the parameter its function's contract names in `sql:`,
/// from `kwargs`, or one file per item when `for_each` sets that parameter. Both the SQL rule and the
/// IR builder ask here, so they agree on which files a task runs.
struct TaskSQLFiles {
    /// One file a task runs, where the job names it, and the path as the project resolved it.
    struct Use {
        var path: String
        var location: SourceLocation
    }

    var contract: SQLContract
    var uses: [Use]

    /// Nil when the task's function runs no SQL file. Paths the project refuses (missing, escaping
    /// the root) are left out: the contract rule reports them.
    init?(_ task: TaskSpec, in project: Project) {
        guard let function = task.function?.value, let contract = project.functions[function], let sql = contract.sql else { return nil }
        let values: [Located<ParameterValue>]
        if let forEach = task.forEach, forEach.parameter.value == sql.parameter {
            values = forEach.items
        } else {
            values = task.kwargs.filter { $0.name.value == sql.parameter }.compactMap(\.value)
        }
        self.contract = sql
        self.uses = values.compactMap { located in
            guard case .string(let path) = located.value, case .success(let resolved) = project.resolveProjectFile(path) else { return nil }
            return Use(path: resolved, location: located.location)
        }
    }

    /// The names a PostgreSQL function binds as `%(name)s` for the task: every kwarg its contract
    /// does not declare, the for_each parameter when it is such a kwarg, every run parameter of the
    /// job and `execution_date` (see postgres_sql_function.py's `bind_parameters`).
    static func boundParameters(of task: TaskSpec, in job: JobSpec, contract: FunctionContract) -> [String] {
        var names = task.kwargs.map(\.name.value).filter { contract.parameter(named: $0) == nil }
        if let forEach = task.forEach, contract.parameter(named: forEach.parameter.value) == nil { names.append(forEach.parameter.value) }
        names += job.params.map(\.name.value)
        names.append("execution_date")
        return names
    }
}
