/// The job format's keys, their value kinds and their documentation: the one definition the decoder
/// takes its allowed keys from and `JobSchema` turns into a JSON Schema for editors.
public enum JobFormat {
    public enum ValueKind: Sendable {
        case identifier, string, boolean, schedule, startDate, stringList, kwargs
        case retries, duration(minimumSeconds: Int)
        /// A key or a list of keys of tasks.
        case taskReferences
        case policy, tasks, dependencies
        /// A string or a list of strings.
        case stringOrList
        case triggerRule
        /// Any YAML value (a run parameter's default, checked against its type).
        case anyValue
        case runParameterType
        case params, alerts, groups, forEach
        /// A non-empty list of values of any kind.
        case items
    }

    public struct Key: Sendable {
        public let name: String
        public let kind: ValueKind
        public let required: Bool
        public let summary: String
    }

    public static let policy: [Key] = [
        Key(name: "retries", kind: .retries, required: false, summary: "How many times a failed task is tried again (0-100, default 0)."),
        Key(name: "retry_delay", kind: .duration(minimumSeconds: 0), required: false, summary: "Wait before a retry: 30s, 5m, 1h30m, 2d or whole seconds (default 5m)."),
        Key(name: "timeout", kind: .duration(minimumSeconds: 1), required: false, summary: "Longest a task may run: 30s, 5m, 1h30m, 2d or whole seconds (default none)."),
    ]

    public static let task: [Key] = [
        Key(name: "function", kind: .string, required: true, summary: "The function the task runs: a contract in orchestration/function/."),
        Key(name: "task_id", kind: .identifier, required: false, summary: "The id engines show (default: the task key); unique within the job."),
        Key(name: "secret_key", kind: .string, required: false, summary: "The name of the secret the function receives (never its value)."),
        Key(name: "kwargs", kind: .kwargs, required: false, summary: "The function's parameters, checked against its contract."),
        Key(name: "depends_on", kind: .taskReferences, required: false, summary: "Keys of the tasks and groups this one waits for."),
        Key(name: "group", kind: .identifier, required: false, summary: "The key of the group the task belongs to."),
        Key(name: "trigger_rule", kind: .triggerRule, required: false, summary: "When the task runs: all_success (default), all_done or one_failed."),
        Key(name: "on_failure", kind: .alerts, required: false, summary: "Alerts when the task fails at its last attempt, added to the job's."),
        Key(name: "for_each", kind: .forEach, required: false, summary: "Fan-out: run the task once per item, each run getting the item as one kwarg."),
    ] + policy

    public static let runParameter: [Key] = [
        Key(name: "type", kind: .runParameterType, required: true, summary: "string, integer, number or boolean."),
        Key(name: "default", kind: .anyValue, required: true, summary: "The value a run gets unless it overrides it; of the parameter's type."),
        Key(name: "description", kind: .string, required: false, summary: "What the parameter means."),
    ]

    public static let alerts: [Key] = [
        Key(name: "webhook", kind: .stringOrList, required: false, summary: "http(s) URLs that receive a JSON message."),
        Key(name: "email", kind: .stringOrList, required: false, summary: "E-mail addresses."),
    ]

    public static let group: [Key] = [
        Key(name: "description", kind: .string, required: false, summary: "What the group does."),
        Key(name: "group", kind: .identifier, required: false, summary: "The enclosing group's key."),
        Key(name: "depends_on", kind: .taskReferences, required: false, summary: "Keys of the tasks and groups every task of this group waits for."),
    ]

    public static let forEach: [Key] = [
        Key(name: "parameter", kind: .identifier, required: true, summary: "The kwarg each run receives its item as."),
        Key(name: "items", kind: .items, required: true, summary: "The items: one run each (1 to \(JobSpecDecoder.maxFanOutItems))."),
    ]

    public static let dependency: [Key] = [
        Key(name: "source", kind: .string, required: true, summary: "The task or group key that runs first."),
        Key(name: "target", kind: .string, required: true, summary: "The task or group key that waits for source."),
    ]

    public static let job: [Key] = [
        Key(name: "job_id", kind: .identifier, required: true, summary: "The job's id: lowercase letters, digits and '_', at most 63 characters."),
        Key(name: "name", kind: .identifier, required: false, summary: "Old alias of job_id (deprecated)."),
        Key(name: "description", kind: .string, required: false, summary: "What the job does."),
        Key(name: "schedule", kind: .schedule, required: false, summary: "An @ preset, a 5-field cron expression, or null for manual runs only."),
        Key(name: "start_date", kind: .startDate, required: false, summary: "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]; required when scheduled."),
        Key(name: "catchup", kind: .boolean, required: false, summary: "Run the intervals missed since start_date (default false)."),
        Key(name: "tags", kind: .stringList, required: false, summary: "Labels for the job."),
        Key(name: "defaults", kind: .policy, required: false, summary: "retries, retry_delay and timeout for every task that does not set its own."),
        Key(name: "params", kind: .params, required: false, summary: "Run parameters by name: type, default, description; a run may override them."),
        Key(name: "on_failure", kind: .alerts, required: false, summary: "Alerts (webhook, email) when any task fails at its last attempt."),
        Key(name: "groups", kind: .groups, required: false, summary: "Task groups by key: nestable, usable as dependency endpoints."),
        Key(name: "tasks", kind: .tasks, required: true, summary: "The tasks, by key."),
        Key(name: "dependencies", kind: .dependencies, required: false, summary: "Edges {source, target}: target runs after source."),
    ]
}

extension Array where Element == JobFormat.Key {
    public var names: [String] { map(\.name) }
}
