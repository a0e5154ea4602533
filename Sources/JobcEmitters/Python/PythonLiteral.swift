import JobcCore

/// Python source literals: the one place the Python targets write a value as Python text. Every
/// string is a double-quoted literal whose escapes make `ast.literal_eval` return exactly the input;
/// ASCII controls and every invisible or layout-changing scalar (`Unicode.Scalar.isHiddenFromReaders`)
/// are escaped, so no input can end the literal or hide text from a reviewer.
public enum PythonLiteral {
    public static func string(_ value: String) -> String {
        value.doubleQuotedWithSharedEscapes
    }

    public static func bool(_ flag: Bool) -> String {
        flag ? "True" : "False"
    }

    public static let none = "None"

    /// `item` written by `literal`, or `None`.
    static func optional<Item>(_ item: Item?, _ literal: (Item) -> String) -> String {
        item.map(literal) ?? none
    }

    /// A list display of literals already written.
    static func list(_ items: [String]) -> String {
        "[" + items.joined(separator: ", ") + "]"
    }

    public static func value(_ value: ParameterValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    /// Appends `value` as `value(_:)` spells it: nested lists and mappings go into `out` directly
    /// instead of through a string per item.
    static func write<Output: TextOutput>(_ value: ParameterValue, to out: inout Output) {
        switch value {
        case .null: out.append(none)
        case .bool(let flag): out.append(bool(flag))
        case .integer(let number): out.append(String(number))
        case .float(let number): out.append(float(number))
        case .string(let text): out.appendDoubleQuotedWithSharedEscapes(text)
        case .list(let items):
            out.append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(", ") }
                write(item, to: &out)
            }
            out.append("]")
        case .mapping(let entries):
            out.append("{")
            for (index, entry) in entries.enumerated() {
                if index > 0 { out.append(", ") }
                out.appendDoubleQuotedWithSharedEscapes(entry.key)
                out.append(": ")
                write(entry.value, to: &out)
            }
            out.append("}")
        }
    }

    /// `function_kwargs={...},` as a block, one parameter per line (both Python targets pass kwargs so).
    static func kwargsArgument(_ parameters: [ParameterValue.MappingEntry]) -> [String] {
        guard !parameters.isEmpty else { return ["function_kwargs={},"] }
        return ["function_kwargs={"] + parameters.map { "    \(string($0.key)): \(value($0.value))," } + ["},"]
    }

    /// The lines of `kwargsArgument`, written into `writer` (the Airflow emitter builds its file in one string).
    static func writeKwargsArgument(_ parameters: [ParameterValue.MappingEntry], to writer: inout PythonSourceWriter) {
        guard !parameters.isEmpty else { return writer.line("function_kwargs={},") }
        writer.line("function_kwargs={")
        writer.indented { writer in
            for parameter in parameters {
                writer.startLine()
                writer.appendString(parameter.key)
                writer.append(": ")
                writer.appendValue(parameter.value)
                writer.endLineWithComma()
            }
        }
        writer.line("},")
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
