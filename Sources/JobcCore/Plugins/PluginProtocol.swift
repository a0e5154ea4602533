import Foundation

/// The messages of the plugin protocol (docs/plugins.md), decoded and checked field by field so a
/// misbehaving plugin gets a message that names the field, never a crash or a half-written output.
public enum PluginProtocol {
    public static let version = 1

    /// The answer to `jobc-emit-NAME --capabilities`.
    public struct Capabilities: Sendable {
        public var summary: String
        public var capabilities: TargetCapabilities
    }

    /// The answer to one compile request.
    public struct Response: Sendable {
        public var files: [Artifact]
        public var diagnostics: [ReportedDiagnostic]
    }

    /// A diagnostic as a plugin reports it: by task key, not by file position.
    public struct ReportedDiagnostic: Sendable, Equatable {
        public var severity: Diagnostic.Severity
        public var message: String
        public var taskKey: String?
        public var suggestion: String?
    }

    public struct Violation: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public static func decodeCapabilities(_ bytes: [UInt8]) throws(Violation) -> Capabilities {
        let object = try topLevelObject(bytes)
        let summary = try requiredString(object, "summary", at: "")
        let supported = try featureMap(object["supported"], "supported")
        let workarounds = try featureMap(object["workarounds"], "workarounds")
        return Capabilities(summary: summary, capabilities: TargetCapabilities(supported: supported, workarounds: workarounds))
    }

    public static func decodeResponse(_ bytes: [UInt8]) throws(Violation) -> Response {
        let object = try topLevelObject(bytes)
        guard let files = object["files"] as? [Any] else { throw Violation(description: "'files' must be a list") }
        var artifacts: [Artifact] = []
        var seen: Set<String> = []
        for (index, entry) in files.enumerated() {
            guard let file = entry as? [String: Any] else { throw Violation(description: "'files[\(index)]' must be an object") }
            let path = try requiredString(file, "path", at: "files[\(index)].")
            let content = try requiredString(file, "content", at: "files[\(index)].")
            guard OutputWriter.isSafe(path) else {
                throw Violation(description: "'files[\(index)].path' \(quoted(path)) is not a safe relative path (no absolute path, '.', '..', empty segment, backslash or NUL)")
            }
            guard seen.insert(path).inserted else { throw Violation(description: "'files' lists \(quoted(path)) twice") }
            artifacts.append(Artifact(relativePath: path, contents: content))
        }
        var diagnostics: [ReportedDiagnostic] = []
        if let reported = object["diagnostics"], !(reported is NSNull) {
            guard let list = reported as? [Any] else { throw Violation(description: "'diagnostics' must be a list") }
            for (index, entry) in list.enumerated() {
                diagnostics.append(try diagnostic(entry, at: "diagnostics[\(index)]"))
            }
        }
        return Response(files: artifacts, diagnostics: diagnostics)
    }

    private static func diagnostic(_ entry: Any, at field: String) throws(Violation) -> ReportedDiagnostic {
        guard let object = entry as? [String: Any] else { throw Violation(description: "'\(field)' must be an object") }
        let severityName = try requiredString(object, "severity", at: field + ".")
        guard let severity = Diagnostic.Severity(rawValue: severityName) else {
            throw Violation(description: "'\(field).severity' must be \"error\" or \"warning\", got \(quoted(severityName))")
        }
        return ReportedDiagnostic(
            severity: severity, message: try requiredString(object, "message", at: field + "."),
            taskKey: try optionalString(object, "task", at: field + "."),
            suggestion: try optionalString(object, "suggestion", at: field + "."))
    }

    private static func topLevelObject(_ bytes: [UInt8]) throws(Violation) -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            let start = String(decoding: bytes.prefix(60), as: UTF8.self)
            throw Violation(description: bytes.isEmpty ? "it printed nothing on stdout" : "its output is not JSON (it starts with \(quoted(start)))")
        }
        guard let object = parsed as? [String: Any] else { throw Violation(description: "its output is JSON but not an object") }
        guard let version = object["protocolVersion"] as? NSNumber else {
            throw Violation(description: "'protocolVersion' is missing (this jobc speaks protocol version \(Self.version))")
        }
        guard version.intValue == Self.version, version.doubleValue == Double(Self.version) else {
            throw Violation(description: "it speaks protocol version \(version), this jobc speaks version \(Self.version)")
        }
        return object
    }

    private static func featureMap(_ value: Any?, _ field: String) throws(Violation) -> [TargetCapabilities.Feature: String] {
        guard let value, !(value is NSNull) else { return [:] }
        guard let object = value as? [String: Any] else { throw Violation(description: "'\(field)' must be an object of feature: note") }
        var features: [TargetCapabilities.Feature: String] = [:]
        for name in object.keys.sorted() {
            guard let feature = TargetCapabilities.Feature(rawValue: name) else {
                let known = TargetCapabilities.Feature.allCases.map(\.rawValue).joined(separator: ", ")
                throw Violation(description: "'\(field)' names an unknown feature \(quoted(name)); known features: \(known)")
            }
            guard let note = object[name] as? String else { throw Violation(description: "'\(field).\(name)' must be a string") }
            features[feature] = note
        }
        return features
    }

    private static func requiredString(_ object: [String: Any], _ key: String, at prefix: String) throws(Violation) -> String {
        guard let value = object[key] else { throw Violation(description: "'\(prefix)\(key)' is missing") }
        guard let string = value as? String else { throw Violation(description: "'\(prefix)\(key)' must be a string") }
        return string
    }

    private static func optionalString(_ object: [String: Any], _ key: String, at prefix: String) throws(Violation) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let string = value as? String else { throw Violation(description: "'\(prefix)\(key)' must be a string") }
        return string
    }

    static func quoted(_ text: String) -> String {
        JSONLiteral.string(text)
    }
}
