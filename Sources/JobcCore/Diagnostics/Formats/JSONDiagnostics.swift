/// `--format json`: one document, keys in a fixed order, version 1 (docs/diagnostics.md).
public enum JSONDiagnostics {
    public static let formatVersion = 1

    public static func render(_ report: DiagnosticReport) -> String {
        JSONValue.object([
            ("version", .integer(formatVersion)),
            ("tool", .object([("name", .string("jobc")), ("version", .string(JobcVersion.current))])),
            ("summary", .object([
                ("files", .integer(report.filesChecked)),
                ("errors", .integer(report.errorCount)),
                ("warnings", .integer(report.warningCount)),
            ])),
            ("diagnostics", .array(report.diagnostics.map(json))),
        ]).rendered()
    }

    static func json(_ diagnostic: Diagnostic) -> JSONValue {
        .object([
            ("severity", .string(diagnostic.severity.rawValue)),
            ("rule", .string(diagnostic.rule.name)),
            ("message", .string(diagnostic.message)),
            ("location", location(diagnostic.location)),
            ("suggestion", diagnostic.suggestion.map(JSONValue.string) ?? .null),
            ("notes", .array(diagnostic.notes.map { .object([("message", .string($0.message)), ("location", location($0.location))]) })),
        ])
    }

    private static func location(_ location: SourceLocation?) -> JSONValue {
        guard let location else { return .null }
        return .object([("file", .string(location.file)), ("line", .integer(location.line)), ("column", .integer(location.column))])
    }
}
