import Foundation
@testable import JobcEmitters
import XCTest

/// Google's Cloud Workflows resource limits on hand-made programs at each limit and one past it.
/// The programs are the fixtures the Python check reads too (Tests/integration/fixtures/
/// workflows_limits/, `# expect:` lines in the check's order); both checks must agree on each.
final class WorkflowsLimitsTests: XCTestCase {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsFolder.appendingPathComponent("../integration/fixtures/workflows_limits").standardized
    static let goldens = testsFolder.appendingPathComponent("Golden/cloud-workflows")

    /// A violation as the Python check prints it: "LIMIT ACTUAL/MAXIMUM at PATH".
    static func line(_ violation: WorkflowsLimitViolation) -> String {
        let actual = violation.actual == WorkflowsLimits.unbounded ? "unbounded" : String(violation.actual)
        return "\(violation.limit.rawValue) \(actual)/\(violation.maximum) at \(violation.path.isEmpty ? "(program)" : violation.path)"
    }

    static func programs(in folder: URL) throws -> [(name: String, text: String)] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".workflows.yaml") }.sorted()
            .map { ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
    }

    func testEveryFixtureGivesTheViolationsItExpects() throws {
        let programs = try Self.programs(in: Self.fixtures)
        XCTAssertGreaterThan(programs.count, 20)
        var stated = Set<String>()
        for (name, text) in programs {
            let expected = text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst("# expect: ".count)) }
            XCTAssertEqual(expected.isEmpty, name.hasSuffix("_ok.workflows.yaml"), "\(name): only *_ok fixtures expect no violation")
            XCTAssertEqual(WorkflowsLimits.check(program: text).map(Self.line), expected, name)
            stated.formUnion(expected.map { String($0.prefix { $0 != " " }) })
        }
        XCTAssertEqual(stated, Set(WorkflowsLimitViolation.Limit.allCases.map(\.rawValue)), "a fixture past every limit")
    }

    /// The (limit, actual, maximum) of each limit's fixture one past it, and that the one at it passes.
    func testEachLimitAtAndOnePast() throws {
        let cases: [(at: String, past: String, limit: WorkflowsLimitViolation.Limit, actual: Int)] = [
            ("source_131072_ok", "source_131073", .sourceSize, 131_073),
            ("expression_400_ok", "expression_401", .expressionLength, 401),
            ("assignments_50_ok", "assignments_51", .assignmentsPerStep, 51),
            ("conditions_50_ok", "conditions_51", .conditionsPerSwitch, 51),
            ("branches_10_ok", "branches_11", .branchesPerParallel, 11),
            ("nesting_2_ok", "nesting_3", .parallelNesting, 3),
            ("nesting_2_via_call_ok", "nesting_3_via_call", .parallelNesting, 3),
            ("calls_20_ok", "calls_21", .subworkflowCallDepth, 21),
            ("sample_ok", "recursion", .subworkflowCallDepth, WorkflowsLimits.unbounded),
            ("sample_ok", "recursion_predicate", .subworkflowCallDepth, WorkflowsLimits.unbounded),
            ("steps_100000_ok", "steps_100001", .stepsPerExecution, 100_001),
            ("memory_524288_ok", "memory_524289", .variableMemory, 524_289),
        ]
        for (at, past, limit, actual) in cases {
            XCTAssertEqual(WorkflowsLimits.check(program: try fixture(at)), [], at)
            let violations = WorkflowsLimits.check(program: try fixture(past))
            XCTAssertEqual(violations.map(\.limit), [limit], past)
            XCTAssertEqual(violations.first?.actual, actual, past)
            XCTAssertEqual(violations.first?.maximum, limit.maximum, past)
        }
    }

    func testFiguresOfAProgramAtEveryLimit() throws {
        XCTAssertEqual(WorkflowsLimits.measure(program: try fixture("source_131072_ok")).figures.sourceBytes, 131_072)
        XCTAssertEqual(WorkflowsLimits.measure(program: try fixture("expression_400_ok")).figures.longestExpression, 400)
        XCTAssertEqual(WorkflowsLimits.measure(program: try fixture("assignments_50_ok")).figures.maxAssignments, 50)
        XCTAssertEqual(WorkflowsLimits.measure(program: try fixture("conditions_50_ok")).figures.maxConditions, 50)
        XCTAssertEqual(WorkflowsLimits.measure(program: try fixture("branches_10_ok")).figures.maxBranches, 10)
        XCTAssertEqual(WorkflowsLimits.measure(program: try fixture("nesting_2_via_call_ok")).figures.parallelDepth, 2)
        XCTAssertEqual(WorkflowsLimits.measure(program: try fixture("calls_20_ok")).figures.callDepth, 20)
        XCTAssertEqual(WorkflowsLimits.measure(program: try fixture("steps_100000_ok")).figures.stepsUpperBound, 100_000)
        XCTAssertEqual(WorkflowsLimits.measure(program: try fixture("memory_524288_ok")).figures.variableMemoryBytes, 524_288)
    }

    func testStepsOfEachKindOfStep() {
        let program = """
            main:
              steps:
                - init:
                    assign:
                      - x: 1
                - pick:
                    switch:
                      - condition: ${x > 1}
                        steps:
                          - a:
                              assign:
                                - y: 1
                          - b:
                              call: helper
                      - condition: ${x > 0}
                        return: 1
                - fan:
                    parallel:
                      branches:
                        - one:
                            steps:
                              - c:
                                  call: sys.log
                        - two:
                            steps:
                              - d:
                                  try:
                                    call: helper
                                  except:
                                    steps:
                                      - e:
                                          raise: ${e}
                - loop:
                    for:
                      value: i
                      range: [1, 3]
                      steps:
                        - f:
                            call: helper
            helper:
              steps:
                - g:
                    assign:
                      - z: 1
                - h:
                    return: ${z}
            """
        // init 1; pick 1 + max(a 1 + b (1 + helper 2), return 1) = 5; fan 1 + one (1 + c 1) + two (1 + d (1 +
        // inline call 1 + helper 2 + except e 1)) = 9; loop 1 + 3 × (f 1 + helper 2) = 10; helper alone is 2.
        XCTAssertEqual(WorkflowsLimits.measure(program: program).figures.stepsUpperBound, 1 + 5 + 9 + 10)
        XCTAssertEqual(WorkflowsLimits.measure(program: program).figures.callDepth, 1)
        XCTAssertEqual(WorkflowsLimits.measure(program: program).figures.parallelDepth, 1)
    }

    /// Twenty subworkflows, each calling the next ten times: more than 10^19 steps, counted at once
    /// (each subworkflow walked once) and saturating instead of overflowing.
    func testFanOutThroughSubworkflowsIsCountedOnceAndSaturates() {
        var program = "main:\n  steps:\n    - go:\n        call: s1\n"
        for level in 1...20 {
            program += "s\(level):\n  steps:\n"
            for call in 0..<10 where level < 20 {
                program += "    - c\(call):\n        call: s\(level + 1)\n"
            }
            if level == 20 { program += "    - done:\n        return: 1\n" }
        }
        let report = WorkflowsLimits.measure(program: program)
        XCTAssertEqual(report.figures.stepsUpperBound, WorkflowsLimits.unbounded)
        XCTAssertEqual(report.figures.callDepth, 20)
        XCTAssertEqual(report.violations.map(Self.line), ["stepsPerExecution unbounded/100000 at main.steps"])
    }

    /// Programs up to 128 KB and well past it are checked in one linear pass: a 1,000-task-like
    /// program of several megabytes takes well under the time a quadratic pass would.
    func testAProgramOfAThousandTasksIsCheckedQuickly() {
        var program = "main:\n  steps:\n"
        for task in 0..<1_000 {
            program += """
                    - task_\(task):
                        try:
                          steps:
                            - call_\(task):
                                call: http.post
                                args:
                                  url: "https://example.com/run"
                                  body: {task: "task_\(task)", attempt: "${attempt_\(task)}"}
                            - done_\(task):
                                assign:
                                  - "states[\\"task_\(task)\\"]": "success"
                        retry:
                          predicate: ${should_retry}
                          max_retries: 1
                        except:
                          steps:
                            - failed_\(task):
                                assign:
                                  - "states[\\"task_\(task)\\"]": "failed"

                """
        }
        program += "should_retry:\n  params: [e]\n  steps:\n    - no:\n        return: false\n"
        let start = Date()
        let report = WorkflowsLimits.measure(program: program)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertEqual(report.violations.map(\.limit), [.sourceSize])
        XCTAssertEqual(report.figures.stepsUpperBound, 1_000 * 5)
        XCTAssertEqual(report.figures.callDepth, 1)
    }

    func testTextThatIsNoProgramIsCheckedForItsSizeOnly() {
        for text in ["", "just text", "[unclosed", "- 1\n- 2\n", "main: 5", "main:\n  steps: {a: 1}\n", "{a: [b, {c: d}]}"] {
            XCTAssertEqual(WorkflowsLimits.check(program: text), [], text)
        }
        let oversized = String(repeating: "#", count: WorkflowsLimits.maximumSourceBytes) + "\n: [unclosed"
        XCTAssertEqual(WorkflowsLimits.check(program: oversized).map(\.limit), [.sourceSize])
    }

    func testExpressionsAreMeasuredInCharactersToTheirClosingBrace() {
        XCTAssertEqual(WorkflowsExpressionScan.longestExpression(in: "${a}"), 4)
        XCTAssertEqual(WorkflowsExpressionScan.longestExpression(in: #"x ${f("}{")} y ${ab}"#), 10)
        XCTAssertEqual(WorkflowsExpressionScan.longestExpression(in: "${é}"), 4)
        XCTAssertEqual(WorkflowsExpressionScan.longestExpression(in: #"${map.get({"a": 1}, "a")}"#), 25)
        XCTAssertEqual(WorkflowsExpressionScan.longestExpression(in: "${never closed"), 14)
        XCTAssertEqual(WorkflowsExpressionScan.longestExpression(in: "no $ {expression}"), 0)
    }

    func testMessagesNameTheLimitTheFiguresAndWhatToDo() throws {
        let violation = try XCTUnwrap(WorkflowsLimits.check(program: try fixture("branches_11")).first)
        XCTAssertEqual(violation.path, "main.steps[0].fan.parallel.branches")
        XCTAssertTrue(violation.message.contains("11 branches"), violation.message)
        XCTAssertTrue(violation.message.contains("allows 10"), violation.message)
        let recursion = try XCTUnwrap(WorkflowsLimits.check(program: try fixture("recursion")).first)
        XCTAssertEqual(recursion.detail, "ping → pong → ping")
        XCTAssertTrue(recursion.message.contains("recursive (ping → pong → ping)"), recursion.message)
        let calls = try XCTUnwrap(WorkflowsLimits.check(program: try fixture("calls_21")).first)
        XCTAssertEqual(calls.detail, (["main"] + (1...21).map { "s\($0)" }).joined(separator: " → "))
    }

    /// Every golden Cloud Workflows program is within every limit.
    func testGoldenProgramsAreWithinTheLimits() throws {
        let programs = try Self.programs(in: Self.goldens)
        XCTAssertFalse(programs.isEmpty)
        for (name, text) in programs {
            XCTAssertEqual(WorkflowsLimits.check(program: text).map(Self.line), [], name)
        }
    }

    private func fixture(_ name: String) throws -> String {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name + ".workflows.yaml"), encoding: .utf8)
    }
}
