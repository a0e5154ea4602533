/// Run parameters: a known type, a default of that type, a name functions can bind.
struct RunParameterRule: JobRule {
    /// Its names follow `.invalidIdentifier` and its defaults are typed values (`.wrongType`): the
    /// identifier and shape rules, applied to run parameters, declare no rule of their own.
    static let rules: [RuleID] = []

    /// Names the runtimes use themselves: PostgreSQLFunction binds execution_date, and the logical
    /// date is a run argument on Cloud Workflows and a flow parameter on Prefect.
    static let reservedNames: Set<String> = ["execution_date", "logical_date"]

    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        for param in job.params {
            if Self.reservedNames.contains(param.name.value) {
                diagnostics.error(
                    .invalidIdentifier, "run parameter '\(param.name.value)' is reserved (the runtime supplies it)", at: param.name.location,
                    suggestion: "choose another name")
            } else if let problem = Identifier.problem(with: param.name.value) {
                diagnostics.error(.invalidIdentifier, "invalid run parameter name: \(problem)", at: param.name.location,
                                  suggestion: Identifier.suggestion(for: param.name.value).map { "try '\($0)'" })
            }
            guard let type = param.type?.value, let node = param.defaultValue else { continue }
            let value = ParameterValue(yaml: node)
            if FunctionContractRule.overflowingInteger(in: node) != nil {
                diagnostics.error(.invalidValue, "integer \(node.scalar?.text ?? "") is out of range (64-bit signed integers only)", at: node.location)
            } else if !value.isFinite {
                diagnostics.error(.invalidValue, "the default of run parameter '\(param.name.value)' is NaN or infinity", at: node.location)
            } else if !type.accepts(value) {
                var suggestion: String?
                if type == .string, let scalar = node.scalar, scalar.style == .plain { suggestion = "quote it: \"\(scalar.text)\"" }
                diagnostics.error(
                    .wrongType, "the default of run parameter '\(param.name.value)' must be of type \(type.rawValue), found \(value.kindDescription)",
                    at: node.location, suggestion: suggestion)
            }
        }
    }
}
