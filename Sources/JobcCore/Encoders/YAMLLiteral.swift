/// YAML scalars and flow collections: the one place jobc writes YAML text for a value (Cloud
/// Workflows programs, imported jobs). Every string is a double-quoted scalar whose escapes make a
/// YAML parser return exactly the input, so no input can end the scalar, start a key, or hide
/// characters from a reviewer (see `Unicode.Scalar.isHiddenFromReaders`).
public enum YAMLLiteral {
    /// A double-quoted scalar holding exactly `text`.
    public static func string(_ text: String) -> String {
        text.doubleQuotedWithSharedEscapes
    }

    /// `text` plain when it reads back as the same string (a letter, then letters, digits and `_`,
    /// and no word YAML resolves to null, a boolean or a number), else double-quoted. A key longer
    /// than `isImplicitKey` allows must be written after `? `.
    public static func key(_ text: String) -> String {
        isSafePlain(text) ? text : string(text)
    }

    /// A float that YAML 1.1 parsers (PyYAML, the Workflows emulator's) also read as a float: they
    /// need a '.' in the mantissa and a sign on the exponent ("1e-05" would be a string to them).
    public static func float(_ number: Double) -> String {
        precondition(number.isFinite, "validation admits only finite numbers")
        let text = "\(number)"
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        var mantissa = String(text[..<e])
        var exponent = String(text[text.index(after: e)...])
        if !mantissa.contains(".") { mantissa += ".0" }
        if !exponent.hasPrefix("-") && !exponent.hasPrefix("+") { exponent = "+" + exponent }
        return mantissa + "e" + exponent
    }

    /// A parameter value in flow style; `string` writes each string and mapping key (a target that
    /// gives some strings a meaning of its own passes an encoder that keeps them inert).
    public static func value(_ value: ParameterValue, string: (String) -> String = string) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .float(let number): return float(number)
        case .string(let text): return string(text)
        case .list(let items): return "[" + items.map { self.value($0, string: string) }.joined(separator: ", ") + "]"
        case .mapping(let entries):
            return "{" + entries.map { entry in
                let key = string(entry.key)
                return (isImplicitKey(key) ? "" : "? ") + key + ": " + self.value(entry.value, string: string)
            }.joined(separator: ", ") + "}"
        }
    }

    /// Whether a written key may stand without `? `: YAML reads a key without it only when the key
    /// and its `:` are at most 1024 characters apart; a longer one needs the explicit `? key` form.
    package static func isImplicitKey(_ writtenKey: String) -> Bool {
        writtenKey.unicodeScalars.count < 1000
    }

    private static let wordsYAMLResolves: Set<String> = ["null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf"]

    private static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        guard !wordsYAMLResolves.contains(text.lowercased()) else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
