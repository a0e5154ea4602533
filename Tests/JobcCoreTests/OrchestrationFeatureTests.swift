import XCTest
@testable import JobcCore

/// The front end of run parameters, failure alerts, trigger rules, task groups and fan-out
/// (docs/orchestration-features.md): what each becomes in the IR, and every way it can be wrong.
final class OrchestrationFeatureTests: XCTestCase {
    private var project: TestProject!

    override func setUpWithError() throws {
        project = try TestProject()
    }

    override func tearDown() {
        project.remove()
    }

    // MARK: Run parameters

    func testRunParametersAreTypedAndKeepTheirOrder() throws {
        let result = try project.compile("""
            job_id: params
            params:
              region: {type: string, default: emea, description: Sales region}
              limit: {type: integer, default: 10}
              ratio: {type: number, default: 2}
              dry_run: {type: boolean, default: false}
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.job.params, [
            RunParameter(name: "region", type: .string, defaultValue: .string("emea"), description: "Sales region", location: at(3, 3)),
            RunParameter(name: "limit", type: .integer, defaultValue: .integer(10), description: nil, location: at(4, 3)),
            RunParameter(name: "ratio", type: .number, defaultValue: .integer(2), description: nil, location: at(5, 3)),
            RunParameter(name: "dry_run", type: .boolean, defaultValue: .bool(false), description: nil, location: at(6, 3)),
        ])
        let json = graph.json.rendered(indent: nil)
        XCTAssertTrue(json.contains(#""params":[{"name":"region","type":"string","default":"emea","description":"Sales region","source":{"line":3,"column":3}}"#), json)
    }

    func testBadRunParametersAreAllReported() throws {
        let result = try project.compile("""
            job_id: params
            params:
              execution_date: {type: string, default: x}
              count: {type: integer, default: "3"}
              ratio: {type: flaot, default: 1}
              Bad-Name: {type: string, default: x}
              no_default: {type: string}
              label: {type: string, default: 12}
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}}
            """)
        XCTAssertNil(result.graph)
        XCTAssertEqual(result.summary, [
            "3:3 invalid-identifier", "4:35 wrong-type", "5:17 invalid-value", "6:3 invalid-identifier",
            "7:15 missing-key", "8:34 wrong-type",
        ])
        let quote = result.diagnostics.first { $0.location?.line == 8 }
        XCTAssertEqual(quote?.suggestion, "quote it: \"12\"")
        let typo = result.diagnostics.first { $0.location?.line == 5 }
        XCTAssertEqual(typo?.suggestion, "use one of: string, integer, number, boolean")
    }

    // MARK: Failure alerts

    func testTaskAlertsAddToTheJobsOnesOnce() throws {
        let result = try project.compile("""
            job_id: alerts
            on_failure:
              webhook: https://hooks.example.com/jobc
              email: [oncall@example.com]
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}}
              b:
                function: EchoFunction
                kwargs: {message: b}
                on_failure: {webhook: [https://hooks.example.com/jobc, "http://127.0.0.1:8080/x"], email: owner@example.com}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.tasks[0].onFailure, FailureAlerts(webhooks: ["https://hooks.example.com/jobc"], emails: ["oncall@example.com"]))
        XCTAssertEqual(graph.tasks[1].onFailure, FailureAlerts(
            webhooks: ["https://hooks.example.com/jobc", "http://127.0.0.1:8080/x"], emails: ["oncall@example.com", "owner@example.com"]))
    }

    func testBadAlertsPointAtEachValue() throws {
        let result = try project.compile("""
            job_id: alerts
            on_failure:
              webhook: [ftp://example.com, "http://", "https://exa mple.com/", "https://u:pw@example.com/"]
              email: [not-an-address, "a@b@c", ok@example.com]
              slack: "#ops"
            tasks:
              a:
                function: EchoFunction
                kwargs: {message: a}
                on_failure: {}
            """)
        XCTAssertNil(result.graph)
        XCTAssertEqual(result.summary, [
            "3:13 invalid-value", "3:32 invalid-value", "3:43 invalid-value", "3:68 invalid-value",
            "4:11 invalid-value", "4:27 invalid-value", "5:3 unknown-key", "10:17 warning invalid-value",
        ])
        let password = result.diagnostics.first { $0.location?.column == 68 }
        XCTAssertEqual(password?.message.contains("user name or password"), true, "\(String(describing: password))")
    }

    // MARK: Trigger rules

    func testTriggerRulesReachTheIRAndOneFailedNeedsAnUpstreamTask() throws {
        let good = try project.compile("""
            job_id: rules
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}}
              cleanup: {function: EchoFunction, kwargs: {message: c}, depends_on: a, trigger_rule: one_failed}
              audit: {function: EchoFunction, kwargs: {message: d}, depends_on: [a, cleanup], trigger_rule: all_done}
            """)
        let graph = try XCTUnwrap(good.graph, "\(good.summary)")
        XCTAssertEqual(graph.tasks.map(\.triggerRule), [.allSuccess, .oneFailed, .allDone])
        XCTAssertTrue(graph.usesTriggerRules)

        let bad = try project.compile("""
            job_id: rules
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}, trigger_rule: one_failed}
              b: {function: EchoFunction, kwargs: {message: b}, trigger_rule: all_done}
              c: {function: EchoFunction, kwargs: {message: c}, depends_on: a, trigger_rule: one_faild}
            """)
        XCTAssertEqual(bad.summary, ["3:67 trigger-rule-upstream", "4:67 warning trigger-rule-upstream", "5:82 invalid-value"])
        XCTAssertEqual(bad.diagnostics.sortedByLocation().last?.suggestion, "did you mean 'one_failed'?")
    }

    // MARK: Task groups

    func testGroupEndpointsExpandToEveryTaskOfTheGroup() throws {
        let result = try project.compile("""
            job_id: groups
            groups:
              staging: {description: Load}
              per_table: {group: staging}
              reporting: {depends_on: staging}
            tasks:
              extract: {function: EchoFunction, kwargs: {message: e}}
              load_a: {function: EchoFunction, kwargs: {message: a}, group: per_table, depends_on: extract}
              load_b: {function: EchoFunction, kwargs: {message: b}, group: per_table, depends_on: extract}
              check: {function: EchoFunction, kwargs: {message: c}, group: staging, depends_on: per_table}
              publish: {function: EchoFunction, kwargs: {message: p}, group: reporting}
              notify: {function: EchoFunction, kwargs: {message: n}, group: reporting, depends_on: publish}
              done: {function: EchoFunction, kwargs: {message: d}, depends_on: reporting}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.groups.map(\.key), ["staging", "per_table", "reporting"])
        XCTAssertEqual(graph.groups.map(\.parent), [nil, "staging", nil])
        XCTAssertEqual(graph.tasks.map(\.group), [nil, "per_table", "per_table", "staging", "reporting", "reporting", nil])
        // staging → reporting orders every task of staging before every task of reporting, and
        // reporting → done both of reporting's tasks before done: edges implied by others stay, as a
        // trigger rule decides on every upstream task.
        XCTAssertEqual(graph.edges.map { "\($0.source)>\($0.target)" }, [
            "extract>load_a", "extract>load_b", "load_a>check", "load_a>publish", "load_a>notify", "load_b>check",
            "load_b>publish", "load_b>notify", "check>publish", "check>notify", "publish>notify", "publish>done", "notify>done",
        ])
        XCTAssertEqual(graph.groupAndDescendants("staging"), ["staging", "per_table"])
    }

    func testChildGroupsComeAfterTheirParentsWhateverTheDeclarationOrder() throws {
        let result = try project.compile("""
            job_id: groups
            groups:
              inner: {group: outer}
              outer: {}
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}, group: inner}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.groups.map(\.key), ["outer", "inner"])
    }

    func testBrokenGroupsAreAllReported() throws {
        let result = try project.compile("""
            job_id: groups
            groups:
              a: {group: b}
              b: {group: a}
              empty_one:
              extract: {}
              outer: {depends_on: inner_task}
              other: {group: outr}
            tasks:
              extract: {function: EchoFunction, kwargs: {message: e}, group: nope}
              inner_task: {function: EchoFunction, kwargs: {message: i}, group: outer}
              x: {function: EchoFunction, kwargs: {message: x}, group: other, depends_on: [a, missing]}
            """)
        XCTAssertNil(result.graph)
        XCTAssertEqual(result.summary, [
            "3:3 invalid-group", "3:14 dependency-cycle", "4:3 invalid-group", "5:3 invalid-group",
            "6:3 duplicate-task-id", "6:3 invalid-group", "7:23 dependency-cycle", "8:18 invalid-group",
            "10:66 invalid-group", "12:83 unknown-dependency",
        ])
        let typo = result.diagnostics.first { $0.location?.line == 8 }
        XCTAssertEqual(typo?.suggestion, "did you mean 'outer'?")
    }

    func testATaskOrAGroupMayShareTheJobsID() throws {
        // Engines keep job names apart from task and graph names (Dagster loads a job `sales` with an
        // op `sales` inside a graph `sales_group`, and a graph named like its job).
        let result = try project.compile("""
            job_id: sales
            groups:
              sales_group: {}
            tasks:
              sales: {function: EchoFunction, kwargs: {message: e}, group: sales_group}
            """)
        XCTAssertNotNil(result.graph, "\(result.summary)")
        let groupNamedLikeTheJob = try project.compile("""
            job_id: sales
            groups:
              sales: {}
            tasks:
              extract: {function: EchoFunction, kwargs: {message: e}, group: sales}
            """)
        XCTAssertNotNil(groupNamedLikeTheJob.graph, "\(groupNamedLikeTheJob.summary)")
    }

    func testTheRunOutcomeNameIsReservedForTasksAndGroups() throws {
        let result = try project.compile("""
            job_id: reserved
            groups:
              jobc_run_outcome: {}
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}, task_id: jobc_run_outcome}
              b: {function: EchoFunction, kwargs: {message: b}, group: jobc_run_outcome}
            """)
        XCTAssertNil(result.graph)
        XCTAssertEqual(result.summary.filter { $0.hasSuffix("reserved-name") }, ["3:3 reserved-name", "5:62 reserved-name"])
    }

    func testATaskInAGroupSeesEveryUpstreamTaskOfTheGroupForItsTriggerRule() throws {
        // x runs whatever a did (all_done); y must still see a's failure, so a stays y's upstream.
        let result = try project.compile("""
            job_id: rules
            groups:
              g: {depends_on: a}
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}}
              x: {function: EchoFunction, kwargs: {message: x}, group: g, trigger_rule: all_done}
              y: {function: EchoFunction, kwargs: {message: y}, group: g, depends_on: x}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.upstreamByTask["y"].map(Set.init), ["a", "x"])
    }

    func testACycleThroughGroupsIsReportedAtADeclaredEdge() throws {
        let result = try project.compile("""
            job_id: groups
            groups:
              g: {depends_on: b}
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}, group: g}
              b: {function: EchoFunction, kwargs: {message: b}, depends_on: g}
            """)
        XCTAssertNil(result.graph)
        XCTAssertEqual(result.summary.filter { $0.hasSuffix("dependency-cycle") }.count, 1, "\(result.summary)")

        // Two groups of two tasks: each declared dependency closes the cycle through four task
        // edges, still one error per declared dependency.
        let wide = try project.compile("""
            job_id: groups
            groups:
              g: {depends_on: h}
              h: {}
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}, group: g}
              b: {function: EchoFunction, kwargs: {message: b}, group: g}
              c: {function: EchoFunction, kwargs: {message: c}, group: h, depends_on: g}
              d: {function: EchoFunction, kwargs: {message: d}, group: h, depends_on: g}
            """)
        XCTAssertNil(wide.graph)
        XCTAssertEqual(Set(wide.summary.filter { $0.hasSuffix("dependency-cycle") }).count,
                       wide.summary.filter { $0.hasSuffix("dependency-cycle") }.count, "\(wide.summary)")
        XCTAssertLessThanOrEqual(wide.summary.filter { $0.hasSuffix("dependency-cycle") }.count, 2, "\(wide.summary)")
    }

    // MARK: Fan-out

    func testFanOutItemsAreCheckedAsTheKwargTheyBecome() throws {
        let good = try project.compile("""
            job_id: fan
            tasks:
              load:
                function: EchoFunction
                for_each: {parameter: message, items: [orders, customers]}
              count: {function: EchoFunction, kwargs: {message: n}, depends_on: load}
            """)
        let graph = try XCTUnwrap(good.graph, "\(good.summary)")
        XCTAssertEqual(graph.tasks[0].forEach, FanOut(parameter: "message", items: [.string("orders"), .string("customers")]))
        XCTAssertEqual(graph.tasks[0].parameters.map(\.key), [])

        let bad = try project.compile("""
            job_id: fan
            tasks:
              a:
                function: EchoFunction
                kwargs: {message: x}
                for_each: {parameter: message, items: [one, 2]}
              b:
                function: EchoFunction
                kwargs: {message: x}
                for_each: {parameter: mesage, items: [one]}
              c:
                function: EchoFunction
                kwargs: {message: x}
                for_each: {parameter: repeat, items: []}
            """)
        XCTAssertEqual(bad.summary, ["5:14 function-parameters", "6:49 function-parameters", "10:27 function-parameters", "14:42 invalid-value"])
    }

    func testAFanOutOverAPathParameterRefersToEveryItemsFile() throws {
        try project.write("orchestration/sql/two.sql", "select 2;\n")
        let result = try project.compile("""
            job_id: fan
            tasks:
              run:
                function: EchoFunction
                kwargs: {message: m}
                for_each: {parameter: script, items: [./orchestration/sql/two.sql, orchestration/sql/../sql/ok.sql]}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.tasks[0].fileReferences, [
            FileReference(parameter: "script", path: "orchestration/sql/two.sql"),
            FileReference(parameter: "script", path: "orchestration/sql/ok.sql"),
        ])
    }

    /// What the check found on disk is what every target passes: `ok.sql/` passed the check as
    /// `ok.sql`, and kept its slash in the kwargs, failing at run time with NotADirectoryError.
    func testPathParametersReachTheIRAsTheNormalisedPathTheCheckFound() throws {
        let result = try project.compile("""
            job_id: paths
            tasks:
              run:
                function: EchoFunction
                kwargs: {message: m, script: orchestration/sql/ok.sql/}
              each:
                function: EchoFunction
                kwargs: {message: m}
                for_each: {parameter: script, items: [./orchestration//sql/ok.sql, orchestration/gone/../sql/ok.sql/]}
            """)
        let graph = try XCTUnwrap(result.graph, "\(result.summary)")
        XCTAssertEqual(graph.tasks[0].parameters.first { $0.key == "script" }?.value, .string("orchestration/sql/ok.sql"))
        XCTAssertEqual(graph.tasks[0].parameters.first { $0.key == "message" }?.value, .string("m"))
        XCTAssertEqual(graph.tasks[1].forEach?.items, [.string("orchestration/sql/ok.sql"), .string("orchestration/sql/ok.sql")])
        XCTAssertEqual(graph.tasks[0].fileReferences, [FileReference(parameter: "script", path: "orchestration/sql/ok.sql")])
    }

    // MARK: Portability

    func testABehaviourChangingFeatureATargetLacksIsAnErrorAndGroupsOnlyWarn() throws {
        let result = try project.compile("""
            job_id: port
            groups: {g: {}}
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}, group: g}
              b: {function: EchoFunction, kwargs: {message: b}, depends_on: a, trigger_rule: all_done}
            """)
        let graph = try XCTUnwrap(result.graph)
        let problems = PortabilityCheck.check(graph, target: BareEmitter())
        XCTAssertEqual(problems.map { "\($0.severity == .error ? "error" : "warning") \($0.location!.line)" }, ["warning 2", "error 5"])
        XCTAssertTrue(problems[1].message.contains("(trigger-rules)"), problems[1].message)
    }

    /// A start_date after the day of the run is a use of `start-date`; one before it, or with no
    /// day given (the core never reads the clock), is none.
    func testOnlyAStartDateStillToComeIsReportedToATargetWithoutStartDates() throws {
        let result = try project.compile("""
            job_id: later
            schedule: "@daily"
            start_date: "2031-05-02T01:00:00+02:00"
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}}
            """)
        let graph = try XCTUnwrap(result.graph)
        let honours = StartDateTarget(supported: [.cronSchedule: "cron", .startDate: "skips ticks before it"])
        let ignores = StartDateTarget(supported: [.cronSchedule: "cron"], workarounds: [.startDate: "apply it on START"])
        // 2031-05-02T01:00+02:00 is 2031-05-01T23:00Z: still to come on 2031-04-30, not on 2031-05-01.
        let before = CalendarDay(year: 2031, month: 4, day: 30)
        let problems = PortabilityCheck.check(graph, target: ignores, today: before)
        XCTAssertEqual(problems.map { "\($0.severity) \($0.location!.line):\($0.location!.column)" }, ["warning 3:13"])
        XCTAssertEqual(problems.first?.message,
                       "target 'start-dates' cannot express start_date 2031-05-02T01:00:00+02:00, which is still to come (today is 2031-04-30 in UTC)")
        XCTAssertEqual(problems.first?.suggestion, "apply it on START")
        XCTAssertEqual(PortabilityCheck.check(graph, target: honours, today: before), [])
        XCTAssertEqual(PortabilityCheck.check(graph, target: ignores, today: CalendarDay(year: 2031, month: 5, day: 1)), [])
        XCTAssertEqual(PortabilityCheck.check(graph, target: ignores, today: CalendarDay(year: 2032, month: 1, day: 1)), [])
        XCTAssertEqual(PortabilityCheck.check(graph, target: ignores), [])
        XCTAssertEqual(Pipeline(today: before).checkTargets(graph, [ignores]).count, 1)
    }

    func testAStartDateFallsOnItsDayInUTC() throws {
        func day(_ text: String) throws -> String { try StartDate.parse(text).get().utcDay.description }
        XCTAssertEqual(try day("2024-03-01"), "2024-03-01")
        XCTAssertEqual(try day("2024-03-01T00:30:00+02:00"), "2024-02-29")
        XCTAssertEqual(try day("2023-03-01T00:30:00+02:00"), "2023-02-28")
        XCTAssertEqual(try day("2024-01-01T01:00:00+05:00"), "2023-12-31")
        XCTAssertEqual(try day("2024-12-31T20:00:00-05:00"), "2025-01-01")
        XCTAssertEqual(try day("2024-04-30T23:59:00-00:01"), "2024-05-01")
        XCTAssertEqual(CalendarDay(Date(timeIntervalSince1970: 86_400 * 365 - 1)).description, "1970-12-31")
        XCTAssertLessThan(CalendarDay(year: 2024, month: 12, day: 31), CalendarDay(year: 2025, month: 1, day: 1))
    }
}

/// A target with a cron schedule, and a start date or not.
private struct StartDateTarget: Emitter {
    let name = "start-dates"
    let summary = "schedules"
    let capabilities: TargetCapabilities
    init(supported: [TargetCapabilities.Feature: String], workarounds: [TargetCapabilities.Feature: String] = [:]) {
        capabilities = TargetCapabilities(supported: supported, workarounds: workarounds)
    }
    func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput { EmitterOutput(artifacts: []) }
}

/// A target that supports none of the optional features.
private struct BareEmitter: Emitter {
    let name = "bare"
    let summary = "nothing optional"
    let capabilities = TargetCapabilities(supported: [:])
    func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput { EmitterOutput(artifacts: []) }
}

/// A place in the test job file.
private func at(_ line: Int, _ column: Int) -> SourceLocation {
    SourceLocation(file: "job.yaml", line: line, column: column)
}
