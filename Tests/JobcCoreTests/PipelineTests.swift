import Foundation
import JobcCore
import XCTest

/// The pipeline's own contracts: one batch per run, refusals before the emitter, read-back of what
/// jobc writes itself.
final class PipelineTests: XCTestCase {
    private var project: TestProject!

    override func setUpWithError() throws {
        project = try TestProject()
    }

    override func tearDown() {
        project.remove()
    }

    /// Counts its batches and the jobs in them; writes `<job_id>.txt`.
    private final class CountingTarget: Emitter, @unchecked Sendable {
        let name = "counting"
        let summary = "counts batches"
        let capabilities = TargetCapabilities(supported: [.retries: "yes"])
        private(set) var batches: [[String]] = []

        func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
            emit([graph], context: context)[0]
        }

        func emit(_ graphs: [JobGraph], context: EmitContext) -> [EmitterOutput] {
            batches.append(graphs.map(\.job.id))
            return graphs.map { EmitterOutput(artifacts: [Artifact(relativePath: $0.job.id + ".txt", contents: "")]) }
        }
    }

    func testATargetGetsOneBatchAndNeverSeesAJobItCannotRun() throws {
        let plain = try XCTUnwrap(project.compile("job_id: plain\ntasks:\n  a: {function: EchoFunction, kwargs: {message: a}}\n").graph)
        let ruled = try XCTUnwrap(project.compile("""
            job_id: ruled
            tasks:
              a: {function: EchoFunction, kwargs: {message: a}}
              b: {function: EchoFunction, kwargs: {message: b}, depends_on: a, trigger_rule: all_done}
            """).graph)
        let target = CountingTarget()
        let outputs = Pipeline().emit([plain, ruled, plain], with: target, context: EmitContext())
        XCTAssertEqual(target.batches, [["plain", "plain"]], "one batch, without the job the target cannot express")
        XCTAssertEqual(outputs.map(\.artifacts.count), [1, 0, 1])
        XCTAssertEqual(outputs[1].diagnostics.map(\.rule), [.targetUnsupported])
        XCTAssertEqual(outputs[1].diagnostics.first?.location?.line, 4, "located from the IR's source map")
    }

    func testWhatJobcWritesItselfMustReadBack() {
        XCTAssertEqual(Pipeline().readBack("job_id: fine\ntasks:\n  a: {function: F}\n", as: "fine.yaml"), [])
        let broken = Pipeline().readBack("job_id: broken\n", as: "broken.yaml")
        XCTAssertEqual(broken.map(\.rule), [.missingKey])
        XCTAssertTrue(broken[0].notes.contains { $0.message.contains("bug in jobc") }, "\(broken)")
    }
}
