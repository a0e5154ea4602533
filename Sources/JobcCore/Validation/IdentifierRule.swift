/// Job ids, task keys, task ids and group keys follow `Identifier`'s portable naming rule (the names
/// particular targets reserve are `TargetNameRule`'s).
struct IdentifierRule: JobRule {
    static let rules: [RuleID] = [.invalidIdentifier]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        if let id = context.job.jobID { report(id, "job id", &diagnostics) }
        let tasks = context.job.tasks
        for index in tasks.indices {
            report(tasks[index].key, "task key", &diagnostics)
            if let taskID = tasks[index].taskID { report(taskID, "task_id", &diagnostics) }
        }
        for group in context.job.groups { report(group.key, "group key", &diagnostics) }
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
