/// Reads one YAML mapping against the set of keys the format defines: reports unknown keys (with a
/// "did you mean"), missing required keys and mistyped values, and hands back typed, located values.
/// A mapping of the job format is read against its `JobFormat.Table`, through the table's keys only.
struct MappingReader {
    let node: YAMLNode
    let entries: [YAMLMappingEntry]
    /// What the mapping is, for messages: "the job", "task 'load'", "kwargs". Worded only when a
    /// message needs it: a reader is made for every mapping of every job, nearly all of them clean.
    private let describeContext: () -> String
    var context: String { describeContext() }
    let table: JobFormat.Table?
    /// Read once per mapping, not once per key (a task-local lookup each time).
    private let readLog = JobFormat.KeyReadLog.current

    /// Nil (after reporting) when `node` is not a mapping. With a `table` of the job format, unknown
    /// keys are reported at once, against it.
    init?(
        _ node: YAMLNode, table: JobFormat.Table? = nil, context: @autoclosure @escaping () -> String, diagnostics: inout DiagnosticCollector
    ) {
        guard case .mapping(let entries) = node.content else {
            diagnostics.error(.wrongType, "\(context()) must be a mapping, found \(node.kindDescription)", at: node.location)
            return nil
        }
        self.node = node
        self.entries = entries
        self.describeContext = context
        self.table = table
        // Every mapping of every job comes through here: the table's names are listed only for a
        // mapping that has a key the table lacks.
        if let keys = table?.keys, entries.indices.contains(where: { index in !keys.contains { $0.name == entries[index].key } }) {
            reportUnknownKeys(allowed: keys.names, diagnostics: &diagnostics)
        }
    }

    /// The value of a key of this mapping's table; nil when absent, after reporting it if the table
    /// says it is required (and no alias of it is present).
    func value(_ key: JobFormat.Key, _ diagnostics: inout DiagnosticCollector) -> YAMLNode? {
        guard let table else { preconditionFailure("value(_:) of a key needs a reader built with its table") }
        assert(table.keys.contains { $0.name == key.name }, "key '\(key.name)' is not in the \(table) table")
        readLog?.record(key.name, in: table)
        if let node = value(key.name) { return node }
        if key.required, !table.keys.contains(where: { $0.aliasOf == key.name && value($0.name) != nil }) {
            diagnostics.error(.missingKey, "\(context) is missing the required key '\(key.name)'", at: node.location)
        }
        return nil
    }

    func keyLocation(_ key: JobFormat.Key) -> SourceLocation? {
        guard let table else { preconditionFailure("keyLocation(_:) of a key needs a reader built with its table") }
        readLog?.record(key.name, in: table)
        return keyLocation(key.name)
    }

    func value(_ key: String) -> YAMLNode? {
        entryIndex(key).map { entries[$0].value }
    }

    func keyLocation(_ key: String) -> SourceLocation? {
        entryIndex(key).map { entries[$0].keyLocation }
    }

    /// Every key a decoder reads is looked for here, among a handful of entries: by index (no entry
    /// copied), lengths compared before text (most keys of a table differ in length).
    private func entryIndex(_ key: String) -> Int? {
        let length = key.utf8.count
        return entries.indices.first { entries[$0].key.utf8.count == length && entries[$0].key == key }
    }

    func reportUnknownKeys(allowed: [String], diagnostics: inout DiagnosticCollector) {
        for entry in entries where !allowed.contains(entry.key) {
            if entry.key == "<<" {
                diagnostics.error(
                    .yamlUnsupported, "YAML merge keys ('<<') are not supported in \(context)", at: entry.keyLocation,
                    suggestion: "write the keys out, or use the job-level 'defaults:' for retries, retry_delay and timeout")
                continue
            }
            let suggestion = Suggestions.didYouMean(entry.key, in: allowed)
                ?? "\(context) accepts: \(allowed.joined(separator: ", "))"
            diagnostics.error(.unknownKey, "unknown key '\(entry.key)' in \(context)", at: entry.keyLocation, suggestion: suggestion)
        }
    }

    func require(_ key: String, diagnostics: inout DiagnosticCollector) -> YAMLNode? {
        guard let node = value(key) else {
            diagnostics.error(.missingKey, "\(context) is missing the required key '\(key)'", at: node.location)
            return nil
        }
        return node
    }

    // MARK: Typed values

    /// A non-null string. Numbers and booleans are refused rather than stringified, because the author
    /// who wrote `tag: 2024` or `id: yes` rarely meant what YAML made of it.
    static func string(_ node: YAMLNode, _ what: @autoclosure () -> String, diagnostics: inout DiagnosticCollector) -> Located<String>? {
        guard let scalar = node.scalar, case .string(let text) = scalar.resolved else {
            var suggestion: String?
            if let scalar = node.scalar, scalar.style == .plain, scalar.resolved != .null {
                suggestion = "quote it to make it a string: \"\(scalar.text)\""
            }
            diagnostics.error(.wrongType, "\(what()) must be a string, found \(node.kindDescription)", at: node.location, suggestion: suggestion)
            return nil
        }
        return Located(text, at: node.location)
    }

    static func bool(_ node: YAMLNode, _ what: @autoclosure () -> String, diagnostics: inout DiagnosticCollector) -> Located<Bool>? {
        guard let scalar = node.scalar, case .bool(let value) = scalar.resolved else {
            diagnostics.error(.wrongType, "\(what()) must be true or false, found \(node.kindDescription)", at: node.location)
            return nil
        }
        return Located(value, at: node.location)
    }

    static func integer(_ node: YAMLNode, _ what: @autoclosure () -> String, range: ClosedRange<Int>, diagnostics: inout DiagnosticCollector) -> Located<Int>? {
        if let scalar = node.scalar, scalar.style == .plain, case .float = scalar.resolved, isWholeNumberSyntax(scalar.text) {
            diagnostics.error(.invalidValue, "\(what()) must be between \(range.lowerBound) and \(range.upperBound), found \(scalar.text)", at: node.location)
            return nil
        }
        guard let scalar = node.scalar, case .integer(let value) = scalar.resolved else {
            diagnostics.error(.wrongType, "\(what()) must be a whole number, found \(node.kindDescription)", at: node.location)
            return nil
        }
        guard range.contains(value) else {
            diagnostics.error(.invalidValue, "\(what()) must be between \(range.lowerBound) and \(range.upperBound), found \(value)", at: node.location)
            return nil
        }
        return Located(value, at: node.location)
    }

    /// Digits with an optional sign: an integer too large for Int resolves to a float, but the author
    /// wrote a whole number and should hear that it is out of range, not that it is not whole.
    static func isWholeNumberSyntax(_ text: String) -> Bool {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func sequence(_ node: YAMLNode, _ what: @autoclosure () -> String, diagnostics: inout DiagnosticCollector) -> [YAMLNode]? {
        guard case .sequence(let items) = node.content else {
            diagnostics.error(.wrongType, "\(what()) must be a list, found \(node.kindDescription)", at: node.location)
            return nil
        }
        return items
    }

    static func stringList(_ node: YAMLNode, _ what: @autoclosure () -> String, diagnostics: inout DiagnosticCollector) -> [Located<String>] {
        guard let items = sequence(node, what(), diagnostics: &diagnostics) else { return [] }
        return items.compactMap { string($0, "each item of \(what())", diagnostics: &diagnostics) }
    }

    /// Where inside a scalar a character sits, for pointing at a bad cron field. Exact for plain and
    /// quoted single-line scalars, which is how schedules are written.
    static func location(in node: YAMLNode, offset: Int) -> SourceLocation {
        guard let scalar = node.scalar, !scalar.text.contains("\n") else { return node.location }
        switch scalar.style {
        case .plain: return node.location.advanced(byColumns: offset)
        case .singleQuoted, .doubleQuoted:
            return scalar.text.contains("\\") || scalar.text.contains("'") ? node.location : node.location.advanced(byColumns: offset + 1)
        case .literal, .folded: return node.location
        }
    }
}

extension RuleID {
    public static let unknownKey = RuleID("unknown-key", summary: "A key the job format does not define; usually a typo.")
    public static let missingKey = RuleID("missing-key", summary: "A required key is absent.")
    public static let wrongType = RuleID(
        "wrong-type", summary: "A value has the wrong type (a list where a string is expected, say).")
}
