/// The shape of a JSON value, for documents whose encoder and JSON Schema come from one
/// definition (`JSONObjectFormat`): what the encoder writes is what the schema allows.
public indirect enum JSONShape: Sendable {
    case string
    case integer(minimum: Int?)
    case number
    case boolean
    /// Any JSON value.
    case any
    /// One of these strings.
    case oneOfStrings([String])
    case array(JSONShape)
    /// An object with these keys, all present, in this order; readers ignore keys they do not know.
    case object([JSONFieldSchema])
    /// An object with arbitrary keys and values of one shape.
    case dictionary(JSONShape)
    /// The shape, or null.
    case nullable(JSONShape)
    /// Any of these shapes (e.g. a schedule's two kinds).
    case anyOf([JSONShape])

    /// This shape as a JSON Schema (draft-07) object.
    public var schema: JSONValue {
        switch self {
        case .string: return .object([("type", .string("string"))])
        case .integer(let minimum):
            return .object([("type", .string("integer"))] + (minimum.map { [("minimum", JSONValue.integer($0))] } ?? []))
        case .number: return .object([("type", .string("number"))])
        case .boolean: return .object([("type", .string("boolean"))])
        case .any: return .object([])
        case .oneOfStrings(let values): return .object([("enum", .array(values.map(JSONValue.string)))])
        case .array(let items): return .object([("type", .string("array")), ("items", items.schema)])
        case .object(let fields):
            return .object([
                ("type", .string("object")),
                ("properties", .object(fields.map { ($0.name, $0.schema) })),
                ("required", .array(fields.map { .string($0.name) })),
            ])
        case .dictionary(let values): return .object([("type", .string("object")), ("additionalProperties", values.schema)])
        case .nullable(let shape): return .object([("anyOf", .array([shape.schema, .object([("type", .string("null"))])]))])
        case .anyOf(let shapes): return .object([("anyOf", .array(shapes.map(\.schema)))])
        }
    }
}

/// One key of an object shape, documented.
public struct JSONFieldSchema: Sendable {
    public var name: String
    public var shape: JSONShape
    public var summary: String

    var schema: JSONValue {
        guard case .object(var members) = shape.schema else { return shape.schema }
        members.insert(("description", .string(summary)), at: 0)
        return .object(members)
    }
}

/// How one Swift type is written as a JSON object: each field's name, shape, one-line meaning and
/// value, in order. The encoder and the schema are both read off this one list, so they cannot
/// disagree.
public struct JSONObjectFormat<Root>: Sendable {
    public struct Field: Sendable {
        public var schema: JSONFieldSchema
        public var value: @Sendable (Root) -> JSONValue

        public init(_ name: String, _ shape: JSONShape, _ summary: String, _ value: @escaping @Sendable (Root) -> JSONValue) {
            self.schema = JSONFieldSchema(name: name, shape: shape, summary: summary)
            self.value = value
        }
    }

    public var fields: [Field]

    public init(_ fields: [Field]) {
        self.fields = fields
    }

    public var shape: JSONShape { .object(fields.map(\.schema)) }

    public func encode(_ root: Root) -> JSONValue {
        .object(fields.map { ($0.schema.name, $0.value(root)) })
    }
}
