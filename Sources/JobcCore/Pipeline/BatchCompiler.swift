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
        // Only the IR goes on from here: each spec is freed by the thread that made it.
        var compilations = workspace.compileJobs(at: files) { job in
            var job = job
            job.spec = nil
            return job
        }
        var outputs = workspace.pipeline.emit(compilations.compactMap(\.graph), with: emitter, context: context).makeIterator()
        // The ownership check below needs each job's metadata only; its tasks are freed on every core.
        compilations.concurrentlyUpdateEach { job in
            job.graph?.tasks = []
            job.graph?.edges = []
        }
        // Ownership depends on which earlier jobs succeeded: decided one job at a time, in order.
        var owners: [String: String] = [:]
        return compilations.map { job in
            guard let graph = job.graph, let output = outputs.next() else {
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
