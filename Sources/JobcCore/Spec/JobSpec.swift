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
///
/// A value with its fields in one shared object, copied on write: the checks, the rules and lowering
/// each hold a job's tasks, and a task copied field by field retained and released a dozen strings
/// and arrays (~2% of a whole-corpus compile); now a copy is one retain.
public struct TaskSpec: Sendable {
    private struct Fields {
        var key: Located<String>
        var location: SourceLocation
        var function: Located<String>? = nil
        var taskID: Located<String>? = nil
        var secretKey: Located<String>? = nil
        var kwargs: [KeywordArgumentSpec] = []
        var kwargsLocation: SourceLocation? = nil
        var dependsOn: [Located<String>] = []
        var policy: TaskPolicySpec = TaskPolicySpec()
        var group: Located<String>? = nil
        var triggerRule: Located<TriggerRule>? = nil
        var onFailure: AlertsSpec? = nil
        var forEach: ForEachSpec? = nil
        var allowUnordered: [Located<String>] = []
    }

    private var storage: CopyOnWrite<Fields>

    public init(key: Located<String>, location: SourceLocation) {
        storage = CopyOnWrite(Fields(key: key, location: location))
    }

    public var key: Located<String> { get { storage.fields.key } set { storage.fields.key = newValue } }
    public var location: SourceLocation { get { storage.fields.location } set { storage.fields.location = newValue } }
    public var function: Located<String>? { get { storage.fields.function } set { storage.fields.function = newValue } }
    public var taskID: Located<String>? { get { storage.fields.taskID } set { storage.fields.taskID = newValue } }
    public var secretKey: Located<String>? { get { storage.fields.secretKey } set { storage.fields.secretKey = newValue } }
    public var kwargs: [KeywordArgumentSpec] { get { storage.fields.kwargs } set { storage.fields.kwargs = newValue } }
    public var kwargsLocation: SourceLocation? { get { storage.fields.kwargsLocation } set { storage.fields.kwargsLocation = newValue } }
    public var dependsOn: [Located<String>] { get { storage.fields.dependsOn } set { storage.fields.dependsOn = newValue } }
    public var policy: TaskPolicySpec { get { storage.fields.policy } set { storage.fields.policy = newValue } }
    public var group: Located<String>? { get { storage.fields.group } set { storage.fields.group = newValue } }
    public var triggerRule: Located<TriggerRule>? { get { storage.fields.triggerRule } set { storage.fields.triggerRule = newValue } }
    public var onFailure: AlertsSpec? { get { storage.fields.onFailure } set { storage.fields.onFailure = newValue } }
    public var forEach: ForEachSpec? { get { storage.fields.forEach } set { storage.fields.forEach = newValue } }

    /// `allow_unordered:` tables the lineage check does not ask this task to order (reviewed races).
    public var allowUnordered: [Located<String>] { get { storage.fields.allowUnordered } set { storage.fields.allowUnordered = newValue } }

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
