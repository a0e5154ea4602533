/// A task parameter as data: what `kwargs` held in YAML, with types resolved and order kept.
public indirect enum ParameterValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case float(Double)
    case string(String)
    case list([ParameterValue])
    /// Entries in the order the author wrote them; keys are unique (the loader refuses duplicates).
    case mapping([MappingEntry])

    public struct MappingEntry: Sendable, Equatable, Hashable {
        public var key: String
        public var value: ParameterValue

        public init(key: String, value: ParameterValue) {
            self.key = key
            self.value = value
        }
    }

    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .float: return "a number"
        case .string: return "a string"
        case .list: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// False when a NaN or infinity hides anywhere inside: JSON, Python literals and SQL disagree on them.
    public var isFinite: Bool {
        switch self {
        case .float(let number): return number.isFinite
        case .list(let items): return items.allSatisfy(\.isFinite)
        case .mapping(let entries): return entries.allSatisfy(\.value.isFinite)
        default: return true
        }
    }

    public var isScalar: Bool {
        switch self {
        case .list, .mapping: return false
        default: return true
        }
    }
}
