/// Renders diagnostics as `file:line:col: severity: message [rule]`, the source line, a caret under the
/// column, then help and notes: the form compilers and linters print, which editors and CI logs link.
public struct DiagnosticRenderer: Sendable {
    /// Looks up one line of a file (1-based) so the renderer can quote it; nil when unavailable.
    public typealias LineLookup = @Sendable (_ file: String, _ line: Int) -> String?

    public var useColor: Bool
    private let lineLookup: LineLookup

    public init(useColor: Bool = false, lineLookup: @escaping LineLookup) {
        self.useColor = useColor
        self.lineLookup = lineLookup
    }

    public func render(_ diagnostic: Diagnostic) -> String {
        var out = ""
        if let location = diagnostic.location {
            out += style(.bold, "\(location): ")
        } else {
            out += style(.bold, "jobc: ")
        }
        let severityColor: Style = diagnostic.severity == .error ? .red : .yellow
        out += style(severityColor, "\(diagnostic.severity.rawValue):")
        out += style(.bold, " \(Self.printableText(diagnostic.message))")
        out += style(.dim, " [\(diagnostic.rule)]")
        out += "\n"
        if let location = diagnostic.location {
            out += snippet(at: location, caretStyle: severityColor)
        }
        if let suggestion = diagnostic.suggestion {
            out += "  " + style(.cyan, "help:") + " \(Self.printableText(suggestion))\n"
        }
        for note in diagnostic.notes {
            let place = note.location.map { "\($0): " } ?? ""
            out += "  " + style(.cyan, "note:") + " \(place)\(Self.printableText(note.message))\n"
            if let location = note.location, location != diagnostic.location {
                out += snippet(at: location, caretStyle: .cyan)
            }
        }
        return out
    }

    /// Lines longer than this are quoted as a window around the column.
    static let maxQuotedScalars = 160

    /// The quoted line with a caret. Tabs before the column are kept so the caret lines up in a terminal.
    private func snippet(at location: SourceLocation, caretStyle: Style) -> String {
        guard let text = lineLookup(location.file, location.line) else { return "" }
        let gutter = String(location.line)
        let blank = String(repeating: " ", count: gutter.count)
        var scalars = Array(text.unicodeScalars)
        var column = location.column
        if scalars.count > Self.maxQuotedScalars {
            let half = Self.maxQuotedScalars / 2
            let start = max(0, min(column - 1 - half, scalars.count - Self.maxQuotedScalars))
            let end = min(scalars.count, start + Self.maxQuotedScalars)
            let ellipsis: [Unicode.Scalar] = ["\u{2026}"]
            scalars = (start > 0 ? ellipsis : []) + Array(scalars[start..<end]) + (end < scalars.count ? ellipsis : [])
            column = column - start + (start > 0 ? 1 : 0)
        }
        let prefixCount = min(max(column - 1, 0), scalars.count)
        // The caret stays under its scalar: each one before it is padded as wide as it is shown.
        let padding = scalars[..<prefixCount].map { $0 == "\t" ? "\t" : String(repeating: " ", count: Self.printable($0).unicodeScalars.count) }.joined()
        let visibleLine = scalars.map(Self.printable).joined()
        return " \(style(.dim, gutter + " |")) \(visibleLine)\n"
            + " \(style(.dim, blank + " |")) \(padding)\(style(caretStyle, "^"))\n"
    }

    /// Messages quote user text (keys, values): escape sequences or line breaks in it must neither
    /// drive the terminal nor forge a diagnostic line.
    static func printableText(_ text: String) -> String {
        text.unicodeScalars.map { $0 == "\n" ? "\u{21B5}" : printable($0) }.joined()
    }

    /// Control characters in a quoted line would corrupt the terminal; show them as U+FFFD. Scalars a
    /// reader would not see as themselves (zero-width, bidi controls that reorder the line, odd
    /// spaces: `isHiddenFromReaders`, as the literal encoders decide) are shown by number, `<U+200B>`.
    private static func printable(_ scalar: Unicode.Scalar) -> String {
        if scalar == "\t" { return "\t" }
        if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) { return "\u{FFFD}" }
        guard scalar.isHiddenFromReaders else { return String(scalar) }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
    }

    private enum Style: String {
        case bold = "1", dim = "2", red = "1;31", yellow = "1;33", cyan = "1;36"
    }

    private func style(_ style: Style, _ text: String) -> String {
        useColor ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}
