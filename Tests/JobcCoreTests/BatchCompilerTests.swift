import Foundation
import JobcCore
import XCTest

/// `BatchCompiler` compiles jobs in parallel; what it reports must not depend on thread timing.
final class BatchCompilerTests: XCTestCase {
    /// Writes `<job_id>.txt` holding the job id and the job file's name. Emits job by job like the
    /// built-in targets, or in one batch like a plugin.
    private struct JobIDEmitter: Emitter {
        let name = "job-id"
        let summary = "test emitter"
        let capabilities = TargetCapabilities(supported: Dictionary(
            uniqueKeysWithValues: TargetCapabilities.Feature.allCases.map { ($0, "test") }))
        var emitsInABatch = false

        func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
            let file = (graph.job.sources.fileStart.file as NSString).lastPathComponent
            return EmitterOutput(artifacts: [Artifact(relativePath: graph.job.id + ".txt", contents: "\(graph.job.id) from \(file)\n")])
        }

        func startBatch(context: EmitContext) -> (any EmitBatch)? {
            emitsInABatch ? Batch(emitter: self) : nil
        }
    }

    /// Keeps the run's jobs by position and emits them when the run ends, as a plugin does.
    private final class Batch: EmitBatch, @unchecked Sendable {
        private let emitter: JobIDEmitter
        private let lock = NSLock()
        private var graphs: [Int: JobGraph] = [:]
        private var positions: Set<Int> = []

        init(emitter: JobIDEmitter) {
            self.emitter = emitter
        }

        func add(_ graph: JobGraph?, at position: Int) {
            lock.withLock {
                XCTAssertTrue(positions.insert(position).inserted, "position \(position) added twice")
                graphs[position] = graph
            }
        }

        func finish() -> [EmitterOutput] {
            lock.withLock {
                XCTAssertEqual(positions, Set(0..<positions.count), "every position is added")
                return graphs.keys.sorted().map { emitter.emit(graphs[$0]!, context: EmitContext()) }
            }
        }
    }

    /// 60 jobs of one project: files 10 and 25 reuse job 3's id, job 7 fails so file 30 may take its
    /// id, and the project's broken contract is reported with the first job.
    private func jobsWithDuplicateIDs(in project: TestProject) throws -> [String] {
        // A broken contract: its diagnostics belong to the first job of the project.
        try project.write("orchestration/function/broken.contract.yaml", "name: Broken\n")
        var files: [String] = []
        for index in 0..<60 {
            // Files 10 and 25 reuse job 3's id (later ones lose); job 7 fails, so file 30 may take its id.
            let id = [10: 3, 25: 3, 30: 7][index].map { "job_\($0)" } ?? "job_\(index)"
            let function = index == 7 ? "NoSuchFunction" : "EchoFunction"
            let relative = "jobs/file_\(String(format: "%02d", index)).yaml"
            try project.write(relative, """
                job_id: \(id)
                tasks:
                  greet:
                    function: \(function)
                    kwargs: {message: hello}
                """)
            files.append(project.root + "/" + relative)
        }
        return files
    }

    func testOutcomesDoNotDependOnThreadTiming() throws {
        let project = try TestProject()
        defer { project.remove() }
        let files = try jobsWithDuplicateIDs(in: project)
        var firstRun: [String]?
        for _ in 0..<5 {
            let outcomes = BatchCompiler(workspace: Workspace(), emitter: JobIDEmitter()).compile(files)
            XCTAssertEqual(outcomes.map(\.displayPath), files)
            let aboutContract = outcomes.map { $0.diagnostics.contains { $0.location?.file.hasSuffix("broken.contract.yaml") == true } }
            XCTAssertEqual(aboutContract.indices.filter { aboutContract[$0] }, [0], "project diagnostics go with the first job only")
            XCTAssertEqual(outcomes.indices.filter { !outcomes[$0].succeeded }, [7, 10, 25])
            XCTAssertTrue(outcomes[10].diagnostics.contains { $0.rule == .duplicateJobID && $0.message.hasSuffix(files[3]) })
            XCTAssertEqual(outcomes[30].artifacts.map(\.relativePath), ["job_7.txt"], "job 7 wrote nothing, so job 30 owns its file")
            let summary = summary(of: outcomes)
            XCTAssertEqual(summary, firstRun ?? summary)
            firstRun = summary
        }
    }

    func testParallelWritesProduceEveryFile() throws {
        let project = try TestProject()
        defer { project.remove() }
        let files = try (0..<40).map { index -> String in
            try project.write("jobs/job_\(index).yaml", "job_id: job_\(index)\ntasks:\n  greet:\n    function: EchoFunction\n    kwargs: {message: hi}\n")
            return project.root + "/jobs/job_\(index).yaml"
        }
        let output = project.root + "/out"
        let outcomes = BatchCompiler(workspace: Workspace(), emitter: JobIDEmitter())
            .compileAndWrite(files, writer: OutputWriter(outputDirectory: output))
        XCTAssertTrue(outcomes.allSatisfy(\.succeeded))
        for index in 0..<40 {
            XCTAssertEqual(try String(contentsOfFile: output + "/job_\(index).txt", encoding: .utf8), "job_\(index) from job_\(index).yaml\n")
        }
    }

    /// Files are staged as jobs finish and renamed once a job is known to own them: whatever the
    /// order jobs finish in, the earlier file of two with one job_id is the one written, and the
    /// loser's staged file is deleted. Both the job-by-job and the batch (plugin) path.
    func testWrittenFilesComeFromTheOwningJobAndNoStagedFileIsLeft() throws {
        let project = try TestProject()
        defer { project.remove() }
        let files = try jobsWithDuplicateIDs(in: project)
        for inABatch in [false, true] {
            for run in 0..<3 {
                let output = project.root + "/out-\(inABatch)-\(run)"
                let outcomes = BatchCompiler(workspace: Workspace(), emitter: JobIDEmitter(emitsInABatch: inABatch))
                    .compileAndWrite(files, writer: OutputWriter(outputDirectory: output))
                XCTAssertEqual(outcomes.indices.filter { !outcomes[$0].succeeded }, [7, 10, 25])
                let written = try FileManager.default.contentsOfDirectory(atPath: output)
                XCTAssertEqual(written.count, 57, "one file per successful job, no temporary file: \(written.filter { $0.hasPrefix(".") })")
                XCTAssertEqual(try String(contentsOfFile: output + "/job_3.txt", encoding: .utf8), "job_3 from file_03.yaml\n")
                XCTAssertEqual(try String(contentsOfFile: output + "/job_7.txt", encoding: .utf8), "job_7 from file_30.yaml\n")
            }
        }
    }

    private func summary(of outcomes: [BatchCompiler.JobOutcome]) -> [String] {
        outcomes.map { outcome in
            "\(outcome.succeeded) \(outcome.artifacts.map(\.relativePath)) "
                + outcome.diagnostics.map { "\($0.rule):\($0.location.map { "\($0.line):\($0.column)" } ?? "-")" }.joined(separator: ",")
        }
    }
}
