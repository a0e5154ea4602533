import Foundation
import JobcCore
import XCTest

/// The SQL a job's tasks run, parsed by PostgreSQL's parser: located diagnostics in the SQL file,
/// lineage in the IR, and the race check between unordered tasks.
final class SQLRuleTests: XCTestCase {
    private var project: TestProject!

    override func setUpWithError() throws {
        project = try TestProject()
        try project.write("orchestration/function/pg.py", "class PG: pass\n")
        try project.write("orchestration/function/pg.contract.yaml", """
            name: PG
            module: pg
            class: PG
            extra_parameters: scalar
            sql: {parameter: sql_file_path, dialect: postgresql}
            parameters:
              sql_file_path: {type: path, required: true}
              use_dict_cursor: {type: boolean}
            """)
        try project.write("orchestration/function/bq.py", "class BQ: pass\n")
        try project.write("orchestration/function/bq.contract.yaml", """
            name: BQ
            module: bq
            class: BQ
            sql: {parameter: query_file, dialect: bigquery}
            parameters:
              query_file: {type: path, required: true}
            """)
        try project.write("sql/load.sql", "-- load the day\nINSERT INTO sales.orders (id, region)\nSELECT id, region FROM staging.orders\nWHERE region = %(region)s AND day = %(execution_date)s;\n")
        try project.write("sql/report.sql", "WITH recent AS (SELECT * FROM sales.orders)\nINSERT INTO reports.daily SELECT count(*) FROM recent;\n")
        try project.write("sql/broken.sql", "SELECT 1;\n\nSELECT id,\n  FROM orders;\n")
    }

    override func tearDown() {
        project.remove()
    }

    private func task(_ key: String, _ file: String, _ extra: String = "") -> String {
        "  \(key):\n    function: PG\n    kwargs: {sql_file_path: \(file)\(extra)}\n"
    }

    func testTheContractNamesTheSQLParameterAndDialect() {
        let (opened, diagnostics) = Project.open(root: project.root)
        XCTAssertTrue(diagnostics.isEmpty, "\(diagnostics)")
        XCTAssertEqual(opened.functions["PG"]?.sql, SQLContract(parameter: "sql_file_path", dialect: "postgresql"))
        XCTAssertEqual(opened.functions["BQ"]?.sql?.isParsed, false)
    }

    func testContractMistakesInSQLAreLocated() throws {
        try project.write("orchestration/function/bad.py", "class Bad: pass\n")
        try project.write("orchestration/function/bad.contract.yaml", """
            name: Bad
            module: bad
            class: Bad
            sql: {parameter: file, dialect: postgres}
            parameters:
              file: {type: string}
            """)
        let (_, diagnostics) = Project.open(root: project.root)
        XCTAssertEqual(diagnostics.map(\.message), ["'sql' names parameter 'file', which is of type string, not path"])
        try project.write("orchestration/function/bad.contract.yaml", "name: Bad\nmodule: bad\nclass: Bad\nsql: {parameter: path, dialect: postgres}\nparameters:\n  path: {type: path}\n")
        let (_, typo) = Project.open(root: project.root)
        XCTAssertEqual(typo.map(\.message), ["unknown SQL dialect 'postgres'"])
        XCTAssertEqual(typo.first?.suggestion, "did you mean 'postgresql'?")
        XCTAssertEqual(typo.first?.location?.line, 4)
    }

    func testASyntaxErrorIsLocatedInTheSQLFileOnceWithEveryTaskThatRunsIt() throws {
        let result = try project.compile("job_id: j\ntasks:\n" + task("a", "sql/broken.sql") + task("b", "sql/broken.sql") + "dependencies: [{source: a, target: b}]\n")
        let syntax = result.diagnostics.filter { $0.rule == .sqlSyntax }
        XCTAssertEqual(syntax.count, 1, "\(result.diagnostics)")
        XCTAssertEqual(syntax.first?.location, SourceLocation(file: "sql/broken.sql", line: 4, column: 3))
        XCTAssertEqual(syntax.first?.message, #"syntax error at or near "FROM""#)
        XCTAssertEqual(syntax.first?.notes.map(\.message), ["task 'a' of job 'j' runs this file", "task 'b' of job 'j' runs this file"])
        XCTAssertEqual(syntax.first?.notes.first?.location?.file, "job.yaml")
        XCTAssertNil(result.graph)
    }

    func testUnboundParametersAreLocatedWithDidYouMean() throws {
        try project.write("sql/typo.sql", "SELECT *\nFROM t WHERE region = %(regoin)s AND d = %(execution_date)s AND x = %(run_limit)s;\n")
        let result = try project.compile("job_id: j\nparams:\n  run_limit: {type: integer, default: 3}\ntasks:\n" + task("a", "sql/typo.sql", ", region: EU"))
        XCTAssertEqual(result.summary, ["7:43 warning sql-unused-parameter", "2:23 sql-parameter"])
        let unbound = result.diagnostics.first { $0.rule == .sqlParameter }
        XCTAssertEqual(unbound?.message, "parameter 'regoin' is not bound for task 'a'")
        XCTAssertEqual(unbound?.suggestion, "did you mean 'region'?")
        XCTAssertEqual(unbound?.location?.file, "sql/typo.sql")
    }

    func testALonePercentIsAnError() throws {
        try project.write("sql/percent.sql", "SELECT * FROM t WHERE name LIKE 'a%' OR name LIKE 'b%%';\n")
        let result = try project.compile("job_id: j\ntasks:\n" + task("a", "sql/percent.sql"))
        XCTAssertEqual(result.summary, ["1:35 sql-placeholder"])
    }

    func testLineageIsInTheIRSortedAndReadsBeforeUnorderedWritesFailLint() throws {
        let racing = try project.compile("job_id: j\ntasks:\n" + task("load", "sql/load.sql", ", region: EU") + task("report", "sql/report.sql"))
        XCTAssertEqual(racing.summary, ["6:3 missing-dependency"])
        let race = racing.diagnostics[0]
        XCTAssertEqual(race.message, "task 'report' reads table sales.orders, which task 'load' writes, but neither task depends on the other")
        XCTAssertEqual(race.notes.map { "\($0.location?.description ?? "-") \($0.message)" }, [
            "sql/report.sql:1:31 'report' reads sales.orders here", "sql/load.sql:2:13 'load' writes sales.orders here",
        ])
        XCTAssertTrue(race.suggestion?.hasPrefix("add depends_on: [load] to task 'report'") ?? false)

        let ordered = try project.compile(
            "job_id: j\ntasks:\n" + task("load", "sql/load.sql", ", region: EU") + task("report", "sql/report.sql") + "    depends_on: [load]\n")
        XCTAssertEqual(ordered.summary, [])
        let tasks = try XCTUnwrap(ordered.graph).tasks
        XCTAssertEqual(tasks.map { $0.lineage.reads.map(\.table) }, [["staging.orders"], ["sales.orders"]])
        XCTAssertEqual(tasks.map { $0.lineage.writes.map(\.table) }, [["sales.orders"], ["reports.daily"]])
        let json = try XCTUnwrap(ordered.graph).json.rendered()
        XCTAssertTrue(json.contains(#""reads": ["#), json)

        let reviewed = try project.compile(
            "job_id: j\ntasks:\n" + task("load", "sql/load.sql", ", region: EU") + task("report", "sql/report.sql") + "    allow_unordered: sales.orders\n")
        XCTAssertEqual(reviewed.summary, [])
    }

    func testADependencyPathThroughGroupsOrdersTheTasks() throws {
        let result = try project.compile("""
            job_id: j
            groups:
              first: {}
              second: {depends_on: [first]}
            tasks:
              load: {function: PG, group: first, kwargs: {sql_file_path: sql/load.sql, region: EU}}
              middle: {function: PG, group: second, kwargs: {sql_file_path: sql/report.sql}}
              report: {function: PG, depends_on: [middle], kwargs: {sql_file_path: sql/report.sql}}

            """)
        // middle and report both write reports.daily, ordered by depends_on; both read after load.
        XCTAssertEqual(result.summary, [])
    }

    func testUnorderedWritersAreAWarning() throws {
        try project.write("sql/a.sql", "TRUNCATE staging.orders;\n")
        try project.write("sql/b.sql", "DELETE FROM staging.orders WHERE true;\n")
        let result = try project.compile("job_id: j\ntasks:\n" + task("a", "sql/a.sql") + task("b", "sql/b.sql"))
        XCTAssertEqual(result.summary, ["6:3 warning conflicting-writes"])
        XCTAssertNotNil(result.graph)
    }

    func testAFanOutOverTheSQLFileParsesEveryItem() throws {
        let result = try project.compile("""
            job_id: j
            tasks:
              each:
                function: PG
                kwargs: {region: EU}
                for_each: {parameter: sql_file_path, items: [sql/load.sql, sql/broken.sql]}

            """)
        XCTAssertEqual(result.summary, ["4:3 sql-syntax"])
    }

    func testOtherDialectsAreNotParsed() throws {
        try project.write("sql/bq.sql", "SELECT * FROM `project.dataset.table` QUALIFY ROW_NUMBER() OVER () = 1\n")
        let result = try project.compile("job_id: j\ntasks:\n  q: {function: BQ, kwargs: {query_file: sql/bq.sql}}\n")
        XCTAssertEqual(result.summary, [])
        let lineage = try XCTUnwrap(result.graph?.tasks.first?.lineage)
        XCTAssertEqual(lineage.sqlFiles, SQLFileSet(dialect: "bigquery", paths: ["sql/bq.sql"], parsed: false))
        XCTAssertEqual(lineage.reads, [])
    }

    func testProjectLineageListsCrossJobDependenciesAndEscapesNames() throws {
        try project.write("sql/quoted.sql", #"INSERT INTO "Odd ""Name"" <&>" SELECT * FROM reports.daily;"# + "\n")
        let first = try XCTUnwrap(try project.compile("job_id: first\ntasks:\n" + task("report", "sql/report.sql")).graph)
        let second = try XCTUnwrap(try project.compile("job_id: second\ntasks:\n" + task("odd", "sql/quoted.sql")).graph)
        let lineage = ProjectLineage([second, first])
        XCTAssertEqual(lineage.jobs.map(\.id), ["first", "second"])
        XCTAssertEqual(lineage.crossJobDependencies.map { "\($0.writer.job).\($0.writer.task) → \($0.table) → \($0.reader.job).\($0.reader.task)" },
                       ["first.report → reports.daily → second.odd"])
        XCTAssertTrue(lineage.dot.contains(#"label="\"Odd \"\"Name\"\" <&amp;>\"""#), lineage.dot)
        XCTAssertTrue(lineage.mermaid.contains("#quot;Odd #quot;#quot;Name#quot;#quot; #lt;#amp;#gt;#quot;"), lineage.mermaid)
    }
}
