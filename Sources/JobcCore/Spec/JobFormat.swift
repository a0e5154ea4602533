import Foundation

/// The job format's keys, their value kinds and their documentation: the one definition the decoder
/// reads values through (and checks for unknown and missing keys against), and `JobSchema` turns into
/// a JSON Schema for editors.
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

    /// One key of a mapping of the job format. The decoder reads values only through these handles,
    /// so what a table defines is exactly what is decoded, checked for typos and put in the schema.
    public struct Key: Sendable {
        public let name: String
        public let kind: ValueKind
        /// Reported missing by the decoder when absent (unless a key that is its alias is present).
        public let required: Bool
        public let summary: String
        /// The key this one is an old spelling of: either satisfies the other's `required`.
        public let aliasOf: String?

        init(name: String, kind: ValueKind, required: Bool, summary: String, aliasOf: String? = nil) {
            self.name = name
            self.kind = kind
            self.required = required
            self.summary = summary
            self.aliasOf = aliasOf
        }
    }

    /// The mappings of the job format, each with its keys in the order the schema and messages list them.
    public enum Table: String, CaseIterable, Sendable {
        case job, task, policy, param, alerts, group, forEach, dependency

        public var keys: [Key] {
            switch self {
            case .job: return Job.keys
            case .task: return Task.keys
            case .policy: return Policy.keys
            case .param: return Param.keys
            case .alerts: return Alerts.keys
            case .group: return Group.keys
            case .forEach: return ForEach.keys
            case .dependency: return Dependency.keys
            }
        }
    }

    /// Retry and timeout settings: a task's own, or the job's `defaults:`.
    public enum Policy {
        public static let retries = Key(name: "retries", kind: .retries, required: false, summary: "How many times a failed task is tried again (0-100, default 0).")
        public static let retryDelay = Key(name: "retry_delay", kind: .duration(minimumSeconds: 0), required: false, summary: "Wait before a retry: 30s, 5m, 1h30m, 2d or whole seconds (default 5m).")
        public static let timeout = Key(name: "timeout", kind: .duration(minimumSeconds: 1), required: false, summary: "Longest a task may run: 30s, 5m, 1h30m, 2d or whole seconds (default none).")
        public static let keys = [retries, retryDelay, timeout]
    }

    /// One entry of `tasks:`.
    public enum Task {
        public static let function = Key(name: "function", kind: .string, required: true, summary: "The function the task runs: a contract in orchestration/function/.")
        public static let taskID = Key(name: "task_id", kind: .identifier, required: false, summary: "The id engines show (default: the task key); unique within the job.")
        public static let secretKey = Key(name: "secret_key", kind: .string, required: false, summary: "The name of the secret the function receives (never its value).")
        public static let kwargs = Key(name: "kwargs", kind: .kwargs, required: false, summary: "The function's parameters, checked against its contract.")
        public static let dependsOn = Key(name: "depends_on", kind: .taskReferences, required: false, summary: "Keys of the tasks and groups this one waits for.")
        public static let group = Key(name: "group", kind: .identifier, required: false, summary: "The key of the group the task belongs to.")
        public static let triggerRule = Key(name: "trigger_rule", kind: .triggerRule, required: false, summary: "When the task runs: all_success (default), all_done or one_failed.")
        public static let onFailure = Key(name: "on_failure", kind: .alerts, required: false, summary: "Alerts when the task fails at its last attempt, added to the job's.")
        public static let forEach = Key(name: "for_each", kind: .forEach, required: false, summary: "Fan-out: run the task once per item, each run getting the item as one kwarg.")
        public static let allowUnordered = Key(
            name: "allow_unordered", kind: .stringOrList, required: false,
            summary: "Tables this task may read or write with no dependency path to another task that writes or reads them (a reviewed race).")
        public static let keys = [function, taskID, secretKey, kwargs, dependsOn, group, triggerRule, onFailure, forEach, allowUnordered] + Policy.keys
    }

    /// One entry of `params:`.
    public enum Param {
        public static let type = Key(name: "type", kind: .runParameterType, required: true, summary: "string, integer, number or boolean.")
        public static let defaultValue = Key(name: "default", kind: .anyValue, required: true, summary: "The value a run gets unless it overrides it; of the parameter's type.")
        public static let description = Key(name: "description", kind: .string, required: false, summary: "What the parameter means.")
        public static let keys = [type, defaultValue, description]
    }

    /// `on_failure:` of the job or of a task.
    public enum Alerts {
        public static let webhook = Key(name: "webhook", kind: .stringOrList, required: false, summary: "http(s) URLs that receive a JSON message.")
        public static let email = Key(name: "email", kind: .stringOrList, required: false, summary: "E-mail addresses.")
        public static let keys = [webhook, email]
    }

    /// One entry of `groups:`.
    public enum Group {
        public static let description = Key(name: "description", kind: .string, required: false, summary: "What the group does.")
        public static let parent = Key(name: "group", kind: .identifier, required: false, summary: "The enclosing group's key.")
        public static let dependsOn = Key(name: "depends_on", kind: .taskReferences, required: false, summary: "Keys of the tasks and groups every task of this group waits for.")
        public static let keys = [description, parent, dependsOn]
    }

    /// `for_each:` of a task.
    public enum ForEach {
        public static let parameter = Key(name: "parameter", kind: .identifier, required: true, summary: "The kwarg each run receives its item as.")
        public static let items = Key(name: "items", kind: .items, required: true, summary: "The items: one run each (1 to \(JobSpecDecoder.maxFanOutItems)).")
        public static let keys = [parameter, items]
    }

    /// One entry of `dependencies:`.
    public enum Dependency {
        public static let source = Key(name: "source", kind: .string, required: true, summary: "The task or group key that runs first.")
        public static let target = Key(name: "target", kind: .string, required: true, summary: "The task or group key that waits for source.")
        public static let keys = [source, target]
    }

    /// The job file's top level.
    public enum Job {
        public static let jobID = Key(name: "job_id", kind: .identifier, required: true, summary: "The job's id: lowercase letters, digits and '_', at most 63 characters.")
        public static let name = Key(name: "name", kind: .identifier, required: false, summary: "Old alias of job_id (deprecated).", aliasOf: "job_id")
        public static let description = Key(name: "description", kind: .string, required: false, summary: "What the job does.")
        public static let schedule = Key(name: "schedule", kind: .schedule, required: false, summary: "An @ preset, a 5-field cron expression, or null for manual runs only.")
        public static let startDate = Key(name: "start_date", kind: .startDate, required: false, summary: "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]; required when scheduled.")
        public static let catchup = Key(name: "catchup", kind: .boolean, required: false, summary: "Run the intervals missed since start_date (default false).")
        public static let tags = Key(name: "tags", kind: .stringList, required: false, summary: "Labels for the job.")
        public static let defaults = Key(name: "defaults", kind: .policy, required: false, summary: "retries, retry_delay and timeout for every task that does not set its own.")
        public static let params = Key(name: "params", kind: .params, required: false, summary: "Run parameters by name: type, default, description; a run may override them.")
        public static let onFailure = Key(name: "on_failure", kind: .alerts, required: false, summary: "Alerts (webhook, email) when any task fails at its last attempt.")
        public static let groups = Key(name: "groups", kind: .groups, required: false, summary: "Task groups by key: nestable, usable as dependency endpoints.")
        public static let tasks = Key(name: "tasks", kind: .tasks, required: true, summary: "The tasks, by key.")
        public static let dependencies = Key(name: "dependencies", kind: .dependencies, required: false, summary: "Edges {source, target}: target runs after source.")
        public static let keys = [
            jobID, name, description, schedule, startDate, catchup, tags, defaults, params, onFailure, groups, tasks, dependencies,
        ]
    }
}

extension Array where Element == JobFormat.Key {
    public var names: [String] { map(\.name) }
}

extension JobFormat {
    /// Which keys of which table the decoder asked for while it is set (a test sets it to prove the
    /// decoder reads every key the tables define; unset, as in every real run, nothing is recorded).
    final class KeyReadLog: @unchecked Sendable {
        @TaskLocal static var current: KeyReadLog?

        private let lock = NSLock()
        private var reads: Set<String> = []

        func record(_ key: String, in table: Table) {
            lock.withLock { _ = reads.insert("\(table.rawValue).\(key)") }
        }

        func contains(_ key: Key, in table: Table) -> Bool {
            lock.withLock { reads.contains("\(table.rawValue).\(key.name)") }
        }
    }
}
