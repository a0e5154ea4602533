/// The SQL files a job's tasks run, parsed with PostgreSQL's own parser (libpg_query): syntax
/// errors, placeholders psycopg2 would reject, `%(name)s` parameters nothing binds, and kwargs the
/// SQL never uses, each located in the SQL file with a note naming the task that runs it. A file is
/// parsed once a run (`Project.postgreSQLFiles`) and its own problems are reported once a job.
struct SQLRule: JobRule {
    static let rules: [RuleID] = [.sqlSyntax, .sqlPlaceholder, .sqlParameter, .sqlUnusedParameter]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        var tasksByBrokenFile: [String: [Diagnostic.Note]] = [:]  // path → the tasks that run it
        var brokenFiles: [ProjectSQLFile] = []
        let tasks = context.job.tasks
        for index in tasks.indices {
            guard let contract = context.contracts[index], let files = context.sqlFiles[index], files.contract.isParsed else { continue }
            let task = tasks[index]
            let bound = BoundParameters(task, context.job, contract)
            var usedNames: Set<String> = []
            var everyFileScanned = true
            for use in files.uses {
                guard let file = use.parsed else { continue }  // set for every use when the dialect is parsed
                if !file.analysis.problems.isEmpty {
                    if tasksByBrokenFile[use.path] == nil { brokenFiles.append(file) }
                    tasksByBrokenFile[use.path, default: []].append(runBy(task, context.job, use))
                }
                // Placeholders are scanned even when the SQL does not parse; not when the bytes are no text.
                guard file.isScanned else {
                    everyFileScanned = false
                    continue
                }
                // Most tasks run one file: share its set rather than copy it into a new one.
                if usedNames.isEmpty { usedNames = file.parameterNames } else { usedNames.formUnion(file.parameterNames) }
                for parameter in file.firstParameterUses where !bound.contains(parameter.name) {
                    let names = bound.names
                    diagnostics.error(
                        .sqlParameter, "parameter '\(parameter.name)' is not bound for task '\(task.key.value)'",
                        at: file.location(parameter.position),
                        notes: [runBy(task, context.job, use), .init("bound for it: \(names.sorted().joined(separator: ", ")) (its extra kwargs, the job's params and execution_date)")],
                        suggestion: Suggestions.didYouMean(parameter.name, in: names)
                            ?? "add the kwarg '\(parameter.name)' to task '\(task.key.value)', or a run parameter of that name to the job's params")
                }
            }
            if everyFileScanned, !files.uses.isEmpty {
                checkUnused(task, contract, files, usedNames: usedNames, project: context.project, &diagnostics)
            }
        }
        for file in brokenFiles {
            for problem in file.analysis.problems {
                diagnostics.error(
                    problem.kind == .placeholder ? .sqlPlaceholder : .sqlSyntax, problem.message,
                    at: file.location(problem.position), notes: tasksByBrokenFile[file.path] ?? [], suggestion: problem.help)
            }
        }
    }

    private func runBy(_ task: TaskSpec, _ job: JobSpec, _ use: TaskSQLFiles.Use) -> Diagnostic.Note {
        Diagnostic.Note("task '\(task.key.value)' of job '\(job.jobID?.value ?? job.file)' runs this file", at: use.location)
    }

    /// A kwarg that becomes a bind parameter but that no file of the task uses: a typo or a leftover.
    private func checkUnused(
        _ task: TaskSpec, _ contract: FunctionContract, _ files: TaskSQLFiles, usedNames: Set<String>, project: Project,
        _ diagnostics: inout DiagnosticCollector
    ) {
        for argument in task.kwargs where contract.parameter(named: argument.name.value) == nil && !usedNames.contains(argument.name.value) {
            let fileNames = Set(files.uses.map(\.path)).sorted().map(project.displayPath(of:)).joined(separator: ", ")
            diagnostics.warning(
                .sqlUnusedParameter, "kwarg '\(argument.name.value)' of task '\(task.key.value)' is never used as %(\(argument.name.value))s by \(fileNames)",
                at: argument.name.location,
                suggestion: Suggestions.closest(to: argument.name.value, in: usedNames.sorted()).map {
                    "the SQL uses %(\($0))s: if the two mean the same, make the names match"
                } ?? "remove it, or use %(\(argument.name.value))s in the SQL")
        }
    }
}

/// The names a PostgreSQL function binds as `%(name)s` for a task: every kwarg its contract does
/// not declare, the for_each parameter when it is such a kwarg, every run parameter of the job and
/// `execution_date` (see postgres_sql_function.py's `bind_parameters`). Asked per parameter use, so
/// it looks the name up where it lives instead of building a list per task.
struct BoundParameters {
    // Only the parts asked about, not whole specs: a task is made once per task of every job.
    let kwargs: [KeywordArgumentSpec]
    let forEachParameter: String?
    let params: [RunParameterSpec]
    let declared: [ParameterContract]

    init(_ task: borrowing TaskSpec, _ job: borrowing JobSpec, _ contract: borrowing FunctionContract) {
        kwargs = task.kwargs
        forEachParameter = task.forEach?.parameter.value
        params = job.params
        declared = contract.parameters
    }

    func contains(_ name: String) -> Bool {
        name == "execution_date"
            || (!isDeclared(name) && (kwargs.contains { $0.name.value == name } || forEachParameter == name))
            || params.contains { $0.name.value == name }
    }

    /// For messages.
    var names: [String] {
        var names = kwargs.map(\.name.value).filter { !isDeclared($0) }
        if let forEachParameter, !isDeclared(forEachParameter) { names.append(forEachParameter) }
        return names + params.map(\.name.value) + ["execution_date"]
    }

    private func isDeclared(_ name: String) -> Bool { declared.contains { $0.name == name } }
}

extension RuleID {
    public static let sqlSyntax = RuleID(
        "sql-syntax", summary: "A SQL file a task runs does not parse as its dialect (PostgreSQL), is empty, or is no UTF-8 text.")
    public static let sqlPlaceholder = RuleID(
        "sql-placeholder", summary: "A SQL file holds a '%' that psycopg2 rejects at run time (a literal percent sign is written %%).")
    public static let sqlParameter = RuleID(
        "sql-parameter", summary: "A SQL file uses a %(name)s parameter that neither the task's kwargs, the job's params nor execution_date bind.")
    public static let sqlUnusedParameter = RuleID(
        "sql-unused-parameter", summary: "A task passes a kwarg as a bind parameter that its SQL file never uses (warning).")
}
