/// `one_failed` reacts to an upstream failure, so a task using it needs an upstream task.
struct TriggerRuleRule: JobRule {
    static let rules: [RuleID] = [.triggerRuleUpstream]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        let tasks = context.job.tasks
        let ruled = tasks.indices.filter { tasks[$0].triggerRule.map { $0.value != .allSuccess } ?? false }
        guard !ruled.isEmpty else { return }
        var hasUpstream = [Bool](repeating: false, count: tasks.count)
        for edge in context.structure.fullEdges { hasUpstream[edge.target] = true }
        for index in ruled where !hasUpstream[index] {
            let task = tasks[index]
            guard let rule = task.triggerRule else { continue }
            if rule.value == .oneFailed {
                diagnostics.error(
                    .triggerRuleUpstream, "task '\(task.key.value)' has trigger_rule one_failed but no upstream task, so nothing could fail before it",
                    at: rule.location, suggestion: "add depends_on with the tasks or groups it reacts to")
            } else {
                diagnostics.warning(
                    .triggerRuleUpstream, "trigger_rule \(rule.value.rawValue) has no effect on task '\(task.key.value)': it has no upstream task",
                    at: rule.location, suggestion: "remove it, or add depends_on")
            }
        }
    }
}

extension RuleID {
    public static let triggerRuleUpstream = RuleID(
        "trigger-rule-upstream", summary: "A task with a trigger_rule other than all_success has no upstream task to react to.")
}
