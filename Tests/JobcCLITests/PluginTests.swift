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

    /// A version 1 plugin gets exactly `jobc ir`'s JSON on stdin, one process per job, the options as
    /// arguments (sorted by key, unchecked: version 1 cannot declare them) and the protocol version in
    /// its environment; its files are written and its diagnostics point at the task's line in the job file.
    func testCompileHandsThePluginTheIRAndWritesItsAnswer() throws {
        let seen = scratch.appendingPathComponent("seen")
        try plugin("echo", body: """
            cat > '\(seen.path).stdin'
            printf '%s\\n' "$@" > '\(seen.path).args'
            echo "$JOBC_PLUGIN_PROTOCOL" > '\(seen.path).protocol'
            echo "$JOBC_FEATURES" > '\(seen.path).features'
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
        // The feature names it may declare: every one this jobc knows.
        XCTAssertEqual(try String(contentsOfFile: seen.path + ".features", encoding: .utf8),
                       "cron-schedule,start-date,catchup,retries,retry-delay,task-timeout,tags,secrets,run-params,failure-alerts,"
                           + "trigger-rules,task-groups,fan-out\n")
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
            ("future", #"echo '{"protocolVersion": 2, "files": []}'"#, "it answered in protocol version 2, but its --capabilities chose version 1"),
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
        // The marker is an argument, so pgrep finds the child by its command line (dash has no `exec -a`).
        let hang = try plugin("hang", body: "python3 -c 'import time; time.sleep(300)' \(marker) &\nsleep 300")
        try write("plugins:\n  slow:\n    command: \(hang.path)\n    timeout_seconds: 1\n", to: project.appendingPathComponent("jobc.yaml"))
        let started = Date()
        let run = try jobc(["compile", "jobs/good/echo_pipeline.yaml", "--target", "slow", "--out", "out"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the timeout is 1 s")
        XCTAssertTrue(run.errors.first?.message.contains("did not finish within 1 s and was killed") ?? false, run.summary)
        try assertNoProcess(matching: marker, "a child of the killed plugin survived")
    }

    /// No process runs whose command line holds `marker`, once SIGKILL had time to land.
    private func assertNoProcess(matching marker: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        usleep(200_000)  // the kernel delivers SIGKILL to the group asynchronously
        let pgrep = Process()
        pgrep.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        pgrep.arguments = ["-f", marker]
        try pgrep.run()
        pgrep.waitUntilExit()
        XCTAssertEqual(pgrep.terminationStatus, 1, message, file: file, line: line)
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

    // MARK: Protocol version 2: one process per run

    private static let capabilitiesV2 = #"""
        {"protocolVersion": 2, "summary": "Batch target", "supported": {"retries": "task retries"}}
        """#

    /// Writes a protocol version 2 `jobc-emit-NAME` in Python. `--capabilities` prints `capabilities`;
    /// a compile that gets a request appends its arguments and `JOBC_PLUGIN_PROTOCOL` to `NAME.calls`
    /// in the scratch folder, keeps the request in `NAME.request.json` and answers each job with `<job id>.txt`,
    /// after `body` (Python, with `request` and `answers` in scope) had its say.
    @discardableResult
    private func batchPlugin(_ name: String, capabilities: String = PluginTests.capabilitiesV2, body: String = "") throws -> URL {
        let record = scratch.appendingPathComponent(name).path
        try write(capabilities, to: URL(fileURLWithPath: record + ".capabilities.json"))
        let url = bin.appendingPathComponent("jobc-emit-\(name)")
        try write(#"""
            #!/usr/bin/env python3
            import json, os, sys
            if sys.argv[1:] == ["--capabilities"]:
                sys.stdout.write(open("\#(record).capabilities.json").read())
                sys.exit(0)
            raw = sys.stdin.buffer.read()
            if not raw:
                sys.exit(1)  # started with the run but stopped before any request (jobc kills it)
            with open("\#(record).calls", "a") as calls:
                calls.write(" ".join(sys.argv[1:]) + "|" + os.environ["JOBC_PLUGIN_PROTOCOL"] + "\n")
            open("\#(record).request.json", "wb").write(raw)
            request = json.loads(raw)
            answers = [{"job": ir["job"]["id"], "files": [{"path": ir["job"]["id"] + ".txt", "content": "for " + ir["job"]["id"] + "\n"}],
                        "diagnostics": []} for ir in request["jobs"]]
            \#(body)
            print(json.dumps({"protocolVersion": 2, "jobs": answers}))

            """#, to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    private func calls(_ name: String) -> [String] {
        let text = (try? String(contentsOfFile: scratch.appendingPathComponent(name).path + ".calls", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    private func request(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: scratch.appendingPathComponent(name).path + ".request.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private static let goodJobs = ["echo_pipeline", "manual_minimal", "sql_transform"]

    /// The compile process starts beside `--capabilities`, expecting version 2; a plugin that
    /// chooses version 1 has it stopped before it gets anything, and then one process per job.
    func testAVersion1PluginHasTheProcessStartedForVersion2Stopped() throws {
        let calls = scratch.appendingPathComponent("old.calls").path
        try plugin("old", body: """
            echo "started $JOBC_PLUGIN_PROTOCOL" >> '\(calls)'
            cat > /dev/null
            echo "answered $JOBC_PLUGIN_PROTOCOL" >> '\(calls)'
            echo '{"protocolVersion": 1, "files": [{"path": "old.txt", "content": "old"}]}'
            """)
        let run = try compile("old")
        XCTAssertEqual(run.status, 0, run.summary)
        usleep(200_000)  // a process left running would answer once jobc's exit closes its stdin
        let lines = try String(contentsOfFile: calls, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines, ["started 2", "started 1", "answered 1"], "the version 2 process was stopped unanswered")
    }

    /// Jobs reach the plugin as they are checked, on every core, yet the request lists them in the
    /// order of the run: 40 jobs, whatever the order they finish in.
    func testVersion2SendsJobsInTheOrderOfTheRun() throws {
        try batchPlugin("ordered")
        let ids = (0..<40).map { String(format: "job_%02d", $0) }
        for id in ids {
            try write("job_id: \(id)\ntasks:\n  greet:\n    function: EchoFunction\n    kwargs: {message: hi}\n",
                      to: project.appendingPathComponent("jobs/many/\(id).yaml"))
        }
        let run = try compile("ordered", job: "jobs/many")
        XCTAssertEqual(run.status, 0, run.summary)
        let jobs = try XCTUnwrap(try request("ordered")["jobs"] as? [[String: Any]])
        XCTAssertEqual(jobs.map { ($0["job"] as? [String: Any])?["id"] as? String }, ids)
        XCTAssertEqual(calls("ordered"), ["|2"])
    }

    /// Every job of the run in one request, each exactly `jobc ir`'s JSON, in one process.
    func testVersion2CompilesEveryJobOfARunInOneProcess() throws {
        try batchPlugin("batch")
        let run = try compile("batch", job: "jobs/good")
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.stdout, "compiled 3 of 3 jobs for batch into out\n", run.summary)
        XCTAssertEqual(calls("batch"), ["|2"], "one process, no arguments, protocol 2 in its environment")
        let sent = try request("batch")
        XCTAssertEqual(sent["protocolVersion"] as? Int, 2)
        XCTAssertEqual((sent["options"] as? [String: Any])?.count, 0)
        let jobs = try XCTUnwrap(sent["jobs"] as? [Any])
        XCTAssertEqual(jobs.count, 3)
        for (ir, id) in zip(jobs, Self.goodJobs) {
            let expected = try jobc(["ir", "jobs/good/\(id).\(id == "manual_minimal" ? "yml" : "yaml")"], in: project)
            let printed = try JSONSerialization.jsonObject(with: Data(expected.stdout.utf8))
            XCTAssertTrue((ir as? NSDictionary)?.isEqual(printed) ?? false, "the request's IR of \(id) is not `jobc ir`'s")
        }
        XCTAssertEqual(try filesUnder(project.appendingPathComponent("out")),
                       Dictionary(uniqueKeysWithValues: Self.goodJobs.map { ("\($0).txt", Data("for \($0)\n".utf8)) }))
    }

    /// A job whose answer breaks the protocol writes nothing; the other jobs' answers stand.
    func testVersion2ABadAnswerFailsOnlyItsJob() throws {
        let cases: [(name: String, body: String, expected: String)] = [
            ("unsafe", #"answers[1]["files"][0]["path"] = "../escape.txt""#,
             #"answered outside the protocol for this job: 'jobs[1].files[0].path' "../escape.txt" is not a safe relative path"#),
            ("mistyped", #"answers[1]["diagnostics"] = [{"severity": "fatal", "message": "x"}]"#,
             #"'jobs[1].diagnostics[0].severity' must be "error" or "warning", got "fatal""#),
            ("swapped", #"answers[1]["job"] = "sql_transform""#,
             #"'jobs[1].job' is "sql_transform", but that answer is for job "manual_minimal""#),
            ("notobject", #"answers[1] = "done""#, "'jobs[1]' must be an object"),
            // A file and a folder of the same name: checked before anything is written (#17).
            ("prefix", #"answers[1]["files"] = [{"path": "a/b.txt", "content": "x"}, {"path": "a", "content": "y"}]"#,
             #"'jobs[1].files': "a" is both a file and the folder of "a/b.txt""#),
            // A name jobc keeps for its temporary files would be deleted by the next run (#17).
            ("tempname", #"answers[1]["files"] = [{"path": ".x.jobc-tmp-1", "content": "y"}]"#,
             #"".x.jobc-tmp-1" is named like jobc's temporary files"#),
        ]
        for (name, body, expected) in cases {
            try batchPlugin(name, body: body)
            try? FileManager.default.removeItem(at: project.appendingPathComponent("out"))
            let run = try compile(name, job: "jobs/good")
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertEqual(run.stdout, "compiled 2 of 3 jobs for \(name) into out\n", run.summary)
            XCTAssertEqual(run.errors.map { "\($0.file) \($0.rule)" }, ["jobs/good/manual_minimal.yml plugin-failed"], run.summary)
            XCTAssertTrue(run.errors.first?.message.contains(expected) ?? false, "\(name): expected «\(expected)»\n\(run.summary)")
            XCTAssertEqual(Set(try filesUnder(project.appendingPathComponent("out")).keys), ["echo_pipeline.txt", "sql_transform.txt"], name)
        }
    }

    /// When the output as a whole cannot be trusted, every job of the batch fails and writes nothing.
    /// A plugin file that cannot run is named for what it is, not as an unknown target (#17).
    func testANonExecutablePluginIsNamedAsSuch() throws {
        let file = try plugin("lazy", body: "exit 0")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let run = try compile("lazy")
        XCTAssertEqual(run.status, 2, run.summary)
        XCTAssertEqual(run.stderr, "jobc: error: target 'lazy': the plugin \(file.path) is not executable; make it so (chmod +x \(file.path))\n")
    }

    func testVersion2AnAnswerOfTheWrongShapeFailsEveryJob() throws {
        let cases: [(name: String, body: String, expected: String)] = [
            ("short", "answers = answers[:1]", "'jobs' holds 1 answer for 3 jobs (one answer per job, in the order of the request)"),
            ("crash", "sys.stderr.write('Traceback: boom\\n'); sys.exit(3)", "exited with status 3"),
            ("older", #"print(json.dumps({"protocolVersion": 1, "files": []})); sys.exit(0)"#,
             "it answered in protocol version 1, but its --capabilities chose version 2"),
            ("nojobs", #"print(json.dumps({"protocolVersion": 2, "files": []})); sys.exit(0)"#, "'jobs' must be a list"),
        ]
        try write("earlier\n", to: project.appendingPathComponent("out/keep.txt"))
        for (name, body, expected) in cases {
            try batchPlugin(name, body: body)
            let run = try compile(name, job: "jobs/good")
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertEqual(run.errors.map(\.file), Self.goodJobs.map { "jobs/good/\($0).\($0 == "manual_minimal" ? "yml" : "yaml")" }, run.summary)
            XCTAssertTrue(run.errors.allSatisfy { $0.rule == "plugin-failed" && $0.message.contains(expected) }, "\(name): expected «\(expected)»\n\(run.summary)")
            XCTAssertEqual(try filesUnder(project.appendingPathComponent("out")), ["keep.txt": Data("earlier\n".utf8)], name)
            XCTAssertEqual(calls(name).count, 1, name)
        }
    }

    /// The compile process starts with the run, before any job is read, so its start-up overlaps
    /// jobc's own work; when no job reaches it (every job has errors), it is stopped, not left behind.
    func testVersion2TheProcessStartedAheadIsStoppedWhenNoJobReachesIt() throws {
        let marker = "jobc-plugin-test-\(UUID().uuidString.prefix(8))"
        try plugin("ahead", capabilities: PluginTests.capabilitiesV2, body: """
            echo started >> '\(scratch.path)/ahead.calls'
            exec python3 -c 'import time; time.sleep(300)' \(marker)
            """)
        let run = try compile("ahead", job: "jobs/bad/dependency_cycle.yaml")
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.errors.map(\.rule), ["dependency-cycle"], run.summary)
        XCTAssertEqual(calls("ahead"), ["started"], "the compile process is started once, with the run")
        try assertNoProcess(matching: marker, "the plugin started ahead outlived the run")
    }

    func testVersion2TimeoutGrowsWithTheBatch() throws {
        let slow = try batchPlugin("slow", body: "import time; time.sleep(300)")
        try write("plugins:\n  slow:\n    command: \(slow.path)\n    timeout_seconds: 1\n", to: project.appendingPathComponent("jobc.yaml"))
        let run = try jobc(["compile", "jobs/good", "--target", "slow", "--out", "out"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertTrue(run.errors.first?.message.contains(
            "did not finish within 4 s (timeout_seconds 1, plus 1 s for each of its 3 jobs) and was killed") ?? false, run.summary)
    }

    /// Declared options are checked once, before any plugin runs: an unknown or invalid one is a
    /// usage error naming it; valid ones reach the plugin in the request, typed, defaults filled in.
    func testVersion2OptionsAreDeclaredCheckedAndTyped() throws {
        try batchPlugin("opts", capabilities: #"""
            {"protocolVersion": 2, "summary": "Options", "options": [
              {"name": "work_pool", "type": "string", "pattern": "[a-z][a-z-]*", "help": "the work pool"},
              {"name": "parallel", "type": "integer", "default": 4, "help": "workers"},
              {"name": "mode", "type": "string", "choices": ["fast", "safe"], "default": "safe", "help": "how"},
              {"name": "dry", "type": "boolean", "help": "write nothing real"}]}
            """#)
        let refused: [(arguments: [String], expected: String)] = [
            (["bogus=1"], #"unknown option "bogus" for target 'opts'; target 'opts' takes: work_pool, parallel, mode, dry"#),
            (["work_pool=Etl_Pool"], #"--option work_pool="Etl_Pool" is invalid: it must match "[a-z][a-z-]*""#),
            (["mode=slow"], #"--option mode="slow" is invalid: expected one of "fast", "safe""#),
            (["parallel=many"], #"--option parallel="many" is invalid: expected a whole number"#),
        ]
        for (arguments, expected) in refused {
            let run = try compile("opts", extra: arguments.flatMap { ["--option", $0] })
            XCTAssertEqual(run.status, 2, run.summary)
            XCTAssertTrue(run.stderr.contains(expected), "expected «\(expected)»\n\(run.summary)")
        }
        XCTAssertEqual(calls("opts"), [], "no request reaches the plugin when an option is refused")
        let run = try compile("opts", extra: ["--option", "work_pool=etl", "--option", "dry=true"])
        XCTAssertEqual(run.status, 0, run.summary)
        let options = try XCTUnwrap(try request("opts")["options"] as? NSDictionary)
        XCTAssertEqual(options, ["dry": true, "mode": "safe", "parallel": 4, "work_pool": "etl"] as NSDictionary)
        let targets = try jobc(["targets"], in: project, environment: path)
        XCTAssertTrue(targets.stdout.contains("  option parallel (integer, default 4): workers\n"), targets.summary)
    }

    /// Names and modules a plugin reserves are the core's rules, for `--target NAME` and `--target all`.
    func testVersion2ReservedNamesAndModulesAreAppliedByTheCore() throws {
        try batchPlugin("strict", capabilities: #"""
            {"protocolVersion": 2, "summary": "Strict", "supported": {"retries": "yes"},
             "reservedIdentifiers": [{"name": "second", "scopes": ["task"], "reason": "by Strict for its own step"}],
             "jobModule": {"language": "Python", "fileExtension": ".py", "importedModules": ["echo_pipeline"],
                           "standardLibrary": ["os"]}}
            """#)
        let expected = [
            "1:9 invalid job id: 'echo_pipeline.py' would shadow the module 'echo_pipeline' that generated code imports",
            "17:3 invalid task key: 'second' is reserved by Strict for its own step",
        ]
        for target in ["strict", "all"] {
            let run = try jobc(["lint", "jobs/good/echo_pipeline.yaml", "--target", target], in: project, environment: path)
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertEqual(run.errors.map { "\($0.line):\($0.column) \($0.message)" }, expected, run.summary)
        }
        XCTAssertEqual(try jobc(["lint", "jobs/good/echo_pipeline.yaml"], in: project, environment: path).status, 0)
        let compiled = try compile("strict")
        XCTAssertEqual(compiled.status, 1, compiled.summary)
        XCTAssertEqual(calls("strict"), [], "a refused job never reaches the plugin")
    }

    func testVersion2CapabilitiesAreCheckedFieldByField() throws {
        let cases: [(name: String, capabilities: String, expected: String)] = [
            ("v3", #"{"protocolVersion": 3, "summary": "x"}"#, "it speaks protocol version 3, this jobc speaks versions 1 and 2"),
            ("noreason", #"{"protocolVersion": 2, "summary": "x", "reservedIdentifiers": [{"name": "a"}]}"#,
             "'reservedIdentifiers[0].reason' is missing"),
            ("scope", #"{"protocolVersion": 2, "summary": "x", "reservedIdentifiers": [{"name": "a", "scopes": ["tasks"], "reason": "r"}]}"#,
             #"'reservedIdentifiers[0].scopes[0]' is "tasks"; scopes are job, task, group, runParameter"#),
            ("modules", #"{"protocolVersion": 2, "summary": "x", "jobModule": {"language": "Python", "fileExtension": ".py", "importedModules": "prefect", "standardLibrary": []}}"#,
             "'jobModule.importedModules' must be a list of strings"),
            ("float", #"{"protocolVersion": 2, "summary": "x", "options": [{"name": "n", "type": "float", "help": "h"}]}"#,
             #"'options[0].type' must be "string", "integer" or "boolean", got "float""#),
            ("default", #"{"protocolVersion": 2, "summary": "x", "options": [{"name": "n", "type": "integer", "default": "4", "help": "h"}]}"#,
             "'options[0].default' must be a whole number"),
            ("choice", #"{"protocolVersion": 2, "summary": "x", "options": [{"name": "m", "type": "string", "choices": ["a"], "default": "b", "help": "h"}]}"#,
             #"'options[0].default' "b" is not a valid value: expected one of "a""#),
            ("regex", #"{"protocolVersion": 2, "summary": "x", "options": [{"name": "m", "type": "string", "pattern": "([a-z", "help": "h"}]}"#,
             #"'options[0].pattern' "([a-z" is not a regular expression"#),
            ("twice", #"{"protocolVersion": 2, "summary": "x", "options": [{"name": "m", "type": "string", "help": "h"}, {"name": "m", "type": "boolean", "help": "h"}]}"#,
             #"'options' declares "m" twice"#),
            ("typo", #"{"protocolVersion": 2, "summary": "x", "reservedIdentifier": []}"#,
             #"the answer has an unknown field "reservedIdentifier"; its fields are protocolVersion, summary"#),
            ("optiontypo", #"{"protocolVersion": 2, "summary": "x", "options": [{"name": "m", "type": "string", "help": "h", "choice": ["a"]}]}"#,
             #"'options[0]' has an unknown field "choice"; its fields are name, type, default, help, pattern, choices"#),
        ]
        for (name, capabilities, _) in cases { try batchPlugin(name, capabilities: capabilities) }
        let targets = try jobc(["targets"], in: project, environment: path)
        XCTAssertEqual(targets.status, 1, targets.summary)
        for (name, _, expected) in cases {
            XCTAssertTrue(targets.stdout.contains("\(name)  BROKEN"), "\(name)\n\(targets.summary)")
            XCTAssertTrue(targets.stdout.contains(expected), "\(name): expected «\(expected)»\n\(targets.summary)")
        }
    }
}
