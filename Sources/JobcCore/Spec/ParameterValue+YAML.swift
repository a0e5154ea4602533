/// Reading parameter values (kwargs, fan-out items, run parameter defaults, contract defaults) from
/// YAML: the decoders' business, so the spec, the rules and the IR hold only `ParameterValue`s.
extension ParameterValue {
    init(yaml node: YAMLNode) {
        switch node.content {
        case .scalar(let scalar):
            switch scalar.resolved {
            case .null: self = .null
            case .bool(let value): self = .bool(value)
            case .integer(let value): self = .integer(value)
            case .float(let value): self = .float(value)
            case .string(let value): self = .string(value)
            }
        case .sequence(let items):
            self = .list(items.map(ParameterValue.init(yaml:)))
        case .mapping(let entries):
            self = .mapping(entries.map { MappingEntry(key: $0.key, value: ParameterValue(yaml: $0.value)) })
        }
    }

    /// The first plain whole-number literal inside `node` too large for Int: YAML resolves it to a
    /// float, silently losing digits.
    static func overflowingInteger(in node: YAMLNode) -> YAMLNode? {
        switch node.content {
        case .scalar(let scalar):
            guard scalar.style == .plain, case .float = scalar.resolved, MappingReader.isWholeNumberSyntax(scalar.text) else { return nil }
            return node
        case .sequence(let items):
            return items.lazy.compactMap(overflowingInteger).first
        case .mapping(let entries):
            return entries.lazy.compactMap { overflowingInteger(in: $0.value) }.first
        }
    }
}

extension JobSpecDecoder {
    /// A kwarg's value (or a fan-out item, the kwarg of one run), as functions will receive it.
    func decodeArgument(_ node: YAMLNode, parameter: String, _ diagnostics: inout DiagnosticCollector) -> Located<ParameterValue>? {
        decodeValue(
            node, nonFinite: "parameter '\(parameter)' holds NaN or infinity, which no target can pass on exactly",
            overflowSuggestion: "quote it to pass it as a string", &diagnostics)
    }

    /// Any value passed on to a function or a run (`message` is built only when it is needed: every
    /// kwarg of every task comes through here). Refused (nil, after an error) when it holds an
    /// integer too large for 64 bits, reported where that integer is, or a NaN or infinity, which
    /// JSON, Python literals and SQL disagree on.
    func decodeValue(
        _ node: YAMLNode, nonFinite message: @autoclosure () -> String, overflowSuggestion: String?, _ diagnostics: inout DiagnosticCollector
    ) -> Located<ParameterValue>? {
        if let overflow = ParameterValue.overflowingInteger(in: node) {
            diagnostics.error(
                .invalidValue, "integer \(overflow.scalar?.text ?? "") is out of range (64-bit signed integers only)", at: overflow.location,
                suggestion: overflowSuggestion)
            return nil
        }
        let value = ParameterValue(yaml: node)
        guard value.isFinite else {
            diagnostics.error(.invalidValue, message(), at: node.location)
            return nil
        }
        return Located(value, at: node.location)
    }
}
