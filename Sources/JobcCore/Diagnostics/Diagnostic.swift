/// One problem found in the input: what, where, how bad, which rule, and what to do about it.
public struct Diagnostic: Hashable, Sendable {
    public enum Severity: String, Sendable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    /// A secondary remark, optionally at its own location (e.g. "first defined here").
    public struct Note: Hashable, Sendable {
        public var message: String
        public var location: SourceLocation?

        public init(_ message: String, at location: SourceLocation? = nil) {
            self.message = message
            self.location = location
        }
    }

    public var severity: Severity
    /// A stable identifier of the check that produced this diagnostic (see `RuleID`).
    public var rule: RuleID
    public var message: String
    public var location: SourceLocation?
    public var notes: [Note]
    /// A concrete fix, phrased as an instruction ("did you mean 'schedule'?").
    public var suggestion: String?

    public init(
        _ severity: Severity,
        _ rule: RuleID,
        _ message: String,
        at location: SourceLocation?,
        notes: [Note] = [],
        suggestion: String? = nil
    ) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.location = location
        self.notes = notes
        self.suggestion = suggestion
    }

    public static func error(
        _ rule: RuleID, _ message: String, at location: SourceLocation?,
        notes: [Note] = [], suggestion: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, rule, message, at: location, notes: notes, suggestion: suggestion)
    }

    public static func warning(
        _ rule: RuleID, _ message: String, at location: SourceLocation?,
        notes: [Note] = [], suggestion: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, rule, message, at: location, notes: notes, suggestion: suggestion)
    }
}

extension Array where Element == Diagnostic {
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// Diagnostics in reading order: by file, line, column; unlocated ones first, in emission order.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { lhs, rhs in
            switch (lhs.element.location, rhs.element.location) {
            case let (l?, r?): return l == r ? lhs.offset < rhs.offset : l < r
            case (nil, _?): return true
            case (_?, nil): return false
            case (nil, nil): return lhs.offset < rhs.offset
            }
        }.map(\.element)
    }
}
