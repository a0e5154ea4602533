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

    /// A job named by a bare one-character path: Foundation's `NSString.deletingLastPathComponent`
    /// traps on "a" (Swift 6.3), and splitting job paths with it crashed `jobc compile a` (SIGILL).
    func testBareOneCharacterJobPathCompiles() throws {
        let project = try copyOfFixtureProject()
        let folder = project.appendingPathComponent("jobs/good")
        try FileManager.default.copyItem(at: folder.appendingPathComponent("echo_pipeline.yaml"), to: folder.appendingPathComponent("a"))
        let run = try compile(["a"], out: "out", in: folder)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.stdout, "compiled 1 of 1 job for airflow into out\n", run.summary)
    }

    /// An output folder named by one character, with or without a slash: creating it split the path
    /// with the same trapping NSString method (SIGILL).
    func testOneCharacterOutputFolderIsWritten() throws {
        let project = try copyOfFixtureProject()
        for out in ["o", "p/"] {
            let run = try compile(["jobs/good/echo_pipeline.yaml"], out: out, in: project)
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertTrue(FileManager.default.fileExists(atPath: project.appendingPathComponent(out).appendingPathComponent("echo_pipeline.py").path), run.summary)
        }
    }

    /// Options are the target's to declare and jobc's to check, once per run before any job: an
    /// unknown or malformed one is one usage error naming it, whatever the target, and nothing is written.
    func testTargetOptionsAreCheckedOncePerRunBeforeAnyJob() throws {
        let project = try copyOfFixtureProject()
        for target in ["airflow", "dagster", "cloud-workflows"] {
            let bogus = try jobc(["compile", "jobs/good", "--target", target, "--out", "out", "--option", "bogus=1"], in: project)
            XCTAssertEqual(bogus.status, 2, bogus.summary)
            XCTAssertEqual(bogus.stderr.components(separatedBy: "bogus").count - 1, 1, "named once, not once per job\n\(bogus.summary)")
            XCTAssertTrue(bogus.stderr.hasPrefix("jobc: error: unknown option \"bogus\" for target '\(target)'"), bogus.summary)
            XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent("out").path), "nothing is written")
        }
        let invalid = try jobc(
            ["compile", "jobs/good", "--target", "cloud-workflows", "--out", "out", "--option", "project=Bad Name", "--option", "region=europe-west1"],
            in: project)
        XCTAssertEqual(invalid.status, 2, invalid.summary)
        XCTAssertEqual(invalid.stderr, "jobc: error: --option project=\"Bad Name\" is invalid: 6-30 lowercase letters, digits and '-', starting with a letter\n")
        let valid = try jobc(
            ["compile", "jobs/good", "--target", "cloud-workflows", "--out", "out", "--option", "project=acme-data", "--option", "region=europe-west1"],
            in: project)
        XCTAssertEqual(valid.status, 0, valid.summary)
        let scheduler = String(decoding: try XCTUnwrap(filesUnder(project.appendingPathComponent("out"))["echo_pipeline.scheduler.tf.json"]), as: UTF8.self)
        XCTAssertTrue(scheduler.contains("\"project\": \"acme-data\",\n        \"region\": \"europe-west1\""), scheduler)
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

    /// Same inputs, same bytes, for every target: twice from the project folder, then from elsewhere
    /// with absolute and with relative paths. Over the fixture jobs and the repository's sample,
    /// conformance and golden jobs (the random jobs of the property test are checked there too).
    func testOutputIsByteIdenticalAcrossRunsAndWorkingDirectories() throws {
        let projects = [(root: try copyOfFixtureProject(), paths: ["jobs/good"]), try copyOfRepositoryProject()]
        let elsewhere = scratch.appendingPathComponent("elsewhere/deeper")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        for target in try targetNames() {
            for (project, paths) in projects {
                let name = project.lastPathComponent
                var outs = ["a", "b", "c", "d"].map { scratch.appendingPathComponent("out_\(name)_\(target)_\($0)") }
                outs[2] = elsewhere.deletingLastPathComponent().appendingPathComponent("out_\(name)_\(target)_c")
                let relative = "../../\(name)/"
                let runs = [
                    try jobc(["compile"] + paths + ["--target", target, "--out", outs[0].path], in: project),
                    try jobc(["compile"] + paths + ["--target", target, "--out", outs[1].path], in: project),
                    try jobc(["compile"] + paths.map { project.appendingPathComponent($0).path } + ["--target", target, "--out", "../out_\(name)_\(target)_c"], in: elsewhere),
                    try jobc(["compile"] + paths.map { relative + $0 } + ["--target", target, "--out", outs[3].path, "--root", relative], in: elsewhere),
                ]
                for run in runs { XCTAssertEqual(run.status, 0, run.summary) }
                let first = try filesUnder(outs[0])
                XCTAssertGreaterThanOrEqual(first.count, paths.count, "\(target) wrote nothing for \(name)")
                for (index, out) in outs.enumerated().dropFirst() {
                    XCTAssertEqual(try filesUnder(out), first, "\(target), \(name): run \(index + 1) differs (\(runs[index].arguments.joined(separator: " ")))")
                }
            }
        }
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

    /// jobc only checks that a secret exists; no value from secret/*.json may reach anything it prints
    /// or writes, for any target.
    func testSecretValuesNeverAppearInOutput() throws {
        let fixture = try copyOfFixtureProject()
        let repository = try copyOfRepositoryProject()
        var secretValues = try Self.secretValues(in: fixture.appendingPathComponent("secret"))
        XCTAssertTrue(secretValues.contains("not-a-real-password") && secretValues.contains("5432"), "fixture secret not read: \(secretValues)")
        let canaries = try Self.secretValues(in: repository.root.appendingPathComponent("secret"))
        XCTAssertFalse(canaries.isEmpty, "the repository's secret/*.json were not copied")
        secretValues += canaries

        var texts: [String: String] = [:]
        for target in try targetNames() {
            for (project, paths) in [(root: fixture, paths: ["jobs/good"]), repository] {
                let out = scratch.appendingPathComponent("out_\(project.lastPathComponent)_\(target)")
                let run = try jobc(["compile"] + paths + ["--target", target, "--out", out.path], in: project)
                XCTAssertEqual(run.status, 0, run.summary)
                texts["stdout and stderr of \(run.arguments.joined(separator: " "))"] = run.stdout + run.stderr
                for (path, data) in try filesUnder(out) {
                    texts["\(target)/\(project.lastPathComponent)/\(path)"] = String(decoding: data, as: UTF8.self)
                }
            }
        }
        let sqlDAG = try XCTUnwrap(texts["airflow/project/sql_transform.py"])
        XCTAssertTrue(sqlDAG.contains("secret_key=\"postgres_credentials\""), "the secret is passed by name\n\(sqlDAG)")
        for run in [try jobc(["ir", "jobs/good/sql_transform.yaml"], in: fixture),
                    try jobc(["lint", "jobs/bad/missing_secret.yaml", "jobs/bad/bad_secret_name.yaml"], in: fixture),
                    try jobc(["lint", "--target", "all"] + repository.paths, in: repository.root)] {
            texts["stdout and stderr of \(run.arguments.joined(separator: " "))"] = run.stdout + run.stderr
        }
        for (place, text) in texts {
            for value in secretValues {
                XCTAssertFalse(text.contains(value), "secret value '\(value)' leaked into \(place)")
            }
        }
    }

    /// Generated `*.workflows.yaml` files written into a folder being compiled were read as jobs by
    /// every later lint: an output folder inside an input folder is a usage error, and nothing is written.
    func testAnOutputFolderInsideAnInputFolderIsRefused() throws {
        let project = try copyOfFixtureProject()
        try FileManager.default.createSymbolicLink(at: project.appendingPathComponent("linked"), withDestinationURL: project.appendingPathComponent("jobs"))
        for (paths, out) in [(["jobs/good"], "jobs/good"), (["jobs/good/echo_pipeline.yaml", "jobs"], "jobs/good/generated/cw"),
                             (["jobs/good/"], "./jobs/good/../good/x"), (["jobs"], "linked/out")] {
            let run = try jobc(["compile"] + paths + ["--target", "cloud-workflows", "--out", out], in: project)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.stderr.contains("is inside the input folder"), run.summary)
            XCTAssertTrue(run.stdout.isEmpty, run.summary)
        }
        XCTAssertEqual(try filesUnder(project.appendingPathComponent("jobs")).keys.filter { $0.contains(".workflows.") || $0.hasSuffix(".tf.json") }, [])
        // Beside the input folder, or an input file's own folder, is fine.
        XCTAssertEqual(try jobc(["compile", "jobs/good", "--target", "cloud-workflows", "--out", "jobs/out"], in: project).status, 0)
        XCTAssertEqual(try jobc(["compile", "jobs/good/echo_pipeline.yaml", "--target", "airflow", "--out", "jobs/good/dags"], in: project).status, 0)
    }
}
