import Foundation

/// A job's test file (`NAME.test.yaml` beside `NAME.yaml`, `jobc test`): the job it tests and its
/// scenarios, each a local run with stubbed tasks and the outcome it must have. Every value keeps
/// where it was written, so a failed expectation points at itself.
public struct JobTest: Sendable {
    /// The test file, as the user named it.
    public var path: String
    /// The job file tested: `job:` resolved against the test file's folder, or the file of the
    /// same stem.
    public var jobPath: String
    public var scenarios: [JobTestScenario]

    /// Test files end in `.test.yaml` or `.test.yml`; folder searches for jobs skip them.
    public static let suffixes = [".test.yaml", ".test.yml"]

    public static func isTestFile(_ name: String) -> Bool {
        suffixes.contains { name.hasUTF8Suffix($0) && name.utf8.count > $0.utf8.count }
    }
}

/// One scenario: how to run the job, what to stub, and what to expect.
public struct JobTestScenario: Sendable {
    public struct Stub: Sendable {
        public var task: Located<String>
        public var stub: TaskStub
    }

    /// A task's expected state and number of attempts (either may be left out).
    public struct TaskExpectation: Sendable {
        public var task: Located<String>
        public var state: Located<String>?
        public var attempts: Located<Int>?
    }

    /// A query run after the run, against the database of a secret, and the rows it must return.
    public struct SQLExpectation: Sendable {
        public var query: Located<String>
        public var secret: Located<String>
        /// Each value as text (numbers compare as numbers); located at the `rows:` value.
        public var rows: Located<[[String]]>
    }

    public var name: Located<String>
    public var logicalDate: Located<String>?
    public var params: [(name: Located<String>, value: String)]
    public var stubs: [Stub]
    public var tasks: [TaskExpectation]
    public var sql: [SQLExpectation]

    /// The task states a run's report uses (targets/local/README.md).
    public static let states = ["success", "failed", "upstream_failed", "skipped", "interrupted", "not_run"]
}
