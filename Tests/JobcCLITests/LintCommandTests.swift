import Foundation
import XCTest

/// `jobc lint`, `ir`, usage errors, version and colour: everything but `compile`.
final class LintCommandTests: JobcCLITestCase {
    static let goodJobs = ["echo_pipeline.yaml", "manual_minimal.yml", "sql_transform.yaml"]

    func testGoodJobsLintClean() throws {
        let project = try copyOfFixtureProject()
        let folder = try jobc(["lint", "jobs/good"], in: project)
        XCTAssertEqual(folder.status, 0, folder.summary)
        XCTAssertEqual(folder.stderr, "0 errors, 0 warnings in \(Self.goodJobs.count) files\n", folder.summary)
        XCTAssertTrue(folder.stdout.isEmpty, folder.summary)
        for job in Self.goodJobs {
            let run = try jobc(["lint", "jobs/good/" + job], in: project)
            XCTAssertEqual(run.status, 0, run.summary)
            XCTAssertEqual(run.stderr, "0 errors, 0 warnings in 1 file\n", run.summary)
        }
    }

    /// A folder search reads *.yaml and *.yml files only, no hidden ones; a skipped file that looks
    /// like a job (one tool wrote a job as `.yaml`) is named, and counted in the summary.
    func testSkippedFilesThatLookLikeJobsAreNamed() throws {
        let project = try copyOfFixtureProject()
        let job = try String(contentsOf: project.appendingPathComponent("jobs/good/echo_pipeline.yaml"), encoding: .utf8)
        try write(job, to: project.appendingPathComponent("jobs/good/demo_17/.yaml"))
        try write(job, to: project.appendingPathComponent("jobs/good/no_extension"))
        try write("not: a job\n", to: project.appendingPathComponent("jobs/good/.other.yaml"))
        try write("job_id: in_a_hidden_folder\n", to: project.appendingPathComponent("jobs/good/.cache/job"))
        let run = try jobc(["lint", "jobs/good"], in: project)
        XCTAssertEqual(run.status, 0, run.summary)
        let reason = "looks like a job, but a folder search reads only *.yaml and *.yml files, and no hidden ones; rename it (NAME.yaml) to lint it"
        XCTAssertEqual(run.stderr, """
            jobs/good/demo_17/.yaml: skipped: \(reason)
            jobs/good/no_extension: skipped: \(reason)
            0 errors, 0 warnings in \(Self.goodJobs.count) files (2 files skipped)

            """, run.summary)
        let json = try jobc(["lint", "jobs/good", "--format", "json"], in: project)
        XCTAssertEqual(json.status, 0, json.summary)
        XCTAssertTrue(json.stderr.isEmpty, json.summary)

        let only = try jobc(["lint", "jobs/good/demo_17"], in: project)
        XCTAssertEqual(only.status, 2, only.summary)
        XCTAssertTrue(only.stderr.contains("no job files (*.yaml, *.yml) found in jobs/good/demo_17; skipped, though they look like jobs: jobs/good/demo_17/.yaml"), only.summary)
    }

    /// Linting from outside the project, by absolute path, finds the same project root.
    func testGoodJobsLintCleanFromAnotherDirectory() throws {
        let project = try copyOfFixtureProject()
        let run = try jobc(["lint", project.appendingPathComponent("jobs/good").path], in: URL(fileURLWithPath: "/"))
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.stderr, "0 errors, 0 warnings in \(Self.goodJobs.count) files\n", run.summary)
    }

    func testRepositorySampleJobLintsClean() throws {
        let jobs = Self.repositoryRoot.appendingPathComponent("orchestration/job")
        XCTAssertTrue(FileManager.default.fileExists(atPath: jobs.appendingPathComponent("derived_dataset_materialize_sink.yaml").path),
                      "sample job not found under \(jobs.path)")
        let run = try jobc(["lint", "orchestration/job"], in: Self.repositoryRoot)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.stderr.hasPrefix("0 errors, 0 warnings in "), run.summary)
    }

    func testIRPrintsVersionedJSON() throws {
        let project = try copyOfFixtureProject()
        let run = try jobc(["ir", "jobs/good/echo_pipeline.yaml"], in: project)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.stderr.isEmpty, run.summary)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.summary)
        XCTAssertEqual(json["irVersion"] as? Int, 2, run.summary)
        XCTAssertTrue(run.stdout.contains("\"irVersion\": 2"), run.summary)
        let job = try XCTUnwrap(json["job"] as? [String: Any])
        XCTAssertEqual(job["id"] as? String, "echo_pipeline")
        XCTAssertEqual(job["startDate"] as? String, "2024-03-01T06:00:00+01:00")
        XCTAssertEqual(job["sourcePath"] as? String, "jobs/good/echo_pipeline.yaml")
        let tasks = try XCTUnwrap(json["tasks"] as? [[String: Any]])
        XCTAssertEqual(tasks.map { $0["key"] as? String }, ["first", "second", "third"])
        XCTAssertEqual(tasks.map { $0["taskId"] as? String }, ["first", "second_task", "third"])
    }

    func testIROnABadJobPrintsDiagnosticsAndNoJSON() throws {
        let project = try copyOfFixtureProject()
        let run = try jobc(["ir", "jobs/bad/feb_30.yaml"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertTrue(run.stdout.isEmpty, run.summary)
        XCTAssertEqual(run.errors.first?.description,
                       "jobs/bad/feb_30.yaml:3:13: error: '2024-02-30': day 30 does not exist in 2024-02 (it has 29 days) [invalid-date]")
    }

    /// `jobc lint secret/x.json` read the secret as a job and quoted its lines, values included.
    func testAFileInTheSecretStoreIsNeverReadNorQuoted() throws {
        let project = try copyOfFixtureProject()
        try FileManager.default.createSymbolicLink(at: project.appendingPathComponent("jobs/creds.yaml"),
                                                   withDestinationURL: project.appendingPathComponent("secret/postgres_credentials.json"))
        for (path, format) in [("secret/postgres_credentials.json", "text"), ("jobs/creds.yaml", "text"), ("secret/postgres_credentials.json", "json"),
                               ("./secret/../secret/postgres_credentials.json", "sarif")] {
            let run = try jobc(["lint", "--format", format, path], in: project)
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertTrue((run.stdout + run.stderr).contains("is in the project's secret store; jobc never reads a secret as a job"), run.summary)
            for value in ["not-a-real-password", "fixture_user_q7x", "db-host-q7x"] {
                XCTAssertFalse((run.stdout + run.stderr).contains(value), "secret value quoted\n\(run.summary)")
            }
        }
        let ir = try jobc(["ir", "secret/postgres_credentials.json"], in: project)
        XCTAssertEqual(ir.status, 1, ir.summary)
        XCTAssertFalse(ir.stderr.contains("not-a-real-password"), ir.summary)
    }

    func testUsageErrorsExitWithStatus2() throws {
        let project = try copyOfFixtureProject()
        let cases: [(arguments: [String], stderr: String)] = [
            (["compile", "jobs/good", "--target", "no_such_target", "--out", "out"], "unknown target 'no_such_target'; available: airflow"),
            (["lint", "jobs/no_such_file.yaml"], "jobc: error: no such file or folder: jobs/no_such_file.yaml"),
            (["compile", "jobs/missing", "--target", "airflow", "--out", "out"], "no such file or folder: jobs/missing"),
            (["ir", "jobs/no_such_file.yaml"], "jobc: error: no such file: jobs/no_such_file.yaml"),
            (["ir", "jobs/good"], "jobc: error: jobs/good is a folder; jobc ir takes one job file (jobc lint checks a folder)"),
            (["graph", "jobs/good/"], "jobc: error: jobs/good/ is a folder; jobc graph takes one job file"),
            (["lint"], "jobc: error: no job paths given, and the project's jobs folder orchestration/job does not exist"),
            (["frobnicate"], "Unexpected argument 'frobnicate'"),
            (["lint", "jobs/good", "--no-such-flag"], "Unknown option '--no-such-flag'"),
        ]
        for (arguments, message) in cases {
            let run = try jobc(arguments, in: project)
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.stderr.contains(message), "stderr should contain \"\(message)\"\n\(run.summary)")
            assertNoCrashOutput(run)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent("out").path),
                       "a usage error must not create the output folder")
    }

    func testVersion() throws {
        let run = try jobc(["--version"])
        XCTAssertEqual(run.status, 0, run.summary)
        let version = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = version.split(separator: ".")
        XCTAssertEqual(parts.count, 3, "semantic version expected, got '\(version)'")
        XCTAssertTrue(parts.allSatisfy { Int($0) != nil }, "semantic version expected, got '\(version)'")
        // The version stamped into generated files is the same one.
        let project = try copyOfFixtureProject()
        let compile = try jobc(["compile", "jobs/good/manual_minimal.yml", "--target", "airflow", "--out", "out"], in: project)
        XCTAssertEqual(compile.status, 0, compile.summary)
        let generated = try String(contentsOf: project.appendingPathComponent("out/manual_minimal.py"), encoding: .utf8)
        XCTAssertTrue(generated.hasPrefix("# Generated by jobc \(version) "), "header of generated file:\n\(generated.prefix(200))")
    }

    func testListingCommands() throws {
        let targets = try jobc(["targets"])
        XCTAssertEqual(targets.status, 0, targets.summary)
        XCTAssertTrue(targets.stdout.hasPrefix("airflow  "), targets.summary)
        let rules = try jobc(["rules"])
        XCTAssertEqual(rules.status, 0, rules.summary)
        // Every rule id the corpus expects is a documented rule.
        let documented = Set(rules.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        for rule in Set(BadInputCorpusTests.corpus.map(\.rule)) {
            XCTAssertTrue(documented.contains(rule), "rule '\(rule)' is not listed by `jobc rules`")
        }
    }

    // MARK: Colour

    /// The control: on a terminal, diagnostics are coloured, so the no-colour checks below can fail.
    func testDiagnosticsOnATerminalAreColoured() throws {
        let output = try lintOnTerminal(extraArguments: [], environment: [:])
        XCTAssertTrue(output.contains("\u{1B}["), "expected ANSI colour on a terminal, got:\n\(output)")
        XCTAssertTrue(output.contains("[invalid-date]"), output)
    }

    func testNoColorFlagTurnsColourOff() throws {
        let output = try lintOnTerminal(extraArguments: ["--no-color"], environment: [:])
        XCTAssertTrue(output.contains("feb_30.yaml:3:13: error:"), output)
        XCTAssertFalse(output.contains("\u{1B}"), "escape code despite --no-color:\n\(output)")
    }

    func testNoColorEnvironmentTurnsColourOff() throws {
        let output = try lintOnTerminal(extraArguments: [], environment: ["NO_COLOR": "1"])
        XCTAssertTrue(output.contains("feb_30.yaml:3:13: error:"), output)
        XCTAssertFalse(output.contains("\u{1B}"), "escape code despite NO_COLOR:\n\(output)")
    }

    func testRedirectedOutputIsNotColoured() throws {
        let project = try copyOfFixtureProject()
        let run = try jobc(["lint", "jobs/bad/feb_30.yaml"], in: project, environment: ["TERM": "xterm-256color"])
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertFalse((run.stdout + run.stderr).contains("\u{1B}"), run.summary)
    }

    /// Runs `jobc lint jobs/bad/feb_30.yaml` with stderr on a pseudo-terminal and returns what it printed there.
    private func lintOnTerminal(extraArguments: [String], environment overrides: [String: String]) throws -> String {
        let project = try copyOfFixtureProject()
        let terminal = try PseudoTerminal()
        defer { terminal.close() }
        let process = Process()
        process.executableURL = try jobcBinary()
        process.arguments = ["lint", "jobs/bad/feb_30.yaml"] + extraArguments
        process.currentDirectoryURL = project
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        environment["TERM"] = "xterm-256color"
        for (key, value) in overrides { environment[key] = value }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = terminal.secondaryHandle
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        terminal.closeSecondaryInParent()
        if finished.wait(timeout: .now() + Self.watchdogSeconds) == .timedOut {
            process.terminate()
            XCTFail("jobc hung writing to a terminal")
        }
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 1)
        return terminal.readAvailable()
    }
}

/// A pseudo-terminal pair: the child writes to the secondary side, which `isatty` reports as a terminal.
private final class PseudoTerminal {
    private var primary: Int32
    private var secondary: Int32
    let secondaryHandle: FileHandle

    struct Failure: Error { var step: String }

    // Swift's Glibc module does not export the XSI pseudo-terminal calls, so they are looked up at run time.
    private typealias OpenFunction = @convention(c) (Int32) -> Int32
    private typealias FDFunction = @convention(c) (Int32) -> Int32
    private typealias NameFunction = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    private static func function<T>(_ name: String, as type: T.Type) throws -> T {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else { throw Failure(step: "dlsym \(name)") }
        return unsafeBitCast(symbol, to: type)
    }

    init() throws {
        let openpt = try Self.function("posix_openpt", as: OpenFunction.self)
        let grantpt = try Self.function("grantpt", as: FDFunction.self)
        let unlockpt = try Self.function("unlockpt", as: FDFunction.self)
        let ptsname = try Self.function("ptsname", as: NameFunction.self)
        primary = openpt(O_RDWR | O_NOCTTY)
        guard primary >= 0 else { throw Failure(step: "posix_openpt") }
        guard grantpt(primary) == 0, unlockpt(primary) == 0, let name = ptsname(primary) else { throw Failure(step: "grantpt/unlockpt/ptsname") }
        secondary = open(String(cString: name), O_RDWR | O_NOCTTY)
        guard secondary >= 0 else { throw Failure(step: "open secondary") }
        secondaryHandle = FileHandle(fileDescriptor: secondary, closeOnDealloc: false)
    }

    func closeSecondaryInParent() {
        if secondary >= 0 { _ = Foundation.close(secondary) }
        secondary = -1
    }

    /// Everything written so far (the output is small: one diagnostic).
    func readAvailable() -> String {
        _ = fcntl(primary, F_SETFL, fcntl(primary, F_GETFL) | O_NONBLOCK)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(primary, &buffer, buffer.count)
            guard count > 0 else { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }

    func close() {
        closeSecondaryInParent()
        if primary >= 0 { _ = Foundation.close(primary) }
        primary = -1
    }
}
