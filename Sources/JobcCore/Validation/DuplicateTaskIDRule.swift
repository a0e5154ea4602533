/// Engines address tasks by id, so two tasks of a job may not share one (explicit or defaulted).
struct DuplicateTaskIDRule: JobRule {
    static let rules: [RuleID] = [.duplicateTaskID]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        let tasks = context.job.tasks
        // A task's id defaults to its key, and keys are unique: only an explicit task_id can collide.
        let keysAreUnique = context.structure.taskIndex.count == tasks.count
        guard !keysAreUnique || tasks.contains(where: { $0.taskID != nil }) else { return }
        var firstByID: [String: Int] = [:]  // id → index of the first task using it
        for index in tasks.indices {
            let id = tasks[index].effectiveTaskID
            if let first = firstByID[id.value] {
                let firstKey = tasks[first].key.value
                diagnostics.error(
                    .duplicateTaskID, "task_id '\(id.value)' of task '\(tasks[index].key.value)' is already used by task '\(firstKey)'",
                    at: id.location, notes: [.init("task '\(firstKey)' has this id", at: tasks[first].effectiveTaskID.location)],
                    suggestion: "give one of them a different task_id")
            } else {
                firstByID[id.value] = index
            }
        }
    }
}

extension RuleID {
    public static let duplicateTaskID = RuleID("duplicate-task-id", summary: "Two tasks of one job share a task_id.")
}
