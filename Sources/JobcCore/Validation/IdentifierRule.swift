/// Job ids, task keys and task ids follow `Identifier`'s portable naming rule.
struct IdentifierRule: JobRule {
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
        }
    }

    private func report(_ name: Located<String>, _ what: String, _ diagnostics: inout DiagnosticCollector) {
        guard let problem = Identifier.problem(with: name.value) else { return }
        diagnostics.error(
            .invalidIdentifier, "invalid \(what): \(problem)", at: name.location,
            suggestion: Identifier.suggestion(for: name.value).map { "try '\($0)'" })
    }
}
