/// `one_failed` reacts to an upstream failure, so a task using it needs an upstream task.
struct TriggerRuleRule: JobRule {
    static let rules: [RuleID] = [.triggerRuleUpstream]

    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        let ruled = job.tasks.filter { $0.triggerRule != nil && $0.triggerRule?.value != .allSuccess }
        guard !ruled.isEmpty else { return }
        let hasUpstream = Set(GroupStructure(job).fullEdges.map(\.target))
        for task in ruled where !hasUpstream.contains(task.key.value) {
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
