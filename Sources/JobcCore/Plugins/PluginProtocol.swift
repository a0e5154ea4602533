import Foundation

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
    /// version jobc speaks when nil). Returns the object and its version.
    static func topLevelObject(_ bytes: [UInt8], expecting expected: Int?) throws(Violation) -> (object: [String: Any], version: Int) {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            let start = String(decoding: bytes.prefix(60), as: UTF8.self)
            throw Violation(bytes.isEmpty ? "it printed nothing on stdout" : "its output is not JSON (it starts with \(quoted(start)))")
        }
        guard let object = parsed as? [String: Any] else { throw Violation("its output is JSON but not an object") }
        guard let number = object["protocolVersion"] as? NSNumber, !isBoolean(number) else {
            throw Violation("'protocolVersion' is missing (this jobc speaks protocol \(spokenVersions))")
        }
        guard number.doubleValue == Double(number.intValue) else {
            throw Violation("'protocolVersion' must be a whole number, got \(number)")
        }
        let version = number.intValue
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

    static func requiredString(_ object: [String: Any], _ key: String, at prefix: String) throws(Violation) -> String {
        guard let value = object[key] else { throw Violation("'\(prefix)\(key)' is missing") }
        guard let string = value as? String else { throw Violation("'\(prefix)\(key)' must be a string") }
        return string
    }

    static func optionalString(_ object: [String: Any], _ key: String, at prefix: String) throws(Violation) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let string = value as? String else { throw Violation("'\(prefix)\(key)' must be a string") }
        return string
    }

    /// A list that may be absent or null (then empty).
    static func optionalList(_ object: [String: Any], _ key: String, at prefix: String) throws(Violation) -> [Any] {
        guard let value = object[key], !(value is NSNull) else { return [] }
        guard let list = value as? [Any] else { throw Violation("'\(prefix)\(key)' must be a list") }
        return list
    }

    static func stringList(_ value: Any?, at field: String) throws(Violation) -> [String] {
        guard let list = value as? [Any] else { throw Violation("'\(field)' must be a list of strings") }
        var strings: [String] = []
        for (index, item) in list.enumerated() {
            guard let string = item as? String else { throw Violation("'\(field)[\(index)]' must be a string") }
            strings.append(string)
        }
        return strings
    }

    static func jsonObject(_ value: Any, at field: String) throws(Violation) -> [String: Any] {
        guard let object = value as? [String: Any] else { throw Violation("'\(field)' must be an object") }
        return object
    }

    /// JSONSerialization reads `true` as an NSNumber, of its own class.
    static func isBoolean(_ number: NSNumber) -> Bool {
        type(of: number) == booleanClass
    }

    private static let booleanClass = type(of: NSNumber(value: true))

    static func quoted(_ text: String) -> String {
        JSONLiteral.string(text)
    }
}
