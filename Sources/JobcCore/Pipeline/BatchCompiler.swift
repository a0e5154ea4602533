/// Compiles many job files for one target: the front end on every core, one emit batch for the
/// run, then atomic writes. A job with errors writes nothing and leaves its earlier output alone;
/// other jobs still compile.
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
        let pipeline = workspace.pipeline
        let (emitter, context) = (self.emitter, self.context)
        // A job-by-job target emits each job on the thread that checked it, while its IR is at hand;
        // either way only each job's metadata is kept past its emit (the ownership check below needs
        // its id), and the spec and the tasks are freed on the thread that holds them.
        var compiled: [(job: Workspace.JobCompilation, output: EmitterOutput?)] = workspace.compileJobs(at: files) { job in
            var job = job
            job.spec = nil
            guard emitter.emitsJobByJob, let graph = job.graph else { return (job, nil) }
            let output = pipeline.emit([graph], with: emitter, context: context)[0]
            job.graph = graph.metadataOnly
            return (job, output)
        }
        if !emitter.emitsJobByJob {
            var batch = pipeline.emit(compiled.compactMap(\.job.graph), with: emitter, context: context).makeIterator()
            for index in compiled.indices where compiled[index].job.graph != nil { compiled[index].output = batch.next() }
            compiled.concurrentlyUpdateEach { $0.job.graph = $0.job.graph?.metadataOnly }
        }
        // Ownership depends on which earlier jobs succeeded: decided one job at a time, in order.
        var owners: [String: String] = [:]
        return compiled.map { job, output in
            guard let graph = job.graph, let output else {
                return JobOutcome(displayPath: job.displayPath, diagnostics: job.allDiagnostics, artifacts: [], succeeded: false)
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
            return JobOutcome(
                displayPath: job.displayPath, diagnostics: job.projectDiagnostics + diagnostics,
                artifacts: succeeded ? output.artifacts : [], succeeded: succeeded)
        }
    }

    /// Compiles, then writes each successful job's artifacts atomically under `writer`'s folder, on
    /// every core (no two successful jobs share a file).
    public func compileAndWrite(_ files: [String], writer: OutputWriter) -> [JobOutcome] {
        writer.removeStaleTemporaryFiles()
        return compile(files).concurrentMap { outcome in
            guard outcome.succeeded else { return outcome }
            var outcome = outcome
            do {
                try writer.write(outcome.artifacts)
            } catch {
                outcome.diagnostics.append(.error(.outputWrite, "\(error)", at: nil))
                outcome.succeeded = false
            }
            return outcome
        }
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
