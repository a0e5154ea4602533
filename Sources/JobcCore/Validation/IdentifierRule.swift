/// Job ids, task keys, task ids and group keys follow `Identifier`'s portable naming rule.
struct IdentifierRule: JobRule {
    static let rules: [RuleID] = [.invalidIdentifier]

    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        if let id = job.jobID {
            report(id, "job id", &diagnostics)
            if Identifier.problem(with: id.value) == nil,
               let problem = Identifier.moduleShadowProblem(withJobID: id.value, projectModules: project.functions.moduleNames) {
                diagnostics.error(.invalidIdentifier, "invalid job id: \(problem)", at: id.location, suggestion: "try '\(id.value)_job'")
            }
        }
        for task in job.tasks {
            report(task.key, "task key", &diagnostics)
            if let taskID = task.taskID { report(taskID, "task_id", &diagnostics) }
            let id = task.effectiveTaskID
            if Identifier.reservedNodeNames.contains(id.value) {
                diagnostics.error(
                    .invalidIdentifier, "task id '\(id.value)' is reserved: targets add a task of that name to report a run's outcome",
                    at: id.location, suggestion: "choose another task_id")
            }
        }
        for group in job.groups {
            report(group.key, "group key", &diagnostics)
            if Identifier.reservedNodeNames.contains(group.key.value) {
                diagnostics.error(
                    .invalidIdentifier, "group key '\(group.key.value)' is reserved: targets add a task of that name to report a run's outcome",
                    at: group.key.location, suggestion: "choose another group key")
            }
        }
    }

    private func report(_ name: Located<String>, _ what: String, _ diagnostics: inout DiagnosticCollector) {
        guard let problem = Identifier.problem(with: name.value) else { return }
        diagnostics.error(
            .invalidIdentifier, "invalid \(what): \(problem)", at: name.location,
            suggestion: Identifier.suggestion(for: name.value).map { "try '\($0)'" })
    }
}

extension RuleID {
    public static let invalidIdentifier = RuleID(
        "invalid-identifier",
        summary: "An id that is not portable to every target (lowercase snake_case, at most 63 characters).")
}
