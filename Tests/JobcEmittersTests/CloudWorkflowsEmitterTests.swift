import Foundation
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

    func testWideGraphsRunInAtMostFifteenLanesTenBranches() {
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
        XCTAssertEqual(text.components(separatedBy: "action: run_task").count - 1, 25)
        XCTAssertTrue(text.contains("- lanes_5_15:"))
        XCTAssertTrue(text.contains("- lane_10:"))
        XCTAssertFalse(text.contains("- lane_16:"))
        XCTAssertEqual(WorkflowsLimits.check(program: text), [])
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

    /// The executor decides trigger rules from recorded states: the program holds no expression
    /// over upstream states, and the job's dependencies and rules travel as data.
    func testTriggerRulesAndDependenciesAreDataForTheExecutor() {
        let text = Self.program(
            [Self.task("a"), Self.task("b", rule: .oneFailed), Self.task("c", rule: .allDone)], [("a", "b"), ("a", "c")])
        XCTAssertTrue(text.contains(#"defaults: {function: "m:F"}"#), text)
        XCTAssertTrue(text.contains(#"- {key: "b", trigger_rule: "one_failed", upstream: ["a"]}"#), text)
        XCTAssertTrue(text.contains(#"- {key: "c", trigger_rule: "all_done", upstream: ["a"]}"#))
        XCTAssertFalse(text.contains("states["))
        XCTAssertTrue(text.contains("- fail_run:"))
        XCTAssertTrue(text.contains("- lane_2:"))
    }

    /// A fan-in of any width adds one name per upstream task to the table and nothing to any expression.
    func testWideFanInKeepsEveryExpressionShort() {
        let sources = (0..<60).map { Self.task("source_table_with_a_long_name_\($0)") }
        let text = Self.program(sources + [Self.task("join")], sources.map { ($0.key, "join") })
        let expressions = text.components(separatedBy: "${").dropFirst().map { $0.prefix { $0 != "}" } }
        XCTAssertLessThan(expressions.map(\.count).max()!, 120)
        XCTAssertTrue(text.contains(#"upstream: ["source_table_with_a_long_name_0", "#))
    }

    /// Groups have no runtime meaning beyond the dependencies the IR already expanded.
    func testGroupsBecomeTheirDependencies() {
        let groups = [TaskGroup(key: "staging", parent: nil, description: nil, sourceLine: 1, sourceColumn: 1)]
        let text = Self.program([Self.task("a", group: "staging"), Self.task("b", group: "staging"), Self.task("c")],
                                [("a", "c"), ("b", "c")], groups: groups)
        XCTAssertFalse(text.contains("group_"))
        XCTAssertTrue(text.contains(#"upstream: ["a", "b"]"#))
    }

    func testFanOutIsAGateThenAParallelLoopOverItemIndices() {
        let text = Self.program(
            [Self.task("load", retries: 2, forEach: FanOut(parameter: "table_name", items: [.string("a"), .string("${b}"), .integer(3)]))], [])
        XCTAssertTrue(text.contains("- gate_load:"))
        XCTAssertTrue(text.contains("range: [0, 2]"))
        XCTAssertTrue(text.contains("value: index_load\n"))
        XCTAssertTrue(text.contains(#"index: "${index_load}""#))
        // An item holding ${ sends the whole member as base64 JSON: never an expression.
        let json = #"{"parameter":"table_name","items":["a","${b}",3]}"#
        XCTAssertTrue(text.contains("for_each_b64: " + YAMLLiteral.string(Data(json.utf8).base64EncodedString())), text)
        XCTAssertTrue(text.contains(#"- {key: "load", function: "m:F", retries: 2, for_each_b64: "#))
    }

    func testRunParametersAndAlertsTravelInTheJobTable() {
        let params = [RunParameter(name: "region", type: .string, defaultValue: .string("${x}"), description: nil)]
        let alerts = FailureAlerts(webhooks: ["https://h.example/${y}"], emails: ["a@example.com"])
        let text = Self.program([Self.task("a", onFailure: alerts)], [], params: params)
        XCTAssertLessThan(text.range(of: "- start_run:")!.lowerBound, text.range(of: "- task_a:")!.lowerBound)
        XCTAssertTrue(text.contains(#"argument_json: "${json.encode_to_string(args)}""#))
        XCTAssertTrue(text.contains(#"- {name: "region", type: "string", default_b64: ""#), text)
        XCTAssertTrue(text.contains("on_failure_b64: "))
        XCTAssertFalse(text.contains("text.decode"))
    }

    /// The inline form bills 2 steps a task; a job whose inline program would pass 128 KB gets the
    /// shared subworkflow form, which 300 tasks with long names and kwargs fit.
    func testLargeJobsCallASharedSubworkflowAndFitIn128KB() {
        func job(_ count: Int) -> String {
            let tasks = (0..<count).map { index in
                TaskNode(key: "load_customer_orders_partition_\(index)", taskID: "load_customer_orders_partition_\(index)",
                         function: FunctionReference(name: "PostgreSQLFunction", module: "postgres_sql_function", className: "PostgreSQLFunction"),
                         parameters: [.init(key: "sql_file_path", value: .string("orchestration/sql/load_customer_orders_\(index).sql"))],
                         fileReferences: [], secretName: "postgres_credentials", retry: RetryPolicy(retries: 2, delay: Duration(seconds: 60)),
                         timeout: Duration(seconds: 3600), sourceLine: index + 1, sourceColumn: 1)
            }
            let edges = (1..<count).map { Edge(source: tasks[($0 - 1) / 3].key, target: tasks[$0].key) }
            let graph = JobGraph(
                job: JobMetadata(id: "big", description: nil, schedule: .manual, startDate: nil, catchup: false, tags: [], sourcePath: "big.yaml"),
                tasks: tasks, edges: edges)
            return CloudWorkflowsEmitter().emit(graph, context: EmitContext()).artifacts[0].contents
        }
        let small = job(20), large = job(300)
        XCTAssertTrue(small.contains("2 billed steps a task"))
        XCTAssertFalse(small.contains("jobc_task:"))
        XCTAssertTrue(large.contains("\njobc_task:\n"))
        XCTAssertTrue(large.contains("\"load_customer_orders_partition_299\""))
        XCTAssertTrue(large.contains("            - run_task: {call: jobc_task, args: {key: \"${key}\"}}\n"), large)
        XCTAssertLessThanOrEqual(large.utf8.count, 128 * 1024)
    }
}

final class WorkflowsLanesTests: XCTestCase {
    private static func graph(_ count: Int, _ edges: [(Int, Int)]) -> JobGraph {
        let function = FunctionReference(name: "F", module: "m", className: "F")
        let tasks = (0..<count).map { index in
            TaskNode(key: "t\(index)", taskID: "t\(index)", function: function, parameters: [], fileReferences: [], secretName: nil,
                     retry: RetryPolicy(retries: 0, delay: RetryPolicy.defaultDelay), timeout: nil, sourceLine: 1, sourceColumn: 1)
        }
        return JobGraph(
            job: JobMetadata(id: "g", description: nil, schedule: .manual, startDate: nil, catchup: false, tags: [], sourcePath: "g.yaml"),
            tasks: tasks, edges: edges.map { Edge(source: "t\($0.0)", target: "t\($0.1)") })
    }

    /// No wait can close a cycle: the job's dependencies plus "after the lane's previous task" are acyclic.
    private static func assertLanesKeepTopologicalOrder(_ lanes: WorkflowsLanes, _ count: Int, _ edges: [(Int, Int)],
                                                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(lanes.lanes.flatMap { $0 }.sorted(), Array(0..<count), file: file, line: line)
        XCTAssertLessThanOrEqual(lanes.lanes.count, WorkflowsLanes.maximumLanes, file: file, line: line)
        var waits = edges
        for lane in lanes.lanes { waits += zip(lane, lane.dropFirst()).map { ($0, $1) } }
        var remaining = Array(repeating: 0, count: count)
        for (_, target) in waits { remaining[target] += 1 }
        var ready = (0..<count).filter { remaining[$0] == 0 }
        var done = 0
        while let node = ready.popLast() {
            done += 1
            for (source, target) in waits where source == node {
                remaining[target] -= 1
                if remaining[target] == 0 { ready.append(target) }
            }
        }
        XCTAssertEqual(done, count, "a wait cycle", file: file, line: line)
    }

    func testAChainIsOneLaneAndADiamondLosesNothing() {
        let chain = WorkflowsLanes(graph: Self.graph(1000, (1..<1000).map { ($0 - 1, $0) }))
        XCTAssertEqual(chain.lanes.count, 1)
        XCTAssertEqual(chain.unitMakespan, 1000)
        let diamond = WorkflowsLanes(graph: Self.graph(4, [(0, 1), (0, 2), (1, 3), (2, 3)]))
        XCTAssertEqual(diamond.lanes, [[0, 1, 3], [2]])
        XCTAssertEqual(diamond.unitMakespan, diamond.unitCriticalPath)
    }

    func testManyIndependentTasksShareFifteenLanesOrTenWithAFanOut() {
        let lanes = WorkflowsLanes(graph: Self.graph(120, []))
        XCTAssertEqual(lanes.lanes.count, 15)
        XCTAssertEqual(lanes.lanes.map(\.count), Array(repeating: 8, count: 15))
        XCTAssertEqual(lanes.unitMakespan, 8)
        Self.assertLanesKeepTopologicalOrder(lanes, 120, [])
        var withFanOut = Self.graph(120, [])
        withFanOut.tasks[0].forEach = FanOut(parameter: "p", items: [.integer(1)])
        XCTAssertEqual(WorkflowsLanes(graph: withFanOut).lanes.count, 10)
        XCTAssertEqual(WorkflowsProgramFile.branchGroups(15), (0..<10).map { $0 < 5 ? [$0, $0 + 10] : [$0] })
    }

    func testRandomDAGsKeepOrderAndStayNearTheCriticalPath() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let count = Int.random(in: 1...60, using: &generator)
            var edges: [(Int, Int)] = []
            for target in 1..<max(count, 1) {
                for source in 0..<target where Double.random(in: 0..<1, using: &generator) < 3.0 / Double(target + 1) {
                    edges.append((source, target))
                }
            }
            let lanes = WorkflowsLanes(graph: Self.graph(count, edges))
            Self.assertLanesKeepTopologicalOrder(lanes, count, edges)
            XCTAssertGreaterThanOrEqual(lanes.unitMakespan, lanes.unitCriticalPath)
            // List scheduling on ten machines: at most work / 10 + critical path (Graham).
            XCTAssertLessThanOrEqual(lanes.unitMakespan, count / 10 + lanes.unitCriticalPath + 1)
        }
    }
}

final class CloudWorkflowsLimitsInEmitTests: XCTestCase {
    private static func chain(_ count: Int) -> JobGraph {
        let function = FunctionReference(name: "PostgreSQLFunction", module: "postgres_sql_function", className: "PostgreSQLFunction")
        let tasks = (0..<count).map { index in
            TaskNode(key: "transform_step_\(index)", taskID: "transform_step_\(index)", function: function,
                     parameters: [.init(key: "sql_file_path", value: .string("orchestration/sql/transform_\(index).sql"))],
                     fileReferences: [], secretName: "postgres_credentials", retry: RetryPolicy(retries: 0, delay: RetryPolicy.defaultDelay),
                     timeout: nil, sourceLine: index + 1, sourceColumn: 1)
        }
        var sources = JobSources(file: "chain.yaml")
        sources.jobID = SourceLocation(file: "chain.yaml", line: 1, column: 9)
        return JobGraph(
            job: JobMetadata(id: "chain", description: nil, schedule: .manual, startDate: nil, catchup: false, tags: [],
                             sourcePath: "chain.yaml", sources: sources),
            tasks: tasks, edges: (1..<count).map { Edge(source: "transform_step_\($0 - 1)", target: "transform_step_\($0)") })
    }

    /// A program over Google's limits is a located error naming the limit and what to do, and no file.
    func testAJobTooLargeForOneProgramIsALocatedErrorAndWritesNothing() {
        let output = CloudWorkflowsEmitter().emit(Self.chain(1000), context: EmitContext())
        XCTAssertEqual(output.artifacts.count, 0)
        let error = try? XCTUnwrap(output.diagnostics.first { $0.severity == .error })
        XCTAssertEqual(error?.rule, .targetLimit)
        XCTAssertEqual(error?.location?.line, 1)
        XCTAssertTrue(error?.message.contains("131072") == true, error?.message ?? "")
        XCTAssertTrue(error?.suggestion?.contains("split the job") == true)
    }

    /// Every program states its own figures against the limits, the file's size included.
    func testTheHeaderStatesTheProgramsFiguresAgainstTheLimits() throws {
        let text = CloudWorkflowsEmitter().emit(Self.chain(300), context: EmitContext()).artifacts[0].contents
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("# Google's limits: ") })
        XCTAssertTrue(line.contains("source \(text.utf8.count) of 131072 bytes"), String(line))
        XCTAssertEqual(WorkflowsLimits.check(program: text), [])
    }
}

/// The issue's bar: every program for a job of up to 300 tasks, of any shape, within every limit.
final class CloudWorkflowsShapesTests: XCTestCase {
    private static let function = FunctionReference(name: "PostgreSQLFunction", module: "postgres_sql_function", className: "PostgreSQLFunction")

    /// A realistic task: a long name, a SQL file, a secret, and (every third) retries and a timeout.
    private static func task(_ index: Int, group: String? = nil, rule: TriggerRule = .allSuccess, items: Int = 0) -> TaskNode {
        let key = "load_regional_sales_partition_\(index)"
        return TaskNode(
            key: key, taskID: key, function: function,
            parameters: [.init(key: "sql_file_path", value: .string("orchestration/sql/regional_sales/partition_\(index).sql")),
                         .init(key: "region", value: .string("europe-west-\(index % 7)"))],
            fileReferences: [], secretName: "postgres_credentials",
            retry: RetryPolicy(retries: index % 3 == 0 ? 2 : 0, delay: Duration(seconds: 120)),
            timeout: index % 3 == 0 ? Duration(seconds: 7200) : nil, sourceLine: index + 1, sourceColumn: 1,
            group: group, triggerRule: rule,
            forEach: items > 0 ? FanOut(parameter: "table_name", items: (0..<items).map { .string("raw_events_shard_\($0)") }) : nil)
    }

    private static func program(_ name: String, _ tasks: [TaskNode], _ edges: [(Int, Int)], groups: [TaskGroup] = []) -> String {
        let graph = JobGraph(
            job: JobMetadata(id: name, description: nil, schedule: .manual, startDate: nil, catchup: false, tags: [], sourcePath: name + ".yaml"),
            tasks: tasks, edges: edges.map { Edge(source: tasks[$0.0].key, target: tasks[$0.1].key) }, groups: groups)
        let output = CloudWorkflowsEmitter().emit(graph, context: EmitContext())
        XCTAssertFalse(output.diagnostics.containsErrors, "\(name): \(output.diagnostics.map(\.message))")
        return output.artifacts.first?.contents ?? ""
    }

    func testEveryShapeOfThreeHundredTasksFitsGooglesLimits() {
        let count = 300
        var shapes: [(String, [TaskNode], [(Int, Int)], [TaskGroup])] = []
        shapes.append(("chain", (0..<count).map { Self.task($0) }, (1..<count).map { ($0 - 1, $0) }, []))
        // 60-way fan-in: sixty sources into one join, then a chain.
        shapes.append(("fan_in", (0..<count).map { Self.task($0) }, (0..<60).map { ($0, 60) } + (61..<count).map { ($0 - 1, $0) }, []))
        // 120-way fan-out: one task, then 120 independent tasks, each continued by a short chain.
        shapes.append(("fan_out", (0..<count).map { Self.task($0) }, (1...120).map { (0, $0) } + (121..<count).map { ($0 - 120, $0) }, []))
        // Layered, width 10, with trigger rules, retries, groups, and fan-out tasks of 120 items.
        let groups = (0..<30).map { TaskGroup(key: "layer_\($0)", parent: nil, description: nil, sourceLine: 1, sourceColumn: 1) }
        var layered: [TaskNode] = []
        var layers: [(Int, Int)] = []
        for index in 0..<count {
            let rule: TriggerRule = index % 17 == 5 ? .oneFailed : (index % 13 == 4 ? .allDone : .allSuccess)
            layered.append(Self.task(index, group: "layer_\(index / 10)", rule: rule, items: index % 50 == 7 ? 120 : 0))
            guard index >= 10 else { continue }
            let previousLayer = (index / 10 - 1) * 10
            layers.append((index - 10, index))
            layers.append((previousLayer + (index + 1) % 10, index))
        }
        shapes.append(("layered", layered, layers, groups))
        for (name, tasks, edges, groups) in shapes {
            let text = Self.program(name, tasks, edges, groups: groups)
            XCTAssertEqual(WorkflowsLimits.check(program: text), [], name)
            XCTAssertLessThanOrEqual(text.utf8.count, WorkflowsLimits.maximumSourceBytes, name)
        }
    }
}
