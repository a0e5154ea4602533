import Foundation
import XCTest

/// `jobc compile`: files written (or not), atomicity per job, determinism, no secrets in the output.
final class CompileCommandTests: JobcCLITestCase {
    private func compile(_ paths: [String], out: String, in directory: URL,
                         file: StaticString = #filePath, line: UInt = #line) throws -> JobcRun {
        try jobc(["compile"] + paths + ["--target", "airflow", "--out", out], in: directory, file: file, line: line)
    }

    func testCompileWritesOnePythonFilePerJob() throws {
        let project = try copyOfFixtureProject()
        let run = try compile(["jobs/good"], out: "build/airflow", in: project)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.stderr.isEmpty, run.summary)
        XCTAssertEqual(run.stdout, "compiled 3 of 3 jobs for airflow into build/airflow\n")
        let files = try filesUnder(project.appendingPathComponent("build/airflow"))
        XCTAssertEqual(Set(files.keys), ["echo_pipeline.py", "manual_minimal.py", "sql_transform.py"])
        let dag = String(decoding: try XCTUnwrap(files["echo_pipeline.py"]), as: UTF8.self)
        XCTAssertTrue(dag.contains("dag_id=\"echo_pipeline\""), dag)
        XCTAssertTrue(dag.contains("\"jobs/good/echo_pipeline.yaml\""), "the header names the job by its root-relative path\n\(dag)")
    }

    /// A job with errors writes nothing and keeps its earlier output byte for byte; the other jobs of
    /// the same run are still written, and the run exits 1.
    func testJobWithErrorsKeepsEarlierOutputWhileOthersAreWritten() throws {
        let project = try copyOfFixtureProject()
        let evolving = project.appendingPathComponent("jobs/evolving.yaml")
        try write("""
            job_id: evolving
            schedule: "0 6 * * *"
            start_date: "2024-01-01"
            tasks:
              greet:
                function: EchoFunction
                kwargs: {message: version one}
            """, to: evolving)
        let first = try compile(["jobs/evolving.yaml"], out: "out", in: project)
        XCTAssertEqual(first.status, 0, first.summary)
        let earlierURL = project.appendingPathComponent("out/evolving.py")
        let earlier = try Data(contentsOf: earlierURL)
        XCTAssertTrue(String(decoding: earlier, as: UTF8.self).contains("version one"))

        // The job gains an error (and a new message that must not reach the output); a job that never
        // compiled gets no file at all.
        try write("""
            job_id: evolving
            schedule: "0 6 * * 8"
            start_date: "2024-01-01"
            tasks:
              greet:
                function: EchoFunction
                kwargs: {message: version two}
            """, to: evolving)
        let second = try compile(["jobs/evolving.yaml", "jobs/bad/missing_secret.yaml", "jobs/good/echo_pipeline.yaml"],
                                 out: "out", in: project)
        XCTAssertEqual(second.status, 1, second.summary)
        XCTAssertEqual(second.stdout, "compiled 1 of 3 jobs for airflow into out\n", second.summary)
        XCTAssertEqual(second.errors.map { "\($0.file):\($0.line):\($0.column) \($0.rule)" },
                       ["jobs/evolving.yaml:2:20 invalid-schedule", "jobs/bad/missing_secret.yaml:5:17 missing-secret"],
                       second.summary)
        XCTAssertEqual(try Data(contentsOf: earlierURL), earlier, "evolving.py must be left exactly as it was")
        let files = try filesUnder(project.appendingPathComponent("out"))
        XCTAssertEqual(Set(files.keys), ["evolving.py", "echo_pipeline.py"], "no file for the bad jobs, no temp files left behind")
        assertNoCrashOutput(second)
    }

    /// Same inputs, same bytes: twice from the project folder, once from elsewhere with absolute paths.
    func testOutputIsByteIdenticalAcrossRunsAndWorkingDirectories() throws {
        let project = try copyOfFixtureProject()
        let elsewhere = scratch.appendingPathComponent("elsewhere/deeper")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let runs = [
            try compile(["jobs/good"], out: "out_a", in: project),
            try compile(["jobs/good"], out: "out_b", in: project),
            try compile([project.appendingPathComponent("jobs/good").path], out: "../out_c", in: elsewhere),
            try compile(["../../project/jobs/good/echo_pipeline.yaml", "../../project/jobs/good/manual_minimal.yml",
                         "../../project/jobs/good/sql_transform.yaml"], out: "out_d", in: elsewhere),
        ]
        for run in runs { XCTAssertEqual(run.status, 0, run.summary) }
        let a = try filesUnder(project.appendingPathComponent("out_a"))
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(try filesUnder(project.appendingPathComponent("out_b")), a, "second run differs")
        XCTAssertEqual(try filesUnder(scratch.appendingPathComponent("elsewhere/out_c")), a, "run from another directory differs")
        XCTAssertEqual(try filesUnder(elsewhere.appendingPathComponent("out_d")), a, "run with relative paths from elsewhere differs")
    }

    /// Recompiling unchanged jobs leaves the files untouched (same bytes, same modification date).
    func testRecompilingUnchangedJobsKeepsFilesUntouched() throws {
        let project = try copyOfFixtureProject()
        XCTAssertEqual(try compile(["jobs/good"], out: "out", in: project).status, 0)
        let path = project.appendingPathComponent("out/echo_pipeline.py").path
        let past = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: path)
        XCTAssertEqual(try compile(["jobs/good"], out: "out", in: project).status, 0)
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        XCTAssertEqual(modified, past)
    }

    /// jobc only checks that a secret exists; no value from secret/*.json may reach anything it prints or writes.
    func testSecretValuesNeverAppearInOutput() throws {
        let project = try copyOfFixtureProject()
        let secretsFolder = project.appendingPathComponent("secret")
        var secretValues: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: secretsFolder.path) where name.hasSuffix(".json") {
            let data = try Data(contentsOf: secretsFolder.appendingPathComponent(name))
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            secretValues += object.values.compactMap { $0 as? String }
        }
        XCTAssertTrue(secretValues.contains("not-a-real-password"), "fixture secret not read: \(secretValues)")

        let compile = try compile(["jobs/good"], out: "out", in: project)
        let ir = try jobc(["ir", "jobs/good/sql_transform.yaml"], in: project)
        let lint = try jobc(["lint", "jobs/bad/missing_secret.yaml", "jobs/bad/bad_secret_name.yaml"], in: project)
        XCTAssertEqual(compile.status, 0, compile.summary)
        XCTAssertEqual(ir.status, 0, ir.summary)
        let outputs = try filesUnder(project.appendingPathComponent("out"))
        XCTAssertEqual(outputs.count, 3)
        let sqlDAG = String(decoding: try XCTUnwrap(outputs["sql_transform.py"]), as: UTF8.self)
        XCTAssertTrue(sqlDAG.contains("secret_key=\"postgres_credentials\""), "the secret is passed by name\n\(sqlDAG)")
        var texts = outputs.mapValues { String(decoding: $0, as: UTF8.self) }
        for run in [compile, ir, lint] {
            texts["stdout of \(run.arguments.joined(separator: " "))"] = run.stdout
            texts["stderr of \(run.arguments.joined(separator: " "))"] = run.stderr
        }
        for (place, text) in texts {
            for value in secretValues {
                XCTAssertFalse(text.contains(value), "secret value '\(value)' leaked into \(place)")
            }
        }
    }
}
