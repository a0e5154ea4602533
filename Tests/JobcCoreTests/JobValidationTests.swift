import XCTest
@testable import JobcCore

final class JobValidationTests: XCTestCase {
    private var project: TestProject!

    override func setUpWithError() throws {
        project = try TestProject()
    }

    override func tearDown() {
        project.remove()
    }

    func testMinimalJobBecomesAGraphWithDefaults() throws {
        let result = try project.compile("""
            job_id: minimal
            tasks:
              hello:
                function: EchoFunction
                kwargs: {message: hi}
            """)
        XCTAssertEqual(result.summary, [])
        let graph = try XCTUnwrap(result.graph)
        XCTAssertEqual(graph.job.schedule, .manual)
        XCTAssertEqual(graph.job.catchup, false)
        XCTAssertEqual(graph.tasks.map(\.taskID), ["hello"])
        XCTAssertEqual(graph.tasks[0].retry, RetryPolicy(retries: 0, delay: RetryPolicy.defaultDelay))
        XCTAssertNil(graph.tasks[0].timeout)
    }

    func testDefaultsApplyUnlessATaskOverrides() throws {
        let result = try project.compile("""
            job_id: policies
            defaults: {retries: 2, retry_delay: 30s, timeout: 10m}
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}}
              b: {function: EchoFunction, kwargs: {message: b}, retries: 0, timeout: 1h}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.tasks[0].retry, RetryPolicy(retries: 2, delay: Duration(seconds: 30)))
        XCTAssertEqual(graph.tasks[0].timeout, Duration(seconds: 600))
        XCTAssertEqual(graph.tasks[1].retry.retries, 0)
        XCTAssertEqual(graph.tasks[1].timeout, Duration(seconds: 3600))
    }

    func testTopologicalOrderIsDeterministicAndFollowsDeclarationOnTies() throws {
        let result = try project.compile("""
            job_id: diamond
            tasks:
              load: {function: EchoFunction, kwargs: {message: l}, depends_on: [left, right]}
              right: {function: EchoFunction, kwargs: {message: r}, depends_on: extract}
              left: {function: EchoFunction, kwargs: {message: l}}
              extract: {function: EchoFunction, kwargs: {message: e}}
            dependencies:
              - {source: extract, target: left}
              - {source: extract, target: right}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.tasks.map(\.key), ["extract", "right", "left", "load"])
        XCTAssertEqual(graph.edges, [
            Edge(source: "extract", target: "right"), Edge(source: "extract", target: "left"),
            Edge(source: "right", target: "load"), Edge(source: "left", target: "load"),
        ])
        XCTAssertEqual(graph.upstream(of: "load"), ["right", "left"])
    }

    func testEveryProblemIsReportedAtOnce() throws {
        let result = try project.compile("""
            job_id: many_problems
            schedule: "0 0 * * 9"
            start_date: "2024-02-30"
            tasks:
              a:
                function: EchoFunctoin
              b:
                function: EchoFunction
                kwargs: {times: "3", mesage: hi}
                depends_on: [c]
              c:
                function: EchoFunction
                task_id: b
                kwargs: {message: x, script: ../outside.sql}
                depends_on: [b]
                secret_key: nope
            """)
        XCTAssertNil(result.graph)
        XCTAssertEqual(result.summary, [
            "2:20 invalid-schedule",
            "3:13 invalid-date",
            "6:15 unknown-function",
            "9:13 function-parameters",
            "9:21 function-parameters",
            "9:26 function-parameters",
            "10:18 dependency-cycle",
            "13:14 duplicate-task-id",
            "14:34 path-escape",
            "16:17 missing-secret",
        ])
        let cycle = result.diagnostics.first { $0.rule == .dependencyCycle }
        XCTAssertEqual(cycle?.message, "dependency cycle: b → c → b")
    }

    func testSelfDependency() throws {
        let result = try project.compile("""
            job_id: selfish
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}, depends_on: [a]}
            """)
        XCTAssertEqual(result.diagnostics.first?.message, "dependency cycle: a → a")
    }

    func testSymlinkOutOfTheProjectIsAnEscape() throws {
        let outside = NSTemporaryDirectory() + "jobc-outside-\(UUID().uuidString).sql"
        try "select 1;".write(toFile: outside, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createSymbolicLink(atPath: project.root + "/orchestration/sql/link.sql", withDestinationPath: outside)
        let result = try project.compile("""
            job_id: links
            tasks:
              a: {function: EchoFunction, kwargs: {message: a, script: orchestration/sql/link.sql}}
              b: {function: EchoFunction, kwargs: {message: b, script: /etc/passwd}}
              c: {function: EchoFunction, kwargs: {message: c, script: orchestration/sql/ok.sql}}
              d: {function: EchoFunction, kwargs: {message: d, script: orchestration/sql/missing.sql}}
            """)
        XCTAssertEqual(result.summary, ["3:60 path-escape", "4:60 path-escape", "6:60 missing-file"])
    }

    func testFileReferencesAreNormalisedInTheIR() throws {
        let result = try project.compile("""
            job_id: refs
            tasks:
              a: {function: EchoFunction, kwargs: {message: a, script: ./orchestration//sql/../sql/ok.sql}}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.tasks[0].fileReferences, [FileReference(parameter: "script", path: "orchestration/sql/ok.sql")])
    }

    func testNameIsAnAliasOfJobIDWithAWarning() throws {
        let result = try project.compile("""
            name: legacy
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}}
            """)
        XCTAssertEqual(result.summary, ["1:1 warning deprecated-key"])
        XCTAssertEqual(result.graph?.job.id, "legacy")
    }

    func testNonFiniteNumbersAreRefused() throws {
        let result = try project.compile("""
            job_id: number_checks
            tasks:
              a: {function: EchoFunction, kwargs: {message: a, times: .nan}}
            """)
        XCTAssertEqual(result.summary, ["3:59 invalid-value"])
    }

    /// Values are decoded once, by the decoder, which refuses what no target can pass on exactly and
    /// points at the very integer inside a nested value; the contract rule then skips them.
    func testTheDecoderRefusesOverflowAndNonFiniteValuesWhereTheyAre() throws {
        let yaml = """
            job_id: values
            params:
              deep: {type: string, default: [1, 99999999999999999999]}
              odd: {type: number, default: .inf}
            tasks:
              a: {function: NoSuchFunction, kwargs: {message: a, times: {n: [2, -99999999999999999999]}}}
              b:
                function: EchoFunction
                kwargs: {times: 3}
                for_each: {parameter: message, items: [x, .nan, y]}
            """
        let root = try XCTUnwrap(YAMLLoader().load(SourceFile(displayPath: "t.yaml", text: yaml)).root)
        let decoded = JobSpecDecoder().decode(root, file: "t.yaml")
        XCTAssertEqual(decoded.diagnostics.map { "\($0.location!.line):\($0.location!.column) \($0.rule) \($0.message)" }, [
            "3:37 invalid-value integer 99999999999999999999 is out of range (64-bit signed integers only)",
            "4:32 invalid-value the default of run parameter 'odd' is NaN or infinity",
            "6:69 invalid-value integer -99999999999999999999 is out of range (64-bit signed integers only)",
            "10:47 invalid-value parameter 'message' holds NaN or infinity, which no target can pass on exactly",
        ])
        let spec = try XCTUnwrap(decoded.spec)
        XCTAssertNil(spec.params[0].defaultValue)
        XCTAssertEqual(spec.tasks[0].kwargs.map { $0.value?.value }, [.string("a"), nil])
        XCTAssertEqual(spec.tasks[1].kwargs.first?.value?.location, SourceLocation(file: "t.yaml", line: 9, column: 21))
        XCTAssertEqual(spec.tasks[1].forEach?.items.map(\.value), [.string("x"), .string("y")])
        // The contract rule reports nothing more about the refused values.
        let checked = try project.compile(yaml)
        XCTAssertEqual(checked.summary, ["3:37 invalid-value", "4:32 invalid-value", "6:17 unknown-function", "6:69 invalid-value", "10:47 invalid-value"])
    }

    func testIRJSONIsStableAndEscaped() throws {
        let result = try project.compile("""
            job_id: json_job
            description: "quote \\" backslash \\\\ newline \\n tab \\t bell \\a"
            schedule: "@hourly"
            start_date: "2024-01-01"
            tags: [a]
            tasks:
              a: {function: EchoFunction, kwargs: {message: "ü", times: 2}}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        let text = graph.json.rendered(indent: nil)
        XCTAssertTrue(text.hasPrefix("{\"irVersion\":2,\"job\":{\"id\":\"json_job\",\"description\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007\""), text)
        XCTAssertTrue(text.contains("\"schedule\":{\"kind\":\"cron\",\"cron\":\"0 * * * *\",\"preset\":\"@hourly\"}"))
        XCTAssertTrue(text.contains("\"parameters\":{\"message\":\"ü\",\"times\":2}"))
        let parsed = try JSONSerialization.jsonObject(with: Data(graph.json.rendered().utf8)) as? [String: Any]
        XCTAssertEqual(parsed?["irVersion"] as? Int, 2)
    }
}
