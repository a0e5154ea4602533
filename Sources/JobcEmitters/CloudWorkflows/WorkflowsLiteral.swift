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
        guard value.contains("${") else { return quoted(value) }
        return quoted(#"${text.decode(base64.decode(""# + Data(value.utf8).base64EncodedString() + #""))}"#)
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
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsEscape(scalar): out += escape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || scalar.value == 0x7F { return true }
        if scalar.isASCII { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .privateUse, .surrogate, .unassigned:
            return true
        default:
            return false
        }
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        switch scalar.value {
        case ..<0x100: return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        case ..<0x10000: return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
        }
    }
}
