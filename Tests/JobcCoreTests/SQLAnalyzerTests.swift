import XCTest
@testable import JobcCore

/// Tables read and written by real-world SQL, as PostgreSQL's own parser sees it.
final class SQLAnalyzerTests: XCTestCase {
    func analyze(_ sql: String) -> SQLAnalysis {
        SQLAnalyzer.analyzePostgreSQL(Array(sql.utf8))
    }

    /// Reads and writes as SQL names, after checking the SQL has no problem.
    func lineage(_ sql: String, file: StaticString = #filePath, line: UInt = #line) -> (reads: [String], writes: [String]) {
        let analysis = analyze(sql)
        XCTAssertEqual(analysis.problems, [], file: file, line: line)
        return (analysis.reads.map(\.table.description), analysis.writes.map(\.table.description))
    }

    func testCTEsAreNotTablesButAShadowedNameAndASchemaQualifiedOneAre() {
        let sql = """
            WITH orders AS (SELECT * FROM raw.orders WHERE status <> 'void'),
                 totals AS (SELECT customer_id, sum(amount) AS total FROM orders GROUP BY 1)
            SELECT c.name, t.total
            FROM totals t
            JOIN public.customers c ON c.id = t.customer_id
            LEFT JOIN public.totals p ON p.customer_id = c.id
            """
        let result = lineage(sql)
        XCTAssertEqual(result.reads, ["public.customers", "public.totals", "raw.orders"])
        XCTAssertEqual(result.writes, [])
    }

    func testACTEIsOnlyInScopeWhereItIsDeclared() {
        // `items` in the first statement is the CTE, in the second a table; a later WITH query sees an
        // earlier one, an earlier one does not see a later one.
        let sql = """
            WITH a AS (SELECT * FROM b), b AS (SELECT * FROM a) SELECT * FROM b;
            WITH items AS (SELECT 1 AS x) SELECT * FROM items;
            SELECT * FROM items, (WITH inner_q AS (SELECT 1) SELECT * FROM inner_q) s, inner_q;
            """
        XCTAssertEqual(lineage(sql).reads, ["b", "inner_q", "items"])
    }

    func testRecursiveCTESeesItself() {
        let sql = """
            WITH RECURSIVE tree AS (
                SELECT id, parent_id FROM org.units WHERE parent_id IS NULL
                UNION ALL
                SELECT u.id, u.parent_id FROM org.units u JOIN tree ON u.parent_id = tree.id
            )
            INSERT INTO org.unit_paths SELECT * FROM tree;
            """
        let result = lineage(sql)
        XCTAssertEqual(result.reads, ["org.units"])
        XCTAssertEqual(result.writes, ["org.unit_paths"])
    }

    func testCTEsOfDataModifyingStatementsAndTheirTargets() {
        let sql = """
            WITH moved AS (DELETE FROM staging.events WHERE ts < now() RETURNING *)
            INSERT INTO archive.events SELECT * FROM moved;
            WITH stale AS (SELECT id FROM audit.checks) UPDATE stale SET ok = false FROM stale s2 WHERE stale.id = s2.id;
            """
        let result = lineage(sql)
        // UPDATE's target is a table even when a WITH query has its name.
        XCTAssertEqual(result.reads, ["audit.checks"])
        XCTAssertEqual(result.writes, ["archive.events", "staging.events", "stale"])
    }

    func testInsertSelectWithJoins() {
        let sql = """
            INSERT INTO mart.daily_revenue (day, region, revenue)
            SELECT o.ordered_at::date, r.name, sum(li.quantity * li.unit_price)
            FROM sales.orders o
            JOIN sales.line_items li ON li.order_id = o.id
            LEFT JOIN ref.regions AS r USING (region_id)
            WHERE o.ordered_at >= %(start)s AND o.ordered_at < %(end)s
              AND EXISTS (SELECT 1 FROM sales.payments p WHERE p.order_id = o.id)
            GROUP BY 1, 2
            ON CONFLICT (day, region) DO UPDATE SET revenue = EXCLUDED.revenue;
            """
        let analysis = analyze(sql)
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.reads.map(\.table.description), ["ref.regions", "sales.line_items", "sales.orders", "sales.payments"])
        XCTAssertEqual(analysis.writes.map(\.table.description), ["mart.daily_revenue"])
        XCTAssertEqual(analysis.writes.first?.position, SQLPosition(line: 1, column: 13))
        XCTAssertEqual(analysis.reads.first { $0.table.name == "orders" }?.position, SQLPosition(line: 3, column: 6))
        XCTAssertEqual(analysis.parameters.map(\.name), ["start", "end"])
        XCTAssertEqual(analysis.parameters.first?.position, SQLPosition(line: 6, column: 23))
        XCTAssertEqual(analysis.parameterNames, ["start", "end"])
        XCTAssertEqual(analysis.statementCount, 1)
    }

    func testUpdateFrom() {
        let sql = """
            UPDATE inventory.stock AS s
            SET quantity = s.quantity - d.shipped
            FROM (SELECT sku, sum(qty) AS shipped FROM logistics.deliveries GROUP BY sku) d
            WHERE s.sku = d.sku AND s.warehouse IN (SELECT id FROM inventory.warehouses WHERE active);
            """
        let result = lineage(sql)
        XCTAssertEqual(result.reads, ["inventory.warehouses", "logistics.deliveries"])
        XCTAssertEqual(result.writes, ["inventory.stock"])
    }

    func testDeleteThenInsertScript() {
        let sql = """
            -- reload one day
            DELETE FROM mart.sessions WHERE day = %(day)s;
            INSERT INTO mart.sessions (day, user_id, n)
            SELECT %(day)s, user_id, count(*) FROM raw.clicks WHERE day = %(day)s GROUP BY user_id;
            """
        let analysis = analyze(sql)
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.statementCount, 2)
        XCTAssertEqual(analysis.reads.map(\.table.description), ["raw.clicks"])
        XCTAssertEqual(analysis.writes.map(\.table.description), ["mart.sessions"])
        XCTAssertEqual(analysis.writes.first?.position, SQLPosition(line: 2, column: 13), "the first write, the DELETE")
        XCTAssertEqual(analysis.parameters.count, 3)
        XCTAssertEqual(analysis.parameterNames, ["day"])
    }

    func testDeleteUsing() {
        let result = lineage("DELETE FROM a.t USING a.u WHERE t.id = u.id")
        XCTAssertEqual(result.reads, ["a.u"])
        XCTAssertEqual(result.writes, ["a.t"])
    }

    func testCreateTableAsWithUnion() {
        let sql = """
            CREATE TABLE analytics.all_users AS
            SELECT id, email FROM app.users
            UNION
            SELECT id, email FROM legacy.users
            EXCEPT SELECT id, email FROM app.banned;
            """
        let result = lineage(sql)
        XCTAssertEqual(result.reads, ["app.banned", "app.users", "legacy.users"])
        XCTAssertEqual(result.writes, ["analytics.all_users"])
    }

    func testSelectIntoAndCreateTable() {
        let result = lineage("""
            SELECT * INTO backup.orders_2024 FROM sales.orders WHERE year = 2024;
            CREATE TABLE IF NOT EXISTS ops.runs (id bigint PRIMARY KEY, job text REFERENCES ops.jobs (name));
            """)
        XCTAssertEqual(result.reads, ["ops.jobs", "sales.orders"])
        XCTAssertEqual(result.writes, ["backup.orders_2024", "ops.runs"])
    }

    func testViewsAndMaterializedViews() {
        let result = lineage("""
            CREATE OR REPLACE VIEW reporting.active_users AS
                SELECT u.* FROM app.users u WHERE EXISTS (SELECT 1 FROM app.logins l WHERE l.user_id = u.id);
            CREATE MATERIALIZED VIEW reporting.user_counts AS SELECT count(*) FROM reporting.active_users;
            REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.user_counts;
            """)
        XCTAssertEqual(result.reads, ["app.logins", "app.users", "reporting.active_users"])
        XCTAssertEqual(result.writes, ["reporting.active_users", "reporting.user_counts"])
    }

    func testDollarQuotedFunctionBodyIsNotAnalysed() {
        let analysis = analyze("""
            CREATE OR REPLACE FUNCTION ops.touch() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                INSERT INTO ops.audit SELECT * FROM ops.secret_source;
                NEW.updated_at := now();  -- 100% sure
                RETURN NEW;
            END
            $body$;
            DO $$ BEGIN PERFORM 1 FROM pg_class; END $$;
            SELECT ops.touch_count() FROM generate_series(1, 3) AS g;
            """.replacingOccurrences(of: "100%", with: "100%%"))
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.statementCount, 3)
        XCTAssertEqual(analysis.reads, [])
        XCTAssertEqual(analysis.writes, [])
    }

    func testDoubledPercentInLike() {
        let analysis = analyze("SELECT * FROM web.pages WHERE path LIKE '/blog/%%' AND title ILIKE %(pattern)s")
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.reads.map(\.table.description), ["web.pages"])
        XCTAssertEqual(analysis.parameters, [SQLParameterUse(name: "pattern", position: SQLPosition(line: 1, column: 68))])
    }

    func testMerge() {
        let result = lineage("""
            MERGE INTO crm.customers AS t
            USING (SELECT * FROM staging.customers WHERE batch = %(batch)s) AS s ON t.id = s.id
            WHEN MATCHED THEN UPDATE SET name = s.name
            WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, s.name);
            MERGE INTO crm.tags t USING staging.tags s ON t.id = s.id WHEN MATCHED THEN DELETE;
            """)
        XCTAssertEqual(result.reads, ["staging.customers", "staging.tags"])
        XCTAssertEqual(result.writes, ["crm.customers", "crm.tags"])
    }

    func testTruncateDropAlterCopy() {
        let analysis = analyze("""
            TRUNCATE TABLE staging.a, staging.b RESTART IDENTITY;
            DROP TABLE IF EXISTS staging.old, staging.older;
            DROP VIEW reporting.v;
            DROP INDEX staging.some_index;
            ALTER TABLE staging.a ADD COLUMN loaded_at timestamptz;
            COPY staging.c FROM STDIN WITH (FORMAT csv);
            COPY (SELECT * FROM mart.export) TO STDOUT;
            COPY mart.summary TO STDOUT;
            ALTER TABLE staging.renamed RENAME COLUMN a TO b;
            ALTER INDEX staging.some_index RENAME TO other_index;
            ALTER SEQUENCE staging.ids RESTART;
            CREATE INDEX ON staging.indexed (id);
            """)
        XCTAssertEqual(analysis.problems, [])
        // CREATE INDEX reads its table, it does not change its rows.
        XCTAssertEqual(analysis.reads.map(\.table.description), ["mart.export", "mart.summary", "staging.indexed"])
        XCTAssertEqual(
            analysis.writes.map(\.table.description),
            ["reporting.v", "staging.a", "staging.b", "staging.c", "staging.old", "staging.older", "staging.renamed"])
        XCTAssertEqual(analysis.writes.first { $0.table.name == "old" }?.position, SQLPosition(line: 2, column: 1))
    }

    func testTemporaryTablesAreNeitherReadNorWritten() {
        let result = lineage("""
            SELECT * FROM scratch;
            CREATE TEMP TABLE scratch AS SELECT * FROM raw.events;
            CREATE TEMPORARY TABLE ids (id int);
            INSERT INTO ids SELECT id FROM scratch;
            SELECT * INTO TEMP more_ids FROM ids;
            INSERT INTO mart.events SELECT * FROM scratch JOIN more_ids USING (id);
            DROP TABLE scratch;
            """)
        // The first `scratch` is used before the file creates its temporary one.
        XCTAssertEqual(result.reads, ["raw.events", "scratch"])
        XCTAssertEqual(result.writes, ["mart.events"])
    }

    func testQuotedMixedCaseAndCatalogQualifiedNames() {
        let analysis = analyze("""
            INSERT INTO "Sales"."Q1" SELECT * FROM Sales.Q1Raw JOIN warehouse.public."order.items" ON true
            JOIN "with""quote" ON true JOIN "2024" ON true JOIN "é" ON true;
            """)
        XCTAssertEqual(analysis.problems, [])
        XCTAssertEqual(analysis.writes.map(\.table), [SQLTableName(schema: "Sales", name: "Q1")])
        XCTAssertEqual(analysis.writes.map(\.table.description), ["\"Sales\".\"Q1\""])
        XCTAssertEqual(
            analysis.reads.map(\.table.description),
            ["\"2024\"", "\"with\"\"quote\"", "sales.q1raw", "warehouse.public.\"order.items\"", "é"])
        XCTAssertEqual(analysis.reads.first { $0.table.catalog == "warehouse" }?.table, SQLTableName(catalog: "warehouse", schema: "public", name: "order.items"))
    }

    func testTableFunctionsAndAliasesAreNotTables() {
        let result = lineage("""
            SELECT * FROM generate_series(1, 10) AS g(n), unnest(ARRAY[1]) u, LATERAL (SELECT n FROM x.y) AS sub
            """)
        XCTAssertEqual(result.reads, ["x.y"])
    }

    func testFirstUseIsReported() {
        let analysis = analyze("SELECT 1 FROM t;\nSELECT 2 FROM t;\nINSERT INTO t VALUES (1);\nDELETE FROM t;")
        XCTAssertEqual(analysis.reads, [SQLTableUse(table: SQLTableName(name: "t"), position: SQLPosition(line: 1, column: 15))])
        XCTAssertEqual(analysis.writes, [SQLTableUse(table: SQLTableName(name: "t"), position: SQLPosition(line: 3, column: 13))])
    }

    func testManyThreadsAtOnce() {
        let sqls = (0..<8).map { "INSERT INTO s.t\($0) SELECT * FROM s.u\($0) WHERE x = %(p\($0))s;" + ($0 % 2 == 0 ? "" : " SELECT FROM FROM") }
        let expected = sqls.map(analyze)
        let results = ResultsBox(count: 64)
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            results.set(index, SQLAnalyzer.analyzePostgreSQL(Array(sqls[index % 8].utf8)))
        }
        for index in 0..<64 {
            XCTAssertEqual(results.get(index), expected[index % 8])
        }
        XCTAssertEqual(expected[2].writes.map(\.table.description), ["s.t2"])
        XCTAssertEqual(expected[3].problems.map(\.kind), [.syntax])
    }

    func testATwoKilobyteFileIsFast() {
        let statement = "INSERT INTO mart.t SELECT a.x, b.y FROM raw.a a JOIN raw.b b ON a.id = b.id WHERE a.d = %(day)s;\n"
        let sql = Array(String(repeating: statement, count: 25).utf8)
        XCTAssertGreaterThan(sql.count, 2000)
        _ = SQLAnalyzer.analyzePostgreSQL(sql)
        let start = Date()
        for _ in 0..<100 { _ = SQLAnalyzer.analyzePostgreSQL(sql) }
        let perFile = Date().timeIntervalSince(start) / 100
        XCTAssertLessThan(perFile, 0.02, "debug build, shared machine: a generous bound")
    }
}

private final class ResultsBox: @unchecked Sendable {
    private var results: [SQLAnalysis?]
    private let lock = NSLock()

    init(count: Int) {
        results = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ analysis: SQLAnalysis) {
        lock.lock()
        results[index] = analysis
        lock.unlock()
    }

    func get(_ index: Int) -> SQLAnalysis? {
        lock.lock()
        defer { lock.unlock() }
        return results[index]
    }
}
