import Foundation
import XCTest

/// `jobc compile --check` (drift of committed generated files), `jobc schema`, `jobc graph`.
final class DriftAndToolsTests: JobcCLITestCase {
    private func check(in project: URL) throws -> JobcRun {
        try jobc(["compile", "jobs/good", "--target", "airflow", "--out", "dags", "--check"], in: project)
    }

    func testCheckPassesOnFreshOutputAndWritesNothing() throws {
        let project = try copyOfFixtureProject()
        XCTAssertEqual(try jobc(["compile", "jobs/good", "--target", "airflow", "--out", "dags"], in: project).status, 0)
        let before = try filesUnder(project.appendingPathComponent("dags"))
        let run = try check(in: project)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.stdout, "dags is up to date\n")
        XCTAssertEqual(try filesUnder(project.appendingPathComponent("dags")), before)
    }

    func testModifiedJobShowsAUnifiedDiffAndFails() throws {
        let project = try copyOfFixtureProject()
        XCTAssertEqual(try jobc(["compile", "jobs/good", "--target", "airflow", "--out", "dags"], in: project).status, 0)
        let job = project.appendingPathComponent("jobs/good/manual_minimal.yml")
        let text = try String(contentsOf: job, encoding: .utf8)
        try write(text + "tags: [added]\n", to: job)
        let run = try check(in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertTrue(run.stdout.contains("--- a/manual_minimal.py\n+++ b/manual_minimal.py\n@@ "), run.stdout)
        XCTAssertTrue(run.stdout.contains("\n-    tags=[],\n+    tags=[\"added\"],\n"), run.stdout)
        XCTAssertTrue(run.stderr.contains("out of date"), run.summary)
    }

    func testDeletedJobLeavesAStaleFileAndNewJobAMissingOne() throws {
        let project = try copyOfFixtureProject()
        XCTAssertEqual(try jobc(["compile", "jobs/good", "--target", "airflow", "--out", "dags"], in: project).status, 0)
        try FileManager.default.removeItem(at: project.appendingPathComponent("jobs/good/manual_minimal.yml"))
        try write("job_id: brand_new\ntasks:\n  a: {function: EchoFunction, kwargs: {message: hi}}\n",
                  to: project.appendingPathComponent("jobs/good/brand_new.yaml"))
        let run = try check(in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.stdout, "missing: dags/brand_new.py (jobc would create it)\nstale: dags/manual_minimal.py (no job generates it; delete it)\n")
    }

    func testCommittedSchemaIsWhatJobcGenerates() throws {
        let run = try jobc(["schema"], in: Self.repositoryRoot)
        XCTAssertEqual(run.status, 0, run.summary)
        let committed = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/job.schema.json"), encoding: .utf8)
        XCTAssertEqual(run.stdout, committed, "docs/job.schema.json is stale: run `jobc schema > docs/job.schema.json`")
    }

    func testCommittedIRSchemaIsWhatJobcGenerates() throws {
        let run = try jobc(["schema", "--ir"], in: Self.repositoryRoot)
        XCTAssertEqual(run.status, 0, run.summary)
        let committed = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/ir.schema.json"), encoding: .utf8)
        XCTAssertEqual(run.stdout, committed, "docs/ir.schema.json is stale: run `jobc schema --ir > docs/ir.schema.json`")
    }

    func testGraphFormats() throws {
        let job = "orchestration/job/sales_diamond.yaml"
        let dot = try jobc(["graph", job], in: Self.repositoryRoot)
        XCTAssertEqual(dot.status, 0, dot.summary)
        XCTAssertTrue(dot.stdout.hasPrefix("digraph \"sales_diamond\" {\n"), dot.stdout)
        XCTAssertTrue(dot.stdout.contains("    \"extract_orders\" [label=\"extract_orders\\nPostgreSQLFunction\"];\n"), dot.stdout)
        XCTAssertTrue(dot.stdout.contains("    \"totals_by_region\" -> \"publish_report\";\n"), dot.stdout)
        let mermaid = try jobc(["graph", job, "--format", "mermaid"], in: Self.repositoryRoot)
        XCTAssertTrue(mermaid.stdout.hasPrefix("flowchart LR\n    task_extract_orders[\"extract_orders<br/>PostgreSQLFunction\"]\n"), mermaid.stdout)
        XCTAssertTrue(mermaid.stdout.contains("    task_extract_orders --> task_totals_by_product\n"), mermaid.stdout)
        // SVG goes through Graphviz's `dot`, which .ci/run installs; without it this fails (exit 2).
        let svg = try jobc(["graph", job, "--format", "svg"], in: Self.repositoryRoot)
        XCTAssertEqual(svg.status, 0, svg.summary)
        XCTAssertTrue(svg.stdout.hasPrefix("<?xml"), svg.summary)
        XCTAssertTrue(svg.stdout.contains("<title>sales_diamond</title>"), svg.summary)
        XCTAssertTrue(svg.stdout.contains(">publish_report</text>"), svg.summary)
        let broken = try jobc(["graph", "jobs/bad/dependency_cycle.yaml"], in: Self.fixtureProject)
        XCTAssertEqual(broken.status, 1, broken.summary)
    }
}
