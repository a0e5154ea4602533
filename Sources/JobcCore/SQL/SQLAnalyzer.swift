/// Reads an SQL file the way the task that runs it will: psycopg2's parameter formatting first,
/// then PostgreSQL's parser; reports the tables read and written, the parameters, and the problems.
public enum SQLAnalyzer {
    /// Larger files get one `.tooLarge` problem and are not parsed.
    public static let maximumFileSize = 16 << 20

    /// PostgreSQL SQL as psycopg2 executes it with a dict of parameters (pyformat: `%(name)s`).
    /// Safe to call from several threads at once.
    public static func analyzePostgreSQL(_ bytes: [UInt8]) -> SQLAnalysis {
        let start = SQLPosition(line: 1, column: 1)
        guard bytes.count <= maximumFileSize else {
            let megabytes = Double(bytes.count) / Double(1 << 20)
            let size = (megabytes * 10).rounded(.down) / 10
            return SQLAnalysis(problems: [SQLProblem(
                kind: .tooLarge, message: "the SQL file is \(size) MiB; jobc analyses SQL files up to \(maximumFileSize >> 20) MiB",
                position: start, help: "split the file, or load bulk data with COPY from a data file")])
        }
        let source = SQLSourceText(bytes)
        if let problem = source.encodingProblem() {
            return SQLAnalysis(problems: [problem])
        }

        let placeholders = PyformatPlaceholders(scanning: bytes, from: source.bodyStart)
        var analysis = SQLAnalysis()
        let placeholderPositions = source.positions(ofBytes: placeholders.parameters.map(\.offset) + placeholders.problems.map(\.offset))
        analysis.parameters = placeholders.parameters.map {
            SQLParameterUse(name: $0.name, position: placeholderPositions[$0.offset] ?? start)
        }
        analysis.problems = placeholders.problems.map {
            SQLProblem(kind: .placeholder, message: $0.message, position: placeholderPositions[$0.offset] ?? start, help: $0.help)
        }

        switch PostgreSQLParser.parse(placeholders.masked) {
        case .statements(let tree, let statements):
            analysis.statementCount = statements.count
            if statements.isEmpty {
                analysis.problems.append(SQLProblem(
                    kind: .empty, message: "the SQL file has no statement", position: start,
                    help: "psycopg2 refuses an empty query: write the statement, or remove the task"))
            }
            var lineage = SQLLineage(tree: tree, source: placeholders.masked)
            for statement in statements { lineage.add(statement: statement) }
            let tablePositions = source.positions(ofBytes: Array(lineage.reads.values) + Array(lineage.writes.values))
            analysis.reads = uses(lineage.reads, at: tablePositions)
            analysis.writes = uses(lineage.writes, at: tablePositions)
        case .error(let message, let characterPosition):
            var offset = byteOffset(ofCharacter: characterPosition, in: placeholders.masked)
            var message = oneLine(message)
            var help: String?
            if message.hasPrefix("memory exhausted") || message.hasPrefix("stack depth limit exceeded") {
                // Bison's stack (10,000 entries) or PostgreSQL's stack check: the server refuses it too.
                help = "the SQL nests too deeply for PostgreSQL's parser: split it into steps, e.g. WITH queries"
            }
            // PostgreSQL saw the `$1` a parameter was masked to: name what the file says instead.
            if let at = offset, let parameter = placeholders.parameters.last(where: { $0.offset <= at }),
               at <= parameter.offset + 2, message.hasSuffix(" at or near \"$1\"") {
                offset = parameter.offset
                message = String(message.dropLast(4)) + "\"%(\(PyformatPlaceholders.abbreviated(parameter.name)))s\""
                help = "psycopg2 passes a parameter as a quoted value: it cannot stand for a table, a column or a keyword"
            }
            analysis.problems.append(SQLProblem(
                kind: .syntax, message: message, position: offset.map(source.position(ofByte:)) ?? start, help: help))
        case .unreadable:
            analysis.problems.append(SQLProblem(
                kind: .syntax, message: "libpg_query returned a parse tree jobc cannot read", position: start))
        case .outOfMemory:
            analysis.problems.append(SQLProblem(
                kind: .tooLarge, message: "not enough memory to parse the SQL file", position: start))
        }
        analysis.problems = sortedStably(analysis.problems)
        return analysis
    }

    private static func uses(_ offsets: [SQLTableName: Int], at positions: [Int: SQLPosition]) -> [SQLTableUse] {
        offsets.map { SQLTableUse(table: $0.key, position: positions[$0.value] ?? SQLPosition(line: 1, column: 1)) }
            .sorted { $0.table < $1.table || ($0.table.description == $1.table.description && $0.position < $1.position) }
    }

    /// PostgreSQL counts error positions in characters from 1 (0: no position); the byte offset of
    /// that character in the text it parsed, or nil.
    static func byteOffset(ofCharacter position: Int, in text: [UInt8]) -> Int? {
        guard position >= 1 else { return nil }
        var characters = 0
        for (offset, byte) in text.enumerated() where byte & 0xC0 != 0x80 {
            characters += 1
            if characters == position { return offset }
        }
        return text.count  // "at end of input" points one past the last character
    }

    /// PostgreSQL's message on one line, with what it quotes of the file cut to 40 characters.
    static func oneLine(_ message: String) -> String {
        var text = String(message.map { $0.isNewline ? " " : $0 })
        if let open = text.firstIndex(of: "\""), let close = text.lastIndex(of: "\""), open < close {
            let quoted = text[text.index(after: open)..<close]
            if quoted.count > 40 {
                text.replaceSubrange(text.index(after: open)..<close, with: quoted.prefix(39) + "…")
            }
        }
        return text.count > 200 ? String(text.prefix(199)) + "…" : text
    }

    private static func sortedStably(_ problems: [SQLProblem]) -> [SQLProblem] {
        problems.enumerated().sorted { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }.map(\.element)
    }
}
