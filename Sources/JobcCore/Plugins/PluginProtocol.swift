/// The messages of the plugin protocol (docs/plugins.md, schemas in docs/plugin-protocol/), decoded
/// and checked field by field so a misbehaving plugin gets a message that names the field, never a
/// crash or a half-written output. Messages: `PluginCapabilities.swift` (the `--capabilities`
/// answer), `PluginCompileMessages.swift` (compile requests and answers).
public enum PluginProtocol {
    /// The newest version: what jobc asks for and what a plugin should answer with.
    public static let version = 2
    /// Every version this jobc speaks. A version 1 plugin compiles one job per process.
    public static let supportedVersions = 1...version

    public struct Violation: Error, CustomStringConvertible, Equatable {
        public var description: String

        init(_ description: String) {
            self.description = description
        }
    }

    /// The plugin's whole stdout as a JSON object that declares protocol version `expected` (any
    /// version jobc speaks when nil). Returns the object and its version. Strict JSON: a key twice in
    /// an object is refused, as JSON readers disagree on which one wins.
    static func topLevelObject(_ bytes: [UInt8], expecting expected: Int?) throws(Violation) -> (object: LocatedJSON, version: Int) {
        guard !bytes.isEmpty else { throw Violation("it printed nothing on stdout") }
        let object: LocatedJSON
        do {
            object = try LocatedJSONParser.parse(SourceFile(displayPath: "stdout", bytes: bytes), maxBytes: Int.max)
        } catch {
            let start = String(decoding: bytes.prefix(60), as: UTF8.self)
            throw Violation("its output is not JSON (it starts with \(quoted(start))): line \(error.location.line), column \(error.location.column): \(error.message)")
        }
        guard object.members != nil else { throw Violation("its output is JSON but not an object") }
        guard let number = object["protocolVersion"], number.bool == nil, !number.isNull else {
            throw Violation("'protocolVersion' is missing (this jobc speaks protocol \(spokenVersions))")
        }
        guard let version = number.wholeNumber else {
            let given = if case .number(let text) = number.value { text } else { number.value.kindDescription }
            throw Violation("'protocolVersion' must be a whole number, got \(given)")
        }
        if let expected {
            guard version == expected else {
                throw Violation("it answered in protocol version \(version), but its --capabilities chose version \(expected)")
            }
        } else if !supportedVersions.contains(version) {
            throw Violation("it speaks protocol version \(version), this jobc speaks \(spokenVersions)")
        }
        return (object, version)
    }

    static var spokenVersions: String {
        "versions \(supportedVersions.map(String.init).joined(separator: " and "))"
    }

    // MARK: Fields

    static func requiredString(_ object: LocatedJSON, _ key: String, at prefix: String) throws(Violation) -> String {
        guard let value = object[key] else { throw Violation("'\(prefix)\(key)' is missing") }
        guard let string = value.string else { throw Violation("'\(prefix)\(key)' must be a string") }
        return string
    }

    static func optionalString(_ object: LocatedJSON, _ key: String, at prefix: String) throws(Violation) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let string = value.string else { throw Violation("'\(prefix)\(key)' must be a string") }
        return string
    }

    /// A list that may be absent or null (then empty).
    static func optionalList(_ object: LocatedJSON, _ key: String, at prefix: String) throws(Violation) -> [LocatedJSON] {
        guard let value = object[key], !value.isNull else { return [] }
        guard let list = value.array else { throw Violation("'\(prefix)\(key)' must be a list") }
        return list
    }

    static func stringList(_ value: LocatedJSON?, at field: String) throws(Violation) -> [String] {
        guard let list = value?.array else { throw Violation("'\(field)' must be a list of strings") }
        var strings: [String] = []
        for (index, item) in list.enumerated() {
            guard let string = item.string else { throw Violation("'\(field)[\(index)]' must be a string") }
            strings.append(string)
        }
        return strings
    }

    static func jsonObject(_ value: LocatedJSON, at field: String) throws(Violation) -> LocatedJSON {
        guard value.members != nil else { throw Violation("'\(field)' must be an object") }
        return value
    }

    static func quoted(_ text: String) -> String {
        JSONLiteral.string(text)
    }
}
