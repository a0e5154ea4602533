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
        // Every scalar of a job is resolved, most of them names and paths: the first byte says which
        // spellings are possible at all, so a key like `function` costs one comparison, not a parse.
        guard let first = text.utf8.first else {
            self = .null
            return
        }
        switch first {
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
             UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "~"):
            self = Self.keyword(text) ?? .string(text)  // no number starts with these
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            // No keyword starts with a digit (only with '+', '-' or '.', all below '0'): an integer is
            // not compared with twenty spellings first.
            if first < UInt8(ascii: "0"), let keyword = Self.keyword(text) {
                self = keyword
            } else if let integer = ScalarValue.integer(from: text) {
                self = .integer(integer)
            } else if ScalarValue.looksLikeFloat(text), let value = Double(text) {
                self = .float(value)
            } else {
                self = .string(text)
            }
        default:
            self = .string(text)
        }
    }

    /// The null, boolean, infinity and NaN spellings of the core schema.
    private static func keyword(_ text: String) -> ScalarValue? {
        // Each spelling is 1 to 5 bytes: a longer name (`function`, `tasks`…) is no keyword, without
        // comparing it with every spelling.
        guard text.utf8.count <= 5 else { return nil }
        switch text {
        case "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: return nil
        }
    }

    /// `0x…` or `0o…` digits too many for 64 bits. Resolving them as a string would change their
    /// type silently, so the loader refuses them. (A decimal integer that large resolves to a float,
    /// which the reader of each field reports with the field's own range.)
    static func isOverflowingHexOrOctal(_ text: String) -> Bool {
        // Every plain scalar of a job comes through here: the prefix test first keeps it cheap.
        var bytes = text.utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "0"), let radix = bytes.next(), radix == UInt8(ascii: "x") || radix == UInt8(ascii: "o"),
              text.utf8.count > 2, integer(from: text) == nil else { return false }
        let digits = text.utf8.dropFirst(2)
        return radix == UInt8(ascii: "x") ? digits.allSatisfy(isHexDigit) : digits.allSatisfy(isOctalDigit)
    }

    // Byte tests: the scalars are UTF-8, and a non-ASCII byte is never a digit.
    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isOctalDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    private static func integer(from text: String) -> Int? {
        // Int(_:radix:) would also take a sign after the prefix ("0x-5"); YAML does not.
        var bytes = text.utf8.makeIterator()
        if bytes.next() == UInt8(ascii: "0"), let radix = bytes.next(), radix == UInt8(ascii: "x") || radix == UInt8(ascii: "o") {
            let digits = text.utf8.dropFirst(2)
            if radix == UInt8(ascii: "x") {
                return digits.allSatisfy(isHexDigit) ? Int(Substring(digits), radix: 16) : nil
            }
            return digits.allSatisfy(isOctalDigit) ? Int(Substring(digits), radix: 8) : nil
        }
        var digits = text.utf8[...]
        if digits.first == UInt8(ascii: "-") || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
        return Int(text)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, checked by hand to stay dependency-free.
    private static func looksLikeFloat(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        var mantissaDigits = 0
        var dots = 0
        while let byte = bytes.first, byte != UInt8(ascii: "e"), byte != UInt8(ascii: "E") {
            if isDigit(byte) {
                mantissaDigits += 1
            } else if byte == UInt8(ascii: ".") && dots == 0 {
                dots += 1
            } else {
                return false
            }
            bytes = bytes.dropFirst()
        }
        guard mantissaDigits > 0 else { return false }
        guard !bytes.isEmpty else { return true }
        bytes = bytes.dropFirst()  // the e
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.allSatisfy(isDigit)
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
