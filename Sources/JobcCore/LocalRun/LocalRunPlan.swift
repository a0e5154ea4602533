/// One run of one job as `jobc run` hands it to the local executor (`targets/local`, protocol in
/// its README): the job's IR and the run's settings. The executor decides everything else the way
/// the engines do.
public struct LocalRunPlan: Sendable {
    /// The version of the plan and event protocol; the executor refuses another one.
    public static let protocolVersion = 1

    public var graph: JobGraph
    public var runID: String
    /// `YYYY-MM-DD` or an ISO 8601 date-time, checked by the executor as every target's runtime does.
    public var logicalDate: String
    /// `--param NAME=VALUE` as typed: the executor types each value by the parameter's declared type.
    public var params: [(name: String, value: String)]
    /// Keys of the tasks to run, or nil for all of them.
    public var selectedTasks: [String]?
    public var maxParallel: Int
    public var runFolder: String
    public var reportPath: String?
    public var projectRoot: String
    /// `jobc test`: tasks whose attempts run a stub instead of the task's function, by task key.
    public var stubs: [(task: String, stub: TaskStub)] = []
    /// `jobc test`: SQL the executor runs after the run, its rows in the report's `queries`.
    public var queries: [(query: String, secret: String)] = []

    public init(graph: JobGraph, runID: String, logicalDate: String, params: [(name: String, value: String)],
                selectedTasks: [String]?, maxParallel: Int, runFolder: String, reportPath: String?, projectRoot: String) {
        self.graph = graph
        self.runID = runID
        self.logicalDate = logicalDate
        self.params = params
        self.selectedTasks = selectedTasks
        self.maxParallel = maxParallel
        self.runFolder = runFolder
        self.reportPath = reportPath
        self.projectRoot = projectRoot
    }

    /// The plan as the one line the executor reads.
    public var line: String {
        let plan: JSONValue = .object([
            ("protocol", .integer(Self.protocolVersion)),
            ("ir", graph.json),
            ("run_id", .string(runID)),
            ("logical_date", .string(logicalDate)),
            ("params", .object(params.map { ($0.name, .string($0.value)) })),
            ("tasks", selectedTasks.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("max_parallel", .integer(maxParallel)),
            ("run_folder", .string(runFolder)),
            ("report", reportPath.map(JSONValue.string) ?? .null),
            ("project_root", .string(projectRoot)),
        ] + (stubs.isEmpty ? [] : [("stubs", .object(stubs.map { ($0.task, $0.stub.json) }))])
          + (queries.isEmpty ? [] : [("queries", .array(queries.map { .object([("query", .string($0.query)), ("secret", .string($0.secret))]) }))]))
        return plan.rendered(indent: nil) + "\n"
    }
}

/// What a stubbed task's attempts do instead of running its function (`jobc test`): sleep, then
/// fail always, or fail the first `failTimes` attempts and succeed after.
public struct TaskStub: Sendable, Equatable {
    public var fail: Bool
    public var failTimes: Int
    public var sleepSeconds: Double

    public init(fail: Bool = false, failTimes: Int = 0, sleepSeconds: Double = 0) {
        self.fail = fail
        self.failTimes = failTimes
        self.sleepSeconds = sleepSeconds
    }

    var json: JSONValue {
        .object([("fail", .bool(fail)), ("fail_times", .integer(failTimes)), ("sleep", .number(sleepSeconds))])
    }
}
