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
        ])
        return plan.rendered(indent: nil) + "\n"
    }
}
