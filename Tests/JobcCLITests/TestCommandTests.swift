import Foundation
import XCTest

/// `jobc test` up to the point where a Python would run a scenario: usage errors, malformed test
/// files (every problem at once, located, nothing run), and folder searches for jobs that leave
/// test files alone. Scenarios themselves run against PostgreSQL in Tests/integration/test_jobc_test.py.
final class TestCommandTests: JobcCLITestCase {
    private let testFile = "jobs/good/echo_pipeline.test.yaml"

    func testUsageErrors() throws {
        let project = try copyOfFixtureProject()
        let cases: [([String], String)] = [
            (["jobs/good/missing.test.yaml"], "no such file or folder: jobs/good/missing.test.yaml"),
            (["jobs/good/echo_pipeline.yaml"], "jobs/good/echo_pipeline.yaml is not a test file: test files are named NAME.test.yaml"),
            (["jobs/good"], "no test files (*.test.yaml) in jobs/good"),
            ([testFile, "--max-parallel", "0"], "--max-parallel must be at least 1, got 0"),
        ]
        for (arguments, message) in cases {
            let run = try jobc(["test"] + arguments, in: project)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.stderr.contains(message), "expected \(message)\n\(run.summary)")
            XCTAssertEqual(run.stdout, "", run.summary)
        }
    }

    /// Every problem of a test file at once, each located with its line quoted, and no Python started
    /// (the one given does not exist).
    func testAMalformedTestFileReportsEveryProblemLocated() throws {
        let project = try copyOfFixtureProject()
        try write("""
            job: echo_pipeline.yaml
            scenaros: {}
            scenarios:
              broken:
                logical_dat: 2024-01-02
                params: {regon: emea}
                stubs:
                  frst: succeed
                  second: explode
                  third: {fail_times: two}
                expect:
                  tasks:
                    second: {state: upstream_faild, attempts: 1}
                    thrid: success
                  sql:
                    - query: SELECT 1
                      rows: [[1]]
            """, to: project.appendingPathComponent(testFile))
        let run = try jobc(["test", testFile, "--python", "/nonexistent/python", "--no-color"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        let found = run.errors.map { "\($0.line):\($0.column) \($0.rule)" }
        XCTAssertEqual(found, [
            "2:1 unknown-key", "5:5 unknown-key", "6:14 invalid-test", "8:7 invalid-test", "9:15 invalid-test",
            "10:27 wrong-type", "13:25 invalid-test", "14:9 invalid-test", "16:11 missing-key",
        ], run.summary)
        XCTAssertTrue(run.stderr.contains("help: did you mean 'scenarios'?"), run.summary)
        XCTAssertTrue(run.stderr.contains("names task 'frst', which job 'echo_pipeline' does not have"), run.summary)
        XCTAssertTrue(run.stderr.contains("help: did you mean 'first'?"), run.summary)
        XCTAssertTrue(run.stderr.contains("help: did you mean 'upstream_failed'?"), run.summary)
        XCTAssertTrue(run.stderr.contains(" 9 |       second: explode\n"), run.summary)
        XCTAssertTrue(run.stdout.hasPrefix("ERROR \(testFile): the test cannot run"), run.summary)
        XCTAssertTrue(run.stdout.hasSuffix("1 scenario: 0 passed, 1 failed (1 test file)\n"), run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent(".jobc").path))
    }

    /// A test without `job:` tests the job of the same stem; when there is none, or `job:` names a
    /// missing file, that is the error. A JUnit file says so as an error case, escaped.
    func testAMissingJobIsLocatedAndTheJUnitReportSaysSo() throws {
        let project = try copyOfFixtureProject()
        try write("scenarios:\n  a: {}\n", to: project.appendingPathComponent("jobs/good/orphan.test.yaml"))
        try write("job: \"nope<&>.yaml\"\nscenarios:\n  a: {}\n", to: project.appendingPathComponent("jobs/good/named.test.yaml"))
        let run = try jobc(["test", "jobs/good", "--junit", "results.xml", "--python", "/nonexistent/python"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.errors.map { "\($0.file):\($0.line):\($0.column)" }, ["jobs/good/named.test.yaml:1:6", "jobs/good/orphan.test.yaml:1:1"], run.summary)
        XCTAssertTrue(run.stderr.contains("error: no job for this test: jobs/good/orphan.yaml does not exist"), run.summary)
        XCTAssertTrue(run.stderr.contains("error: the job this test is for, jobs/good/nope<&>.yaml, does not exist"), run.summary)
        let xml = try String(contentsOf: project.appendingPathComponent("results.xml"), encoding: .utf8)
        XCTAssertTrue(xml.contains("<testsuite name=\"jobs/good/named.test.yaml\" tests=\"1\" failures=\"0\" errors=\"1\""), xml)
        XCTAssertTrue(xml.contains("nope&lt;&amp;&gt;.yaml"), xml)
        XCTAssertFalse(xml.contains("nope<"), xml)
    }

    /// Folder searches for jobs (lint, compile) leave test files alone.
    func testLintAndCompileDoNotReadTestFilesAsJobs() throws {
        let project = try copyOfFixtureProject()
        try write("scenarios:\n  a: {}\n", to: project.appendingPathComponent(testFile))
        try write("scenarios:\n  a: {}\n", to: project.appendingPathComponent("jobs/good/manual_minimal.test.yml"))
        let lint = try jobc(["lint", "jobs/good"], in: project)
        XCTAssertEqual(lint.status, 0, lint.summary)
        XCTAssertTrue(lint.stderr.hasSuffix("0 errors, 0 warnings in 3 files\n"), lint.summary)
        let compile = try jobc(["compile", "jobs/good", "--target", "airflow", "--out", "out"], in: project)
        XCTAssertEqual(compile.status, 0, compile.summary)
        XCTAssertFalse(compile.stderr.contains("test.y"), compile.summary)
    }
}
