import Foundation
import XCTest

/// External emitters (docs/plugins.md): discovery on PATH and in jobc.yaml, the protocol as a plugin
/// sees it, and every way a plugin can misbehave — each a clear error that writes nothing.
final class PluginTests: JobcCLITestCase {
    private var project: URL!
    private var bin: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        project = try copyOfFixtureProject()
        bin = scratch.appendingPathComponent("bin", isDirectory: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    }

    private static let capabilities = #"""
        {"protocolVersion": 1, "summary": "Test target", "supported": {"retries": "task retries", "secrets": "by name"},
         "workarounds": {"catchup": "backfill by hand"}}
        """#

    /// Writes `jobc-emit-NAME` into the test's bin folder: a shell script that answers
    /// `--capabilities` with `capabilities` and runs `body` otherwise.
    @discardableResult
    private func plugin(_ name: String, capabilities: String = PluginTests.capabilities, body: String) throws -> URL {
        let url = bin.appendingPathComponent("jobc-emit-\(name)")
        try write("""
            #!/bin/sh
            if [ "$1" = "--capabilities" ]; then
            cat <<'CAPABILITIES'
            \(capabilities)
            CAPABILITIES
            exit 0
            fi
            \(body)

            """, to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    private var path: [String: String?] {
        ["PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    private func compile(_ target: String, job: String = "jobs/good/echo_pipeline.yaml", extra: [String] = [],
                         file: StaticString = #filePath, line: UInt = #line) throws -> JobcRun {
        try jobc(["compile", job, "--target", target, "--out", "out"] + extra, in: project, environment: path, file: file, line: line)
    }

    func testTargetsListsBuiltInAndPluginTargets() throws {
        try plugin("echo", body: "exit 0")
        let run = try jobc(["targets"], in: project, environment: path)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.stdout.contains("airflow  "), run.summary)
        XCTAssertTrue(run.stdout.contains("echo  Test target  (plugin \(bin.path)/jobc-emit-echo, from PATH)\n"), run.summary)
        let echoSection = try XCTUnwrap(run.stdout.components(separatedBy: "echo  Test target").last)
        XCTAssertTrue(echoSection.contains("  retries: yes: task retries\n  retry-delay: no\n"), run.summary)
    }

    /// The plugin gets exactly `jobc ir`'s JSON on stdin, the options as arguments (sorted by key) and
    /// the protocol version in its environment; its files are written and its diagnostics point at
    /// the task's line in the job file.
    func testCompileHandsThePluginTheIRAndWritesItsAnswer() throws {
        let seen = scratch.appendingPathComponent("seen")
        try plugin("echo", body: """
            cat > '\(seen.path).stdin'
            printf '%s\\n' "$@" > '\(seen.path).args'
            echo "$JOBC_PLUGIN_PROTOCOL" > '\(seen.path).protocol'
            cat <<'ANSWER'
            {"protocolVersion": 1,
             "files": [{"path": "echo_pipeline/flow.txt", "content": "generated\\n"}],
             "diagnostics": [{"severity": "warning", "message": "loud is ignored", "task": "second", "suggestion": "drop it"}]}
            ANSWER
            """)
        let run = try compile("echo", extra: ["--option", "zeta=1", "--option", "alpha=x=y"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.stdout, "compiled 1 of 1 job for echo into out\n", run.summary)
        XCTAssertEqual(String(decoding: try Data(contentsOf: project.appendingPathComponent("out/echo_pipeline/flow.txt")), as: UTF8.self), "generated\n")
        let ir = try jobc(["ir", "jobs/good/echo_pipeline.yaml"], in: project)
        XCTAssertEqual(String(decoding: try Data(contentsOf: URL(fileURLWithPath: seen.path + ".stdin")), as: UTF8.self), ir.stdout)
        XCTAssertEqual(try String(contentsOfFile: seen.path + ".args", encoding: .utf8), "--option\nalpha=x=y\n--option\nzeta=1\n")
        XCTAssertEqual(try String(contentsOfFile: seen.path + ".protocol", encoding: .utf8), "1\n")
        let warnings = run.diagnostics.filter { $0.message == "echo: loud is ignored" }
        XCTAssertEqual(warnings.map { "\($0.file):\($0.line):\($0.column)" }, ["jobs/good/echo_pipeline.yaml:17:3"], run.summary)
        XCTAssertTrue(run.stderr.contains("help: drop it"), run.summary)
        // The portability check uses the plugin's capabilities, with its workaround.
        XCTAssertTrue(run.diagnostics.contains { $0.message == "target 'echo' cannot express a cron schedule" }, run.summary)
    }

    func testAnErrorDiagnosticFromThePluginWritesNothing() throws {
        try plugin("picky", body: """
            cat >/dev/null
            echo '{"protocolVersion": 1, "files": [{"path": "x.txt", "content": "x"}], "diagnostics": [{"severity": "error", "message": "no", "task": "third"}]}'
            """)
        let run = try compile("picky")
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.errors.map { "\($0.line):\($0.column) \($0.message)" }, ["26:3 picky: no"], run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent("out").path))
    }

    /// Each broken plugin: exit 1, one `plugin-failed` error saying what went wrong, and the earlier
    /// output of the job untouched.
    func testBrokenPluginsFailClearlyAndLeaveEarlierOutputAlone() throws {
        let cases: [(name: String, body: String, expected: String)] = [
            ("crash", "echo 'Traceback: KeyError: tasks' >&2; exit 3", "exited with status 3"),
            ("segfault", "kill -SEGV $$", "was killed by signal 11"),
            ("garbage", "cat >/dev/null; echo 'hello, not json'", #"its output is not JSON (it starts with "hello, not json\n")"#),
            ("silent", "cat >/dev/null", "it printed nothing on stdout"),
            ("notobject", "echo '[1, 2]'", "its output is JSON but not an object"),
            ("noversion", #"echo '{"files": []}'"#, "'protocolVersion' is missing"),
            ("future", #"echo '{"protocolVersion": 2, "files": []}'"#, "it speaks protocol version 2, this jobc speaks version 1"),
            ("nofiles", #"echo '{"protocolVersion": 1}'"#, "'files' must be a list"),
            ("badfile", #"echo '{"protocolVersion": 1, "files": [{"path": "a.txt", "content": 3}]}'"#, "'files[0].content' must be a string"),
            ("escape", #"echo '{"protocolVersion": 1, "files": [{"path": "ok.txt", "content": ""}, {"path": "../x.txt", "content": ""}]}'"#,
             #"'files[1].path' "../x.txt" is not a safe relative path"#),
            ("absolute", #"echo '{"protocolVersion": 1, "files": [{"path": "/tmp/x.txt", "content": ""}]}'"#, "is not a safe relative path"),
            ("twice", #"echo '{"protocolVersion": 1, "files": [{"path": "a.txt", "content": ""}, {"path": "a.txt", "content": ""}]}'"#,
             #"'files' lists "a.txt" twice"#),
            ("severity", #"echo '{"protocolVersion": 1, "files": [], "diagnostics": [{"severity": "fatal", "message": "x"}]}'"#,
             #"'diagnostics[0].severity' must be "error" or "warning", got "fatal""#),
            ("flood", "exec yes", "printed more than 64 MiB and was killed"),
        ]
        try write("earlier\n", to: project.appendingPathComponent("out/keep.txt"))
        for (name, body, expected) in cases {
            try plugin(name, body: body)
            let run = try compile(name)
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertEqual(run.errors.map(\.rule), ["plugin-failed"], run.summary)
            let message = try XCTUnwrap(run.errors.first?.message, run.summary)
            XCTAssertTrue(message.hasPrefix("target '\(name)': plugin \(bin.path)/jobc-emit-\(name) "), run.summary)
            XCTAssertTrue(message.contains(expected), "\(name): expected «\(expected)»\n\(run.summary)")
            XCTAssertEqual(try filesUnder(project.appendingPathComponent("out")), ["keep.txt": Data("earlier\n".utf8)], name)
            assertNoCrashOutput(run)
        }
        let crash = try compile("crash")
        XCTAssertTrue(crash.stderr.contains("note: plugin stderr: Traceback: KeyError: tasks"), crash.summary)
    }

    /// A hanging plugin is killed after its timeout (from jobc.yaml), with every process it started.
    func testAHangingPluginIsKilledWithItsChildren() throws {
        let marker = "jobc-plugin-test-\(UUID().uuidString.prefix(8))"
        let hang = try plugin("hang", body: "sh -c 'exec -a \(marker) sleep 300' &\nsleep 300")
        try write("plugins:\n  slow:\n    command: \(hang.path)\n    timeout_seconds: 1\n", to: project.appendingPathComponent("jobc.yaml"))
        let started = Date()
        let run = try jobc(["compile", "jobs/good/echo_pipeline.yaml", "--target", "slow", "--out", "out"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the timeout is 1 s")
        XCTAssertTrue(run.errors.first?.message.contains("did not finish within 1 s and was killed") ?? false, run.summary)
        usleep(200_000)  // the kernel delivers SIGKILL to the group asynchronously
        let pgrep = Process()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        pgrep.arguments = ["-f", marker]
        try pgrep.run()
        pgrep.waitUntilExit()
        XCTAssertEqual(pgrep.terminationStatus, 1, "a child of the killed plugin survived")
    }

    func testConfigPluginWinsOverPATHAndBuiltInsCannotBeShadowed() throws {
        try plugin("echo", body: #"cat >/dev/null; echo '{"protocolVersion": 1, "files": [{"path": "from-path.txt", "content": ""}]}'"#)
        try plugin("airflow", body: "exit 7")
        let configured = scratch.appendingPathComponent("elsewhere/jobc-emit-echo")
        try write("""
            #!/bin/sh
            if [ "$1" = "--capabilities" ]; then echo '{"protocolVersion": 1, "summary": "configured echo"}'; exit 0; fi
            cat >/dev/null; echo '{"protocolVersion": 1, "files": [{"path": "from-config.txt", "content": ""}]}'

            """, to: configured)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: configured.path)
        try write("plugins:\n  echo:\n    command: ../elsewhere/jobc-emit-echo\n", to: project.appendingPathComponent("jobc.yaml"))
        let targets = try jobc(["targets"], in: project, environment: path)
        XCTAssertTrue(targets.stdout.contains("echo  configured echo  (plugin \(configured.path), from \(project.path)/jobc.yaml)"), targets.summary)
        XCTAssertTrue(targets.stdout.contains("note: plugin \(bin.path)/jobc-emit-airflow is ignored: 'airflow' is a built-in target"), targets.summary)
        XCTAssertEqual(try compile("echo").status, 0)
        XCTAssertEqual(Set(try filesUnder(project.appendingPathComponent("out")).keys), ["from-config.txt"])
        XCTAssertEqual(try compile("airflow").status, 0, "the built-in airflow target, not the plugin")
    }

    func testBrokenPluginsAreListedAndRefused() throws {
        try plugin("mute", capabilities: "not json", body: "exit 0")
        try plugin("typo", capabilities: #"{"protocolVersion": 1, "summary": "t", "supported": {"retry": "x"}}"#, body: "exit 0")
        let targets = try jobc(["targets"], in: project, environment: path)
        XCTAssertEqual(targets.status, 1, targets.summary)
        XCTAssertTrue(targets.stdout.contains("mute  BROKEN"), targets.summary)
        XCTAssertTrue(targets.stdout.contains(#"'supported' names an unknown feature "retry"; known features: cron-schedule"#), targets.summary)
        let run = try compile("mute")
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertTrue(run.stderr.hasPrefix("jobc: error: plugin \(bin.path)/jobc-emit-mute --capabilities answered outside the protocol"), run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent("out").path))
        let unknown = try compile("nosuch")
        XCTAssertEqual(unknown.status, 2, unknown.summary)
        XCTAssertTrue(unknown.stderr.contains("unknown target 'nosuch'; available: airflow, cloud-workflows, dagster, mute, typo"), unknown.summary)
    }

    func testLintPortabilityCoversPlugins() throws {
        try plugin("echo", body: "exit 0")
        let run = try jobc(["lint", "jobs/good/echo_pipeline.yaml", "--target", "echo"], in: project, environment: path)
        XCTAssertEqual(run.status, 0, run.summary)
        let messages = run.diagnostics.map(\.message)
        XCTAssertTrue(messages.contains("target 'echo' cannot express a cron schedule"), run.summary)
        XCTAssertTrue(messages.contains("target 'echo' cannot express tags"), run.summary)
        XCTAssertFalse(messages.contains { $0.contains("retries") }, "the plugin supports retries\n\(run.summary)")
        let all = try jobc(["lint", "jobs/good/echo_pipeline.yaml", "--target", "all"], in: project, environment: path)
        XCTAssertTrue(all.diagnostics.contains { $0.message == "target 'echo' cannot express tags" }, all.summary)
    }

    func testConfigErrorsAreReportedWithTheirPlace() throws {
        try write("plugins:\n  Echo:\n    command: x\n  ok:\n    comand: x\n", to: project.appendingPathComponent("jobc.yaml"))
        let run = try jobc(["targets"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.errors.map { "\($0.line):\($0.column) \($0.rule)" },
                       ["2:3 invalid-config", "5:5 unknown-key", "5:5 missing-key"], run.summary)
    }
}
