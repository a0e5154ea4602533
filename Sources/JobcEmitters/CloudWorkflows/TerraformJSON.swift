import JobcCore

/// Terraform's JSON configuration syntax: JSON (`JSONLiteral`) in which every string value is a
/// template, so `${` and `%{` would start an interpolation or a directive. Every string value is
/// written with the sign doubled (`$${`, `%%{`), which Terraform reads back as the literal text.
/// Object keys are written as they are — Terraform reads those of an object value as templates too —
/// so they are jobc's own names (block types, labels, attribute names) or made of letters, digits,
/// `_` and `-` (`WorkflowLabels`).
/// The one way to write an expression is a `Template`, built from jobc's own names only.
enum TerraformJSON {
    /// A value in a Terraform JSON document: JSON whose strings stay literal, a template jobc
    /// writes itself, or an object of them.
    indirect enum Value {
        case literal(JSONValue)
        case template(Template)
        case object([(String, Value)])

        /// A string that Terraform reads as exactly this text.
        static func string(_ text: String) -> Value { .literal(.string(text)) }
    }

    /// A string template that may hold Terraform expressions: literal text (its signs doubled like
    /// any string) joined with interpolations made only from names jobc controls — resource types,
    /// attribute names, job ids, file names — each checked to be one, so no user text can ever
    /// become an expression. A name that is not one is a bug in jobc: it stops the run.
    struct Template {
        private enum Part {
            case literal(String)
            case interpolation(String)
        }

        private var parts: [Part]

        /// Text Terraform reads literally.
        static func text(_ literal: String) -> Template { Template(parts: [.literal(literal)]) }

        /// `${TYPE.NAME.ATTRIBUTE}`: an attribute of another resource of the configuration. Terraform
        /// creates that resource first.
        static func reference(_ type: String, _ name: String, _ attribute: String) -> Template {
            for part in [type, name, attribute] {
                precondition(isIdentifier(part), "not a Terraform identifier: \(part.debugDescription)")
            }
            return Template(parts: [.interpolation("${\(type).\(name).\(attribute)}")])
        }

        /// `${file("${path.module}/NAME")}`: the contents of the file NAME beside the configuration,
        /// read when Terraform plans.
        static func fileContents(_ name: String) -> Template {
            precondition(isFileName(name), "not a plain file name: \(name.debugDescription)")
            return Template(parts: [.interpolation("${file(\"${path.module}/\(name)\")}")])
        }

        static func + (lhs: Template, rhs: Template) -> Template { Template(parts: lhs.parts + rhs.parts) }

        /// The template as Terraform reads it. Literal runs are escaped whole, so two pieces of text
        /// cannot join into a `${`; a `$` right before an interpolation would turn it into the
        /// escape `$${`, and jobc never writes one.
        var rendered: String {
            var out = ""
            var literal = ""
            for part in parts {
                switch part {
                case .literal(let text):
                    literal += text
                case .interpolation(let expression):
                    precondition(literal.unicodeScalars.last != "$", "a '$' before an interpolation would escape it")
                    out += TerraformJSON.template(literal) + expression
                    literal = ""
                }
            }
            return out + TerraformJSON.template(literal)
        }

        /// A Terraform identifier: a letter or `_`, then letters, digits, `_` and `-` (ASCII).
        static func isIdentifier(_ text: String) -> Bool {
            guard let first = text.unicodeScalars.first, first == "_" || isLetter(first) else { return false }
            return text.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        }

        /// Letters, digits, `_`, `-` and `.`, not starting with `.`: nothing a quoted string or a
        /// template would read specially, and no path.
        static func isFileName(_ text: String) -> Bool {
            guard let first = text.unicodeScalars.first, first != "." else { return false }
            return text.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0) }
        }

        private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
        }
    }

    static func document(_ value: Value) -> String {
        JSONLiteral.document(json(value))
    }

    /// A document with no expression: every string literal.
    static func document(_ value: JSONValue) -> String {
        document(.literal(value))
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

    private static func json(_ value: Value) -> JSONValue {
        switch value {
        case .literal(let value): return literal(value)
        case .template(let template): return .string(template.rendered)
        case .object(let members): return .object(members.map { ($0.0, json($0.1)) })
        }
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
