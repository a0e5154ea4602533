/// A value together with where the author wrote it.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// A job file as written: every field typed and located, nothing yet cross-checked (that is the
/// validation rules' work) or resolved (that is the IR builder's).
public struct JobSpec: Sendable {
    public var file: String
    public var location: SourceLocation
    public var jobID: Located<String>?
    public var description: Located<String>?
    /// Absent means the same as `schedule: null`: manual runs only.
    public var schedule: Located<Schedule>?
    public var startDate: Located<StartDate>?
    public var catchup: Located<Bool>?
    public var tags: [Located<String>] = []
    public var defaults = TaskPolicySpec()
    public var params: [RunParameterSpec] = []
    public var onFailure: AlertsSpec?
    public var groups: [GroupSpec] = []
    public var tasks: [TaskSpec] = []
    /// Every edge, from `dependencies:` and from the `depends_on:` of tasks and groups; endpoints are
    /// task or group keys.
    public var dependencies: [DependencySpec] = []
}

/// One entry of `params:`.
public struct RunParameterSpec: Sendable {
    public var name: Located<String>
    public var type: Located<RunParameter.ValueType>?
    /// Nil when absent, or refused by the decoder (reported).
    public var defaultValue: Located<ParameterValue>?
    public var description: Located<String>?
}

/// `on_failure:` of the job or of a task.
public struct AlertsSpec: Sendable {
    public var location: SourceLocation
    public var webhooks: [Located<String>] = []
    public var emails: [Located<String>] = []
}

/// One entry of `groups:`.
public struct GroupSpec: Sendable {
    public var key: Located<String>
    public var location: SourceLocation
    public var description: Located<String>?
    public var parent: Located<String>?
    public var dependsOn: [Located<String>] = []
}

/// `for_each:` of a task.
public struct ForEachSpec: Sendable {
    public var location: SourceLocation
    public var parameter: Located<String>
    /// The items the decoder accepted; it reports the others (integers beyond 64 bits, NaN, infinity).
    public var items: [Located<ParameterValue>]
}

/// One entry of the `tasks:` mapping.
public struct TaskSpec: Sendable {
    public var key: Located<String>
    public var location: SourceLocation
    public var function: Located<String>?
    public var taskID: Located<String>?
    public var secretKey: Located<String>?
    public var kwargs: [KeywordArgumentSpec] = []
    public var kwargsLocation: SourceLocation?
    public var dependsOn: [Located<String>] = []
    public var policy = TaskPolicySpec()
    public var group: Located<String>?
    public var triggerRule: Located<TriggerRule>?
    public var onFailure: AlertsSpec?
    public var forEach: ForEachSpec?
    /// `allow_unordered:` tables the lineage check does not ask this task to order (reviewed races).
    public var allowUnordered: [Located<String>] = []

    /// The id engines show: `task_id` when given, else the key.
    public var effectiveTaskID: Located<String> { taskID ?? key }
}

/// One `name: value` of a task's `kwargs`.
public struct KeywordArgumentSpec: Sendable {
    public var name: Located<String>
    /// Nil when the decoder refused the value (an integer beyond 64 bits, NaN or infinity: reported).
    public var value: Located<ParameterValue>?
}

/// Retry and timeout settings of a task, or of the job's `defaults:`.
public struct TaskPolicySpec: Sendable {
    public var retries: Located<Int>?
    public var retryDelay: Located<Duration>?
    public var timeout: Located<Duration>?

    public init() {}
}

/// One edge, from the top-level `dependencies:` list or a task's `depends_on:`. Either way
/// `source.location` is where the edge is declared (the `depends_on` item, or the entry's `source`).
public struct DependencySpec: Sendable {
    public enum Origin: Sendable { case dependenciesList, dependsOn }

    public var source: Located<String>
    public var target: Located<String>
    public var origin: Origin
}
