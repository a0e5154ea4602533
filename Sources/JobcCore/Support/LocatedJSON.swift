/// A JSON value with the position of its first character, so import diagnostics can point at
/// `file:line:column` like job diagnostics do (Foundation's parser keeps no positions). Plugin
/// answers are read with the same strict parser.
public indirect enum LocatedJSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number as written: AEF keeps numbers in strings, so a bare number is only ever reported.
    case number(String)
    case string(String)
    case array([LocatedJSON])
    /// Members in file order; a repeated key is refused by the parser.
    case object([(key: Located<String>, value: LocatedJSON)])

    /// "a string", "an array"…: for wrong-type messages.
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// One node of a parsed JSON document.
public struct LocatedJSON: Sendable {
    public var value: LocatedJSONValue
    public var location: SourceLocation

    public var string: String? {
        if case .string(let text) = value { return text }
        return nil
    }

    public var array: [LocatedJSON]? {
        if case .array(let items) = value { return items }
        return nil
    }

    public var members: [(key: Located<String>, value: LocatedJSON)]? {
        if case .object(let members) = value { return members }
        return nil
    }

    /// The value of member `key` of an object (nil for a missing key, or when this is no object).
    public subscript(key: String) -> LocatedJSON? {
        guard case .object(let members) = value else { return nil }
        return members.first { $0.key.value == key }?.value
    }

    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    public var bool: Bool? {
        if case .bool(let flag) = value { return flag }
        return nil
    }

    /// A number with no fractional part, as an `Int` (`2` and `2.0` alike); nil for any other value.
    public var wholeNumber: Int? {
        guard case .number(let text) = value else { return nil }
        if let integer = Int(text) { return integer }
        guard let number = Double(text), number == number.rounded(), abs(number) < 0x1p53 else { return nil }
        return Int(number)
    }
}

/// A strict RFC 8259 parser: no comments, no trailing commas, no NaN, UTF-8 only, bounded nesting.
/// Duplicate keys are an error (JSON parsers disagree on which one wins).
public struct LocatedJSONParser {
    public struct SyntaxError: Error, Sendable {
        public var message: String
        public var location: SourceLocation
    }

    public static let maxDepth = 64
    public static let maxFileBytes = 8 << 20

    private let bytes: [UInt8]
    private let file: String
    private var offset = 0
    private var line = 1
    /// Byte offset where the current line starts; columns count Unicode scalars from there.
    private var lineStart = 0

    /// `maxBytes`: files users write stay under `maxFileBytes`; a plugin's answer is bounded by
    /// the output limit of its process instead.
    public static func parse(_ source: SourceFile, maxBytes: Int = maxFileBytes) throws(SyntaxError) -> LocatedJSON {
        var parser = LocatedJSONParser(bytes: source.bytes, file: source.displayPath)
        return try parser.parseDocument(maxBytes: maxBytes)
    }

    private init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    private mutating func parseDocument(maxBytes: Int) throws(SyntaxError) -> LocatedJSON {
        guard bytes.count <= maxBytes else {
            throw SyntaxError(message: "the file is larger than \(maxBytes >> 20) MiB", location: here())
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SyntaxError(message: "the file is not UTF-8 text", location: here())
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3; lineStart = 3 }
        skipWhitespace()
        guard offset < bytes.count else { throw SyntaxError(message: "the file holds no JSON value", location: here()) }
        let document = try parseValue(depth: 0)
        skipWhitespace()
        guard offset == bytes.count else { throw error("unexpected \(describeNext()) after the JSON value") }
        return document
    }

    /// Where the last column was counted: columns grow as the parser moves right, so a long
    /// minified line is scanned once, not once per value.
    private var counted = (offset: 0, column: 1)

    /// The current position; columns count Unicode scalars (UTF-8 lead bytes), as libyaml does.
    private mutating func here() -> SourceLocation {
        if counted.offset < lineStart || counted.offset > offset { counted = (lineStart, 1) }
        let end = min(offset, bytes.count)
        counted.column += bytes[counted.offset..<end].lazy.filter { $0 & 0xC0 != 0x80 }.count
        counted.offset = end
        return SourceLocation(file: file, line: line, column: counted.column)
    }

    private mutating func error(_ message: String) -> SyntaxError {
        SyntaxError(message: message, location: here())
    }

    private func describeNext() -> String {
        guard offset < bytes.count else { return "end of file" }
        let scalar = String(decoding: bytes[offset..<min(offset + 4, bytes.count)], as: UTF8.self).unicodeScalars.first ?? "?"
        return scalar.value < 0x20 ? "control character U+\(String(scalar.value, radix: 16, uppercase: true))" : "'\(scalar)'"
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): offset += 1
            case UInt8(ascii: "\n"):
                offset += 1
                line += 1
                lineStart = offset
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(SyntaxError) -> LocatedJSON {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        let start = here()
        guard offset < bytes.count else { throw error("unexpected end of file: a value is missing") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return LocatedJSON(value: try parseObject(depth: depth), location: start)
        case UInt8(ascii: "["): return LocatedJSON(value: try parseArray(depth: depth), location: start)
        case UInt8(ascii: "\""): return LocatedJSON(value: .string(try parseString()), location: start)
        case UInt8(ascii: "t"): try expectWord("true"); return LocatedJSON(value: .bool(true), location: start)
        case UInt8(ascii: "f"): try expectWord("false"); return LocatedJSON(value: .bool(false), location: start)
        case UInt8(ascii: "n"): try expectWord("null"); return LocatedJSON(value: .null, location: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return LocatedJSON(value: .number(try parseNumber()), location: start)
        default: throw error("unexpected \(describeNext()): expected a JSON value")
        }
    }

    private mutating func expectWord(_ word: String) throws(SyntaxError) {
        let expected = Array(word.utf8)
        guard bytes[offset...].starts(with: expected) else { throw error("unexpected \(describeNext()): expected a JSON value") }
        offset += expected.count
    }

    private mutating func parseObject(depth: Int) throws(SyntaxError) -> LocatedJSONValue {
        offset += 1
        var members: [(key: Located<String>, value: LocatedJSON)] = []
        var seen: [String: SourceLocation] = [:]
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describeNext()): expected a key in double quotes")
            }
            let keyLocation = here()
            let key = try parseString()
            if let first = seen[key] {
                throw SyntaxError(message: "duplicate key '\(key)' (first at line \(first.line), column \(first.column))", location: keyLocation)
            }
            seen[key] = keyLocation
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("unexpected \(describeNext()): expected ':' after the key") }
            offset += 1
            skipWhitespace()
            members.append((Located(key, at: keyLocation), try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of file: the object is not closed with '}'") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
            throw error("unexpected \(describeNext()): expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws(SyntaxError) -> LocatedJSONValue {
        offset += 1
        var items: [LocatedJSON] = []
        skipWhitespace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard offset < bytes.count else { throw error("unexpected end of file: the array is not closed with ']'") }
            if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
            if bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(items) }
            throw error("unexpected \(describeNext()): expected ',' or ']'")
        }
    }

    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = offset
        func digits(_ parser: inout LocatedJSONParser) -> Int {
            let first = parser.offset
            while parser.offset < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.offset]) { parser.offset += 1 }
            return parser.offset - first
        }
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let integerStart = offset
        guard digits(&self) > 0 else { throw error("unexpected \(describeNext()): expected a digit") }
        if bytes[integerStart] == UInt8(ascii: "0"), offset - integerStart > 1 {
            offset = start
            throw error("numbers cannot have leading zeros")
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw error("unexpected \(describeNext()): expected a digit after '.'") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            guard digits(&self) > 0 else { throw error("unexpected \(describeNext()): expected a digit in the exponent") }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    /// A string without escapes is its own bytes (the whole text was checked to be UTF-8 up front),
    /// made into a `String` at once; one with escapes is decoded into a byte buffer, run by run.
    /// Plugin answers are mostly long strings of generated code, so this is most of reading one.
    private mutating func parseString() throws(SyntaxError) -> String {
        offset += 1
        var decoded: [UInt8] = []
        var escaped = false
        while true {
            let runStart = offset
            offset = bytes.withUnsafeBufferPointer { ByteScan.endOfJSONStringRun($0, from: runStart) }
            guard offset < bytes.count else { throw error("unexpected end of file: the string is not closed with '\"'") }
            let byte = bytes[offset]
            if byte < 0x20 { throw error("control character U+\(String(byte, radix: 16, uppercase: true)) in a string: write it as an escape (\\n, \\t, \\u00XX)") }
            offset += 1
            if byte == UInt8(ascii: "\"") {
                guard escaped else { return String(decoding: bytes[runStart..<offset - 1], as: UTF8.self) }
                decoded.append(contentsOf: bytes[runStart..<offset - 1])
                return String(decoding: decoded, as: UTF8.self)
            }
            decoded.append(contentsOf: bytes[runStart..<offset - 1])
            escaped = true
            guard offset < bytes.count else { throw error("unexpected end of file in an escape sequence") }
            let escape = bytes[offset]
            offset += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"): decoded.append(contentsOf: String(Character(try parseUnicodeEscape())).utf8)
            default:
                offset -= 2
                throw error("invalid escape sequence '\\\(Unicode.Scalar(escape))' in a string")
            }
        }
    }

    /// `\uXXXX`, joining a surrogate pair; a lone surrogate is an error, not a replacement character.
    private mutating func parseUnicodeEscape() throws(SyntaxError) -> Unicode.Scalar {
        let escapeStart = offset - 2
        let high = try hexQuad()
        if (0xD800...0xDBFF).contains(high) {
            guard bytes[offset...].starts(with: Array("\\u".utf8)) else {
                offset = escapeStart
                throw error("lone surrogate \\u\(String(high, radix: 16)) in a string")
            }
            offset += 2
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else {
                offset = escapeStart
                throw error("invalid surrogate pair in a string")
            }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(high) else {
            offset = escapeStart
            throw error("lone surrogate \\u\(String(high, radix: 16)) in a string")
        }
        return scalar
    }

    private mutating func hexQuad() throws(SyntaxError) -> UInt32 {
        guard offset + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16),
              bytes[offset..<offset + 4].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") }) else {
            throw error("\\u must be followed by four hexadecimal digits")
        }
        offset += 4
        return value
    }
}
