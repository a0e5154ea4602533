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
