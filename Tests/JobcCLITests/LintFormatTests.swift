import Foundation
import XCTest

/// `jobc lint --format …` and `--target …`: golden files for every format on the same job with many
/// problems, and the portability check. Regenerate after an intended change with
/// `JOBC_UPDATE_GOLDEN=1 swift test --filter LintFormatTests`, then review the diff.
final class LintFormatTests: JobcCLITestCase {
    static let golden = testsDirectory.appendingPathComponent("Fixtures/golden")

    private func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["JOBC_UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(text, expected, "\(name) differs from its golden file", file: file, line: line)
    }

    func testEveryFormatMatchesItsGoldenFile() throws {
        let project = try copyOfFixtureProject()
        for format in ["text", "json", "github", "sarif"] {
            let run = try jobc(["lint", "jobs/bad/many_problems.yaml", "--format", format, "--no-color"], in: project)
            XCTAssertEqual(run.status, 1, run.summary)
            // Text goes to standard error as files are checked; the other formats are one document on stdout.
            try assertGolden(format == "text" ? run.stderr : run.stdout, "many_problems.\(format)")
            if format != "text" { XCTAssertTrue(run.stderr.isEmpty, run.summary) }
        }
    }

    func testMachineFormatsParseAndCountTheSameProblems() throws {
        let project = try copyOfFixtureProject()
        let json = try jobc(["lint", "jobs/bad/many_problems.yaml", "--format", "json"], in: project)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let diagnostics = try XCTUnwrap(document["diagnostics"] as? [[String: Any]])
        let sarif = try jobc(["lint", "jobs/bad/many_problems.yaml", "--format", "sarif"], in: project)
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let results = try XCTUnwrap(((log["runs"] as? [[String: Any]])?.first)?["results"] as? [[String: Any]])
        let github = try jobc(["lint", "jobs/bad/many_problems.yaml", "--format", "github"], in: project)
        XCTAssertEqual(diagnostics.count, results.count)
        XCTAssertEqual(diagnostics.count, github.stdout.split(separator: "\n").count)
        XCTAssertEqual(diagnostics.map { $0["rule"] as? String }, results.map { $0["ruleId"] as? String })
    }

    func testGitHubAnnotationsEscapeWhatWouldEndTheCommand() throws {
        let project = try copyOfFixtureProject()
        try write("job_id: ok\ntasks:\n  \"a,b:c%d\": {function: EchoFunction, kwargs: {message: hi}}\n",
                  to: project.appendingPathComponent("jobs/odd,name.yaml"))
        let run = try jobc(["lint", "jobs/odd,name.yaml", "--format", "github"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertTrue(run.stdout.hasPrefix("::error file=jobs/odd%2Cname.yaml,line=3,col=3,title=jobc [invalid-identifier]::invalid task key: 'a,b:c%25d'"), run.stdout)
        XCTAssertEqual(run.stdout.filter { $0 == "\n" }.count, 1, "one annotation, one line")
    }

    func testPortabilityNamesWhatATargetCannotExpressAndWhatToDo() throws {
        let project = try copyOfFixtureProject()
        try write("""
            job_id: catching_up
            schedule: "@daily"
            start_date: "2024-01-01"
            catchup: true
            tasks:
              a: {function: EchoFunction, kwargs: {message: hi}}
            """, to: project.appendingPathComponent("jobs/catching_up.yaml"))
        let all = try jobc(["lint", "jobs/catching_up.yaml", "--target", "all"], in: project)
        XCTAssertEqual(all.status, 0, "portability problems are warnings: " + all.summary)
        XCTAssertEqual(all.diagnostics.map(\.description), [
            "jobs/catching_up.yaml:4:10: warning: target 'cloud-workflows' cannot express catchup: true [target-unsupported]",
            "jobs/catching_up.yaml:4:10: warning: target 'dagster' cannot express catchup: true [target-unsupported]",
        ])
        XCTAssertTrue(all.stderr.contains("help: Dagster schedules do not catch up missed intervals"), all.summary)
        XCTAssertEqual(try jobc(["lint", "jobs/catching_up.yaml", "--target", "airflow"], in: project).stderr, "0 errors, 0 warnings in 1 file\n")
        XCTAssertEqual(try jobc(["lint", "jobs/catching_up.yaml", "--target", "dagster", "--warnings-as-errors"], in: project).status, 1)
        XCTAssertEqual(try jobc(["lint", "jobs/catching_up.yaml", "--target", "nope"], in: project).status, 2)
    }

    /// A start_date still to come on the day of the run: Cloud Scheduler would run the job before it
    /// (the past start_date above is no use of the feature). Only diagnostics depend on the day.
    func testAStartDateStillToComeWarnsWhereTheScheduleWouldStartEarlier() throws {
        let project = try copyOfFixtureProject()
        try write("""
            job_id: later
            schedule: "@daily"
            start_date: "2999-01-01"
            tasks:
              a: {function: EchoFunction, kwargs: {message: hi}}
            """, to: project.appendingPathComponent("jobs/later.yaml"))
        let all = try jobc(["lint", "jobs/later.yaml", "--target", "all"], in: project)
        XCTAssertEqual(all.status, 0, all.summary)
        XCTAssertEqual(all.diagnostics.count, 1, all.summary)
        XCTAssertTrue(all.diagnostics.first?.description.hasPrefix(
            "jobs/later.yaml:3:13: warning: target 'cloud-workflows' cannot express start_date 2999-01-01T00:00:00+00:00, which is still to come (today is ") ?? false,
            all.summary)
        XCTAssertTrue(all.stderr.contains("help: Cloud Scheduler starts the schedule as soon as it is applied: runs before start_date would happen"), all.summary)
        let compiled = try jobc(["compile", "jobs/later.yaml", "--target", "cloud-workflows", "--out", "out"], in: project)
        XCTAssertEqual(compiled.status, 0, compiled.summary)
        XCTAssertTrue(compiled.stderr.contains("which is still to come"), compiled.summary)
    }
}
