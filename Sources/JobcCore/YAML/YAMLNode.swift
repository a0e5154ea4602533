/// A YAML node as the job file wrote it, with the position of its first character.
/// Aliases are already resolved (an alias is a copy of its anchor, sharing storage).
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLMappingEntry])
    }

    public var content: Content
    public var location: SourceLocation
    /// The explicit tag, if any (`tag:yaml.org,2002:str` for `!!str`); nil when the author wrote none.
    public var tag: String?
    /// How many nodes this node stands for once aliases are expanded; bounds traversal cost.
    var expandedSize: Int

    /// What a reader would call this node in a message: "a string", "a list", "a mapping".
    public var kindDescription: String {
        switch content {
        case .scalar(let scalar): return scalar.resolved.kindDescription
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }
}

/// One `key: value` pair of a mapping; keys are always scalars in jobc (complex keys are refused).
public struct YAMLMappingEntry: Sendable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: YAMLNode
}

/// A scalar's text and how it was written; the style decides how plain text resolves to a type.
public struct YAMLScalar: Sendable {
    public enum Style: Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var text: String
    public var style: Style
    /// Set when an explicit `!!str` tag forces the scalar to stay a string.
    public var forcedString: Bool

    /// The value under the YAML 1.2 core schema: only plain scalars become null, booleans or numbers.
    public var resolved: ScalarValue {
        if style != .plain || forcedString { return .string(text) }
        return ScalarValue(plain: text)
    }
}

/// The typed value of a scalar.
public enum ScalarValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case float(Double)
    case string(String)

    /// Resolution of a plain scalar under the YAML 1.2 core schema (what PyYAML calls "safe", minus
    /// YAML 1.1's yes/no/on/off, which surprise people more than they help).
    init(plain text: String) {
        guard text.utf8.first.map(Self.mayStartNonString) ?? true else {
            self = .string(text)
            return
        }
        switch text {
        case "", "~", "null", "Null", "NULL": self = .null
        case "true", "True", "TRUE": self = .bool(true)
        case "false", "False", "FALSE": self = .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": self = .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": self = .float(-.infinity)
        case ".nan", ".NaN", ".NAN": self = .float(.nan)
        default:
            if let integer = ScalarValue.integer(from: text) {
                self = .integer(integer)
            } else if ScalarValue.looksLikeFloat(text), let value = Double(text) {
                self = .float(value)
            } else {
                self = .string(text)
            }
        }
    }

    /// Whether a plain scalar starting with `byte` can be anything but a string: every null, boolean
    /// and number spelling below starts with one of these. Most scalars are names and paths, and
    /// this spares them the comparisons (resolution runs each time a reader asks for a value).
    private static func mayStartNonString(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "~"),
             UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            return true
        default:
            return false
        }
    }

    /// `0x…` or `0o…` digits too many for 64 bits. Resolving them as a string would change their
    /// type silently, so the loader refuses them. (A decimal integer that large resolves to a float,
    /// which the reader of each field reports with the field's own range.)
    static func isOverflowingHexOrOctal(_ text: String) -> Bool {
        // Every plain scalar of a job comes through here: the prefix test first keeps it cheap.
        guard text.utf8.count > 2, text.hasPrefix("0x") || text.hasPrefix("0o"), integer(from: text) == nil else { return false }
        if text.hasPrefix("0x") { return text.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit } }
        if text.hasPrefix("0o") { return text.dropFirst(2).allSatisfy { ("0"..."7").contains($0) } }
        return false
    }

    private static func integer(from text: String) -> Int? {
        // Int(_:radix:) would also take a sign after the prefix ("0x-5"); YAML does not.
        if text.hasPrefix("0x") {
            let digits = text.dropFirst(2)
            return digits.allSatisfy(\.isHexDigit) ? Int(digits, radix: 16) : nil
        }
        if text.hasPrefix("0o") {
            let digits = text.dropFirst(2)
            return digits.allSatisfy({ ("0"..."7").contains($0) }) ? Int(digits, radix: 8) : nil
        }
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, checked by hand to stay dependency-free.
    private static func looksLikeFloat(_ text: String) -> Bool {
        var chars = Substring(text)
        if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
        let mantissaEnd = chars.firstIndex { $0 == "e" || $0 == "E" } ?? chars.endIndex
        let mantissa = chars[..<mantissaEnd]
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits: (Substring) -> Bool = { $0.allSatisfy { $0.isASCII && $0.isNumber } }
        guard parts.allSatisfy(isDigits), mantissa.contains(where: { $0.isNumber }) else { return false }
        guard mantissaEnd != chars.endIndex else { return true }
        var exponent = chars[chars.index(after: mantissaEnd)...]
        if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
        return !exponent.isEmpty && isDigits(exponent)
    }

    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .float: return "a number"
        case .string: return "a string"
        }
    }
}
