import Foundation
import XCTest

/// `jobc import aef`: golden jobs for the AEF sample and a multi-level, multi-thread definition, the
/// imported jobs compiled for every built-in target, names that try to break the YAML, every problem
/// reported at once, and the --out file written atomically or not at all. Regenerate the golden
/// files after an intended change with `JOBC_UPDATE_GOLDEN=1 swift test --filter ImportCommandTests`.
final class ImportCommandTests: JobcCLITestCase {
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures/aef")
    static let sample = repositoryRoot.appendingPathComponent("orchestration/aef/demo_pipeline_cloud_workflows.json")
    static let builtinTargets = ["airflow", "dagster", "cloud-workflows"]

    private func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.fixtures.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["JOBC_UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(text, expected, "\(name) differs from its golden file", file: file, line: line)
    }

    /// The definition copied into the scratch folder, so diagnostics name it by a short relative path.
    private func definition(_ source: URL, as name: String? = nil) throws -> String {
        let name = name ?? source.lastPathComponent
        try FileManager.default.copyItem(at: source, to: scratch.appendingPathComponent(name))
        return name
    }

    private func headers(_ run: JobcRun) -> [String] {
        run.diagnostics.map { "\($0.line):\($0.column) \($0.severity) \($0.rule)" }
    }

    /// A project holding the repository's functions and a mock aef_executors secret.
    private func projectForImportedJobs() throws -> URL {
        let project = scratch.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project.appendingPathComponent("orchestration/job"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.repositoryRoot.appendingPathComponent("orchestration/function"), to: project.appendingPathComponent("orchestration/function"))
        try write(#"{"base_url": "http://127.0.0.1:8080"}"#, to: project.appendingPathComponent("secret/aef_executors.json"))
        return project
    }

    // MARK: - Golden jobs

    func testSampleDefinitionImportsToItsGoldenJob() throws {
        let run = try jobc(["import", "aef", try definition(Self.sample), "--no-color"])
        XCTAssertEqual(run.status, 0, run.summary)
        try assertGolden(run.stdout, "demo_pipeline_cloud_workflows.yaml")
        // Only the engine is not carried over, and it is said where it is written.
        XCTAssertEqual(headers(run), ["2:3 warning import-not-carried-over"], run.summary)
        XCTAssertTrue(run.stderr.contains("note: the engine is chosen when the job is compiled: `jobc compile --target NAME`"), run.summary)
    }

    func testMultiLevelMultiThreadDefinitionImportsToItsGoldenJob() throws {
        let path = try definition(Self.fixtures.appendingPathComponent("multi_level_pipeline.json"))
        let run = try jobc(["import", "aef", path])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(headers(run), ["2:3 warning import-not-carried-over"], run.summary)
        try assertGolden(run.stdout, "multi_level_pipeline.yaml")
        let again = try jobc(["import", "aef", path])
        XCTAssertEqual(again.stdout, run.stdout, "same definition, same bytes")
    }

    /// A job file named by one character, in the working folder: splitting `--out` with NSString's
    /// trapping method crashed the import (SIGILL).
    func testOneCharacterOutputFileIsWritten() throws {
        let project = try projectForImportedJobs()
        let run = try jobc(["import", "aef", Self.fixtures.appendingPathComponent("multi_level_pipeline.json").path, "--out", "j"], in: project)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(FileManager.default.fileExists(atPath: project.appendingPathComponent("j").path), run.summary)
    }

    /// The meaning, read back through jobc's own front end: levels in sequence, threads of a level in
    /// parallel, steps of a thread in sequence, every value of every step carried over.
    func testImportedJobOrdersLevelsThreadsAndStepsAsAEFDoes() throws {
        let project = try projectForImportedJobs()
        let imported = try jobc(["import", "aef", Self.fixtures.appendingPathComponent("multi_level_pipeline.json").path,
                                 "--out", "orchestration/job/multi_level_pipeline.yaml"], in: project)
        XCTAssertEqual(imported.status, 0, imported.summary)
        let ir = try jobc(["ir", "orchestration/job/multi_level_pipeline.yaml"], in: project)
        XCTAssertEqual(ir.status, 0, ir.summary)
        let graph = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ir.stdout.utf8)) as? [String: Any])
        let tasks = try XCTUnwrap(graph["tasks"] as? [[String: Any]])
        let edges = try XCTUnwrap(graph["edges"] as? [[String: String]]).map { ($0["source"]!, $0["target"]!) }
        var upstream: [String: Set<String>] = [:]
        for (source, target) in edges { upstream[target, default: []].insert(source) }
        func ancestors(of task: String) -> Set<String> {
            var found = Set<String>(), pending = Array(upstream[task] ?? [])
            while let next = pending.popLast() {
                if found.insert(next).inserted { pending += upstream[next] ?? [] }
            }
            return found
        }
        let levels: [[[String]]] = [
            [["extract_orders", "check_orders", "stage_orders"]],
            [["load_customers"], ["load_products", "dedupe_products"], ["load_stores"]],
            [["publish_sales_mart"]],
        ]
        for (levelIndex, threads) in levels.enumerated() {
            let earlier = Set(levels[..<levelIndex].flatMap { $0.flatMap { $0 } })
            for (threadIndex, steps) in threads.enumerated() {
                let otherThreads = Set(threads.enumerated().filter { $0.offset != threadIndex }.flatMap { $0.element })
                for (stepIndex, step) in steps.enumerated() {
                    let expected = earlier.union(steps[..<stepIndex])
                    XCTAssertEqual(ancestors(of: step), expected, "\(step) waits for every earlier level and the earlier steps of its thread")
                    XCTAssertTrue(ancestors(of: step).isDisjoint(with: otherThreads), "\(step) runs in parallel with the other threads")
                }
            }
        }
        let groups = try XCTUnwrap(graph["groups"] as? [[String: Any]]).map { "\($0["key"]!) ⊂ \($0["parent"] as? String ?? "-")" }
        XCTAssertEqual(groups, [
            "level_1 ⊂ -", "level_1_thread_1 ⊂ level_1",
            "level_2 ⊂ -", "level_2_thread_2 ⊂ level_2", "level_2_thread_3 ⊂ level_2", "level_2_thread_4 ⊂ level_2",
            "level_3 ⊂ -", "level_3_thread_5 ⊂ level_3",
        ])
        let byKey = Dictionary(uniqueKeysWithValues: tasks.map { ($0["key"] as! String, $0) })
        let loadProducts = try XCTUnwrap(byKey["load_products"])
        XCTAssertEqual(loadProducts["group"] as? String, "level_2_thread_3")
        XCTAssertEqual(loadProducts["parameters"] as? NSDictionary, [
            "aef_job_id": "J05", "job_name": "load_products", "step_type": "async",
            "executor_function": "dataproc-serverless-job-executor", "status_function": "dataproc-serverless-job-status",
            "wait_time_seconds": 60, "async_timeout_minutes": 120,
        ] as NSDictionary)
        XCTAssertEqual(byKey["check_orders"]?["timeoutSeconds"] as? Int, 300, "TIMEOUT_SECONDS becomes the task timeout")
        XCTAssertEqual((byKey["stage_orders"]?["parameters"] as? [String: Any])?["step_properties"] as? String, #"{"tags": ["orders"]}"#)
        XCTAssertEqual((byKey["load_customers"]?["parameters"] as? [String: Any])?["executor_function"] as? String, "bigquery-executor",
                       "FUNCTION_NAME (AEF's key for sync steps) names the executor")
    }

    // MARK: - Compiles for every target

    func testImportedJobsCompileForEveryBuiltInTarget() throws {
        let project = try projectForImportedJobs()
        let definitions = [Self.sample] + ["multi_level_pipeline.json", "hostile_names.json"].map { Self.fixtures.appendingPathComponent($0) }
        for source in definitions {
            let job = "orchestration/job/" + source.deletingPathExtension().lastPathComponent + ".yaml"
            let imported = try jobc(["import", "aef", source.path, "--out", job], in: project)
            XCTAssertEqual(imported.status, 0, imported.summary)
            let lint = try jobc(["lint", job], in: project)
            XCTAssertEqual(lint.status, 0, lint.summary)
            XCTAssertEqual(lint.stderr, "0 errors, 0 warnings in 1 file\n", "an imported job is clean\n\(lint.summary)")
            for target in Self.builtinTargets {
                let out = "build/\(target)"
                let compiled = try jobc(["compile", job, "--target", target, "--out", out], in: project)
                XCTAssertEqual(compiled.status, 0, compiled.summary)
                XCTAssertEqual(compiled.stderr, "", "groups and every other part of the job are expressed on \(target)\n\(compiled.summary)")
                XCTAssertFalse(try filesUnder(project.appendingPathComponent(out)).isEmpty, compiled.summary)
                assertNoCrashOutput(compiled)
            }
        }
    }

    // MARK: - Hostile names

    /// Quotes, colons, '#', line breaks, control characters, YAML indicators and non-ASCII text in
    /// every AEF value: keys become identifiers, values reach the function exactly as written.
    func testHostileNamesAreEscapedAndRoundTripExactly() throws {
        let source = Self.fixtures.appendingPathComponent("hostile_names.json")
        let printed = try jobc(["import", "aef", try definition(source)])
        XCTAssertEqual(printed.status, 0, printed.summary)
        try assertGolden(printed.stdout, "hostile_names.yaml")
        XCTAssertTrue(printed.errors.isEmpty, printed.summary)
        XCTAssertTrue(printed.diagnostics.allSatisfy { $0.rule == "import-renamed" }, printed.summary)

        let project = try projectForImportedJobs()
        let imported = try jobc(["import", "aef", source.path, "--out", "orchestration/job/hostile.yaml"], in: project)
        XCTAssertEqual(imported.status, 0, imported.summary)
        let ir = try jobc(["ir", "orchestration/job/hostile.yaml"], in: project)
        XCTAssertEqual(ir.status, 0, ir.summary)
        let graph = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(ir.stdout.utf8)) as? [String: Any])
        let parameters = try XCTUnwrap(graph["tasks"] as? [[String: Any]]).compactMap { $0["parameters"] as? [String: Any] }
        let aef = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: source)) as? [String: Any])
        let level = try XCTUnwrap((aef["definition"] as? [[String: Any]])?.first)
        let steps = try XCTUnwrap(((level["THREADS"] as? [[String: Any]])?.first?["STEPS"]) as? [[String: String]])
        XCTAssertEqual(parameters.map { $0["job_name"] as? String }, steps.map { $0["JOB_NAME"] })
        XCTAssertEqual(parameters.map { $0["aef_job_id"] as? String }, steps.map { $0["JOB_ID"] })
        let keys = try XCTUnwrap(graph["tasks"] as? [[String: Any]]).compactMap { $0["key"] as? String }
        XCTAssertEqual(Set(keys).count, steps.count, "distinct names stay distinct tasks")
        let descriptions = try XCTUnwrap(graph["groups"] as? [[String: Any]]).compactMap { $0["description"] as? String }
        XCTAssertEqual(descriptions, [#"AEF level L-1: "raw""#, #"AEF level L-1: "raw", thread t#1"#])
    }

    // MARK: - Problems

    func testEveryProblemIsReportedAtOnceAndNothingIsWritten() throws {
        let path = try definition(Self.fixtures.appendingPathComponent("many_errors.json"))
        let run = try jobc(["import", "aef", path, "--out", "job.yaml"])
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.stdout, "", run.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("job.yaml").path), "nothing written on errors")
        XCTAssertEqual(run.diagnostics.map { "\($0.line):\($0.column) \($0.severity) \($0.rule): \($0.message)" }, [
            "2:3 warning import-not-carried-over: 'engine' (cloud_workflows) is not carried over: a jobc job is engine-agnostic",
            #"10:56 error invalid-value: definition[0].THREADS[0].STEPS[0].TYPE must be "sync" or "async", found "asnyc""#,
            #"11:24 warning import-duplicate-id: definition[0].THREADS[0].STEPS[1].JOB_ID "J01" is used twice: both steps are kept, as AEF's generator kept them (it named steps <JOB_ID>_<JOB_NAME>, later <JOB_NAME>), and both executors receive aef_job_id "J01""#,
            "12:13 error missing-key: definition[0].THREADS[0].STEPS[2] is missing JOB_NAME",
            #"12:123 error invalid-value: definition[0].THREADS[0].STEPS[2].WAIT_TIME_SECONDS must be a whole number of seconds in a string, found "thirty""#,
            "12:166 error invalid-value: definition[0].THREADS[0].STEPS[2].ASYNC_TIMEOUT_LOOP_IN_MINUTES must be from 1 to 525600 minutes, found 0",
            "13:13 error missing-key: definition[0].THREADS[0].STEPS[3] is missing FUNCTION_STATUS_NAME: an async step polls it for the job's status",
            "13:111 error wrong-type: definition[0].THREADS[0].STEPS[3].WAIT_TIME_SECONDS must be a string, found a number",
            "14:13 error missing-key: definition[0].THREADS[0].STEPS[4] is missing FUNCTION_ID_NAME",
            "14:24 error invalid-value: definition[0].THREADS[0].STEPS[4].JOB_ID is empty",
            #"17:23 error import-duplicate-id: definition[0].THREADS[1].THREAD_ID "1" is used twice in this level"#,
            "17:37 error invalid-value: definition[0].THREADS[1].STEPS is empty: a thread needs at least one step",
            #"20:18 error import-duplicate-id: definition[1].LEVEL_ID "1" is used twice"#,
            "20:34 error invalid-value: definition[1].THREADS is empty: a level needs at least one thread",
            "21:18 error wrong-type: definition[2].LEVEL_ID must be a string, found a number",
            "21:32 error wrong-type: definition[2].THREADS must be an array, found an object",
            "22:5 error wrong-type: definition[3] must be an object, found a string",
        ], run.summary)
        XCTAssertTrue(run.stderr.contains("help: AEF values are strings: write \"30\""), run.summary)
        XCTAssertTrue(run.stderr.contains("note: many_errors.json:10:24: first used here"), run.summary)
        XCTAssertTrue(run.stderr.hasSuffix("15 errors, 2 warnings in 1 file\n"), run.summary)
    }

    func testWhatCannotBeCarriedOverIsReported() throws {
        let path = try definition(Self.fixtures.appendingPathComponent("not_carried_over.json"))
        let run = try jobc(["import", "aef", path])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.diagnostics.map { "\($0.line):\($0.column) \($0.message)" }, [
            "2:3 'engine' (composer) is not carried over: a jobc job is engine-agnostic",
            "3:3 'owner' is not carried over: AEF pipelines have only 'engine' and 'definition'",
            "16:15 definition[0].THREADS[0].STEPS[0].FUNCTION_STATUS_NAME is not carried over: it only applies to async steps and this step is sync",
            "17:15 definition[0].THREADS[0].STEPS[0].WAIT_TIME_SECONDS is not carried over: it only applies to async steps and this step is sync",
            "18:15 definition[0].THREADS[0].STEPS[0].CONTINUE_IF_FAIL is not carried over: AEF's own generator leaves it unimplemented; every step must succeed for its thread to go on",
            "19:15 definition[0].THREADS[0].STEPS[0].RETRIES is not carried over: jobc does not know this AEF step key",
            "24:7 definition[0].COMMENT is not carried over: a level has only LEVEL_ID and THREADS",
            #"27:19 definition[1].LEVEL_ID "1" does not follow "2"; jobc runs levels in file order"#,
            "31:11 definition[1].THREADS[0].PRIORITY is not carried over: a thread has only THREAD_ID and STEPS",
        ], run.summary)
        XCTAssertTrue(run.diagnostics.allSatisfy { $0.severity == "warning" }, run.summary)
        // Levels keep their file order: level "2" first, then level "1" waits for it.
        XCTAssertTrue(run.stdout.contains("  level_1:\n    description: \"AEF level 1\"\n    depends_on: [level_2]\n"), run.stdout)
        XCTAssertFalse(run.stdout.contains("wait_time_seconds: 10"), "a sync step's async settings stay out of the job\n\(run.stdout)")
        XCTAssertFalse(run.stdout.contains(#"status_function: "cache-executor""#), run.stdout)
        XCTAssertTrue(run.stdout.contains("wait_time_seconds: 5\n"), run.stdout)
    }

    func testMalformedJSONIsAnErrorAtItsPosition() throws {
        let cases: [(text: String, expected: String)] = [
            ("", "1:1 the file holds no JSON value"),
            ("{\"definition\": [],}", "1:19 unexpected '}': expected a key in double quotes"),
            ("{\"definition\": [\n  {\"LEVEL_ID\": \"1\",,}\n]}", "2:20 unexpected ',': expected a key in double quotes"),
            ("{\"engine\": \"a\", \"engine\": \"b\", \"definition\": []}", "1:17 duplicate key 'engine' (first at line 1, column 2)"),
            ("{\"definition\": [{\"LEVEL_ID\": \"1\n\"}]}", "1:32 control character U+A in a string: write it as an escape (\\n, \\t, \\u00XX)"),
            ("{\"définition\": \"\\ud800\"}", "1:17 lone surrogate \\ud800 in a string"),
            ("{\"definition\": [01]}", "1:17 numbers cannot have leading zeros"),
            ("{\"definition\": [] // comment\n}", "1:19 unexpected '/': expected ',' or '}'"),
            ("{\"definition\": [NaN]}", "1:17 unexpected 'N': expected a JSON value"),
            ("{\"definition\": []} []", "1:20 unexpected '[' after the JSON value"),
            ("{\"definition\": [\"unterminated]}", "1:32 unexpected end of file: the string is not closed with '\"'"),
            (String(repeating: "[", count: 100), "1:65 nesting deeper than 64 levels"),
        ]
        for (index, testCase) in cases.enumerated() {
            let name = "case\(index).json"
            try write(testCase.text, to: scratch.appendingPathComponent(name))
            let run = try jobc(["import", "aef", name])
            XCTAssertEqual(run.status, 1, run.summary)
            XCTAssertEqual(run.stdout, "", run.summary)
            XCTAssertEqual(run.errors.map { "\($0.line):\($0.column) \($0.message)" }, [testCase.expected], run.summary)
            XCTAssertEqual(run.errors.map(\.rule), ["json-syntax"], run.summary)
            assertNoCrashOutput(run)
        }
        try Data([0x7B, 0xFF, 0x7D]).write(to: scratch.appendingPathComponent("binary.json"))
        let binary = try jobc(["import", "aef", "binary.json"])
        XCTAssertEqual(binary.errors.map(\.message), ["the file is not UTF-8 text"], binary.summary)
        let notAnObject = try jobc(["import", "aef", try definition(Self.sample, as: "list.json")])
        XCTAssertEqual(notAnObject.status, 0, "the copy is fine: \(notAnObject.summary)")
        try write("[]", to: scratch.appendingPathComponent("list.json"))
        let list = try jobc(["import", "aef", "list.json"])
        XCTAssertEqual(list.errors.map { "\($0.line):\($0.column) \($0.message)" }, ["1:1 definition has no level"],
                       "a bare array is AEF's original form, read as the list of levels: \(list.summary)")
        try write(#"{"engine": "cloud_workflows"}"#, to: scratch.appendingPathComponent("nodefinition.json"))
        let missing = try jobc(["import", "aef", "nodefinition.json"])
        XCTAssertEqual(missing.errors.map(\.message), ["missing key 'definition' (the list of levels)"], missing.summary)
    }

    // MARK: - Output file and options

    func testOutFileIsWrittenAtomicallyAndReplacedOnlyWithForce() throws {
        let path = try definition(Self.sample)
        let stdout = try jobc(["import", "aef", path]).stdout
        let first = try jobc(["import", "aef", path, "--out", "jobs/demo.yaml"])
        XCTAssertEqual(first.status, 0, first.summary)
        XCTAssertEqual(first.stdout, "", "the job goes to the file, not to standard output")
        let written = scratch.appendingPathComponent("jobs/demo.yaml")
        XCTAssertEqual(try String(contentsOf: written, encoding: .utf8), stdout)

        try write("keep me\n", to: written)
        let refused = try jobc(["import", "aef", path, "--out", "jobs/demo.yaml"])
        XCTAssertEqual(refused.status, 2, refused.summary)
        XCTAssertTrue(refused.stderr.contains("jobs/demo.yaml exists; pass --force to replace it"), refused.summary)
        XCTAssertEqual(try String(contentsOf: written, encoding: .utf8), "keep me\n")

        let forced = try jobc(["import", "aef", path, "--out", "jobs/demo.yaml", "--force"])
        XCTAssertEqual(forced.status, 0, forced.summary)
        XCTAssertEqual(try String(contentsOf: written, encoding: .utf8), stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("jobs").path), ["demo.yaml"],
                       "no temporary file left behind")

        try FileManager.default.createSymbolicLink(atPath: scratch.appendingPathComponent("dangling.yaml").path, withDestinationPath: "nowhere")
        let dangling = try jobc(["import", "aef", path, "--out", "dangling.yaml"])
        XCTAssertEqual(dangling.status, 2, "a dangling link is an existing file: \(dangling.summary)")
        let folder = try jobc(["import", "aef", path, "--out", "jobs", "--force"])
        XCTAssertEqual(folder.status, 2, folder.summary)
        let absent = try jobc(["import", "aef", "absent.json"])
        XCTAssertEqual(absent.status, 2, absent.summary)
        XCTAssertTrue(absent.stderr.contains("cannot read the definition file absent.json"), absent.summary)
    }

    func testJobIDComesFromTheFileNameOrTheOption() throws {
        let named = try jobc(["import", "aef", try definition(Self.sample, as: "2024 Sales-Pipeline (v2).json")])
        XCTAssertEqual(named.status, 0, named.summary)
        XCTAssertTrue(named.stdout.contains("\njob_id: job_2024_sales_pipeline_v2\n"), named.stdout)
        let shadowing = try jobc(["import", "aef", try definition(Self.sample, as: "json.json")])
        XCTAssertTrue(shadowing.stdout.contains("\njob_id: json_job\n"), "a job id never shadows a Python module\n\(shadowing.stdout)")

        let chosen = try jobc(["import", "aef", "json.json", "--job-id", "daily_sales"])
        XCTAssertEqual(chosen.status, 0, chosen.summary)
        XCTAssertTrue(chosen.stdout.contains("\njob_id: daily_sales\n"), chosen.stdout)
        for bad in ["Daily-Sales", "json", "x: y\nz"] {
            let refused = try jobc(["import", "aef", "json.json", "--job-id", bad])
            XCTAssertEqual(refused.status, 1, refused.summary)
            XCTAssertEqual(refused.stdout, "", refused.summary)
            XCTAssertTrue(refused.stderr.contains("error: invalid --job-id"), refused.summary)
        }
    }
}
