/// The SQL files a task runs: the value of the parameter its function's contract names in `sql:`,
/// from `kwargs`, or one file per item when `for_each` sets that parameter. Worked out once a job
/// (`JobContext.sqlFiles`): the SQL rule and the IR builder read the same answer.
struct TaskSQLFiles {
    /// One file a task runs, where the job names it, the path as the project resolved it, and the
    /// file as parsed (once a run) when the contract's dialect is one jobc parses: filled in by
    /// `JobContext`, which asks for every file of the job at once.
    struct Use {
        var path: String
        var location: SourceLocation
        var parsed: ProjectSQLFile?
    }

    var contract: SQLContract
    var uses: [Use]

    /// Nil when the task's function (`contract`) runs no SQL file. Paths the project refuses
    /// (missing, escaping the root) are left out: the contract rule reports them. The arguments are
    /// borrowed: an initializer would otherwise take (and its caller copy) a whole task, contract
    /// and project.
    init?(_ task: borrowing TaskSpec, contract: borrowing FunctionContract, in project: borrowing Project) {
        guard let sql = contract.sql else { return nil }
        self.contract = sql
        uses = []
        if let forEach = task.forEach, forEach.parameter.value == sql.parameter {
            for item in forEach.items {
                if let use = Self.use(item, in: project) { uses.append(use) }
            }
        } else {
            for argument in task.kwargs where argument.name.value == sql.parameter {
                if let value = argument.value, let use = Self.use(value, in: project) { uses.append(use) }
            }
        }
    }

    private static func use(_ located: Located<ParameterValue>, in project: borrowing Project) -> Use? {
        guard case .string(let path) = located.value, case .success(let resolved) = project.resolveProjectFile(path) else { return nil }
        return Use(path: resolved, location: located.location, parsed: nil)
    }
}
