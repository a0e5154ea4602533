import Foundation
import JobcCore

/// YAML scalars for Cloud Workflows programs. Every string from the job is a YAML double-quoted
/// scalar whose escapes make a YAML parser return exactly the input (no input can end the scalar,
/// start a key, or hide characters from a reviewer), and which Workflows never evaluates:
///
/// Workflows treats `${…}` inside a string value as an expression, so a string containing `${` is
/// emitted as the expression `${text.decode(base64.decode("…"))}`, which evaluates to exactly the
/// input string. Why base64 rather than concatenated string literals: Google documents no escape
/// rules for string literals inside expressions, and the emulator (workflows-emulator 1.10.0)
/// finds the end of an expression at the first `}`, even inside a string literal, so a literal
/// holding `}` cannot be written. The base64 alphabet has neither quotes, backslashes nor braces,
/// and both functions are in Workflows' standard library.
public enum WorkflowsLiteral {
    /// A value Workflows passes through unevaluated.
    public static func string(_ value: String) -> String {
        guard containsExpressionStart(value) else { return quoted(value) }
        return quoted(#"${text.decode(base64.decode(""# + Data(value.utf8).base64EncodedString() + #""))}"#)
    }

    /// Whether `value` holds the bytes `${`, wherever they are. Byte by byte on purpose: Foundation's
    /// `contains` compares grapheme clusters, so it misses `${` followed by a combining mark, which a
    /// code-point reader such as Workflows' still sees as an expression; it is also many times slower.
    private static func containsExpressionStart(_ value: String) -> Bool {
        var previous: UInt8 = 0
        for byte in value.utf8 {
            if previous == UInt8(ascii: "$") && byte == UInt8(ascii: "{") { return true }
            previous = byte
        }
        return false
    }

    /// An expression of jobc's own (never user text): only YAML-quoted.
    public static func expression(_ code: String) -> String {
        quoted("${" + code + "}")
    }

    /// A parameter value in YAML flow style: strings as above, mapping keys quoted too.
    public static func value(_ value: ParameterValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .float(let number): return float(number)
        case .string(let text): return string(text)
        case .list(let items): return "[" + items.map(self.value).joined(separator: ", ") + "]"
        case .mapping(let entries):
            return "{" + entries.map { string($0.key) + ": " + self.value($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// A float YAML 1.1 parsers (PyYAML, the emulator's) also read as a float: they need a '.' in
    /// the mantissa and a sign on the exponent ("1e-05" would be a string to them).
    static func float(_ number: Double) -> String {
        precondition(number.isFinite, "validation admits only finite numbers")
        let text = "\(number)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<e])
        var exponent = String(text[text.index(after: e)...])
        if !mantissa.contains(".") { mantissa += ".0" }
        if !exponent.hasPrefix("-") && !exponent.hasPrefix("+") { exponent = "+" + exponent }
        return mantissa + "e" + exponent
    }

    /// A YAML double-quoted scalar. ASCII controls and every invisible or line-breaking scalar
    /// (NEL, LS, PS, BOM, bidi controls, non-ASCII spaces) are escaped; other text stays readable.
    public static func quoted(_ value: String) -> String {
        DoubleQuotedText.quoted(value)
    }
}
