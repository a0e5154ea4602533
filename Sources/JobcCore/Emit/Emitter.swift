/// A target: turns one job's IR into files for an engine. Emitters see only the IR (never YAML) and
/// return text; jobc decides where and how the files are written.
public protocol Emitter: Sendable {
    /// The `--target` name, e.g. "airflow".
    var name: String { get }
    /// One line for `jobc targets`.
    var summary: String { get }
    var capabilities: TargetCapabilities { get }
    func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput
}

/// What the compiler tells an emitter besides the graph.
public struct EmitContext: Sendable {
    public var jobcVersion: String
    /// `--option key=value` pairs from the command line, for target-specific settings.
    public var options: [String: String]

    public init(jobcVersion: String = JobcVersion.current, options: [String: String] = [:]) {
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

/// What a target can express, so lint can say before deployment what would not carry over.
public struct TargetCapabilities: Sendable {
    public enum Feature: String, Sendable, CaseIterable {
        case cronSchedule = "cron-schedule"
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
            case .cronSchedule, .catchup, .retries, .retryDelay, .taskTimeout, .tags, .secrets, .taskGroups: return false
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
