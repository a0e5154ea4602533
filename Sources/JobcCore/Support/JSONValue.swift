/// A JSON document with ordered object keys, printed byte-for-byte the same every time
/// (`JSONLiteral` writes it): the stable form of `jobc ir` and of machine-readable diagnostics.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered(indent: nil) == rhs.rendered(indent: nil)
    }
}
