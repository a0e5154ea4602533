/// Compiles many job files for one target: front end, emitter, then atomic writes, jobs in parallel.
/// A job with errors writes nothing and leaves its earlier output alone; other jobs still compile.
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

    /// Front end and emitter for each file, on every core; nothing is written. Outcomes keep the
    /// order of `files`. Two jobs that would write the same file (the same job_id) make the later
    /// one in that order an error.
    public func compile(_ files: [String]) -> [JobOutcome] {
        let emitted = workspace.compileJobs(at: files) { emit($0) }
        // Ownership depends on which earlier jobs succeeded: decided one job at a time, in order.
        var owners: [String: String] = [:]
        return emitted.map { job in
            guard let output = job.output else {
                return JobOutcome(displayPath: job.file, diagnostics: job.diagnostics, artifacts: [], succeeded: false)
            }
            var diagnostics = job.diagnostics
            for artifact in output.artifacts {
                if let owner = owners[artifact.relativePath] {
                    diagnostics.append(.error(
                        .duplicateJobID, "job '\(job.jobID)' would overwrite \(artifact.relativePath), already generated from \(owner)",
                        at: job.jobIDLocation, suggestion: "job ids must be unique across the compiled jobs"))
                }
            }
            let succeeded = !diagnostics.containsErrors
            if succeeded {
                for artifact in output.artifacts { owners[artifact.relativePath] = job.file }
            }
            return JobOutcome(
                displayPath: job.file, diagnostics: job.projectDiagnostics + diagnostics,
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

    /// One job after its emitter ran, before ownership of its files is decided.
    private struct EmittedJob: Sendable {
        var file: String
        var jobID: String
        var jobIDLocation: SourceLocation
        /// Nil when the front end failed; `diagnostics` then hold everything, project's included.
        var output: EmitterOutput?
        var diagnostics: [Diagnostic]
        var projectDiagnostics: [Diagnostic]
    }

    private func emit(_ compilation: Workspace.JobCompilation) -> EmittedJob {
        let file = compilation.displayPath
        let jobIDLocation = compilation.spec?.jobID?.location ?? SourceLocation(file: file, line: 1, column: 1)
        guard let graph = compilation.graph else {
            return EmittedJob(
                file: file, jobID: "", jobIDLocation: jobIDLocation, output: nil,
                diagnostics: compilation.allDiagnostics, projectDiagnostics: [])
        }
        let portability = compilation.spec.map { PortabilityCheck.check($0, target: emitter) } ?? []
        // A job the target cannot run as written is refused before the emitter (or plugin) runs.
        let output = portability.containsErrors ? EmitterOutput(artifacts: []) : emitter.emit(graph, context: context)
        let diagnostics = compilation.diagnostics + portability
            + output.diagnostics.map { relocate($0, graph: graph, displayPath: file) }
        return EmittedJob(
            file: file, jobID: graph.job.id, jobIDLocation: jobIDLocation, output: output,
            diagnostics: diagnostics, projectDiagnostics: compilation.projectDiagnostics)
    }

    /// Emitters locate problems by the IR's root-relative source path; show the path the user typed.
    private func relocate(_ diagnostic: Diagnostic, graph: JobGraph, displayPath: String) -> Diagnostic {
        guard var location = diagnostic.location, location.file == graph.job.sourcePath else { return diagnostic }
        location.file = displayPath
        var relocated = diagnostic
        relocated.location = location
        return relocated
    }
}
