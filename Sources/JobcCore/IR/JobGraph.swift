/// The intermediate representation every emitter consumes: one validated job as a typed graph.
/// It knows nothing about YAML or about any engine; `jobc ir` prints it as versioned JSON.
public struct JobGraph: Sendable, Equatable {
    /// Bumped on any change an external emitter could notice.
    public static let irVersion = 2

    public var job: JobMetadata
    /// Tasks in a deterministic topological order: every task after all its upstream tasks, ties
    /// broken by the order the job file declares them.
    public var tasks: [TaskNode]
    /// Every dependency once, between tasks (group endpoints already expanded to their tasks),
    /// sorted by (topological index of source, of target).
    public var edges: [Edge]
    /// Task groups, every parent before its children, otherwise in declaration order.
    public var groups: [TaskGroup]

    public init(job: JobMetadata, tasks: [TaskNode], edges: [Edge], groups: [TaskGroup] = []) {
        self.job = job
        self.tasks = tasks
        self.edges = edges
        self.groups = groups
    }

    /// True when some task has a trigger rule other than `all_success`: targets that stop a run's
    /// dependents on failure need a different lowering then.
    public var usesTriggerRules: Bool {
        // By index: reads one field of each task in place rather than copying every task node.
        tasks.indices.contains { tasks[$0].triggerRule != .allSuccess }
    }

    public func group(withKey key: String) -> TaskGroup? {
        groups.first { $0.key == key }
    }

    /// The groups whose parent is `parent` (nil: top-level groups), in `groups` order.
    public func childGroups(of parent: String?) -> [TaskGroup] {
        groups.filter { $0.parent == parent }
    }

    /// The tasks directly in `group` (nil: tasks outside every group), in topological order.
    public func tasks(directlyIn group: String?) -> [TaskNode] {
        tasks.filter { $0.group == group }
    }

    /// `group` and every group nested in it, at any depth.
    public func groupAndDescendants(_ group: String) -> Set<String> {
        var result: Set<String> = [group]
        for candidate in groups where candidate.parent.map(result.contains) == true { result.insert(candidate.key) }
        return result
    }

    public func task(withKey key: String) -> TaskNode? {
        tasks.first { $0.key == key }
    }

    /// Keys of the tasks `key` waits for, in topological order. Emitters that ask for every task
    /// should take `upstreamByTask` once instead (this scans every edge).
    public func upstream(of key: String) -> [String] {
        edges.filter { $0.target == key }.map(\.source)
    }

    /// For each task key, the keys it waits for, in topological order: one pass over the edges.
    public var upstreamByTask: [String: [String]] {
        var upstream: [String: [String]] = [:]
        for edge in edges { upstream[edge.target, default: []].append(edge.source) }
        return upstream
    }
}

/// Job-level facts: identity, documentation, and when it runs.
/// The project folders a run reads, relative to the project root (`paths:` in jobc.yaml): emitters
/// hand them to the runtime when they are not the standard ones.
public struct RuntimeFolders: Sendable, Equatable {
    public var functions: String
    public var secrets: String

    public init(functions: String, secrets: String) {
        self.functions = functions
        self.secrets = secrets
    }

    public static let standard = RuntimeFolders(functions: ProjectLayout.standard.functions, secrets: ProjectLayout.standard.secrets)

    public var isStandard: Bool { self == .standard }
}

public struct JobMetadata: Sendable, Equatable {
    public var id: String
    public var description: String?
    public var schedule: Schedule
    public var startDate: StartDate?
    public var catchup: Bool
    public var tags: [String]
    /// The job file, relative to the project root with '/' separators (stable across machines).
    public var sourcePath: String
    /// Run parameters in declaration order: every run gets a value for each (its default unless the
    /// run overrides it).
    public var params: [RunParameter]
    /// Where each job-level setting is written.
    public var sources: JobSources
    /// Where the generated code finds the project's functions and secrets at run time.
    public var runtimeFolders: RuntimeFolders = .standard

    public init(
        id: String, description: String?, schedule: Schedule, startDate: StartDate?, catchup: Bool, tags: [String],
        sourcePath: String, params: [RunParameter] = [], sources: JobSources? = nil
    ) {
        self.sources = sources ?? JobSources(file: sourcePath)
        self.id = id
        self.description = description
        self.schedule = schedule
        self.startDate = startDate
        self.catchup = catchup
        self.tags = tags
        self.sourcePath = sourcePath
        self.params = params
    }
}

/// One task with everything resolved: its function's code location, final parameters, policy.
public struct TaskNode: Sendable, Equatable {
    // The fields live in one shared object, copied on write: lowering, the lineage check and the
    // emitters each pass tasks around, and a task copied field by field retained and released a
    // dozen strings and arrays; now a copy is one retain.
    private struct Fields: Equatable {
        var key: String
        var taskID: String
        var function: FunctionReference
        var parameters: [ParameterValue.MappingEntry]
        var fileReferences: [FileReference]
        var secretName: String?
        var retry: RetryPolicy
        var timeout: Duration?
        var sourceLine: Int
        var sourceColumn: Int
        var group: String?
        var triggerRule: TriggerRule
        var onFailure: FailureAlerts
        var forEach: FanOut?
        var sources: TaskSources
        var lineage: TableLineage = TableLineage.none
    }

    private var storage: CopyOnWrite<Fields>

    public init(
        key: String, taskID: String, function: FunctionReference, parameters: [ParameterValue.MappingEntry],
        fileReferences: [FileReference], secretName: String?, retry: RetryPolicy, timeout: Duration?,
        sourceLine: Int, sourceColumn: Int, group: String? = nil, triggerRule: TriggerRule = .allSuccess,
        onFailure: FailureAlerts = FailureAlerts(), forEach: FanOut? = nil, sources: TaskSources = TaskSources()
    ) {
        storage = CopyOnWrite(Fields(
            key: key, taskID: taskID, function: function, parameters: parameters, fileReferences: fileReferences,
            secretName: secretName, retry: retry, timeout: timeout, sourceLine: sourceLine, sourceColumn: sourceColumn,
            group: group, triggerRule: triggerRule, onFailure: onFailure, forEach: forEach, sources: sources))
    }


    public static func == (lhs: TaskNode, rhs: TaskNode) -> Bool { lhs.storage == rhs.storage }

    /// The key under `tasks:`; dependencies refer to tasks by it.
    public var key: String { get { storage.fields.key } set { storage.fields.key = newValue } }

    /// The id engines display (the key unless `task_id` says otherwise).
    public var taskID: String { get { storage.fields.taskID } set { storage.fields.taskID = newValue } }
    public var function: FunctionReference { get { storage.fields.function } set { storage.fields.function = newValue } }

    /// The task's kwargs as written, in order (contract defaults are applied by the function itself).
    public var parameters: [ParameterValue.MappingEntry] { get { storage.fields.parameters } set { storage.fields.parameters = newValue } }

    /// Parameters that name project files, checked to exist inside the project root.
    public var fileReferences: [FileReference] { get { storage.fields.fileReferences } set { storage.fields.fileReferences = newValue } }

    /// The secret's name; its value is resolved at run time by the target's runtime, never by jobc.
    public var secretName: String? { get { storage.fields.secretName } set { storage.fields.secretName = newValue } }
    public var retry: RetryPolicy { get { storage.fields.retry } set { storage.fields.retry = newValue } }
    public var timeout: Duration? { get { storage.fields.timeout } set { storage.fields.timeout = newValue } }

    /// Where the task is declared, so a plugin's diagnostic about a task maps back to the YAML.
    public var sourceLine: Int { get { storage.fields.sourceLine } set { storage.fields.sourceLine = newValue } }
    public var sourceColumn: Int { get { storage.fields.sourceColumn } set { storage.fields.sourceColumn = newValue } }

    /// The innermost group the task belongs to, or nil.
    public var group: String? { get { storage.fields.group } set { storage.fields.group = newValue } }
    public var triggerRule: TriggerRule { get { storage.fields.triggerRule } set { storage.fields.triggerRule = newValue } }

    /// The job's alerts plus the task's own; empty when nobody is to be told.
    public var onFailure: FailureAlerts { get { storage.fields.onFailure } set { storage.fields.onFailure = newValue } }

    /// Set when the task runs once per item.
    public var forEach: FanOut? { get { storage.fields.forEach } set { storage.fields.forEach = newValue } }

    /// Where each of the task's settings is written.
    public var sources: TaskSources { get { storage.fields.sources } set { storage.fields.sources = newValue } }

    /// The tables the task's SQL reads and writes, sorted, as PostgreSQL resolves the names; empty
    /// for tasks that run no SQL jobc parses.
    public var lineage: TableLineage { get { storage.fields.lineage } set { storage.fields.lineage = newValue } }
}

/// Where a function's code lives, from its contract.
public struct FunctionReference: Sendable, Equatable {
    public var name: String
    public var module: String
    public var className: String

    public init(name: String, module: String, className: String) {
        self.name = name
        self.module = module
        self.className = className
    }
}

/// What a task's SQL does to tables (`reads`, `writes`), each table once, sorted by name, located
/// at its first use in the SQL file; and the tables it may touch unordered (`allow_unordered:`).
/// A class: a task node is copied often on its way through the emitters, and this is one reference
/// to copy rather than five; it never changes after the IR builder made it.
public final class TableLineage: Sendable, Equatable {
    public let reads: [TableAccess]
    public let writes: [TableAccess]
    public let allowUnordered: [String]
    /// The SQL files the task runs and their dialect, parsed or not; nil when its function runs no
    /// SQL file. Not in the JSON form: `jobc lint --verbose` reports it.
    public let sqlFiles: SQLFileSet?

    /// What a task without SQL (and without allow_unordered) has.
    public static let none = TableLineage()

    public init(reads: [TableAccess] = [], writes: [TableAccess] = [], allowUnordered: [String] = [], sqlFiles: SQLFileSet? = nil) {
        self.reads = reads
        self.writes = writes
        self.allowUnordered = allowUnordered
        self.sqlFiles = sqlFiles
    }

    public static func == (lhs: TableLineage, rhs: TableLineage) -> Bool {
        lhs === rhs || (lhs.reads == rhs.reads && lhs.writes == rhs.writes && lhs.allowUnordered == rhs.allowUnordered && lhs.sqlFiles == rhs.sqlFiles)
    }
}

/// The SQL files one task runs, in a dialect jobc parses or not.
public struct SQLFileSet: Sendable, Equatable {
    public var dialect: String
    /// Relative to the project root; one per fan-out item when for_each sets the file.
    public var paths: [String]
    public var parsed: Bool

    public init(dialect: String, paths: [String], parsed: Bool) {
        self.dialect = dialect
        self.paths = paths
        self.parsed = parsed
    }
}

/// One table a task reads or writes, and where its SQL file first names it that way.
public struct TableAccess: Sendable, Equatable {
    /// As PostgreSQL resolves it: unquoted names lowercased, schema kept when written (`sales.orders`).
    public var table: String
    public var location: SourceLocation

    public init(table: String, location: SourceLocation) {
        self.table = table
        self.location = location
    }
}

/// A parameter whose value is a project file path (relative to the root, normalised).
public struct FileReference: Sendable, Equatable {
    public var parameter: String
    public var path: String

    public init(parameter: String, path: String) {
        self.parameter = parameter
        self.path = path
    }
}

/// How often and how patiently a failed task is tried again.
public struct RetryPolicy: Sendable, Equatable {
    public var retries: Int
    public var delay: Duration

    public static let defaultDelay = Duration(seconds: 300)

    public init(retries: Int, delay: Duration) {
        self.retries = retries
        self.delay = delay
    }
}

/// `target` waits for `source`.
public struct Edge: Sendable, Equatable, Hashable {
    public var source: String
    public var target: String

    public init(source: String, target: String) {
        self.source = source
        self.target = target
    }
}

/// A typed run parameter (`params:`), with the value runs get unless they override it.
public struct RunParameter: Sendable, Equatable {
    public enum ValueType: String, Sendable, CaseIterable {
        case string, integer, number, boolean

        /// Whether `value` is of this type (an integer is also a number).
        public func accepts(_ value: ParameterValue) -> Bool {
            switch (self, value) {
            case (.string, .string), (.integer, .integer), (.number, .integer), (.number, .float), (.boolean, .bool): return true
            default: return false
            }
        }
    }

    public var name: String
    public var type: ValueType
    public var defaultValue: ParameterValue
    public var description: String?
    /// Where the parameter's name is written.
    public var location: SourceLocation?

    public init(name: String, type: ValueType, defaultValue: ParameterValue, description: String?, location: SourceLocation? = nil) {
        self.location = location
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// When a task runs, given the states of the tasks it waits for (docs/orchestration-features.md).
public enum TriggerRule: String, Sendable, Equatable, CaseIterable {
    /// Every upstream task succeeded (the default).
    case allSuccess = "all_success"
    /// Every upstream task is done, whatever its state.
    case allDone = "all_done"
    /// At least one upstream task failed (or did not run because something before it failed).
    case oneFailed = "one_failed"
}

/// Who is told when a task fails at its last attempt.
public struct FailureAlerts: Sendable, Equatable {
    /// http(s) URLs that receive a JSON message.
    public var webhooks: [String]
    public var emails: [String]

    public init(webhooks: [String] = [], emails: [String] = []) {
        self.webhooks = webhooks
        self.emails = emails
    }

    public var isEmpty: Bool { webhooks.isEmpty && emails.isEmpty }
}

/// A task run once per item, each run receiving the item as the kwarg `parameter`.
public struct FanOut: Sendable, Equatable {
    public var parameter: String
    public var items: [ParameterValue]

    public init(parameter: String, items: [ParameterValue]) {
        self.parameter = parameter
        self.items = items
    }
}

/// A named set of tasks and groups, for display and as a dependency endpoint (already expanded
/// into task edges in the IR).
public struct TaskGroup: Sendable, Equatable {
    public var key: String
    /// The enclosing group, or nil for a top-level group.
    public var parent: String?
    public var description: String?
    public var sourceLine: Int
    public var sourceColumn: Int
    /// Where the group's key is written.
    public var location: SourceLocation?

    public init(key: String, parent: String?, description: String?, sourceLine: Int, sourceColumn: Int, location: SourceLocation? = nil) {
        self.location = location
        self.key = key
        self.parent = parent
        self.description = description
        self.sourceLine = sourceLine
        self.sourceColumn = sourceColumn
    }
}
