import Foundation
import JobcCore
import XCTest

/// `jobc run`'s side of the local executor: which tasks `--only`/`--downstream` select, and the plan line.
final class LocalRunPlanTests: XCTestCase {
    private var project: TestProject!

    override func setUpWithError() throws {
        project = try TestProject()
    }

    override func tearDown() {
        project.remove()
    }

    private func graph() throws -> JobGraph {
        let result = try project.compile("""
            job_id: selection
            groups:
              staging: {}
              inner: {group: staging}
            tasks:
              extract: {function: EchoFunction, kwargs: {message: a}}
              load_a: {function: EchoFunction, group: staging, depends_on: extract, kwargs: {message: b}}
              load_b: {function: EchoFunction, task_id: load_b_task, group: inner, depends_on: extract, kwargs: {message: c}}
              report: {function: EchoFunction, depends_on: staging, kwargs: {message: d}}
              other: {function: EchoFunction, kwargs: {message: e}}
            """)
        return try XCTUnwrap(result.graph, "\(result.summary)")
    }

    func testOnlyTakesTaskKeysTaskIdsAndGroups() throws {
        let graph = try graph()
        XCTAssertEqual(try TaskSelection.keys(in: graph, only: ["load_b_task"], downstream: false), ["load_b"])
        XCTAssertEqual(try TaskSelection.keys(in: graph, only: ["report", "extract"], downstream: false), ["extract", "report"])
        XCTAssertEqual(try TaskSelection.keys(in: graph, only: ["staging"], downstream: false), ["load_a", "load_b"])
        XCTAssertEqual(try TaskSelection.keys(in: graph, only: ["inner"], downstream: false), ["load_b"])
    }

    func testDownstreamAddsEveryTaskAfterTheSelection() throws {
        let graph = try graph()
        XCTAssertEqual(try TaskSelection.keys(in: graph, only: ["extract"], downstream: true), ["extract", "load_a", "load_b", "report"])
        XCTAssertEqual(try TaskSelection.keys(in: graph, only: ["inner"], downstream: true), ["load_b", "report"])
        XCTAssertEqual(try TaskSelection.keys(in: graph, only: ["other"], downstream: true), ["other"])
    }

    func testUnknownNamesAreAllReported() throws {
        let graph = try graph()
        XCTAssertThrowsError(try TaskSelection.keys(in: graph, only: ["nope", "extract", "gone"], downstream: false)) { error in
            XCTAssertEqual((error as? TaskSelection.UnknownNames)?.names, ["nope", "gone"])
        }
    }

    func testThePlanIsOneLineOfJSONHoldingTheIR() throws {
        let graph = try graph()
        let plan = LocalRunPlan(graph: graph, runID: "local__x", logicalDate: "2024-03-01",
                                params: [(name: "label", value: "it's \"quoted\"\nline2")], selectedTasks: ["extract"],
                                maxParallel: 2, runFolder: "/tmp/run", reportPath: nil, projectRoot: "/p")
        XCTAssertTrue(plan.line.hasSuffix("}\n"))
        XCTAssertEqual(plan.line.filter { $0 == "\n" }.count, 1)
        let decoded = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plan.line.utf8)) as? [String: Any])
        XCTAssertEqual(decoded["protocol"] as? Int, LocalRunPlan.protocolVersion)
        XCTAssertEqual((decoded["params"] as? [String: String])?["label"], "it's \"quoted\"\nline2")
        XCTAssertEqual(decoded["tasks"] as? [String], ["extract"])
        XCTAssertTrue(decoded["report"] is NSNull)
        XCTAssertEqual(((decoded["ir"] as? [String: Any])?["job"] as? [String: Any])?["id"] as? String, "selection")
    }

    /// `jobc test`'s members: stubs by task key and the queries to run after the run; absent otherwise.
    func testStubsAndQueriesAreInThePlanOnlyWhenGiven() throws {
        var plan = LocalRunPlan(graph: try graph(), runID: "test__x", logicalDate: "2024-03-01", params: [], selectedTasks: nil,
                                maxParallel: 1, runFolder: "/tmp/run", reportPath: nil, projectRoot: "/p")
        var decoded = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plan.line.utf8)) as? [String: Any])
        XCTAssertNil(decoded["stubs"])
        XCTAssertNil(decoded["queries"])
        plan.stubs = [(task: "extract", stub: TaskStub(failTimes: 2)), (task: "report", stub: TaskStub(fail: true, sleepSeconds: 1.5))]
        plan.queries = [(query: "SELECT 1", secret: "db")]
        decoded = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(plan.line.utf8)) as? [String: Any])
        let stubs = try XCTUnwrap(decoded["stubs"] as? [String: [String: Any]])
        XCTAssertEqual(stubs["extract"]?["fail_times"] as? Int, 2)
        XCTAssertEqual(stubs["extract"]?["fail"] as? Bool, false)
        XCTAssertEqual(stubs["report"]?["fail"] as? Bool, true)
        XCTAssertEqual(stubs["report"]?["sleep"] as? Double, 1.5)
        XCTAssertEqual(decoded["queries"] as? [[String: String]], [["query": "SELECT 1", "secret": "db"]])
    }

    func testJUnitEscapesEveryAttributeAndText() {
        let report = JUnitReport(suites: [.init(name: "a&b.test.yaml", cases: [
            .init(name: "<s>", seconds: 1, failure: "x.yaml:1:2: error: 'q' \"r\"\nline\u{1}2"),
            .init(name: "ok", seconds: 0.5, failure: nil),
        ])])
        let xml = report.xml
        XCTAssertTrue(xml.contains("<testsuite name=\"a&amp;b.test.yaml\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"1.500\">"), xml)
        XCTAssertTrue(xml.contains("name=\"&lt;s&gt;\""), xml)
        XCTAssertTrue(xml.contains("message=\"x.yaml:1:2: error: &apos;q&apos; &quot;r&quot;\""), xml)
        XCTAssertTrue(xml.contains("&quot;r&quot;\nline\u{FFFD}2</failure>"), xml)
        XCTAssertTrue(xml.contains("<testcase classname=\"a&amp;b.test.yaml\" name=\"ok\" time=\"0.500\"/>"), xml)
    }
}
