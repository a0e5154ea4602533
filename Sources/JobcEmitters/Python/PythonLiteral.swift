import JobcCore

/// Python source literals for values that came from YAML. Every string is a double-quoted literal
/// (`DoubleQuotedText`) whose escapes make `ast.literal_eval` return exactly the input.
public enum PythonLiteral {
    public static func string(_ value: String) -> String {
        DoubleQuotedText.quoted(value)
    }

    public static func value(_ value: ParameterValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .integer(let number): return String(number)
        case .float(let number): return float(number)
        case .string(let text): return string(text)
        case .list(let items): return "[" + items.map(self.value).joined(separator: ", ") + "]"
        case .mapping(let entries):
            return "{" + entries.map { string($0.key) + ": " + self.value($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// `function_kwargs={...},` as a block, one parameter per line (both Python targets pass kwargs so).
    static func kwargsArgument(_ parameters: [ParameterValue.MappingEntry]) -> [String] {
        guard !parameters.isEmpty else { return ["function_kwargs={},"] }
        return ["function_kwargs={"] + parameters.map { "    \(string($0.key)): \(value($0.value))," } + ["},"]
    }

    /// A timezone-aware `datetime.datetime(...)` (the module must `import datetime`).
    public static func datetime(_ date: StartDate) -> String {
        let zone = date.utcOffsetMinutes == 0
            ? "datetime.timezone.utc"
            : "datetime.timezone(datetime.timedelta(minutes=\(date.utcOffsetMinutes)))"
        return "datetime.datetime(\(date.year), \(date.month), \(date.day), \(date.hour), \(date.minute), \(date.second), tzinfo=\(zone))"
    }

    /// Swift's shortest round-trip spelling is also valid Python ("0.1", "1e-05", "2.0").
    /// Non-finite numbers are refused by validation before emitters run.
    static func float(_ number: Double) -> String {
        precondition(number.isFinite, "validation admits only finite numbers")
        return "\(number)"
    }
}
