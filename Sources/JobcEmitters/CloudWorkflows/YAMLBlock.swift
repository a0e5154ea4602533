import JobcCore

/// A YAML document in block style, built as data and printed by one renderer, so the program's
/// structure is decided apart from its indentation. Scalars arrive already rendered (see
/// `WorkflowsLiteral` and `YAMLLiteral`); keys are jobc's own names or pre-quoted strings.
/// Sendable spelled out: Swift 6.3 otherwise reports a "circular reference" inferring it for this
/// recursive enum in some build orders.
indirect enum YAMLBlock: Sendable {
    case scalar(String)
    case map([(String, YAMLBlock)])
    case list([YAMLBlock])

    /// A one-entry map: how a Workflows step (`- NAME: BODY`) is written.
    static func named(_ name: String, _ body: YAMLBlock) -> YAMLBlock { .map([(name, body)]) }

    /// Appends the block's lines to `text`, each ending with a line break.
    func render(into text: inout String) {
        // Bytes, not String appends: a program is mostly indentation, and this is its hottest loop.
        var bytes: [UInt8] = []
        write(to: &bytes, first: "", rest: "")
        text += String(decoding: bytes, as: UTF8.self)
    }

    /// Writes this block's lines, the first prefixed with `first` and the others with `rest`: each
    /// line is written once, straight into the output, whatever its depth (prefixing rendered
    /// children level by level would copy every line once per enclosing level).
    private func write(to text: inout [UInt8], first: String, rest: String) {
        switch self {
        case .scalar(let scalar):
            Self.line(&text, first, scalar)
        case .map(let entries) where entries.isEmpty:
            Self.line(&text, first, "{}")
        case .list(let items) where items.isEmpty:
            Self.line(&text, first, "[]")
        case .map(let entries):
            for (offset, (writtenKey, value)) in entries.enumerated() {
                var prefix = offset == 0 ? first : rest
                var key = writtenKey
                if !YAMLLiteral.isImplicitKey(writtenKey) {
                    // `? KEY` on a line of its own, then the value after a bare `:`.
                    Self.line(&text, prefix, "? ", writtenKey)
                    prefix = rest
                    key = ""
                }
                switch value {
                case .scalar(let scalar): Self.line(&text, prefix, key, ": ", scalar)
                case .map(let inner) where inner.isEmpty: Self.line(&text, prefix, key, ": {}")
                case .list(let inner) where inner.isEmpty: Self.line(&text, prefix, key, ": []")
                case .map, .list:
                    Self.line(&text, prefix, key, ":")
                    let nested = rest + "  "
                    value.write(to: &text, first: nested, rest: nested)
                }
            }
        case .list(let items):
            let nested = rest + "  "
            for (offset, item) in items.enumerated() {
                item.write(to: &text, first: (offset == 0 ? first : rest) + "- ", rest: nested)
            }
        }
    }

    /// One line from up to four parts (not variadic: that would allocate an array per line).
    private static func line(_ text: inout [UInt8], _ a: String, _ b: String, _ c: String = "", _ d: String = "") {
        text.append(contentsOf: a.utf8)
        text.append(contentsOf: b.utf8)
        text.append(contentsOf: c.utf8)
        text.append(contentsOf: d.utf8)
        text.append(UInt8(ascii: "\n"))
    }
}
