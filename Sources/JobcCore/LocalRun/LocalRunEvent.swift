import Foundation

/// One line the local executor writes on its stdout (`targets/local/README.md`): what happened in the
/// run, for the command line to show. Members an event does not have are nil; unknown members are
/// ignored, so the executor can say more without breaking an older jobc.
public struct LocalRunEvent: Decodable, Sendable {
    public enum Kind: String, Decodable, Sendable {
        case runStarted = "run_started"
        case attemptStarted = "attempt_started"
        case attemptFinished = "attempt_finished"
        case taskFinished = "task_finished"
        case runFinished = "run_finished"
        /// The plan was refused before anything ran (bad run parameter, logical date, protocol).
        case runRejected = "run_rejected"
        /// The Python given cannot import jobc_runtime or jobc_local.
        case runtimeMissing = "runtime_missing"
    }

    /// A task as the run plans it (run_started).
    public struct PlannedTask: Decodable, Sendable {
        public var key: String
        public var taskId: String
        public var itemCount: Int?
    }

    /// A task's outcome in the report (run_finished).
    public struct TaskRecord: Decodable, Sendable {
        public var key: String
        public var taskId: String
        public var state: String
        public var attempts: Int
        public var maxAttempts: Int
        public var seconds: Double?
        public var error: String?
    }

    /// The rows (each value as text) of a query `jobc test` asked for, or why it failed.
    public struct QueryResult: Decodable, Sendable {
        public var rows: [[Cell]]?
        public var error: String?
    }

    /// One value of a query's row, as text: JSON null is `null`, booleans `true`/`false`.
    public struct Cell: Decodable, Sendable, Equatable {
        public var text: String
        public var isNumber: Bool

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                (text, isNumber) = ("null", false)
            } else if let value = try? container.decode(Bool.self) {
                (text, isNumber) = (value ? "true" : "false", false)
            } else if let value = try? container.decode(Int.self) {
                (text, isNumber) = (String(value), true)
            } else if let value = try? container.decode(Double.self) {
                (text, isNumber) = (String(value), true)
            } else {
                (text, isNumber) = (try container.decode(String.self), false)
            }
        }
    }

    public struct Report: Decodable, Sendable {
        public var state: String
        public var runFolder: String
        public var seconds: Double
        public var tasks: [TaskRecord]
        /// The results of the plan's `queries`, in order (nil when the run was interrupted).
        public var queries: [QueryResult]?
    }

    public var event: Kind
    public var task: String?
    public var taskId: String?
    public var item: Int?
    public var itemCount: Int?
    public var attempt: Int?
    public var maxAttempts: Int?
    /// attempt_finished: success, failed, timeout or interrupted.
    public var outcome: String?
    /// task_finished: success, failed, upstream_failed, skipped or interrupted.
    public var state: String?
    public var attempts: Int?
    public var seconds: Double?
    public var error: String?
    /// attempt_finished: the delay before the next attempt, nil when there is none.
    public var retryIn: Double?
    public var log: String?
    public var runFolder: String?
    public var jobId: String?
    public var runId: String?
    public var logicalDate: String?
    public var tasks: [PlannedTask]?
    public var report: Report?
    /// run_finished: why the report file could not be written, when it could not.
    public var reportError: String?
    public var python: String?
    /// run_started: the task keys the executor stubs (absent from an executor without stubs).
    public var stubs: [String]?

    /// The event of one line, or nil for a line that is not one (an unknown event included).
    public static func decode(line: [UInt8]) -> LocalRunEvent? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(LocalRunEvent.self, from: Data(line))
    }

    /// The unit an attempt event is about: the task key, with `[i]` for a fan-out item.
    public var unitLabel: String {
        let key = task ?? "?"
        return item.map { "\(key)[\($0)]" } ?? key
    }
}
