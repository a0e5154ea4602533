import Foundation
import XCTest

/// The SQL a project's tasks run, end to end through the built binary: `jobc ir` lists exactly the
/// tables each task of `Fixtures/sql` (with the repository's functions) reads and writes (real-world PostgreSQL, which the integration
/// tests also run on a real server), `jobc lineage` draws them, and broken SQL gets located errors.
/// Regenerate the lineage goldens with `JOBC_UPDATE_GOLDEN=1 swift test --filter SQLProjectTests`.
final class SQLProjectTests: JobcCLITestCase {
    static let fixture = testsDirectory.appendingPathComponent("Fixtures/sql")
    static let golden = testsDirectory.appendingPathComponent("Fixtures/golden")

    /// The fixture (jobs, SQL, a secret) with the repository's functions and contracts, which it
    /// does not keep copies of.
    private func copyOfSQLProject() throws -> URL {
        let copy = scratch.appendingPathComponent("sql-project", isDirectory: true)
        try FileManager.default.copyItem(at: Self.fixture, to: copy)
        try FileManager.default.copyItem(
            at: Self.testsDirectory.appendingPathComponent("../../orchestration/function").standardizedFileURL,
            to: copy.appendingPathComponent("orchestration/function"))
        return copy
    }

    private func write(_ text: String, to relative: String, in project: URL) throws {
        try Data(text.utf8).write(to: project.appendingPathComponent(relative))
    }

    func testTheIRListsExactlyTheTablesEachTaskReadsAndWrites() throws {
        let run = try jobc(["ir", "orchestration/job/warehouse.yaml"], in: try copyOfSQLProject())
        XCTAssertEqual(run.status, 0, run.summary)
        let ir = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let tasks = try XCTUnwrap(ir["tasks"] as? [[String: Any]])
        var lineage: [String: [String]] = [:]
        for task in tasks {
            let key = try XCTUnwrap(task["key"] as? String)
            lineage[key + " reads"] = task["reads"] as? [String]
            lineage[key + " writes"] = task["writes"] as? [String]
        }
        XCTAssertEqual(lineage, [
            // CREATE TABLE targets are writes; a foreign key's table is read.
            "setup reads": ["staging.customers"],
            "setup writes": [#""Reporting"."Q1 Summary""#, "marts.customer_totals", "marts.daily_orders", "staging.customers", "staging.orders", "staging.suppliers"],
            // INSERT … ON CONFLICT, and INSERT … SELECT.
            "seed reads": ["staging.customers"],
            "seed writes": ["marts.customer_totals", "staging.customers", "staging.orders", "staging.suppliers"],
            // DELETE + INSERT from CTEs over a join: the CTE names are no tables.
            "daily_orders reads": ["staging.customers", "staging.orders"],
            "daily_orders writes": ["marts.daily_orders"],
            // UPDATE … FROM a subquery.
            "customer_totals reads": ["staging.orders"],
            "customer_totals writes": ["marts.customer_totals"],
            // DROP, then CREATE TABLE AS with UNION.
            "all_parties reads": ["staging.customers", "staging.suppliers"],
            "all_parties writes": ["marts.all_parties"],
            // A view over a join and a scalar subquery; a dollar-quoted function body is not looked into.
            "views reads": ["staging.customers", "staging.orders"],
            "views writes": ["marts.big_orders"],
            // A temporary table (not lineage), MERGE, TRUNCATE of a quoted name, %% literals.
            "reporting reads": ["marts.big_orders", "staging.customers"],
            "reporting writes": [#""Reporting"."Q1 Summary""#, "marts.customer_totals"],
        ])
    }

    func testLineageMatchesItsGoldenFilesInEveryFormat() throws {
        let project = try copyOfSQLProject()
        for format in ["json", "dot", "mermaid"] {
            let run = try jobc(["lineage", "orchestration/job", "--format", format], in: project)
            XCTAssertEqual(run.status, 0, run.summary)
            let url = Self.golden.appendingPathComponent("warehouse.lineage.\(format)")
            if ProcessInfo.processInfo.environment["JOBC_UPDATE_GOLDEN"] == "1" {
                try Data(run.stdout.utf8).write(to: url)
                continue
            }
            XCTAssertEqual(run.stdout, try String(contentsOf: url, encoding: .utf8), "warehouse.lineage.\(format) differs from its golden file")
        }
    }

    func testLineageListsTablesThatCrossJobsAndRefusesABrokenJob() throws {
        let project = try copyOfSQLProject()
        try write("""
            job_id: downstream
            tasks:
              export:
                function: PostgreSQLFunction
                secret_key: warehouse
                kwargs: {sql_file_path: orchestration/sql/export.sql}

            """, to: "orchestration/job/downstream.yaml", in: project)
        try write("SELECT * FROM marts.daily_orders WHERE day = %(execution_date)s;\n", to: "orchestration/sql/export.sql", in: project)
        let run = try jobc(["lineage", "orchestration/job"], in: project)
        XCTAssertEqual(run.status, 0, run.summary)
        let lineage = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let crossing = try XCTUnwrap(lineage["crossJobDependencies"] as? [[String: Any]])
        XCTAssertEqual(crossing.map { "\(($0["writer"] as? [String: String])?["task"] ?? "?") → \($0["table"] ?? "?") → \(($0["reader"] as? [String: String])?["task"] ?? "?")" },
                       ["setup → marts.daily_orders → export", "daily_orders → marts.daily_orders → export"].sorted())

        try write("SELECT FROM FROM marts.daily_orders;\n", to: "orchestration/sql/export.sql", in: project)
        let broken = try jobc(["lineage", "orchestration/job"], in: project)
        XCTAssertEqual(broken.status, 1, broken.summary)
        XCTAssertEqual(broken.stdout, "", "no lineage is printed when a job has an error")
        XCTAssertTrue(broken.stderr.contains("orchestration/sql/export.sql:1:13: error: syntax error at or near \"FROM\" [sql-syntax]"), broken.summary)
    }

    func testEveryProblemInTheSQLIsLocatedInOneRun() throws {
        let project = try copyOfSQLProject()
        // A typo in a parameter name, a lone %, and a syntax error on line 7, in three files of one job.
        try write("DELETE FROM marts.daily_orders WHERE day = %(execution_dat)s;\n", to: "orchestration/sql/03_daily_cte.sql", in: project)
        try write("UPDATE marts.customer_totals SET total = 0 WHERE note LIKE '100%';\n", to: "orchestration/sql/04_update_from.sql", in: project)
        try write("-- 1\n-- 2\n-- 3\n-- 4\n-- 5\nSELECT 1;\nSELECT name FROM staging.customers WHERE name = 'é' ORDER name;\n",
                  to: "orchestration/sql/05_all_parties.sql", in: project)
        let run = try jobc(["lint", "orchestration/job", "--no-color"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        for expected in [
            "orchestration/sql/03_daily_cte.sql:1:44: error: parameter 'execution_dat' is not bound for task 'daily_orders' [sql-parameter]",
            "help: did you mean 'execution_date'?",
            "orchestration/job/warehouse.yaml:22:65: warning: kwarg 'min_amount' of task 'daily_orders' is never used",
            "orchestration/sql/04_update_from.sql:1:64: error: lone '%' that psycopg2 rejects at run time [sql-placeholder]",
            "orchestration/sql/05_all_parties.sql:7:59: error: syntax error at or near \"name\" [sql-syntax]",
            "note: orchestration/job/warehouse.yaml:32:29: task 'all_parties' of job 'warehouse' runs this file",
            "3 errors, 1 warning in 1 file",
        ] {
            XCTAssertTrue(run.stderr.contains(expected), "missing: \(expected)\n\(run.summary)")
        }
    }

    func testBadSQLBytesAreLocatedErrorsNeverCrashes() throws {
        let project = try copyOfSQLProject()
        let file = "orchestration/sql/05_all_parties.sql"
        let cases: [(String, Data, String)] = [
            ("empty", Data(), "1:1: error: the SQL file has no statement"),
            ("binary", Data([0x53, 0x45, 0x4C, 0x00, 0xFF, 0x01]), "error:"),
            ("not UTF-8", Data("SELECT 'caf".utf8) + Data([0xE9]) + Data("';\n".utf8), "1:12: error:"),
            ("deep nesting", Data(("SELECT " + String(repeating: "(", count: 50_000) + "1" + String(repeating: ")", count: 50_000) + ";\n").utf8), "error:"),
            ("a long operator chain", Data(("SELECT 1" + String(repeating: "+1", count: 100_000) + ";\n").utf8), ""),
        ]
        for (name, bytes, expected) in cases {
            try bytes.write(to: project.appendingPathComponent(file))
            let run = try jobc(["lint", "orchestration/job", "--no-color"], in: project)
            assertNoCrashOutput(run)
            if expected.isEmpty {
                XCTAssertEqual(run.status, 0, "\(name): \(run.summary)")
            } else {
                XCTAssertEqual(run.status, 1, "\(name): \(run.summary)")
                XCTAssertTrue(run.stderr.contains(file + ":" + expected) || (expected == "error:" && run.stderr.contains(file + ":")), "\(name): \(run.summary)")
            }
        }
        // 100 MB: refused by size, at once, without reading it into the parser.
        let huge = project.appendingPathComponent(file)
        FileManager.default.createFile(atPath: huge.path, contents: nil)
        let handle = try FileHandle(forWritingTo: huge)
        let line = Data(String(repeating: "SELECT 1; ", count: 100).appending("\n").utf8)
        for _ in 0..<(100 * 1_048_576 / line.count) { try handle.write(contentsOf: line) }
        try handle.close()
        let run = try jobc(["lint", "orchestration/job", "--no-color"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertTrue(run.stderr.contains(file + ":1:1: error:"), run.summary)
    }
}
