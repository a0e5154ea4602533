/// Engines address tasks by id, so two tasks of a job may not share one (explicit or defaulted), and
/// neither a task nor a group may take the job's own id.
struct DuplicateTaskIDRule: JobRule {
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
            // Dagster names the job's graph after the job: an op of the same name cannot coexist.
            if let jobID = job.jobID, id.value == jobID.value {
                diagnostics.error(
                    .duplicateTaskID, "task_id '\(id.value)' of task '\(task.key.value)' is the job's id", at: id.location,
                    notes: [.init("the job id", at: jobID.location)], suggestion: "give the task a different task_id")
            }
        }
        if let jobID = job.jobID {
            for group in job.groups where group.key.value == jobID.value {
                diagnostics.error(
                    .duplicateTaskID, "group '\(group.key.value)' has the job's id", at: group.key.location,
                    notes: [.init("the job id", at: jobID.location)], suggestion: "rename the group")
            }
        }
    }
}
