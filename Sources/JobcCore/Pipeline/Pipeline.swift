/// jobc, stage by stage: the whole compiler on one page. Every command walks these stages — `lint`
/// to the target checks, `ir` and `graph` to the IR, `compile` to the written files, `import` through
/// the front end again — and each stage is a function from one named representation to the next
/// that returns `Staged`: its value (nil when it could not make one) and its diagnostics, so a run
/// reports every problem, not the first.
///
///     job file ──read──▶ SourceFile ──parse──▶ YAMLNode ──decode──▶ JobSpec ──check──▶ (rules, SQL)
///                                                                     └──lower──▶ JobGraph (the IR) ──checkLineage──▶ (races)
///     JobGraph ──checkTargets──▶ (portability) ──emit (per target: job by job, or a batch per run)──▶ [Artifact]
///     [Artifact] ──write (atomic, OutputWriter)──▶ files
///
/// Which project a file belongs to, and opening that project once, is `Workspace`'s work; how
/// diagnostics are shown (quoting source lines) is the command line's. Nothing here exits.
public struct Pipeline: Sendable {
    public let loader: YAMLLoader
    /// The names the run's targets keep for themselves; every job is checked against them.
    public let targetNames: TargetNames
    /// The day of the run in UTC, read from the clock by the command line (the core never reads it):
    /// the target checks report a start_date after it. Nil: none is reported. Generated files never
    /// depend on it.
    public let today: CalendarDay?

    public init(targets: [any Emitter] = [], loader: YAMLLoader = YAMLLoader(), today: CalendarDay? = nil) {
        self.loader = loader
        self.targetNames = TargetNames(targets: targets)
        self.today = today
    }

    // MARK: The stages, in order

    /// Bytes → the YAML tree, a position on every node.
    public func parse(_ source: SourceFile) -> Staged<YAMLNode> {
        let loaded = loader.load(source)
        return Staged(loaded.root, loaded.diagnostics)
    }

    /// The YAML tree → the job as written: every field typed and located, values decoded.
    public func decode(_ root: YAMLNode, file: String) -> Staged<JobSpec> {
        let decoded = JobSpecDecoder().decode(root, file: file)
        return Staged(decoded.spec, decoded.diagnostics)
    }

    /// Every rule over the job in its project, including the names the targets reserve. The value
    /// is the checked job (with what the rules worked out about it, which lowering reuses) when no
    /// rule reported an error.
    public func check(_ spec: JobSpec, in project: Project) -> Staged<JobContext> {
        let context = JobContext(spec, in: project)
        let diagnostics = JobRules.check(context) + TargetNameRule(names: targetNames).diagnostics(for: spec, in: project)
        return Staged(diagnostics.containsErrors ? nil : context, diagnostics)
    }

    /// A checked job → the IR. `sourcePath` (the job file relative to the project root) is how
    /// generated files name the job, so output does not depend on the working directory.
    public func lower(_ job: JobContext, sourcePath: String) -> JobGraph {
        JobGraphBuilder().build(job, sourcePath: sourcePath)
    }

    /// The IR's lineage against its dependencies: tasks that race on a table (one reads or writes
    /// what another writes, and no dependency path orders them).
    public func checkLineage(_ graph: JobGraph) -> [Diagnostic] {
        LineageCheck.check(graph)
    }

    /// The IR against each target: what a target cannot express (an error where the run would
    /// differ, else a warning), a start_date still to come included.
    public func checkTargets(_ graph: JobGraph, _ targets: [any Emitter]) -> [Diagnostic] {
        targets.flatMap { PortabilityCheck.check(graph, target: $0, today: today) }
    }

    /// IRs → files: one batch for the run, answers in the order of `graphs`. A job the target
    /// cannot run as written is refused before the emitter (or plugin) sees it.
    public func emit(_ graphs: [JobGraph], with target: any Emitter, context: EmitContext) -> [EmitterOutput] {
        let refusals = graphs.map { checkTargets($0, [target]) }
        let accepted = refusals.map { !$0.containsErrors }
        var outputs = target.emit(graphs.indices.filter { accepted[$0] }.map { graphs[$0] }, context: context).makeIterator()
        return graphs.indices.map { index in Self.output(accepted[index] ? outputs.next() : nil, after: refusals[index]) }
    }

    /// A job's output once the target checks found `refusals`: those alone when the job was refused
    /// (no output), else before the emitter's own diagnostics.
    static func output(_ emitted: EmitterOutput?, after refusals: [Diagnostic]) -> EmitterOutput {
        guard var output = emitted else { return EmitterOutput(artifacts: [], diagnostics: refusals) }
        output.diagnostics = refusals + output.diagnostics
        return output
    }

    // MARK: Walks the commands share

    /// parse → decode → check → lower for one file.
    public func frontEnd(_ source: SourceFile, project: Project, sourcePath: String) -> FrontEndResult {
        let parsed = parse(source)
        guard let root = parsed.value else { return FrontEndResult(spec: nil, graph: nil, diagnostics: parsed.diagnostics) }
        let decoded = decode(root, file: source.displayPath)
        guard let spec = decoded.value else { return FrontEndResult(spec: nil, graph: nil, diagnostics: parsed.diagnostics + decoded.diagnostics) }
        let checked = check(spec, in: project)
        let diagnostics = parsed.diagnostics + decoded.diagnostics + checked.diagnostics
        guard let job = checked.value, !diagnostics.containsErrors else { return FrontEndResult(spec: spec, graph: nil, diagnostics: diagnostics) }
        let graph = lower(job, sourcePath: sourcePath)
        let races = checkLineage(graph)
        return FrontEndResult(spec: spec, graph: races.containsErrors ? nil : graph, diagnostics: diagnostics + races)
    }

    /// parse → decode over a job jobc wrote itself (`jobc import`): what it wrote must read back as a
    /// job. Returns the problems found, each with a note that the writer is at fault, not the input.
    public func readBack(_ text: String, as displayPath: String) -> [Diagnostic] {
        let parsed = parse(SourceFile(displayPath: displayPath, text: text))
        let diagnostics = parsed.diagnostics + (parsed.value.map { decode($0, file: displayPath).diagnostics } ?? [])
        return diagnostics.map { diagnostic in
            var blamed = diagnostic
            blamed.notes.append(.init("jobc wrote this job itself and cannot read it back: please report it as a bug in jobc"))
            return blamed
        }
    }

    /// The front end's outcome for one job file.
    public struct FrontEndResult: Sendable {
        /// The decoded job, when the file had the shape of one (even if rules then failed).
        public var spec: JobSpec?
        /// Nil when any stage reported an error.
        public var graph: JobGraph?
        public var diagnostics: [Diagnostic]
    }
}

/// What a stage produced and what it found on the way: the one result shape of every stage.
public struct Staged<Value: Sendable>: Sendable {
    /// Nil when the stage could not produce anything (its diagnostics say why).
    public var value: Value?
    public var diagnostics: [Diagnostic]

    public init(_ value: Value?, _ diagnostics: [Diagnostic] = []) {
        self.value = value
        self.diagnostics = diagnostics
    }
}
