/// The intermediate representation every emitter consumes: one validated job as a typed graph.
/// It knows nothing about YAML or about any engine; `jobc ir` prints it as versioned JSON.
public struct JobGraph: Sendable, Equatable {
    /// Bumped on any change an external emitter could notice.
    public static let irVersion = 1

    public var job: JobMetadata
    /// Tasks in a deterministic topological order: every task after all its upstream tasks, ties
    /// broken by the order the job file declares them.
    public var tasks: [TaskNode]
    /// Every dependency once, sorted by (topological index of source, of target).
    public var edges: [Edge]

    public init(job: JobMetadata, tasks: [TaskNode], edges: [Edge]) {
        self.job = job
        self.tasks = tasks
        self.edges = edges
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
public struct JobMetadata: Sendable, Equatable {
    public var id: String
    public var description: String?
    public var schedule: Schedule
    public var startDate: StartDate?
    public var catchup: Bool
    public var tags: [String]
    /// The job file, relative to the project root with '/' separators (stable across machines).
    public var sourcePath: String

    public init(id: String, description: String?, schedule: Schedule, startDate: StartDate?, catchup: Bool, tags: [String], sourcePath: String) {
        self.id = id
        self.description = description
        self.schedule = schedule
        self.startDate = startDate
        self.catchup = catchup
        self.tags = tags
        self.sourcePath = sourcePath
    }
}

/// One task with everything resolved: its function's code location, final parameters, policy.
public struct TaskNode: Sendable, Equatable {
    /// The key under `tasks:`; dependencies refer to tasks by it.
    public var key: String
    /// The id engines display (the key unless `task_id` says otherwise).
    public var taskID: String
    public var function: FunctionReference
    /// The task's kwargs as written, in order (contract defaults are applied by the function itself).
    public var parameters: [ParameterValue.MappingEntry]
    /// Parameters that name project files, checked to exist inside the project root.
    public var fileReferences: [FileReference]
    /// The secret's name; its value is resolved at run time by the target's runtime, never by jobc.
    public var secretName: String?
    public var retry: RetryPolicy
    public var timeout: Duration?
    /// Where the task is declared, so a plugin's diagnostic about a task maps back to the YAML.
    public var sourceLine: Int
    public var sourceColumn: Int

    public init(
        key: String, taskID: String, function: FunctionReference, parameters: [ParameterValue.MappingEntry],
        fileReferences: [FileReference], secretName: String?, retry: RetryPolicy, timeout: Duration?,
        sourceLine: Int, sourceColumn: Int
    ) {
        self.key = key
        self.taskID = taskID
        self.function = function
        self.parameters = parameters
        self.fileReferences = fileReferences
        self.secretName = secretName
        self.retry = retry
        self.timeout = timeout
        self.sourceLine = sourceLine
        self.sourceColumn = sourceColumn
    }
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
