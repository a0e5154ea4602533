import JobcCore
@testable import JobcEmitters
import XCTest

/// Layout decisions of the Dagster emitter that the golden files show only for one job each.
final class DagsterEmitterTests: XCTestCase {
    private static let function = FunctionReference(name: "F", module: "m", className: "F")

    private func task(_ key: String, group: String? = nil, rule: TriggerRule = .allSuccess, items: [String]? = nil) -> TaskNode {
        TaskNode(key: key, taskID: key, function: Self.function, parameters: [], fileReferences: [], secretName: nil,
                 retry: RetryPolicy(retries: 0, delay: RetryPolicy.defaultDelay), timeout: nil, sourceLine: 1, sourceColumn: 1,
                 group: group, triggerRule: rule,
                 forEach: items.map { FanOut(parameter: "item", items: $0.map(ParameterValue.string)) })
    }

    private func graph(_ tasks: [TaskNode], _ edges: [(String, String)], groups: [TaskGroup] = [],
                       params: [RunParameter] = []) -> JobGraph {
        JobGraph(
            job: JobMetadata(id: "job", description: nil, schedule: .manual, startDate: nil, catchup: false, tags: [],
                             sourcePath: "job.yaml", params: params),
            tasks: tasks, edges: edges.map { Edge(source: $0.0, target: $0.1) }, groups: groups)
    }

    private func group(_ key: String, parent: String? = nil) -> TaskGroup {
        TaskGroup(key: key, parent: parent, description: nil, sourceLine: 1, sourceColumn: 1)
    }

    private func emit(_ graph: JobGraph) -> String {
        DagsterEmitter().emit(graph, context: EmitContext()).artifacts[0].contents
    }

    func testEveryOrchestrationFeatureIsDeclared() {
        let supported = DagsterEmitter().capabilities.supported
        for feature in [TargetCapabilities.Feature.runParams, .failureAlerts, .triggerRules, .taskGroups, .fanOut] {
            XCTAssertNotNil(supported[feature], feature.rawValue)
        }
    }

    func testGroupsNestAsGraphsWithInputsAndOutputsInDependencyOrder() {
        // `inside` waits for `early`, outside its group, and `after` waits for it from outside.
        let text = emit(graph(
            [task("early"), task("inside", group: "g"), task("after")],
            [("early", "inside"), ("inside", "after")], groups: [group("g")]))
        XCTAssertTrue(text.contains("""
            @dg.graph(
                name="g",
                ins={"early": dg.GraphIn()},
                out={"inside": dg.GraphOut()},
            )
            def g(early):
                inside_done = inside(early=early)
                return {"inside": inside_done}
            """), text)
        XCTAssertTrue(text.contains("""
                early_done = early()
                inside_done2 = g(early=early_done)
                after(inside=inside_done2)
            """), text)
        XCTAssertFalse(text.contains("jobc/group"))
    }

    func testAGroupThatAnOutsideTaskInterleavesBecomesOpTags() {
        let text = emit(graph(
            [task("a", group: "inner"), task("b"), task("c", group: "outer")],
            [("a", "b"), ("b", "c")], groups: [group("outer"), group("inner", parent: "outer")]))
        XCTAssertFalse(text.contains("@dg.graph"), text)
        XCTAssertTrue(text.contains("tags={\"jobc/group\": \"outer/inner\"},"), text)
        XCTAssertTrue(text.contains("tags={\"jobc/group\": \"outer\"},"), text)
    }

    func testFeatureNamesAreReservedOnlyWhenTheJobUsesTheFeature() {
        let plain = emit(graph([task("jobc_params"), task("jobc_run_outcome_key")], []))
        XCTAssertTrue(plain.contains("\njobc_params = jobc_op("), plain)
        let params = [RunParameter(name: "n", type: .integer, defaultValue: .integer(1), description: nil)]
        let withParams = emit(graph([task("jobc_params")], [], params: params))
        XCTAssertTrue(withParams.contains("\njobc_params_op = jobc_op("), withParams)
        XCTAssertTrue(withParams.contains("jobc_params = jobc_params_resource(["), withParams)
        XCTAssertTrue(withParams.contains("resource_defs={\"jobc_params\": jobc_params},"), withParams)
    }

    func testTriggerRulesPassOutcomesToEveryOpAndTheRunOutcomeOp() {
        let text = emit(graph(
            [task("fans", items: ["x", "y"]), task("cleanup", rule: .oneFailed, items: ["z"])],
            [("fans", "cleanup")]))
        XCTAssertTrue(text.contains("trigger_rule=\"all_success\","), text)
        XCTAssertTrue(text.contains("trigger_rule=\"one_failed\","), text)
        // A fan-out task after a fan-out task: its items op collects the other's outcomes.
        XCTAssertTrue(text.contains("    collects=[\"fans\"],\n    outcomes=True,\n"), text)
        XCTAssertTrue(text.contains("""
                fans_done = fans_items().map(lambda item_: fans(jobc_item_=item_))
                cleanup_items_outputs = cleanup_items(fans=fans_done.collect())
                cleanup_done = cleanup_items_outputs.items_.map(lambda item_: cleanup(jobc_item_=item_, fans=cleanup_items_outputs.fans))
                jobc_run_outcome(fans=fans_done.collect(), cleanup=cleanup_done.collect())
            """), text)
    }
}
