/// `--format sarif`: a SARIF 2.1.0 log with one run, every jobc rule described in the tool's driver
/// and each diagnostic a result pointing at its rule by id and index.
public enum SARIFLog {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    public static func render(_ report: DiagnosticReport) -> String {
        let rules = RuleID.catalog
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($0.element, $0.offset) })
        let driver = JSONValue.object([
            ("name", .string("jobc")),
            ("version", .string(JobcVersion.current)),
            ("rules", .array(rules.map { rule in
                .object([("id", .string(rule.name)), ("shortDescription", .object([("text", .string(rule.summary))]))])
            })),
        ])
        let results = report.diagnostics.map { diagnostic -> JSONValue in
            var members: [(String, JSONValue)] = [("ruleId", .string(diagnostic.rule.name))]
            if let index = ruleIndex[diagnostic.rule] { members.append(("ruleIndex", .integer(index))) }
            members.append(("level", .string(diagnostic.severity == .error ? "error" : "warning")))
            var text = diagnostic.message
            if let suggestion = diagnostic.suggestion { text += " (help: \(suggestion))" }
            members.append(("message", .object([("text", .string(text))])))
            if let location = diagnostic.location {
                members.append(("locations", .array([.object([("physicalLocation", physicalLocation(location))])])))
            }
            let related = diagnostic.notes.compactMap { note in
                note.location.map { location -> JSONValue in
                    .object([("physicalLocation", physicalLocation(location)), ("message", .object([("text", .string(note.message))]))])
                }
            }
            if !related.isEmpty { members.append(("relatedLocations", .array(related))) }
            return .object(members)
        }
        return JSONValue.object([
            ("$schema", .string(schemaURI)),
            ("version", .string("2.1.0")),
            ("runs", .array([.object([("tool", .object([("driver", driver)])), ("results", .array(results))])])),
        ]).rendered()
    }

    private static func physicalLocation(_ location: SourceLocation) -> JSONValue {
        .object([
            ("artifactLocation", .object([("uri", .string(uri(location.file)))])),
            ("region", .object([("startLine", .integer(location.line)), ("startColumn", .integer(location.column))])),
        ])
    }

    /// Relative paths stay relative (resolved against the repository by code-scanning tools);
    /// absolute ones become file URIs. Characters URIs cannot hold are percent-encoded.
    static func uri(_ path: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/".unicodeScalars)
        var encoded = ""
        for byte in path.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, allowed.contains(scalar) {
                encoded.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }
}
