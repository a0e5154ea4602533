/// Job ids, task ids, group keys and run parameter names stay clear of what the run's targets
/// reserve (`TargetNames`): a target's own names, and for a job id the modules its `<job_id>` module
/// would shadow. Part of the check stage, so these problems come with every other one.
struct TargetNameRule: RuleDeclaring {
    static let rules: [RuleID] = [.reservedName]

    let names: TargetNames

    func diagnostics(for job: JobSpec, in project: Project) -> [Diagnostic] {
        var diagnostics = DiagnosticCollector()
        if let id = job.jobID, Identifier.problem(with: id.value) == nil {
            let problem = names.problem(with: id.value, as: .job)
                ?? names.moduleShadowProblem(withJobID: id.value, projectModules: project.functions.moduleNames)
            if let problem {
                diagnostics.error(.reservedName, "invalid job id: \(problem)", at: id.location, suggestion: "try '\(id.value)_job'")
            }
        }
        for index in job.tasks.indices {  // by index: a task copied whole retains a dozen strings and arrays
            check(job.tasks[index].key, "task key", .task, &diagnostics)
            if let taskID = job.tasks[index].taskID { check(taskID, "task_id", .task, &diagnostics) }
        }
        for group in job.groups { check(group.key, "group key", .group, &diagnostics) }
        for param in job.params { check(param.name, "run parameter name", .runParameter, &diagnostics) }
        return diagnostics.diagnostics
    }

    private func check(_ name: Located<String>, _ what: String, _ scope: ReservedIdentifier.Scope, _ diagnostics: inout DiagnosticCollector) {
        guard Identifier.problem(with: name.value) == nil, let problem = names.problem(with: name.value, as: scope) else { return }
        diagnostics.error(.reservedName, "invalid \(what): \(problem)", at: name.location, suggestion: "choose another name")
    }
}

extension RuleID {
    public static let reservedName = RuleID(
        "reserved-name",
        summary: "A name a target keeps for itself, or a job id whose generated module would shadow one the target imports.")
}
