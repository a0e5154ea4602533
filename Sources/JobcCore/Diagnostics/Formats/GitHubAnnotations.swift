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
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Property values also escape the separators of the property list (`escapeProperty`).
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
