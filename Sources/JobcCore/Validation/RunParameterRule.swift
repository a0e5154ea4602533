/// Run parameters have names functions can bind. (Their type and a default of that type are the
/// decoder's to check: both sit in one mapping.)
struct RunParameterRule: JobRule {
    /// The identifier rule, applied to run parameter names: no rule of its own.
    static let rules: [RuleID] = []

    /// Names the runtimes use themselves: PostgreSQLFunction binds execution_date, and the logical
    /// date is a run argument on Cloud Workflows and a flow parameter on Prefect.
    static let reservedNames: Set<String> = ["execution_date", "logical_date"]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        for param in context.job.params {
            if Self.reservedNames.contains(param.name.value) {
                diagnostics.error(
                    .invalidIdentifier, "run parameter '\(param.name.value)' is reserved (the runtime supplies it)", at: param.name.location,
                    suggestion: "choose another name")
            } else if let problem = Identifier.problem(with: param.name.value) {
                diagnostics.error(.invalidIdentifier, "invalid run parameter name: \(problem)", at: param.name.location,
                                  suggestion: Identifier.suggestion(for: param.name.value).map { "try '\($0)'" })
            }
        }
    }
}
