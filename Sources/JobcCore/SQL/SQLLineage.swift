/// The tables a parse tree reads and writes, from libpg_query's JSON, walked with an explicit stack
/// (trees as deep as the parser allows must not overflow ours).
///
/// Not tables: names of WITH queries in scope, aliases, table functions, and TEMP tables the file
/// creates (session-local, from the statement that creates them on). The bodies of CREATE FUNCTION
/// and DO are strings to the parser, and PL/pgSQL is not analysed: their tables are not reported.
struct SQLLineage {
    /// Byte offset of the first use of each table, per kind of use.
    private(set) var reads: [SQLTableName: Int] = [:]
    private(set) var writes: [SQLTableName: Int] = [:]
    private var temporaryTables: Set<String> = []
    private var stack: [(value: ParseTreeJSON.Index, scope: CTEScope?)] = []
    private var statementStart = 0
    private let tree: ParseTreeJSON
    private let source: [UInt8]

    /// The names of the WITH queries visible at a point of the tree, innermost first.
    private final class CTEScope {
        let names: Set<String>
        let parent: CTEScope?

        init(_ names: Set<String>, parent: CTEScope?) {
            self.names = names
            self.parent = parent
        }

        func contains(_ name: String) -> Bool {
            var scope: CTEScope? = self
            while let current = scope {
                if current.names.contains(name) { return true }
                scope = current.parent
            }
            return false
        }
    }

    private enum Use {
        case read, write
        /// CREATE: a write, or a new session-local table when the RangeVar says TEMP.
        case create
    }

    /// The kinds of object that are tables to their readers.
    private static let tableKinds: Set<String> = ["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE"]

    /// `source` is the text libpg_query parsed, whose byte offsets the tree's locations are.
    init(tree: ParseTreeJSON, source: [UInt8]) {
        self.tree = tree
        self.source = source
    }

    /// One element of the tree's `stmts`, in file order (TEMP tables count from their CREATE on).
    mutating func add(statement raw: ParseTreeJSON.Index) {
        statementStart = Self.skippingSpaceAndComments(in: source, from: tree.integer(tree.member("stmt_location", of: raw)) ?? 0)
        guard let statement = tree.member("stmt", of: raw) else { return }
        stack.append((statement, nil))
        while let (value, scope) = stack.popLast() {
            visit(value, scope: scope)
        }
    }

    private mutating func visit(_ value: ParseTreeJSON.Index, scope: CTEScope?) {
        switch tree[value] {
        case .array:
            for element in tree.elements(of: value).reversed() { stack.append((element, scope)) }
        case .object:
            // A node is {"TypeName": {fields}}; a struct in a typed field has its fields inline.
            if let (type, fields) = tree.soleMember(of: value),
               type.utf8.first.map({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) == true,
               case .object = tree[fields] {
                visitNode(type, fields, scope: scope)
            } else if isRangeVar(value) {
                use(value, .read, scope: scope)
            } else {
                pushChildren(of: value, scope: scope)
            }
        default:
            return
        }
    }

    private mutating func visitNode(_ type: String, _ fields: ParseTreeJSON.Index, scope: CTEScope?) {
        func field(_ name: String) -> ParseTreeJSON.Index? { tree.member(name, of: fields) }
        switch type {
        case "RangeVar":
            use(fields, .read, scope: scope)
        case "SelectStmt":
            let inner = enterWith(field("withClause"), scope: scope)
            if let relation = tree.member("rel", of: field("intoClause")) { use(relation, .create, scope: nil) }
            pushChildren(of: fields, except: ["withClause", "intoClause"], scope: inner)
        case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt":
            // The target of a data-modifying statement is always a table, never a WITH query.
            let inner = enterWith(field("withClause"), scope: scope)
            if let relation = field("relation") { use(relation, .write, scope: nil) }
            pushChildren(of: fields, except: ["withClause", "relation"], scope: inner)
        case "CreateTableAsStmt":
            if let relation = tree.member("rel", of: field("into")) { use(relation, .create, scope: nil) }
            pushChildren(of: fields, except: ["into"], scope: scope)
        case "ViewStmt":
            if let view = field("view") { use(view, .create, scope: nil) }
            pushChildren(of: fields, except: ["view"], scope: scope)
        case "CreateStmt":
            if let relation = field("relation") { use(relation, .create, scope: nil) }
            pushChildren(of: fields, except: ["relation"], scope: scope)
        case "AlterTableStmt", "RenameStmt", "RefreshMatViewStmt":
            // ALTER INDEX and ALTER SEQUENCE share these nodes: only a table-like object is a write.
            let kinds = ["objtype", "renameType", "relationType"].compactMap { tree.string(field($0)) }
            if type == "RefreshMatViewStmt" || kinds.contains(where: Self.tableKinds.contains),
               let relation = field("relation") {
                use(relation, .write, scope: nil)
            }
            pushChildren(of: fields, except: ["relation"], scope: scope)
        case "CopyStmt":
            let isFrom = tree.bool(field("is_from")) ?? false
            if let relation = field("relation") { use(relation, isFrom ? .write : .read, scope: nil) }
            pushChildren(of: fields, except: ["relation"], scope: scope)
        case "TruncateStmt":
            for node in tree.elements(of: field("relations")) {
                if let relation = tree.member("RangeVar", of: node) { use(relation, .write, scope: nil) }
            }
        case "DropStmt":
            guard let kind = tree.string(field("removeType")), Self.tableKinds.contains(kind) else { return }
            for node in tree.elements(of: field("objects")) { dropped(node) }
        case "CreateFunctionStmt", "DoStmt":
            return  // bodies are opaque strings here (see the type's comment)
        case "CreateSeqStmt", "AlterSeqStmt":
            return  // a sequence is no table
        default:
            pushChildren(of: fields, scope: scope)
        }
    }

    /// The scope inside a statement with this WITH clause; pushes the WITH queries' bodies, each seeing
    /// the queries before it, or all of them under WITH RECURSIVE.
    private mutating func enterWith(_ clause: ParseTreeJSON.Index?, scope: CTEScope?) -> CTEScope? {
        guard let clause else { return scope }
        let recursive = tree.bool(tree.member("recursive", of: clause)) ?? false
        var names: [String] = []
        var bodies: [ParseTreeJSON.Index?] = []
        for node in tree.elements(of: tree.member("ctes", of: clause)) {
            let cte = tree.member("CommonTableExpr", of: node)
            guard let name = tree.string(tree.member("ctename", of: cte)) else { continue }
            names.append(name)
            bodies.append(tree.member("ctequery", of: cte))
        }
        let all = CTEScope(Set(names), parent: scope)
        for (index, body) in bodies.enumerated().reversed() {
            guard let body else { continue }
            stack.append((body, recursive ? all : CTEScope(Set(names[..<index]), parent: scope)))
        }
        return all
    }

    private mutating func pushChildren(of object: ParseTreeJSON.Index, except skipped: Set<String> = [], scope: CTEScope?) {
        for (key, value) in tree.objectMembers(of: object).reversed() where !skipped.contains(key) {
            switch tree[value] {
            case .object, .array: stack.append((value, scope))
            default: continue
            }
        }
    }

    private mutating func use(_ rangeVar: ParseTreeJSON.Index, _ use: Use, scope: CTEScope?) {
        func field(_ name: String) -> String? { tree.string(tree.member(name, of: rangeVar)) }
        guard let name = field("relname") else { return }
        let table = SQLTableName(catalog: field("catalogname"), schema: field("schemaname"), name: name)
        // libpg_query leaves out a location of 0; -1 means none.
        let location = tree.integer(tree.member("location", of: rangeVar)) ?? 0
        let offset = location >= 0 ? location : statementStart
        let unqualified = table.schema == nil && table.catalog == nil
        if use == .create, field("relpersistence") == "t" || table.schema == "pg_temp" {
            if unqualified || table.schema == "pg_temp" { temporaryTables.insert(name) }
            return
        }
        if table.schema == "pg_temp" || (unqualified && temporaryTables.contains(name)) { return }
        switch use {
        case .read:
            if unqualified, scope?.contains(name) == true { return }
            record(table, at: offset, in: &reads)
        case .write, .create:
            record(table, at: offset, in: &writes)
        }
    }

    /// DROP names its tables as lists of strings, without a location: the statement's is used.
    private mutating func dropped(_ node: ParseTreeJSON.Index) {
        let parts = tree.elements(of: tree.member("items", of: tree.member("List", of: node)))
            .compactMap { tree.string(tree.member("sval", of: tree.member("String", of: $0))) }
        guard let name = parts.last, parts.count <= 3 else { return }
        let qualifiers = parts.dropLast()
        let table = SQLTableName(catalog: qualifiers.count == 2 ? qualifiers.first : nil, schema: qualifiers.last, name: name)
        if table.schema == "pg_temp" || (qualifiers.isEmpty && temporaryTables.contains(name)) { return }
        record(table, at: statementStart, in: &writes)
    }

    private func record(_ table: SQLTableName, at offset: Int, in uses: inout [SQLTableName: Int]) {
        if let known = uses[table], known <= offset { return }
        uses[table] = offset
    }

    /// A RangeVar written inline in a typed field (`"relation": {...}`), without its node wrapper.
    private func isRangeVar(_ object: ParseTreeJSON.Index) -> Bool {
        tree.string(tree.member("relname", of: object)) != nil && tree.member("relpersistence", of: object) != nil
    }

    /// The offset of the first token at or after `offset`: statements start after the previous `;`,
    /// comments and blank lines included.
    static func skippingSpaceAndComments(in bytes: [UInt8], from offset: Int) -> Int {
        var index = max(0, offset)
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0C:
                index += 1
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                // PostgreSQL's block comments nest.
                var depth = 0
                repeat {
                    if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "/"), bytes[index + 1] == UInt8(ascii: "*") {
                        depth += 1
                        index += 2
                    } else if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "*"), bytes[index + 1] == UInt8(ascii: "/") {
                        depth -= 1
                        index += 2
                    } else {
                        index += 1
                    }
                } while depth > 0 && index < bytes.count
            default:
                return index
            }
        }
        return min(offset, bytes.count)
    }
}
