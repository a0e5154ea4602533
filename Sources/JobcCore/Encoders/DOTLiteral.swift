/// Graphviz DOT text: the one place jobc writes a DOT id or label. Every string is a DOT quoted
/// string that Graphviz reads back as exactly the input: `"` and `\` are escaped for the DOT lexer,
/// a line break is Graphviz's `\n`, and `&` and every scalar a reader could not see
/// (`Unicode.Scalar.isHiddenFromReaders`) are HTML entities, which Graphviz decodes in every label.
public enum DOTLiteral {
    public static func string(_ text: String) -> String {
        var out = "\""
        // By Unicode scalar: a `"` that a combining mark follows is one Character with it, and
        // would go through raw if compared Character by Character.
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "&": out += "&amp;"
            case _ where scalar.isHiddenFromReaders: out += "&#\(scalar.value);"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
