/// A target: turns jobs' IR into files for one engine, and says what it knows about that engine —
/// the names it keeps for itself, the modules its generated code imports, the options it takes and
/// the features it can express. The core applies that knowledge to every job compiled or linted for
/// the target; it never names a target itself. Emitters see only the IR (never YAML) and return
/// text; jobc decides where and how the files are written.
public protocol Emitter: Sendable {
    /// The `--target` name, e.g. "airflow".
    var name: String { get }
    /// One line for `jobc targets`.
    var summary: String { get }
    var capabilities: TargetCapabilities { get }
    /// Identifiers no job, task, group or run parameter may take on this target.
    var reservedIdentifiers: [ReservedIdentifier] { get }
    /// Set when the target writes each job as a module of its own (`<job_id>.py` on Python's path):
    /// the module names that file must not shadow.
    var jobModule: JobModuleNaming? { get }
    /// The `--option key=value` settings the target takes, checked once per run before any job.
    var options: [TargetOption] { get }
    /// True for a target that cannot declare its options (a protocol version 1 plugin): every
    /// `--option` then reaches it unchecked.
    var acceptsUndeclaredOptions: Bool { get }

    func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput
    /// Every job of a run at once, answers in the same order. The default goes through
    /// `startBatch` when the target has one, else emits job by job on every core.
    func emit(_ graphs: [JobGraph], context: EmitContext) -> [EmitterOutput]
    /// For a target that gains from seeing a run's jobs together (a plugin: one process for the
    /// run): a batch that takes each job as soon as it is checked and answers for all of them at the
    /// end, so the target works while jobc still checks the rest. Nil (the default): a compile emits
    /// each job on the thread that checked it, as soon as it is checked, and frees its IR at once.
    func startBatch(context: EmitContext) -> (any EmitBatch)?
}

/// One run's jobs handed to a target as they come (see `Emitter.startBatch`).
public protocol EmitBatch: Sendable {
    /// Job number `position` of the run: its IR, or nil when it does not reach the target. Every
    /// position from 0 up comes exactly once, from any thread and in any order; the batch puts
    /// them back in order, so what the target sees does not depend on thread timing.
    func add(_ graph: JobGraph?, at position: Int)
    /// The output of every job added with an IR, in position order. Called once, after every
    /// position was added; a batch that got no job stops whatever it started.
    func finish() -> [EmitterOutput]
}

extension Emitter {
    public var reservedIdentifiers: [ReservedIdentifier] { [] }
    public var jobModule: JobModuleNaming? { nil }
    public var options: [TargetOption] { [] }
    public var acceptsUndeclaredOptions: Bool { false }
    public func startBatch(context: EmitContext) -> (any EmitBatch)? { nil }

    public func emit(_ graphs: [JobGraph], context: EmitContext) -> [EmitterOutput] {
        if let batch = startBatch(context: context) {
            for (position, graph) in graphs.enumerated() { batch.add(graph, at: position) }
            return batch.finish()
        }
        return graphs.count == 1 ? [emit(graphs[0], context: context)] : graphs.concurrentMap { emit($0, context: context) }
    }
}

/// What the compiler tells an emitter besides the graph.
public struct EmitContext: Sendable {
    public var jobcVersion: String
    /// The target's `--option` settings, already checked against its declared options.
    public var options: TargetOptionValues

    public init(jobcVersion: String = JobcVersion.current, options: TargetOptionValues = TargetOptionValues()) {
        self.jobcVersion = jobcVersion
        self.options = options
    }
}

/// What an emitter produced for one job: files, or diagnostics explaining why it could not.
public struct EmitterOutput: Sendable {
    public var artifacts: [Artifact]
    /// Problems with the job on this target (e.g. a feature it cannot express), located by task.
    public var diagnostics: [Diagnostic]

    public init(artifacts: [Artifact], diagnostics: [Diagnostic] = []) {
        self.artifacts = artifacts
        self.diagnostics = diagnostics
    }
}

/// One generated file: a path relative to the output folder and its full text.
public struct Artifact: Sendable, Equatable {
    public var relativePath: String
    public var contents: String

    public init(relativePath: String, contents: String) {
        self.relativePath = relativePath
        self.contents = contents
    }
}

/// A name a target keeps for itself, with the reason a job author reads when it is refused.
public struct ReservedIdentifier: Sendable, Equatable {
    /// Which kinds of names it is reserved for.
    public enum Scope: String, Sendable, CaseIterable {
        case job, task, group, runParameter
    }

    public var name: String
    public var scopes: Set<Scope>
    /// Completes "'NAME' is reserved …": "by Dagster for its own job, op and input names".
    public var reason: String

    public init(_ name: String, scopes: Set<Scope> = Set(Scope.allCases), reason: String) {
        self.name = name
        self.scopes = scopes
        self.reason = reason
    }
}

/// How a target's per-job module is named, so a job id cannot shadow a module that module (or any
/// other file on the same path) imports. The project's own function modules are always protected.
public struct JobModuleNaming: Sendable, Equatable {
    /// The language of the module, for messages: "Python".
    public var language: String
    /// What follows the job id in the module's file name: ".py".
    public var fileExtension: String
    /// What generated code and the target's runtime import.
    public var importedModules: Set<String>
    /// The standard library of the language, which every file on the path may import.
    public var standardLibrary: Set<String>

    public init(language: String, fileExtension: String, importedModules: Set<String>, standardLibrary: Set<String>) {
        self.language = language
        self.fileExtension = fileExtension
        self.importedModules = importedModules
        self.standardLibrary = standardLibrary
    }
}

/// What a target can express, so lint can say before deployment what would not carry over.
public struct TargetCapabilities: Sendable {
    public enum Feature: String, Sendable, CaseIterable {
        case cronSchedule = "cron-schedule"
        /// No scheduled run before start_date, even when the schedule is deployed earlier. Reported
        /// only for a start_date after the day of the run (`PortabilityCheck`): a past one changes nothing.
        case startDate = "start-date"
        case catchup
        case retries
        case retryDelay = "retry-delay"
        case taskTimeout = "task-timeout"
        case tags
        case secrets
        case runParams = "run-params"
        case failureAlerts = "failure-alerts"
        case triggerRules = "trigger-rules"
        case taskGroups = "task-groups"
        case fanOut = "fan-out"

        /// Features that change what a run does: a target that cannot express one must refuse the
        /// job (an error), where the others only lose a convenience (a warning).
        public var changesBehaviour: Bool {
            switch self {
            case .runParams, .failureAlerts, .triggerRules, .fanOut: return true
            case .cronSchedule, .startDate, .catchup, .retries, .retryDelay, .taskTimeout, .tags, .secrets, .taskGroups: return false
            }
        }
    }

    /// Supported features, each with a note on how the target expresses it.
    public var supported: [Feature: String]
    /// For features the target cannot express: what a job author should do instead.
    public var workarounds: [Feature: String]

    public init(supported: [Feature: String], workarounds: [Feature: String] = [:]) {
        self.supported = supported
        self.workarounds = workarounds
    }
}

public enum JobcVersion {
    public static let current = "0.1.0"
}
