import Foundation

/// Compiles many job files for one target: the front end on every core, each job emitted on the
/// thread that checked it (a plugin target: one emit batch for the run), then atomic writes. A job
/// with errors writes nothing and leaves its earlier output alone; other jobs still compile.
public struct BatchCompiler: Sendable {
    public let workspace: Workspace
    public let emitter: any Emitter
    public let context: EmitContext

    public init(workspace: Workspace, emitter: any Emitter, context: EmitContext = EmitContext()) {
        self.workspace = workspace
        self.emitter = emitter
        self.context = context
    }

    public struct JobOutcome: Sendable {
        public var displayPath: String
        /// The job's diagnostics, after those of its project's contracts (see `Workspace`).
        public var diagnostics: [Diagnostic]
        public var artifacts: [Artifact]
        /// True when the job's files were written (or `write` was not asked for and it compiled).
        public var succeeded: Bool
    }

    /// Front end for each file, then the emitter over every job that passed it; nothing is
    /// written. Outcomes keep the order of `files`. Two jobs that would write the same file (the
    /// same job_id) make the later one in that order an error.
    public func compile(_ files: [String]) -> [JobOutcome] {
        run(files, writer: nil)
    }

    /// `compile`, writing each successful job's artifacts atomically under `writer`'s folder. A job's
    /// files are staged (written under temporary names) on the thread that emitted it, and renamed
    /// into place as soon as the job is known to own its paths, while later jobs still compile:
    /// creating files is most of what writing costs, and it overlaps the compiling that way.
    public func compileAndWrite(_ files: [String], writer: OutputWriter) -> [JobOutcome] {
        // Beside the compile, not before it: listing a folder of earlier output is a serial start,
        // and the files it deletes (of processes gone) are never the ones this run writes. A folder
        // not there yet holds nothing stale: then nothing lists the files this run is creating
        // (which took the folder's lock from the threads creating them).
        guard FileSystem.isDirectory(writer.outputDirectory) else { return run(files, writer: writer) }
        let cleanup = DispatchGroup()
        DispatchQueue.global().async(group: cleanup) { writer.removeStaleTemporaryFiles() }
        defer { cleanup.wait() }
        return run(files, writer: writer)
    }

    private func run(_ files: [String], writer: OutputWriter?) -> [JobOutcome] {
        let pipeline = workspace.pipeline
        let (emitter, context) = (self.emitter, self.context)
        let ledger = OwnershipLedger(jobs: files.count, writer: writer)
        // A plugin's batch starts with the run (its process loads while the jobs are checked) and
        // takes each job as soon as it is checked.
        let batch = emitter.startBatch(context: context)
        // Only each job's metadata is kept past its emit (the ownership check needs its id), and
        // the spec and the tasks are freed on the thread that holds them.
        let checked: [Compiled?] = workspace.compileJobs(at: files) { index, job in
            var compiled = Compiled(job: job)
            compiled.job.spec = nil
            if let batch {
                // A job the target cannot run as written is refused here and never sent.
                let refusals = job.graph.map { pipeline.checkTargets($0, [emitter]) } ?? []
                batch.add(refusals.containsErrors ? nil : job.graph, at: index)
                compiled.refusals = refusals
                compiled.job.graph = job.graph?.metadataOnly
                return compiled  // emitted with the others below
            }
            if let graph = job.graph {
                compiled.output = pipeline.emit([graph], with: emitter, context: context)[0]
                compiled.job.graph = graph.metadataOnly
                compiled.stage(with: writer)
            }
            ledger.settle(index, compiled)
            return nil
        }
        if let batch {
            var outputs = batch.finish().makeIterator()
            let emitted = checked.map { compiled in
                var compiled = compiled!
                guard compiled.job.graph != nil else { return compiled }
                compiled.output = Pipeline.output(compiled.refusals.containsErrors ? nil : outputs.next(), after: compiled.refusals)
                return compiled
            }
            DispatchQueue.concurrentPerform(iterations: emitted.count) { index in
                var compiled = emitted[index]
                compiled.stage(with: writer)
                ledger.settle(index, compiled)
            }
        }
        return ledger.outcomes
    }
}

/// One job between its emit and the ownership decision.
private struct Compiled: Sendable {
    var job: Workspace.JobCompilation
    var output: EmitterOutput?
    /// In a batch: what the target checks found before the job was sent (warnings go with its output).
    var refusals: [Diagnostic] = []
    /// The job's files under their temporary names, when there is a writer and the job emitted
    /// without error (one that loses the ownership check has them deleted).
    var staged: Staged = nil

    typealias Staged = Result<OutputWriter.StagedFiles, OutputWriter.WriteError>?

    init(job: Workspace.JobCompilation) {
        self.job = job
    }

    mutating func stage(with writer: OutputWriter?) {
        guard let writer, let output, !job.diagnostics.containsErrors, !output.diagnostics.containsErrors else { return }
        staged = Result { () throws(OutputWriter.WriteError) in try writer.stage(output.artifacts) }
    }
}

/// Decides which job owns each output path in `files` order while jobs arrive in any order from
/// the compiling threads: a job is decided once every job before it is, so of two jobs with one
/// job_id the later one in that order is refused, as deciding one after another would. The thread
/// that decides a job also writes it (renames its staged files into place, or deletes them), so
/// files appear while later jobs still compile.
private final class OwnershipLedger: @unchecked Sendable {
    private let writer: OutputWriter?
    private let lock = NSLock()
    /// Jobs that arrived before some job ahead of them.
    private var waiting: [Int: Compiled] = [:]
    private var nextToDecide = 0
    private var owners: [String: String] = [:]
    private var decided: [BatchCompiler.JobOutcome?]

    init(jobs: Int, writer: OutputWriter?) {
        self.writer = writer
        decided = Array(repeating: nil, count: jobs)
    }

    /// Every job's outcome, in `files` order, once every job was settled.
    var outcomes: [BatchCompiler.JobOutcome] {
        lock.withLock { decided.map { $0! } }
    }

    func settle(_ index: Int, _ job: Compiled) {
        var ready: [(index: Int, outcome: BatchCompiler.JobOutcome, staged: Compiled.Staged)] = []
        lock.withLock {
            waiting[index] = job
            while let next = waiting.removeValue(forKey: nextToDecide) {
                ready.append((nextToDecide, decide(next), next.staged))
                nextToDecide += 1
            }
        }
        for (index, outcome, staged) in ready {
            let written = write(outcome, staged)
            lock.withLock { decided[index] = written }
        }
    }

    /// The job's outcome, its paths now owned when it succeeded. Called in `files` order.
    private func decide(_ compiled: Compiled) -> BatchCompiler.JobOutcome {
        let job = compiled.job
        guard let graph = job.graph, let output = compiled.output else {
            return .init(displayPath: job.displayPath, diagnostics: job.allDiagnostics, artifacts: [], succeeded: false)
        }
        var diagnostics = job.diagnostics + output.diagnostics
        for artifact in output.artifacts {
            if let owner = owners[artifact.relativePath] {
                diagnostics.append(.error(
                    .duplicateJobID, "job '\(graph.job.id)' would overwrite \(artifact.relativePath), already generated from \(owner)",
                    at: graph.job.sources.jobID ?? graph.job.sources.fileStart, suggestion: "job ids must be unique across the compiled jobs"))
            }
        }
        let succeeded = !diagnostics.containsErrors
        if succeeded {
            for artifact in output.artifacts { owners[artifact.relativePath] = job.displayPath }
        }
        return .init(
            displayPath: job.displayPath, diagnostics: job.projectDiagnostics + diagnostics,
            artifacts: succeeded ? output.artifacts : [], succeeded: succeeded)
    }

    /// Puts a decided job's staged files in place, or deletes them when the job failed.
    private func write(_ outcome: BatchCompiler.JobOutcome, _ staged: Compiled.Staged) -> BatchCompiler.JobOutcome {
        guard let writer else { return outcome }
        guard outcome.succeeded else {
            if case .success(let files)? = staged { writer.discard(files) }
            return outcome
        }
        var outcome = outcome
        do {
            guard let staged else { preconditionFailure("a job that succeeded was emitted without error, so staged") }
            try writer.commit(staged.get())
        } catch {
            outcome.diagnostics.append(.error(.outputWrite, "\(error)", at: nil))
            outcome.succeeded = false
        }
        return outcome
    }
}

extension BatchCompiler: RuleDeclaring {
    public static let rules: [RuleID] = [.duplicateJobID, .outputWrite]
}

extension RuleID {
    public static let duplicateJobID = RuleID(
        "duplicate-job-id", summary: "Two compiled jobs share a job_id, so they would write the same files.")
    public static let outputWrite = RuleID(
        "output-write", summary: "A generated file could not be written.")
}

extension JobGraph {
    /// The job's metadata without its tasks, edges and groups.
    fileprivate var metadataOnly: JobGraph { JobGraph(job: job, tasks: [], edges: [], groups: []) }
}
