import Foundation
import JobcCore

/// Strings for Cloud Workflows programs, which Workflows never evaluates. The YAML text itself is
/// `YAMLLiteral`'s; this adds the one rule Workflows lays over YAML:
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
        guard containsExpressionStart(value) else { return YAMLLiteral.string(value) }
        return YAMLLiteral.string(#"${text.decode(base64.decode(""# + Data(value.utf8).base64EncodedString() + #""))}"#)
    }

    /// Whether `value` holds the bytes `${`, wherever they are. Byte by byte on purpose: Foundation's
    /// `contains` compares grapheme clusters, so it misses `${` followed by a combining mark, which a
    /// code-point reader such as Workflows' still sees as an expression; it is also many times slower.
    static func containsExpressionStart(_ value: String) -> Bool {
        var previous: UInt8 = 0
        for byte in value.utf8 {
            if previous == UInt8(ascii: "$") && byte == UInt8(ascii: "{") { return true }
            previous = byte
        }
        return false
    }

    /// An expression of jobc's own (never user text): only YAML-quoted.
    public static func expression(_ code: String) -> String {
        YAMLLiteral.string("${" + code + "}")
    }

    /// A string literal inside an expression, for jobc's own names: Workflows documents no escapes
    /// there, so only identifiers (task keys) may be written so.
    static func expressionString(_ identifier: String) -> String {
        precondition(identifier.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" },
                     "only identifiers are quoted inside expressions")
        return "\"" + identifier + "\""
    }

    /// A parameter value in YAML flow style, its strings and mapping keys written as `string` writes them.
    public static func value(_ value: ParameterValue) -> String {
        YAMLLiteral.value(value, string: string)
    }
}
