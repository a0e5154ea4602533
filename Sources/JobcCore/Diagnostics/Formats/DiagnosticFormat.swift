/// How `jobc lint` (and the other commands) print diagnostics. Presentation only: every format
/// shows the same diagnostics with the same rule ids.
public enum DiagnosticFormat: String, CaseIterable, Sendable {
    /// `file:line:col: error: message [rule]`, the source line and a caret (colour on a terminal).
    case text
    /// One stable JSON document (see docs/diagnostics.md).
    case json
    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…::…`, shown as annotations.
    case github
    /// SARIF 2.1.0, for code-scanning tools.
    case sarif
}

/// The outcome of a run that a machine-readable format summarises.
public struct DiagnosticReport: Sendable {
    public var diagnostics: [Diagnostic]
    public var filesChecked: Int

    public init(diagnostics: [Diagnostic], filesChecked: Int) {
        self.diagnostics = diagnostics.sortedByLocation()
        self.filesChecked = filesChecked
    }

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.count - errorCount }
}
