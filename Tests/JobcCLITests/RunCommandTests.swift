import Foundation
import XCTest

/// `jobc run` up to the point where a Python would run the job: argument errors, a bad job (the
/// usual diagnostics, nothing run), a Python that cannot run jobs. Runs themselves are tested
/// against PostgreSQL in Tests/integration/test_local_run.py and the conformance suite.
final class RunCommandTests: JobcCLITestCase {
    private let goodJob = "jobs/good/echo_pipeline.yaml"

    func testArgumentErrorsAreUsageErrors() throws {
        let project = try copyOfFixtureProject()
        let cases: [([String], String)] = [
            (["--downstream"], "--downstream needs --only"),
            (["--max-parallel", "0"], "--max-parallel must be at least 1, got 0"),
            (["--param", "region"], "--param takes NAME=VALUE, got 'region'"),
            (["--param", "=apac"], "--param takes NAME=VALUE, got '=apac'"),
            (["--only", "first,nope", "--python", "/nonexistent/python"], "--only: no task or group 'nope' in job 'echo_pipeline'; it has: first, second, third"),
        ]
        for (arguments, message) in cases {
            let run = try jobc(["run", goodJob] + arguments, in: project)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.stderr.contains(message), "expected \(message)\n\(run.summary)")
            XCTAssertEqual(run.stdout, "", run.summary)
        }
        let missing = try jobc(["run", "jobs/good/missing.yaml"], in: project)
        XCTAssertEqual(missing.status, 2, missing.summary)
        XCTAssertEqual(missing.stderr, "jobc: error: no such file: jobs/good/missing.yaml\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent(".jobc").path))
    }

    /// A job with errors is reported as lint reports it and nothing runs: no Python is started (the
    /// one given does not exist) and no run folder is made.
    func testABadJobIsReportedAndNothingRuns() throws {
        let project = try copyOfFixtureProject()
        let run = try jobc(["run", "jobs/bad/dependency_cycle.yaml", "--python", "/nonexistent/python"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.errors.first?.rule, "dependency-cycle", run.summary)
        XCTAssertTrue(run.stderr.hasSuffix(" in 1 file\n"), run.summary)
        XCTAssertEqual(run.stdout, "", run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent(".jobc").path))
    }

    func testAPythonThatCannotStartSaysHowToInstallTheRuntime() throws {
        let project = try copyOfFixtureProject()
        let run = try jobc(["run", goodJob, "--python", "/nonexistent/python"], in: project)
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.stderr.hasPrefix("jobc: error: cannot start '/nonexistent/python'"), run.summary)
        XCTAssertTrue(run.stderr.contains("/nonexistent/python -m pip install '"), run.summary)
        XCTAssertTrue(run.stderr.contains("targets/runtime[postgres]' "), run.summary)
        XCTAssertEqual(try emptyRunFolders(in: project), 0, "the run folder of a run that never started is removed")
    }

    /// $JOBC_PYTHON is used when --python is not given; a Python without jobc_runtime (here: one
    /// that ignores every installed package) is one message with the install command, exit 2.
    func testAPythonWithoutTheRuntimeSaysHowToInstallIt() throws {
        let project = try copyOfFixtureProject()
        let python = project.appendingPathComponent("bare-python")
        try "#!/bin/sh\nexec python3 -I -S \"$@\"\n".write(to: python, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python.path)
        let run = try jobc(["run", goodJob], in: project, environment: ["JOBC_PYTHON": python.path])
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertTrue(run.stderr.hasPrefix("jobc: error: the Python '\(python.path)' ("), run.summary)
        XCTAssertTrue(run.stderr.contains("cannot run jobs: ModuleNotFoundError: No module named 'jobc_runtime'"), run.summary)
        XCTAssertTrue(run.stderr.contains("\(python.path) -m pip install '"), run.summary)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, "one message\n\(run.summary)")
        XCTAssertEqual(try emptyRunFolders(in: project), 0)
    }

    private func emptyRunFolders(in project: URL) throws -> Int {
        let runs = project.appendingPathComponent(".jobc/runs/echo_pipeline")
        guard FileManager.default.fileExists(atPath: runs.path) else { return 0 }
        return try FileManager.default.contentsOfDirectory(atPath: runs.path).count
    }
}
