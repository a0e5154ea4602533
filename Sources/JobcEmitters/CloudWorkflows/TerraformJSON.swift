import JobcCore

/// Terraform's JSON configuration syntax: JSON (`JSONLiteral`) in which every string value is a
/// template, so `${` and `%{` would start an interpolation or a directive. Every string value is
/// written with the sign doubled (`$${`, `%%{`), which Terraform reads back as the literal text;
/// object keys are jobc's own names (block types, labels, attribute names) and are written as they are.
enum TerraformJSON {
    static func document(_ value: JSONValue) -> String {
        JSONLiteral.document(literal(value))
    }

    /// The template text that evaluates to exactly `text`. By Unicode scalar, not with
    /// `replacingOccurrences`, which compares grapheme clusters and misses a `{` that a combining
    /// mark or an emoji modifier follows.
    static func template(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if scalar == "{", let sign = previous, sign == "$" || sign == "%" { out.append(sign) }
            out.append(scalar)
            previous = scalar
        }
        return String(out)
    }

    private static func literal(_ value: JSONValue) -> JSONValue {
        switch value {
        case .null, .bool, .integer, .number: return value
        case .string(let text): return .string(template(text))
        case .array(let items): return .array(items.map(literal))
        case .object(let members): return .object(members.map { ($0.0, literal($0.1)) })
        }
    }
}
