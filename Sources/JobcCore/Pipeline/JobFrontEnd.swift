/// jobc, stage by stage. Each stage is a function from one named representation to the next:
///
///     SourceFile ──load──▶ YAMLNode ──decode──▶ JobSpec ──check──▶ (diagnostics)
///                                                  └──────lower──▶ JobGraph (the IR)
///     JobGraph ──emit (per target)──▶ [Artifact] ──write (atomic)──▶ files
///
/// The front end (this file) stops at the IR; `Emitter`s and `OutputWriter` do the rest. Every stage
/// reports problems as `Diagnostic` values, so one run shows all of them.
public struct JobFrontEnd: Sendable {
    public var loader: YAMLLoader

    public init(loader: YAMLLoader = YAMLLoader()) {
        self.loader = loader
    }

    public struct Result: Sendable {
        /// The decoded job, when the file had the shape of one (even if rules then failed).
        public var spec: JobSpec?
        /// Nil when any stage reported an error.
        public var graph: JobGraph?
        public var diagnostics: [Diagnostic]
    }

    /// `sourcePath` is how artifacts name the job file: relative to the project root, so output does
    /// not depend on the working directory.
    public func compile(_ source: SourceFile, project: Project, sourcePath: String) -> Result {
        let loaded = loader.load(source)
        guard let root = loaded.root else { return Result(spec: nil, graph: nil, diagnostics: loaded.diagnostics) }
        let decoded = JobSpecDecoder().decode(root, file: source.displayPath)
        var diagnostics = loaded.diagnostics + decoded.diagnostics
        guard let spec = decoded.spec else { return Result(spec: nil, graph: nil, diagnostics: diagnostics) }
        diagnostics += JobRules.check(spec, in: project)
        guard !diagnostics.containsErrors else { return Result(spec: spec, graph: nil, diagnostics: diagnostics) }
        let graph = JobGraphBuilder().build(spec, in: project, sourcePath: sourcePath)
        return Result(spec: spec, graph: graph, diagnostics: diagnostics)
    }
}
