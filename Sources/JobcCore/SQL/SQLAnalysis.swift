/// A table as PostgreSQL resolves its name: unquoted identifiers already lowercased by the parser,
/// quoted ones kept as written; schema (and catalog) only when the SQL wrote them.
public struct SQLTableName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var catalog: String?
    public var schema: String?
    public var name: String

    public init(catalog: String? = nil, schema: String? = nil, name: String) {
        self.catalog = catalog
        self.schema = schema
        self.name = name
    }

    /// The name as SQL that reads back to the same table: a part is double-quoted only when
    /// PostgreSQL would not read it back unquoted (uppercase ASCII, a dot, a quote, punctuation).
    public var description: String {
        [catalog, schema, name].compactMap { $0 }.map(Self.quotedIfNeeded).joined(separator: ".")
    }

    public static func < (lhs: SQLTableName, rhs: SQLTableName) -> Bool {
        lhs.description < rhs.description
    }

    static func quotedIfNeeded(_ part: String) -> String {
        let bytes = Array(part.utf8)
        func isPlain(_ byte: UInt8, first: Bool) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"), 0x80...0xFF: return true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "$"): return !first
            default: return false
            }
        }
        let plain = !bytes.isEmpty && bytes.enumerated().allSatisfy { isPlain($0.element, first: $0.offset == 0) }
        if plain { return part }
        return "\"" + part.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A place in an SQL file: 1-based line and column, the column counted in Unicode scalars (tabs
/// count as one), as the YAML loader counts them.
public struct SQLPosition: Hashable, Sendable, Comparable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SQLPosition, rhs: SQLPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// A table read or written by the SQL, at the first place it is used that way.
public struct SQLTableUse: Hashable, Sendable {
    public var table: SQLTableName
    public var position: SQLPosition

    public init(table: SQLTableName, position: SQLPosition) {
        self.table = table
        self.position = position
    }
}

/// One `%(name)s` in the file, at its `%`.
public struct SQLParameterUse: Hashable, Sendable {
    public var name: String
    public var position: SQLPosition

    public init(name: String, position: SQLPosition) {
        self.name = name
        self.position = position
    }
}

/// Something that stops the SQL from running as psycopg2 and PostgreSQL would run it; always an error.
public struct SQLProblem: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case syntax, placeholder, encoding, tooLarge, empty
    }

    public var kind: Kind
    /// One line, lowercase start, no trailing period, at most ~40 characters quoted from the file.
    public var message: String
    public var position: SQLPosition
    /// What to do about it, when there is one thing to do.
    public var help: String?

    public init(kind: Kind, message: String, position: SQLPosition, help: String? = nil) {
        self.kind = kind
        self.message = message
        self.position = position
        self.help = help
    }
}

/// What one SQL file reads, writes and expects as parameters, and what stops it from running.
public struct SQLAnalysis: Sendable, Equatable {
    /// Sorted by table, one per table.
    public var reads: [SQLTableUse]
    /// Sorted by table, one per table.
    public var writes: [SQLTableUse]
    /// Every `%(name)s`, in file order.
    public var parameters: [SQLParameterUse]
    /// In file order.
    public var problems: [SQLProblem]
    public var statementCount: Int

    public init(
        reads: [SQLTableUse] = [], writes: [SQLTableUse] = [], parameters: [SQLParameterUse] = [],
        problems: [SQLProblem] = [], statementCount: Int = 0
    ) {
        self.reads = reads
        self.writes = writes
        self.parameters = parameters
        self.problems = problems
        self.statementCount = statementCount
    }

    public var parameterNames: Set<String> { Set(parameters.map(\.name)) }
}
