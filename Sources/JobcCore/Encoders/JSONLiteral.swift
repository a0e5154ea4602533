/// JSON text: the one place jobc writes JSON, whether a whole `JSONValue` document (`jobc ir`,
/// diagnostics, Terraform files) or a single string quoted for a message. Strings escape exactly
/// what JSON requires plus U+2028 and U+2029, which end a line for JavaScript readers.
public enum JSONLiteral {
    /// A JSON string literal, quotes included, that every JSON parser reads back as `text`.
    public static func string(_ text: String) -> String {
        var out = ""
        write(string: text, to: &out)
        return out
    }

    /// Pretty-printed with two-space indentation and a final newline, or compact when `indent` is nil.
    /// Built as UTF-8 bytes: a plugin request carries every job's IR, and appending to a String
    /// scalar by scalar cost more than the rest of compiling those jobs.
    public static func document(_ value: JSONValue, indent: Int? = 2) -> String {
        var out = UTF8Text()
        write(value, to: &out, indent: indent, level: 0)
        if indent != nil { out.append("\n") }
        return out.text
    }

    private static func write<Output: TextOutput>(_ value: JSONValue, to out: inout Output, indent: Int?, level: Int) {
        switch value {
        case .null: out.append("null")
        case .bool(let flag): out.append(flag ? "true" : "false")
        case .integer(let number): out.append(String(number))
        case .number(let number):
            // JSON has no NaN or infinity; validation refuses them before anything is printed.
            // Swift prints the shortest text that reads back to the same double ("2.0", "1e-05").
            out.append(number.isFinite ? "\(number)" : "null")
        case .string(let text): write(string: text, to: &out)
        case .array(let items):
            writeContainer(open: "[", close: "]", count: items.count, to: &out, indent: indent, level: level) { index, out in
                write(items[index], to: &out, indent: indent, level: level + 1)
            }
        case .object(let members):
            writeContainer(open: "{", close: "}", count: members.count, to: &out, indent: indent, level: level) { index, out in
                write(string: members[index].0, to: &out)
                out.append(indent == nil ? ":" : ": ")
                write(members[index].1, to: &out, indent: indent, level: level + 1)
            }
        }
    }

    private static func writeContainer<Output: TextOutput>(
        open: String, close: String, count: Int, to out: inout Output, indent: Int?, level: Int,
        element: (Int, inout Output) -> Void
    ) {
        out.append(open)
        guard count > 0 else { return out.append(close) }
        for index in 0..<count {
            if index > 0 { out.append(",") }
            if let indent { out.append("\n" + String(repeating: " ", count: indent * (level + 1))) }
            element(index, &out)
        }
        if let indent { out.append("\n" + String(repeating: " ", count: indent * level)) }
        out.append(close)
    }

    private static func write<Output: TextOutput>(string value: String, to out: inout Output) {
        out.append("\"")
        // Printable ASCII other than the quote and the backslash goes in whole: most strings are
        // names, paths and SQL. (The same test as the Python/YAML escaper's, eight bytes at a time.)
        if value.needsNoSharedEscape {
            out.append(value)
            return out.append("\"")
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let digits = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - digits.count) + digits)
            default: out.append(scalar)
            }
        }
        out.append("\"")
    }
}

extension JSONValue {
    /// The document as `JSONLiteral.document` writes it.
    public func rendered(indent: Int? = 2) -> String {
        JSONLiteral.document(self, indent: indent)
    }
}
