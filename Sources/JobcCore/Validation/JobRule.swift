/// One semantic check over a decoded job. Rules never stop at the first problem and never depend on
/// each other's output, so every rule runs and the author sees every problem in one pass. A rule
/// declares the rule ids it owns (`rules`) beside its check; `RuleID.catalog` collects them.
public protocol JobRule: Sendable, RuleDeclaring {
    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector)
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
        var diagnostics = DiagnosticCollector()
        for rule in all {
            rule.check(job, in: project, diagnostics: &diagnostics)
        }
        return diagnostics.diagnostics
    }
}
