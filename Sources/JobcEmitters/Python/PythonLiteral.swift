import JobcCore

/// Python source literals for values that came from YAML. Every string is a double-quoted literal
/// whose escapes make `ast.literal_eval` return exactly the input: no input can end the literal,
/// start code, or hide characters (bidi controls, line separators) from a reviewer.
public enum PythonLiteral {
    public static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsEscape(scalar): out += escape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
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

    /// ASCII control characters and every invisible or layout-changing scalar are escaped; other
    /// printable text (accents, CJK, emoji) stays readable.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || scalar.value == 0x7F { return true }
        if scalar.isASCII { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .privateUse, .surrogate, .unassigned:
            return true
        default:
            return false
        }
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        switch scalar.value {
        case ..<0x100: return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        case ..<0x10000: return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
        }
    }
}
