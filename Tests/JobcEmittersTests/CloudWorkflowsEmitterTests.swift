import JobcCore
@testable import JobcEmitters
import XCTest

final class CloudWorkflowsEmitterTests: XCTestCase {
    func testStringsHoldingAnExpressionStayLiteral() {
        XCTAssertEqual(WorkflowsLiteral.string("plain \"x\"\n"), #""plain \"x\"\n""#)
        XCTAssertEqual(WorkflowsLiteral.string("${x}"), #""${text.decode(base64.decode(\"JHt4fQ==\"))}""#)
        XCTAssertEqual(WorkflowsLiteral.string("$x {y}"), #""$x {y}""#)
    }

    /// Found by the emitter property test (Tests/integration/test_emitter_properties.py): Swift's
    /// `contains` and `replacingOccurrences` compare grapheme clusters, and `{` followed by an emoji
    /// modifier or a combining mark is one cluster, so `${` went through unescaped; Workflows and
    /// Terraform read code points and would evaluate it.
    func testExpressionStartsFollowedByAModifierAreCaughtToo() {
        for text in ["${\u{1F3FB}x}", "a${\u{301}", "\u{202E}${\u{1F3FB}\u{FD}"] {
            XCTAssertTrue(WorkflowsLiteral.string(text).hasPrefix("\"${text.decode(base64.decode("), text.debugDescription)
        }
    }

    func testFloatsReadAsFloatsInYAML11() {
        XCTAssertEqual(YAMLLiteral.float(1e-05), "1.0e-05")
        XCTAssertEqual(YAMLLiteral.float(1e20), "1.0e+20")
        XCTAssertEqual(YAMLLiteral.float(0.5), "0.5")
    }

    func testOptions() throws {
        let values = try TargetOptionValues.parse(
            ["project=acme-data", "region=europe-west1", "executor_url=http://127.0.0.1:8080"], for: CloudWorkflowsEmitter())
        let options = CloudWorkflowsOptions(values)
        XCTAssertEqual(options.resolvedExecutorURL, "http://127.0.0.1:8080")
        XCTAssertEqual(options.project, "acme-data")
        XCTAssertEqual(CloudWorkflowsOptions().resolvedExecutorURL, "https://us-central1-my-project.cloudfunctions.net/jobc-executor")
        XCTAssertEqual(CloudWorkflowsOptions(try TargetOptionValues.parse([], for: CloudWorkflowsEmitter())), CloudWorkflowsOptions())
        // Every problem at once, one per line, each naming the option.
        XCTAssertThrowsError(try TargetOptionValues.parse(["projet=x", "region=us central", "novalue"], for: CloudWorkflowsEmitter())) { error in
            let lines = String(describing: error).split(separator: "\n")
            XCTAssertEqual(lines.count, 3, "\(error)")
            XCTAssertTrue(lines[0].contains("unknown option \"projet\" for target 'cloud-workflows'; did you mean 'project'?"), "\(lines[0])")
            XCTAssertTrue(lines[1].contains("region"), "\(lines[1])")
        }
    }

    func testWideGraphsNestParallelStepsWithinTenBranches() {
        let function = FunctionReference(name: "F", module: "m", className: "F")
        let tasks = (0..<25).map { index in
            TaskNode(key: "t\(index)", taskID: "t\(index)", function: function, parameters: [], fileReferences: [],
                     secretName: nil, retry: RetryPolicy(retries: 0, delay: RetryPolicy.defaultDelay), timeout: nil,
                     sourceLine: index + 1, sourceColumn: 1)
        }
        let graph = JobGraph(
            job: JobMetadata(id: "wide", description: nil, schedule: .manual, startDate: nil, catchup: false, tags: [], sourcePath: "wide.yaml"),
            tasks: tasks, edges: [])
        let output = CloudWorkflowsEmitter().emit(graph, context: EmitContext())
        let text = output.artifacts[0].contents
        XCTAssertEqual(output.artifacts.map(\.relativePath), ["wide.workflows.yaml", "wide.workflow.tf.json"])  // manual: no scheduler file
        XCTAssertEqual(text.components(separatedBy: "call: http.post").count - 1, 25)
        XCTAssertTrue(text.contains("parallel_4:"))
        XCTAssertFalse(text.contains("branch_11:") && !text.contains("parallel_2:"))
    }

    // MARK: IR v2 features

    private static let function = FunctionReference(name: "F", module: "m", className: "F")

    private static func task(_ key: String, group: String? = nil, rule: TriggerRule = .allSuccess, retries: Int = 0,
                             forEach: FanOut? = nil, onFailure: FailureAlerts = FailureAlerts()) -> TaskNode {
        TaskNode(key: key, taskID: key, function: function, parameters: [], fileReferences: [], secretName: nil,
                 retry: RetryPolicy(retries: retries, delay: RetryPolicy.defaultDelay), timeout: nil, sourceLine: 1,
                 sourceColumn: 1, group: group, triggerRule: rule, onFailure: onFailure, forEach: forEach)
    }

    private static func program(_ tasks: [TaskNode], _ edges: [(String, String)], groups: [TaskGroup] = [],
                                params: [RunParameter] = []) -> String {
        let graph = JobGraph(
            job: JobMetadata(id: "features", description: nil, schedule: .manual, startDate: nil, catchup: false, tags: [],
                             sourcePath: "features.yaml", params: params),
            tasks: tasks, edges: edges.map { Edge(source: $0.0, target: $0.1) }, groups: groups)
        let output = CloudWorkflowsEmitter().emit(graph, context: EmitContext())
        XCTAssertFalse(output.diagnostics.containsErrors)
        return output.artifacts[0].contents
    }

    func testEveryIRVersion2FeatureIsDeclared() {
        let declared = Set(CloudWorkflowsEmitter().capabilities.supported.keys)
        XCTAssertTrue(declared.isSuperset(of: [.runParams, .failureAlerts, .triggerRules, .taskGroups, .fanOut]))
    }

    /// Failures are recorded, never raised in a branch; the run fails at the end, listing them.
    func testTriggerRulesAreSwitchesOnRecordedStates() {
        let text = Self.program(
            [Self.task("a"), Self.task("b", rule: .oneFailed), Self.task("c", rule: .allDone)], [("a", "b"), ("a", "c")])
        XCTAssertTrue(text.contains(#"- condition: "${states[\"a\"] in [\"failed\", \"upstream_failed\"]}""#))
        XCTAssertTrue(text.contains(#"- condition: "${not(states[\"a\"] in [\"failed\", \"upstream_failed\"])}""#))
        XCTAssertTrue(text.contains("- task_c:\n"))
        XCTAssertFalse(text.contains("- run_c:"))
        XCTAssertFalse(text.contains("fail_a:"))
        XCTAssertTrue(text.contains("- fail_run:"))
        XCTAssertTrue(text.contains(#"- "states[\"a\"]": "failed""#))
    }

    func testAGroupThePlanKeepsTogetherIsANestedStepsBlockAndOneItSplitsIsNamedInTheHeader() {
        let groups = [
            TaskGroup(key: "staging", parent: nil, description: nil, sourceLine: 1, sourceColumn: 1),
            TaskGroup(key: "inner", parent: "staging", description: nil, sourceLine: 2, sourceColumn: 1),
            TaskGroup(key: "apart", parent: nil, description: nil, sourceLine: 3, sourceColumn: 1),
        ]
        let text = Self.program(
            [Self.task("a", group: "apart"), Self.task("b", group: "inner"), Self.task("c", group: "staging"), Self.task("d", group: "apart")],
            [("a", "b"), ("b", "c"), ("c", "d")], groups: groups)
        XCTAssertTrue(text.contains("- group_staging:\n        steps:\n          - group_inner:\n              steps:\n                - task_b:"), text)
        XCTAssertFalse(text.contains("group_apart"))
        XCTAssertTrue(text.contains("# Group apart (tasks a, d): not one part of this program's plan"))
    }

    /// workflows-emulator loses what sibling branches record while a nested parallel step runs, so a
    /// parallel step (or a fan-out) inside a branch is a subworkflow returning the states.
    func testParallelStepsInsideBranchesAreSubworkflows() {
        let text = Self.program(
            [Self.task("a"), Self.task("b"), Self.task("c"), Self.task("d", forEach: FanOut(parameter: "p", items: [.string("x"), .integer(2)]))],
            [("a", "c"), ("b", "c")], groups: [])
        XCTAssertTrue(text.contains("\nfan_out_d:\n  params: [run_id, logical_date, states]\n"), text)
        XCTAssertTrue(text.contains("result: states_fan_out_d"))
        XCTAssertTrue(text.contains(#"- "states[\"d\"]": "${states_fan_out_d[\"d\"]}""#))
        XCTAssertTrue(text.contains("\nparallel_2:\n  params: [run_id, logical_date, states]\n"), text)
    }

    func testFanOutIsAParallelForLoopWithOneAttemptCounterPerItem() {
        let text = Self.program(
            [Self.task("load", retries: 2, forEach: FanOut(parameter: "table_name", items: [.string("a"), .string("${b}"), .integer(3)]))], [])
        XCTAssertTrue(text.contains("- attempts_load: [0, 0, 0]"))
        XCTAssertTrue(text.contains("shared: [states, attempts_load, error_load]"))
        XCTAssertTrue(text.contains("value: item_load\n"))
        XCTAssertTrue(text.contains("index: index_load\n"))
        XCTAssertTrue(text.contains(#"- "${text.decode(base64.decode(\"JHtifQ==\"))}""#))
        XCTAssertTrue(text.contains(#"item_json: "${json.encode_to_string(item_load)}""#))
        XCTAssertTrue(text.contains(#"- attempts_load[index_load]: "${attempts_load[index_load] + 1}""#))
    }

    func testRunParametersAreResolvedOnceBeforeAnyTaskAndAlertsTravelWithEachCall() {
        let params = [RunParameter(name: "region", type: .string, defaultValue: .string("${x}"), description: nil)]
        let alerts = FailureAlerts(webhooks: ["https://h.example/${y}"], emails: ["a@example.com"])
        let text = Self.program([Self.task("a", onFailure: alerts)], [], params: params)
        let resolve = text.range(of: "- resolve_params:")!.lowerBound
        XCTAssertLessThan(resolve, text.range(of: "- task_a:")!.lowerBound)
        XCTAssertTrue(text.contains(#"argument_json: "${json.encode_to_string(args)}""#))
        XCTAssertTrue(text.contains(#"params_json: "${params}""#))
        XCTAssertTrue(text.contains(#"- {"name": "region", "type": "string", "default": "${text.decode(base64.decode(\"JHt4fQ==\"))}"}"#))
        XCTAssertTrue(text.contains(#"- "${text.decode(base64.decode(\"aHR0cHM6Ly9oLmV4YW1wbGUvJHt5fQ==\"))}""#))
        XCTAssertFalse(text.contains("check_params"))
    }
}
