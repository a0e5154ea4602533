/// Gathers every diagnostic of a stage so a run reports all problems at once, not the first.
public struct DiagnosticCollector: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public var hasErrors: Bool { diagnostics.containsErrors }

    public mutating func emit(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    public mutating func emit(contentsOf more: [Diagnostic]) {
        diagnostics.append(contentsOf: more)
    }

    public mutating func error(
        _ rule: RuleID, _ message: String, at location: SourceLocation?,
        notes: [Diagnostic.Note] = [], suggestion: String? = nil
    ) {
        emit(.error(rule, message, at: location, notes: notes, suggestion: suggestion))
    }

    public mutating func warning(
        _ rule: RuleID, _ message: String, at location: SourceLocation?,
        notes: [Diagnostic.Note] = [], suggestion: String? = nil
    ) {
        emit(.warning(rule, message, at: location, notes: notes, suggestion: suggestion))
    }
}
