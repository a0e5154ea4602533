import Foundation

extension PluginProtocol {
    /// The answer to `jobc-emit-NAME --capabilities`: what the target can express and, from version
    /// 2, the names it reserves, how its job modules are named and the options it takes.
    public struct Capabilities: Sendable {
        /// The version the plugin chose: every later message of the run uses it.
        public var protocolVersion: Int
        public var summary: String
        public var capabilities: TargetCapabilities
        public var reservedIdentifiers: [ReservedIdentifier]
        public var jobModule: JobModuleNaming?
        public var options: [TargetOption]
    }

    public static func decodeCapabilities(_ bytes: [UInt8]) throws(Violation) -> Capabilities {
        let (object, version) = try topLevelObject(bytes, expecting: nil)
        let summary = try requiredString(object, "summary", at: "")
        let supported = try featureMap(object["supported"], "supported")
        let workarounds = try featureMap(object["workarounds"], "workarounds")
        var answer = Capabilities(
            protocolVersion: version, summary: summary,
            capabilities: TargetCapabilities(supported: supported, workarounds: workarounds),
            reservedIdentifiers: [], jobModule: nil, options: [])
        guard version >= 2 else { return answer }
        try knownFields(object, ["protocolVersion", "summary", "supported", "workarounds", "reservedIdentifiers", "jobModule", "options"], at: nil)
        answer.reservedIdentifiers = try optionalList(object, "reservedIdentifiers", at: "").enumerated().map { index, entry throws(Violation) in
            try reservedIdentifier(entry, at: "reservedIdentifiers[\(index)]")
        }
        if let naming = object["jobModule"], !naming.isNull {
            answer.jobModule = try jobModule(naming)
        }
        answer.options = try optionalList(object, "options", at: "").enumerated().map { index, entry throws(Violation) in
            try option(entry, at: "options[\(index)]")
        }
        var names: Set<String> = []
        for option in answer.options where !names.insert(option.name).inserted {
            throw Violation("'options' declares \(quoted(option.name)) twice")
        }
        return answer
    }

    /// A version 2 declaration must not hold a field jobc does not know: a misspelt one would
    /// silently drop what it declares (a reserved name, an option's check).
    private static func knownFields(_ object: LocatedJSON, _ known: [String], at field: String?) throws(Violation) {
        let names = (object.members ?? []).map(\.key.value)
        guard let unknown = names.sorted().first(where: { !known.contains($0) }) else { return }
        let place = field.map { "'\($0)'" } ?? "the answer"
        throw Violation("\(place) has an unknown field \(quoted(unknown)); its fields are \(known.joined(separator: ", "))")
    }

    private static func featureMap(_ value: LocatedJSON?, _ field: String) throws(Violation) -> [TargetCapabilities.Feature: String] {
        guard let value, !value.isNull else { return [:] }
        guard let members = value.members else { throw Violation("'\(field)' must be an object of feature: note") }
        var features: [TargetCapabilities.Feature: String] = [:]
        for (name, note) in members.map({ ($0.key.value, $0.value) }).sorted(by: { $0.0 < $1.0 }) {
            guard let feature = TargetCapabilities.Feature(rawValue: name) else {
                let known = TargetCapabilities.Feature.allCases.map(\.rawValue).joined(separator: ", ")
                throw Violation("'\(field)' names an unknown feature \(quoted(name)); known features: \(known)")
            }
            guard let note = note.string else { throw Violation("'\(field).\(name)' must be a string") }
            features[feature] = note
        }
        return features
    }

    private static func reservedIdentifier(_ entry: LocatedJSON, at field: String) throws(Violation) -> ReservedIdentifier {
        let object = try jsonObject(entry, at: field)
        try knownFields(object, ["name", "scopes", "reason"], at: field)
        let name = try requiredString(object, "name", at: field + ".")
        guard !name.isEmpty else { throw Violation("'\(field).name' must not be empty") }
        let reason = try requiredString(object, "reason", at: field + ".")
        guard let listed = object["scopes"], !listed.isNull else { return ReservedIdentifier(name, reason: reason) }
        var scopes: Set<ReservedIdentifier.Scope> = []
        for (index, scopeName) in try stringList(listed, at: field + ".scopes").enumerated() {
            guard let scope = ReservedIdentifier.Scope(rawValue: scopeName) else {
                let known = ReservedIdentifier.Scope.allCases.map(\.rawValue).joined(separator: ", ")
                throw Violation("'\(field).scopes[\(index)]' is \(quoted(scopeName)); scopes are \(known)")
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else { throw Violation("'\(field).scopes' must not be empty (leave it out to reserve the name everywhere)") }
        return ReservedIdentifier(name, scopes: scopes, reason: reason)
    }

    private static func jobModule(_ value: LocatedJSON) throws(Violation) -> JobModuleNaming {
        let object = try jsonObject(value, at: "jobModule")
        try knownFields(object, ["language", "fileExtension", "importedModules", "standardLibrary"], at: "jobModule")
        let fileExtension = try requiredString(object, "fileExtension", at: "jobModule.")
        guard fileExtension.hasPrefix("."), !fileExtension.contains("/") else {
            throw Violation("'jobModule.fileExtension' must start with '.' and hold no '/', got \(quoted(fileExtension))")
        }
        return JobModuleNaming(
            language: try requiredString(object, "language", at: "jobModule."), fileExtension: fileExtension,
            importedModules: Set(try stringList(object["importedModules"], at: "jobModule.importedModules")),
            standardLibrary: Set(try stringList(object["standardLibrary"], at: "jobModule.standardLibrary")))
    }

    /// An option declaration; `pattern` and `choices` become the option's check.
    private static func option(_ entry: LocatedJSON, at field: String) throws(Violation) -> TargetOption {
        let object = try jsonObject(entry, at: field)
        try knownFields(object, ["name", "type", "default", "help", "pattern", "choices"], at: field)
        let name = try requiredString(object, "name", at: field + ".")
        guard isOptionName(name) else {
            throw Violation("'\(field).name' \(quoted(name)) is not an option name (letters, digits, '_' and '-', starting with a letter)")
        }
        let typeName = try requiredString(object, "type", at: field + ".")
        guard let type = TargetOption.ValueType(rawValue: typeName) else {
            throw Violation("'\(field).type' must be \"string\", \"integer\" or \"boolean\", got \(quoted(typeName))")
        }
        let help = try requiredString(object, "help", at: field + ".")
        let pattern = try optionalString(object, "pattern", at: field + ".")
        if let pattern, (try? NSRegularExpression(pattern: "^(?:\(pattern))$")) == nil {
            throw Violation("'\(field).pattern' \(quoted(pattern)) is not a regular expression")
        }
        let choices = try object["choices"].map { value throws(Violation) in try stringList(value, at: field + ".choices") }
        if let choices, choices.isEmpty { throw Violation("'\(field).choices' must not be empty") }
        let option = TargetOption(
            name, type: type, default: try defaultText(object["default"], type, at: field + ".default"), help: help,
            check: { value in problem(with: value, pattern: pattern, choices: choices) })
        if let defaultValue = option.defaultValue, let problem = option.problem(with: defaultValue) {
            throw Violation("'\(field).default' \(quoted(defaultValue)) is not a valid value: \(problem)")
        }
        return option
    }

    /// The default as `--option` would spell it, checked against the option's type.
    private static func defaultText(_ value: LocatedJSON?, _ type: TargetOption.ValueType, at field: String) throws(Violation) -> String? {
        guard let value, !value.isNull else { return nil }
        switch type {
        case .string:
            guard let text = value.string else { throw Violation("'\(field)' must be a string") }
            return text
        case .integer:
            guard let number = value.wholeNumber else { throw Violation("'\(field)' must be a whole number") }
            return String(number)
        case .boolean:
            guard let flag = value.bool else { throw Violation("'\(field)' must be true or false") }
            return flag ? "true" : "false"
        }
    }

    private static func problem(with value: String, pattern: String?, choices: [String]?) -> String? {
        if let choices, !choices.contains(value) {
            return "expected one of \(choices.map(quoted).joined(separator: ", "))"
        }
        if let pattern, let expression = try? NSRegularExpression(pattern: "^(?:\(pattern))$") {
            let range = NSRange(value.startIndex..., in: value)
            if expression.firstMatch(in: value, range: range) == nil { return "it must match \(quoted(pattern))" }
        }
        return nil
    }

    private static func isOptionName(_ name: String) -> Bool {
        let lower: ClosedRange<Unicode.Scalar> = "a"..."z", upper: ClosedRange<Unicode.Scalar> = "A"..."Z"
        let digits: ClosedRange<Unicode.Scalar> = "0"..."9"
        guard let first = name.unicodeScalars.first, lower.contains(first) || upper.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { lower.contains($0) || upper.contains($0) || digits.contains($0) || $0 == "_" || $0 == "-" }
    }
}
