/// One semantic check over a decoded job. Rules never stop at the first problem and never depend on
/// each other's output, so every rule runs and the author sees every problem in one pass. A rule
/// declares the rule ids it owns (`rules`) beside its check; `RuleID.catalog` collects them.
public protocol JobRule: Sendable, RuleDeclaring {
    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector)
}

/// The checks every job passes before it becomes IR, in the order their messages read best.
public enum JobRules {
    public static let all: [any JobRule] = [
        IdentifierRule(),
        DuplicateTaskIDRule(),
        GroupRule(),
        DependencyReferenceRule(),
        DependencyCycleRule(),
        TriggerRuleRule(),
        RunParameterRule(),
        FunctionContractRule(),
        SecretRule(),
        SecretKeysRule(),
        SQLRule(),
    ]

    public static func check(_ job: JobSpec, in project: Project) -> [Diagnostic] {
        check(JobContext(job, in: project))
    }

    public static func check(_ context: JobContext) -> [Diagnostic] {
        var diagnostics = DiagnosticCollector()
        for rule in all {
            rule.check(context, diagnostics: &diagnostics)
        }
        return diagnostics.diagnostics
    }
}

/// A job under check with what several rules ask of it worked out once: which task a key names,
/// the group structure, each task's contract. Built once a job, so the rules do not each rebuild
/// the same tables of the same strings.
public struct JobContext: Sendable {
    public let job: JobSpec
    public let project: Project
    /// Dependencies expanded to task edges, and the task key → index table.
    let structure: GroupStructure
    /// By task index: the contract of the function the task names; nil when it names none, or one
    /// the project has no (valid) contract for.
    let contracts: [FunctionContract?]
    /// By task index: the SQL files the task runs (nil: its function runs none), for the SQL rule
    /// and for lowering the task's lineage.
    let sqlFiles: [TaskSQLFiles?]

    public init(_ job: JobSpec, in project: Project) {
        self.job = job
        self.project = project
        structure = GroupStructure(job)
        let contracts = job.tasks.indices.map { index in job.tasks[index].function.flatMap { project.functions[$0.value] } }
        self.contracts = contracts
        var sqlFiles = job.tasks.indices.map { index in contracts[index].flatMap { TaskSQLFiles(job.tasks[index], contract: $0, in: project) } }
        // Every file the job's tasks parse, asked for in one request: while another thread parses
        // one of them, this one parses another instead of waiting for it.
        let parsedPaths = sqlFiles.flatMap { files in files.map { $0.contract.isParsed ? $0.uses.map(\.path) : [] } ?? [] }
        if !parsedPaths.isEmpty {
            var parsed = project.postgreSQLFiles(parsedPaths).makeIterator()
            for index in sqlFiles.indices where sqlFiles[index]?.contract.isParsed == true {
                for use in sqlFiles[index]!.uses.indices { sqlFiles[index]!.uses[use].parsed = parsed.next() }
            }
        }
        self.sqlFiles = sqlFiles
    }
}
