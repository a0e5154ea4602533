/// Engines address tasks by id, so two tasks of a job may not share one (explicit or defaulted).
struct DuplicateTaskIDRule: JobRule {
    static let rules: [RuleID] = [.duplicateTaskID]

    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        var firstByID: [String: TaskSpec] = [:]
        for task in job.tasks {
            let id = task.effectiveTaskID
            if let first = firstByID[id.value] {
                diagnostics.error(
                    .duplicateTaskID, "task_id '\(id.value)' of task '\(task.key.value)' is already used by task '\(first.key.value)'",
                    at: id.location, notes: [.init("task '\(first.key.value)' has this id", at: first.effectiveTaskID.location)],
                    suggestion: "give one of them a different task_id")
            } else {
                firstByID[id.value] = task
            }
        }
    }
}

extension RuleID {
    public static let duplicateTaskID = RuleID("duplicate-task-id", summary: "Two tasks of one job share a task_id.")
}
