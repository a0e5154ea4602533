/// Mermaid flowchart text: the one place jobc writes a Mermaid label. A label is a quoted string
/// (`"…"`) in which Mermaid reads `#name;` and `#NNN;` (decimal) as character entities and `<br/>`
/// as a line break, so `"`, `<`, `>`, `&` and `#` are entities, a line break is `<br/>`, and every
/// scalar a reader could not see (`Unicode.Scalar.isHiddenFromReaders`) is a numeric entity.
public enum MermaidLiteral {
    public static func label(_ text: String) -> String {
        var out = "\""
        // By Unicode scalar: a `"` that a combining mark follows is one Character with it, and
        // would go through raw if compared Character by Character.
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            case "\n": out += "<br/>"
            // `#` would start an entity; `ﬂ` and `¶` are the markers Mermaid's renderer puts in
            // place of entities while it parses (`ﬂ°…¶ß`), so a raw one could turn into `&` or `;`.
            case "#", "\u{FB02}", "\u{B6}": out += "#\(scalar.value);"
            case _ where scalar.isHiddenFromReaders: out += "#\(scalar.value);"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
