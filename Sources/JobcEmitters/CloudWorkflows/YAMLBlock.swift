/// A YAML document in block style, built as data and printed by one renderer, so the program's
/// structure is decided apart from its indentation. Scalars arrive already rendered (see
/// `WorkflowsLiteral`); keys are jobc's own names or pre-quoted strings.
indirect enum YAMLBlock {
    case scalar(String)
    case map([(String, YAMLBlock)])
    case list([YAMLBlock])

    func render() -> [String] {
        switch self {
        case .scalar(let text): return [text]
        case .map(let entries): return entries.isEmpty ? ["{}"] : entries.flatMap { Self.entry($0.0, $0.1) }
        case .list(let items): return items.isEmpty ? ["[]"] : items.flatMap(Self.item)
        }
    }

    private static func entry(_ key: String, _ value: YAMLBlock) -> [String] {
        switch value {
        case .scalar(let text): return ["\(key): \(text)"]
        case .map(let entries) where entries.isEmpty: return ["\(key): {}"]
        case .list(let items) where items.isEmpty: return ["\(key): []"]
        case .map: return ["\(key):"] + value.render().map { "  " + $0 }
        case .list: return ["\(key):"] + value.render().map { "  " + $0 }
        }
    }

    private static func item(_ value: YAMLBlock) -> [String] {
        let lines = value.render()
        return ["- " + lines[0]] + lines.dropFirst().map { "  " + $0 }
    }
}
