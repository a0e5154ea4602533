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
        XCTAssertEqual(CloudSchedulerFile.terraformLiteral("${\u{1F3FB}} %{\u{301} $${x} %x {y}"), "$${\u{1F3FB}} %%{\u{301} $$${x} %x {y}")
    }

    func testFloatsReadAsFloatsInYAML11() {
        XCTAssertEqual(WorkflowsLiteral.float(1e-05), "1.0e-05")
        XCTAssertEqual(WorkflowsLiteral.float(1e20), "1.0e+20")
        XCTAssertEqual(WorkflowsLiteral.float(0.5), "0.5")
    }

    func testOptions() {
        let (options, problems) = CloudWorkflowsOptions.parse(
            ["project": "acme-data", "region": "europe-west1", "executor_url": "http://127.0.0.1:8080"], file: "job.yaml")
        XCTAssertTrue(problems.isEmpty)
        XCTAssertEqual(options.resolvedExecutorURL, "http://127.0.0.1:8080")
        XCTAssertEqual(CloudWorkflowsOptions().resolvedExecutorURL, "https://us-central1-my-project.cloudfunctions.net/jobc-executor")
        let (_, unknown) = CloudWorkflowsOptions.parse(["projet": "x", "region": "us central"], file: "job.yaml")
        XCTAssertEqual(unknown.count, 2)
        XCTAssertTrue(unknown.allSatisfy { $0.severity == .error })
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
        XCTAssertEqual(output.artifacts.count, 1)  // manual: no scheduler file
        XCTAssertEqual(text.components(separatedBy: "call: http.post").count - 1, 25)
        XCTAssertTrue(text.contains("parallel_4:"))
        XCTAssertFalse(text.contains("branch_11:") && !text.contains("parallel_2:"))
    }
}
