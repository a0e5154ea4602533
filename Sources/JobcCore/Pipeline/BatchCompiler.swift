/// Compiles many job files for one target: front end, emitter, then atomic writes, job by job.
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

    /// Front end and emitter for each file, in order; nothing is written. Two jobs that would write
    /// the same file (the same job_id) make the later one an error.
    public func compile(_ files: [String]) -> [JobOutcome] {
        var owners: [String: String] = [:]
        return files.map { file in
            let compilation = workspace.compileJob(at: file)
            guard let graph = compilation.graph else {
                return JobOutcome(displayPath: file, diagnostics: compilation.allDiagnostics, artifacts: [], succeeded: false)
            }
            let output = emitter.emit(graph, context: context)
            let portability = compilation.spec.map { PortabilityCheck.check($0, target: emitter) } ?? []
            var diagnostics = compilation.diagnostics + portability
                + output.diagnostics.map { relocate($0, graph: graph, displayPath: file) }
            for artifact in output.artifacts {
                if let owner = owners[artifact.relativePath] {
                    diagnostics.append(.error(
                        .duplicateJobID, "job '\(graph.job.id)' would overwrite \(artifact.relativePath), already generated from \(owner)",
                        at: compilation.spec?.jobID?.location ?? SourceLocation(file: file, line: 1, column: 1),
                        suggestion: "job ids must be unique across the compiled jobs"))
                }
            }
            let succeeded = !diagnostics.containsErrors
            if succeeded {
                for artifact in output.artifacts { owners[artifact.relativePath] = file }
            }
            return JobOutcome(
                displayPath: file, diagnostics: compilation.projectDiagnostics + diagnostics,
                artifacts: succeeded ? output.artifacts : [], succeeded: succeeded)
        }
    }

    /// Compiles, then writes each successful job's artifacts atomically under `writer`'s folder.
    public func compileAndWrite(_ files: [String], writer: OutputWriter) -> [JobOutcome] {
        writer.removeStaleTemporaryFiles()
        return compile(files).map { outcome in
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

    /// Emitters locate problems by the IR's root-relative source path; show the path the user typed.
    private func relocate(_ diagnostic: Diagnostic, graph: JobGraph, displayPath: String) -> Diagnostic {
        guard var location = diagnostic.location, location.file == graph.job.sourcePath else { return diagnostic }
        location.file = displayPath
        var relocated = diagnostic
        relocated.location = location
        return relocated
    }
}
