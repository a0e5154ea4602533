/// `--format github`: GitHub Actions workflow commands, which the Actions runner turns into
/// annotations on the pull request's diff, on the right line.
public enum GitHubAnnotations {
    public static func render(_ report: DiagnosticReport) -> String {
        report.diagnostics.map(line).joined()
    }

    static func line(_ diagnostic: Diagnostic) -> String {
        var properties: [String] = []
        if let location = diagnostic.location {
            properties.append("file=\(escapeProperty(location.file))")
            properties.append("line=\(location.line)")
            properties.append("col=\(location.column)")
        }
        properties.append("title=\(escapeProperty("jobc [\(diagnostic.rule)]"))")
        var message = diagnostic.message
        if let suggestion = diagnostic.suggestion { message += "\nhelp: \(suggestion)" }
        for note in diagnostic.notes {
            message += "\nnote: " + (note.location.map { "\($0): " } ?? "") + note.message
        }
        let command = diagnostic.severity == .error ? "error" : "warning"
        return "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))\n"
    }

    /// The runner's own escaping (toolkit/core `escapeData`): these three would end the command.
    static func escapeData(_ text: String) -> String {
        escape(text, ["%": "%25", "\r": "%0D", "\n": "%0A"])
    }

    /// Property values also escape the separators of the property list (`escapeProperty`).
    static func escapeProperty(_ text: String) -> String {
        escape(text, ["%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"])
    }

    /// By Unicode scalar, as the runner reads the command: `replacingOccurrences` compares grapheme
    /// clusters and leaves a `,` or `:` that a combining mark follows unescaped.
    private static func escape(_ text: String, _ escapes: [Unicode.Scalar: String]) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if let escaped = escapes[scalar] { out += escaped } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
