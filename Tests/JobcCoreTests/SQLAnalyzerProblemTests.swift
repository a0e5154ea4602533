import XCTest
@testable import JobcCore

/// Problems in SQL files, each at the line and column an editor shows.
final class SQLAnalyzerProblemTests: XCTestCase {
    private func analyze(_ sql: String) -> SQLAnalysis {
        SQLAnalyzer.analyzePostgreSQL(Array(sql.utf8))
    }

    private func problems(_ sql: String) -> [SQLProblem] {
        analyze(sql).problems
    }

    func testSyntaxErrorOnLineSeven() {
        let sql = """
            -- daily load
            INSERT INTO mart.t
            SELECT *
            FROM raw.a;

            -- the broken one
            SELECT id, name FORM raw.users;
            """
        let found = problems(sql)
        XCTAssertEqual(found, [SQLProblem(kind: .syntax, message: "syntax error at or near \"raw\"", position: SQLPosition(line: 7, column: 22))])
    }

    func testSyntaxErrorColumnCountsCharactersAfterMultibyteText() {
        // PostgreSQL reports characters, not bytes: "é" and "→" are one column each, as in an editor.
        let sql = "SELECT 1;\n\n\n\n\n\nSELECT 'é→x' AS \"ünï\", id FROM FROM t;\n"
        XCTAssertEqual(problems(sql).map(\.position), [SQLPosition(line: 7, column: 32)])
        XCTAssertEqual(problems(sql).first?.message, "syntax error at or near \"FROM\"")
    }

    func testSyntaxErrorAfterParametersWithMultibyteNamesKeepsItsColumn() {
        let sql = "SELECT %(naïve)s, %(x)s\nFROM t WHERE WHERE"
        XCTAssertEqual(problems(sql).map(\.position), [SQLPosition(line: 2, column: 14)])
    }

    func testParameterWhereATableNameGoes() {
        let found = problems("SELECT 1;\nSELECT * FROM %(table)s")
        XCTAssertEqual(found, [SQLProblem(
            kind: .syntax, message: "syntax error at or near \"%(table)s\"", position: SQLPosition(line: 2, column: 15),
            help: "psycopg2 passes a parameter as a quoted value: it cannot stand for a table, a column or a keyword")])
    }

    func testSyntaxErrorsInUnterminatedTokens() {
        let long = String(repeating: "x", count: 200)
        XCTAssertEqual(problems("SELECT 1;\nSELECT '\(long)").map(\.message), ["unterminated quoted string at or near \"'\(String(repeating: "x", count: 38))…\""])
        XCTAssertEqual(problems("SELECT 1 /* open").map(\.position), [SQLPosition(line: 1, column: 10)])
        XCTAssertEqual(problems("SELECT $$ab\nc").map(\.message), ["unterminated dollar-quoted string at or near \"$$ab c\""])
    }

    func testSyntaxErrorAtEndOfInput() {
        let found = problems("SELECT * FROM t WHERE\n")
        XCTAssertEqual(found.map(\.message), ["syntax error at end of input"])
        XCTAssertEqual(found.map(\.position), [SQLPosition(line: 2, column: 1)])
    }

    func testSyntaxErrorQuotesAtMostFortyCharacters() {
        let long = String(repeating: "x", count: 500)
        let found = problems("SELECT 1 '\(long)'")
        XCTAssertEqual(found.count, 1)
        XCTAssertLessThan(found[0].message.count, 80)
    }

    func testParametersAreLocatedEvenInLiteralsAndComments() {
        let analysis = analyze("-- for %(day)s\nSELECT %(a)s, '%(b)s'\n\tFROM t WHERE x = %(a)s")
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.parameters, [
            SQLParameterUse(name: "day", position: SQLPosition(line: 1, column: 8)),
            SQLParameterUse(name: "a", position: SQLPosition(line: 2, column: 8)),
            SQLParameterUse(name: "b", position: SQLPosition(line: 2, column: 16)),
            SQLParameterUse(name: "a", position: SQLPosition(line: 3, column: 19)),
        ])
        XCTAssertEqual(analysis.parameterNames, ["day", "a", "b"])
    }

    func testParameterNextToADollarQuoteOrAWord() {
        let analysis = analyze("SELECT $$%(a)s$$, x%(b)s FROM t")
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.parameters.map(\.name), ["a", "b"])
    }

    func testLonePercentIsLocated() {
        let found = problems("SELECT *\nFROM t WHERE name LIKE 'a%' AND x = 1")
        XCTAssertEqual(found, [SQLProblem(
            kind: .placeholder, message: "lone '%' that psycopg2 rejects at run time",
            position: SQLPosition(line: 2, column: 26), help: "write %% for a literal percent sign")])
    }

    func testLonePercentInACommentAndAtTheEnd() {
        let found = problems("SELECT 1 -- 100% done\n-- %")
        XCTAssertEqual(found.map(\.position), [SQLPosition(line: 1, column: 16), SQLPosition(line: 2, column: 4)])
        XCTAssertEqual(Set(found.map(\.kind)), [.placeholder])
    }

    func testPlaceholderWithAnotherTypeIsLocated() {
        let found = problems("SELECT *\n  FROM t\n WHERE n > %(x)d")
        XCTAssertEqual(found.map(\.position), [SQLPosition(line: 3, column: 12)])
        XCTAssertEqual(found.first?.kind, .placeholder)
        XCTAssertEqual(found.first?.message, "placeholder %(x) is followed by 'd', not 's'")
        XCTAssertEqual(found.first?.help, "write %(x)s: psycopg2 passes every parameter with %s, whatever its type")
    }

    func testIncompletePositionalAndParenthesisedPlaceholders() {
        // Blanked out, the bad placeholders also leave PostgreSQL a syntax error.
        let found = problems("SELECT %(a, %s, %(b(c))s, %(end").filter { $0.kind == .placeholder }
        XCTAssertEqual(found.map(\.message), [
            "incomplete placeholder: '%(' without ')'",
            "positional placeholder %s in a file run with named parameters",
            "placeholder name 'b(c' contains '(', which psycopg2 cannot look up",
            "incomplete placeholder: '%(' without ')'",
        ])
        XCTAssertEqual(found.map(\.position.column), [8, 13, 17, 27])
    }

    func testAPlaceholderProblemDoesNotHideTheStatement() {
        let analysis = analyze("INSERT INTO s.t SELECT * FROM s.u WHERE a LIKE 'x%'")
        XCTAssertEqual(analysis.problems.map(\.kind), [.placeholder])
        XCTAssertEqual(analysis.writes.map(\.table.description), ["s.t"])
        XCTAssertEqual(analysis.reads.map(\.table.description), ["s.u"])
    }

    func testInvalidUTF8IsLocated() {
        var bytes = Array("SELECT 1;\nSELECT 'é".utf8)
        bytes += [0xC3, 0x28]  // a lead byte without its continuation
        bytes += Array("';".utf8)
        let analysis = SQLAnalyzer.analyzePostgreSQL(bytes)
        XCTAssertEqual(analysis.problems.map(\.kind), [.encoding])
        XCTAssertEqual(analysis.problems.first?.position, SQLPosition(line: 2, column: 10))
        XCTAssertEqual(analysis.statementCount, 0, "nothing parsed")
    }

    func testLatin1IsNotUTF8() {
        let bytes: [UInt8] = Array("SELECT 'caf".utf8) + [0xE9] + Array("' FROM t".utf8)
        XCTAssertEqual(SQLAnalyzer.analyzePostgreSQL(bytes).problems.map(\.position), [SQLPosition(line: 1, column: 12)])
    }

    func testNULMeansBinary() {
        let bytes: [UInt8] = [0xFF, 0xFE] + Array("SELECT".utf8) + [0x00, 0x01]
        XCTAssertEqual(SQLAnalyzer.analyzePostgreSQL(Array("SELECT 1;\nSEL".utf8) + [0] + Array("ECT 2".utf8)).problems, [
            SQLProblem(kind: .encoding, message: "binary file: NUL byte", position: SQLPosition(line: 2, column: 4)),
        ])
        XCTAssertEqual(SQLAnalyzer.analyzePostgreSQL(bytes).problems.map(\.kind), [.encoding])
    }

    func testByteOrderMarkIsSkipped() {
        let analysis = SQLAnalyzer.analyzePostgreSQL([0xEF, 0xBB, 0xBF] + Array("SELECT * FROM t WHERE x = %(x)s".utf8))
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.reads, [SQLTableUse(table: SQLTableName(name: "t"), position: SQLPosition(line: 1, column: 15))])
        XCTAssertEqual(analysis.parameters.map(\.position), [SQLPosition(line: 1, column: 27)])
        let broken = SQLAnalyzer.analyzePostgreSQL([0xEF, 0xBB, 0xBF] + Array("SELECT FROM FROM".utf8))
        XCTAssertEqual(broken.problems.map(\.position), [SQLPosition(line: 1, column: 13)])
    }

    func testEmptyFiles() {
        for sql in ["", "   \n\t\n", "-- only a comment\n/* and /* a nested */ block */\n", ";;"] {
            let analysis = analyze(sql)
            XCTAssertEqual(analysis.problems, [SQLProblem(
                kind: .empty, message: "the SQL file has no statement", position: SQLPosition(line: 1, column: 1),
                help: "psycopg2 refuses an empty query: write the statement, or remove the task")], sql)
            XCTAssertEqual(analysis.statementCount, 0)
        }
    }

    func testTooLargeFileIsRefusedQuickly() {
        let bytes = [UInt8](repeating: UInt8(ascii: " "), count: 20 << 20)
        let start = Date()
        let analysis = SQLAnalyzer.analyzePostgreSQL(bytes)
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5)
        XCTAssertEqual(analysis.problems.map(\.kind), [.tooLarge])
        XCTAssertEqual(analysis.problems.first?.position, SQLPosition(line: 1, column: 1))
        XCTAssertEqual(analysis.problems.first?.message, "the SQL file is 20.0 MiB; jobc analyses SQL files up to 16 MiB")
    }

    func testDeepParenthesesGiveAResultOrALocatedError() {
        let nested = "SELECT " + String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        XCTAssertEqual(analyze(nested).problems, [])
        XCTAssertEqual(analyze(nested).statementCount, 1)
        // Past bison's stack (10,000): PostgreSQL's "memory exhausted", at the parenthesis it stopped on.
        let deeper = "SELECT " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        let found = analyze(deeper).problems
        XCTAssertEqual(found.map(\.kind), [.syntax])
        XCTAssertEqual(found.first?.position.line, 1)
        XCTAssertGreaterThan(found.first?.position.column ?? 0, 1)
        XCTAssertEqual(found.first?.help, "the SQL nests too deeply for PostgreSQL's parser: split it into steps, e.g. WITH queries")
    }

    func testDeepSubqueriesAndLongOperatorChains() {
        func nested(_ depth: Int) -> String {
            "SELECT * FROM " + String(repeating: "(SELECT * FROM ", count: depth) + "deep.t" + String(repeating: ") a", count: depth)
        }
        XCTAssertEqual(analyze(nested(1_000)).reads.map(\.table.description), ["deep.t"])
        XCTAssertEqual(analyze(nested(2_000)).problems.map(\.message), ["memory exhausted at or near \"*\""])
        // A left-deep tree as deep as the chain is long; libpg_query writes it by recursion, which
        // overflows an 8 MiB stack at this depth (hence the parse thread's large stack).
        let sum = "SELECT 1" + String(repeating: "+1", count: 100_000) + " FROM chain.t"
        let analysis = analyze(sum)
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.reads.map(\.table.description), ["chain.t"])
        // Longer than the kept parser threads' stacks allow for: parsed on a thread sized for it.
        let longerSum = "SELECT 1" + String(repeating: "+1", count: 250_000) + " FROM chain.t"
        XCTAssertGreaterThan(PostgreSQLParser.stackSize(forQueryOfLength: longerSum.utf8.count), 64 << 20)
        XCTAssertEqual(analyze(longerSum).reads.map(\.table.description), ["chain.t"])
        let unions = String(repeating: "SELECT 1 FROM u.t UNION ALL ", count: 10_000) + "SELECT 2"
        XCTAssertEqual(analyze(unions).reads.map(\.table.description), ["u.t"])
    }

    func testALongLineWithManyParametersIsLinear() {
        let sql = "SELECT é" + String(repeating: ", %(p)s", count: 100_000) + " FROM t"
        let start = Date()
        let analysis = analyze(sql)
        XCTAssertLessThan(Date().timeIntervalSince(start), 20, "quadratic would take minutes")
        XCTAssertEqual(analysis.parameters.count, 100_000)
        XCTAssertEqual(analysis.parameters.last?.position, SQLPosition(line: 1, column: 9 + 99_999 * 7 + 2))
        XCTAssertEqual(analysis.reads.map(\.position), [SQLPosition(line: 1, column: 9 + 100_000 * 7 + 6)])
    }

    func testTableNamesReadBackAsSQL() {
        XCTAssertEqual(SQLTableName(name: "orders").description, "orders")
        XCTAssertEqual(SQLTableName(schema: "Sales", name: "q1").description, "\"Sales\".q1")
        XCTAssertEqual(SQLTableName(catalog: "db", schema: "s", name: "a b").description, "db.s.\"a b\"")
        XCTAssertEqual(SQLTableName(name: "x$1").description, "x$1")
        XCTAssertEqual(SQLTableName(name: "").description, "\"\"")
        XCTAssertLessThan(SQLTableName(schema: "a", name: "z"), SQLTableName(schema: "b", name: "a"))
    }
}
