/// The SQL files a job's tasks run, parsed with PostgreSQL's own parser (libpg_query): syntax
/// errors, placeholders psycopg2 would reject, `%(name)s` parameters nothing binds, and kwargs the
/// SQL never uses, each located in the SQL file with a note naming the task that runs it. A file is
/// parsed once a run (`Project.postgreSQLAnalysis`) and its own problems are reported once a job.
struct SQLRule: JobRule {
    static let rules: [RuleID] = [.sqlSyntax, .sqlPlaceholder, .sqlParameter, .sqlUnusedParameter]

    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        let jobName = job.jobID?.value ?? job.file
        var fileProblems: [String: [Diagnostic.Note]] = [:]  // path → the tasks that run it
        var fileOrder: [String] = []
        for task in job.tasks {
            guard let files = TaskSQLFiles(task, in: project), files.contract.isParsed,
                  let contract = task.function.flatMap({ project.functions[$0.value] }) else { continue }
            let bound = TaskSQLFiles.boundParameters(of: task, in: job, contract: contract)
            var usedNames: Set<String> = []
            var everyFileScanned = true
            for use in files.uses {
                let analysis = project.postgreSQLAnalysis(ofFile: use.path)
                let runBy = Diagnostic.Note("task '\(task.key.value)' of job '\(jobName)' runs this file", at: use.location)
                if !analysis.problems.isEmpty {
                    if fileProblems[use.path] == nil { fileOrder.append(use.path) }
                    fileProblems[use.path, default: []].append(runBy)
                }
                // Placeholders are scanned even when the SQL does not parse; not when the bytes are no text.
                guard !analysis.problems.contains(where: { $0.kind == .encoding || $0.kind == .tooLarge }) else {
                    everyFileScanned = false
                    continue
                }
                usedNames.formUnion(analysis.parameterNames)
                checkBinding(analysis, use, bound: bound, task: task, runBy: runBy, project: project, &diagnostics)
            }
            if everyFileScanned, !files.uses.isEmpty {
                checkUnused(task, contract, files, usedNames: usedNames, project: project, &diagnostics)
            }
        }
        for path in fileOrder {
            let analysis = project.postgreSQLAnalysis(ofFile: path)
            for problem in analysis.problems {
                diagnostics.error(
                    problem.kind == .placeholder ? .sqlPlaceholder : .sqlSyntax, problem.message,
                    at: location(problem.position, in: path, project), notes: fileProblems[path] ?? [], suggestion: problem.help)
            }
        }
    }

    /// Each `%(name)s` the task does not bind, once per name and file, at its first use.
    private func checkBinding(
        _ analysis: SQLAnalysis, _ use: TaskSQLFiles.Use, bound: [String], task: TaskSpec, runBy: Diagnostic.Note,
        project: Project, _ diagnostics: inout DiagnosticCollector
    ) {
        var reported: Set<String> = []
        for parameter in analysis.parameters where !bound.contains(parameter.name) && reported.insert(parameter.name).inserted {
            diagnostics.error(
                .sqlParameter, "parameter '\(parameter.name)' is not bound for task '\(task.key.value)'",
                at: location(parameter.position, in: use.path, project),
                notes: [runBy, .init("bound for it: \(bound.sorted().joined(separator: ", ")) (its extra kwargs, the job's params and execution_date)")],
                suggestion: Suggestions.didYouMean(parameter.name, in: bound)
                    ?? "add the kwarg '\(parameter.name)' to task '\(task.key.value)', or a run parameter of that name to the job's params")
        }
    }

    /// A kwarg that becomes a bind parameter but that no file of the task uses: a typo or a leftover.
    private func checkUnused(
        _ task: TaskSpec, _ contract: FunctionContract, _ files: TaskSQLFiles, usedNames: Set<String>, project: Project,
        _ diagnostics: inout DiagnosticCollector
    ) {
        let fileNames = Set(files.uses.map(\.path)).sorted().map(project.displayPath(of:)).joined(separator: ", ")
        for argument in task.kwargs where contract.parameter(named: argument.name.value) == nil && !usedNames.contains(argument.name.value) {
            diagnostics.warning(
                .sqlUnusedParameter, "kwarg '\(argument.name.value)' of task '\(task.key.value)' is never used as %(\(argument.name.value))s by \(fileNames)",
                at: argument.name.location,
                suggestion: Suggestions.closest(to: argument.name.value, in: usedNames.sorted()).map {
                    "the SQL uses %(\($0))s: if the two mean the same, make the names match"
                } ?? "remove it, or use %(\(argument.name.value))s in the SQL")
        }
    }

    private func location(_ position: SQLPosition, in path: String, _ project: Project) -> SourceLocation {
        SourceLocation(file: project.displayPath(of: path), line: position.line, column: position.column)
    }
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
