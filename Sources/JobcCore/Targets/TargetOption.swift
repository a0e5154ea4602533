/// One `--option key=value` setting a target declares: its name, type, default and help, and the
/// target's own rule for what a value may hold. jobc checks every given option against these
/// declarations once per run, before any job, so a bad option is one usage error.
public struct TargetOption: Sendable {
    public enum ValueType: String, Sendable {
        case string, integer, boolean
    }

    public var name: String
    public var type: ValueType
    /// The value used when the option is not given, as text (nil: none; the help says what then).
    public var defaultValue: String?
    public var help: String
    /// Why `value` is not acceptable (nil when it is), beyond its type: e.g. "6-30 lowercase
    /// letters, digits and '-'". Runs only on values of the right type.
    public var check: @Sendable (String) -> String?

    public init(
        _ name: String, type: ValueType = .string, default defaultValue: String? = nil, help: String,
        check: @escaping @Sendable (String) -> String? = { _ in nil }
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.help = help
        self.check = check
    }

    /// Why `value` is not a value of this option, or nil.
    public func problem(with value: String) -> String? {
        switch type {
        case .string: break
        case .integer where Int(value) == nil: return "expected a whole number"
        case .boolean where value != "true" && value != "false": return "expected true or false"
        case .integer, .boolean: break
        }
        return check(value)
    }
}

/// The options of one run for one target: every given value checked, every declared default filled
/// in. Emitters read them by name.
public struct TargetOptionValues: Sendable, Equatable {
    /// Given values and defaults, by option name.
    public private(set) var values: [String: String]
    /// The options given on the command line (not defaults), for a plugin's command line.
    public private(set) var given: [String: String]

    public init(values: [String: String] = [:], given: [String: String] = [:]) {
        self.values = values
        self.given = given
    }

    public subscript(name: String) -> String? { values[name] }

    public func integer(_ name: String) -> Int? { values[name].flatMap { Int($0) } }

    public func boolean(_ name: String) -> Bool? { values[name].map { $0 == "true" } }

    /// A problem with the `--option` arguments: reported once, as a usage error.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Checks `arguments` (each `key=value`) against what `target` declares. Every problem is
    /// listed, one per line.
    public static func parse(_ arguments: [String], for target: any Emitter) throws(Problem) -> TargetOptionValues {
        var problems: [String] = []
        var given: [String: String] = [:]
        let declared = Dictionary(target.options.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                problems.append("--option takes key=value, got \(PluginProtocol.quoted(argument))")
                continue
            }
            let (key, value) = (String(parts[0]), String(parts[1]))
            guard let option = declared[key] else {
                if target.acceptsUndeclaredOptions {
                    if given.updateValue(value, forKey: key) != nil { problems.append("--option \(key) is given twice") }
                    continue
                }
                let names = target.options.map(\.name)
                let hint = Suggestions.didYouMean(key, in: names)
                    ?? (names.isEmpty ? "target '\(target.name)' takes no options" : "target '\(target.name)' takes: \(names.joined(separator: ", "))")
                problems.append("unknown option \(PluginProtocol.quoted(key)) for target '\(target.name)'; \(hint)")
                continue
            }
            if given[key] != nil {
                problems.append("--option \(key) is given twice")
            } else if let problem = option.problem(with: value) {
                problems.append("--option \(key)=\(PluginProtocol.quoted(value)) is invalid: \(problem)")
            }
            given[key] = value
        }
        guard problems.isEmpty else { throw Problem(description: problems.joined(separator: "\n")) }
        var values = given
        for option in target.options where values[option.name] == nil {
            values[option.name] = option.defaultValue
        }
        return TargetOptionValues(values: values, given: given)
    }
}
