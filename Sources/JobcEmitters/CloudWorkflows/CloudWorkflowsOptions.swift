import JobcCore

/// Where the generated workflow and its scheduler point: `jobc compile --target cloud-workflows
/// --option key=value`. Every value is checked against the resource's naming rules (in the option
/// declarations, before any job compiles), so nothing an option holds can change the meaning of the
/// generated files.
public struct CloudWorkflowsOptions: Equatable, Sendable {
    public var project = "my-project"
    public var region = "us-central1"
    /// The Cloud Run function that runs every task (targets/cloud_workflows/).
    public var executorService = "jobc-executor"
    /// Overrides the executor URL built from region, project and service (e.g. a local executor).
    public var executorURL: String?
    /// The service account Cloud Scheduler uses to start executions.
    public var schedulerServiceAccount: String?
    /// Seconds the program waits for one executor call (Workflows' maximum: 1800); the executor
    /// holds a call a little less and the program calls again while the task runs. Short values
    /// are for tests that prove a task may outlive one call.
    public var httpTimeout = WorkflowsProgramFile.maximumHTTPTimeout
    /// The workflow's own identity: the account its calls to the executor run as.
    public var workflowServiceAccount: String?
    /// How much of its calls the workflow logs (`call_log_level`).
    public var logLevel = "LOG_ERRORS_ONLY"

    /// The values `log_level` takes: Workflows' call log levels, but the unspecified one.
    public static let logLevels = ["LOG_ALL_CALLS", "LOG_ERRORS_ONLY", "LOG_NONE"]

    /// The options the target declares (`Emitter.options`), each with its naming rule.
    public static let declarations: [TargetOption] = [
        TargetOption("project", default: "my-project", help: "Google Cloud project id") { value in
            matches(value, first: lower, rest: lower + digits + "-", last: lower + digits, length: 6...30)
                ? nil : "6-30 lowercase letters, digits and '-', starting with a letter"
        },
        TargetOption("region", default: "us-central1", help: "region of the workflow, executor and scheduler job") { value in
            matches(value, first: lower, rest: lower + digits + "-", last: digits, length: 2...40) ? nil : "a region name such as us-central1"
        },
        TargetOption("executor_service", default: "jobc-executor", help: "name of the executor function") { value in
            matches(value, first: lower, rest: lower + digits + "-", last: lower + digits, length: 1...63)
                ? nil : "lowercase letters, digits and '-', starting with a letter"
        },
        TargetOption(
            "executor_url",
            help: "full executor URL, e.g. http://127.0.0.1:8080 for a local run (default https://REGION-PROJECT.cloudfunctions.net/SERVICE)"
        ) { value in
            let valid = (value.hasPrefix("https://") || value.hasPrefix("http://")) && value.count > 8
                && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"\"\\{}<>`".unicodeScalars.contains($0) }
            return valid ? nil : "an http:// or https:// URL without spaces, quotes or braces"
        },
        TargetOption(
            "scheduler_service_account",
            help: "service account Cloud Scheduler runs as (default jobc-scheduler@PROJECT.iam.gserviceaccount.com)",
            check: serviceAccountProblem),
        TargetOption(
            "workflow_service_account",
            help: "service account the workflow runs as, which calls the executor (default jobc-workflow@PROJECT.iam.gserviceaccount.com)",
            check: serviceAccountProblem),
        TargetOption(
            "log_level", default: "LOG_ERRORS_ONLY",
            help: "the workflow's call_log_level: \(logLevels.joined(separator: ", "))"
        ) { value in
            logLevels.contains(value) ? nil : "one of \(logLevels.joined(separator: ", "))"
        },
        TargetOption(
            "http_timeout", type: .integer, default: String(WorkflowsProgramFile.maximumHTTPTimeout),
            help: "seconds one executor call may take, 4-1800; a task running longer is polled again"
        ) { value in
            Int(value).map { (4...WorkflowsProgramFile.maximumHTTPTimeout).contains($0) } == true ? nil : "a whole number of seconds from 4 to 1800"
        },
    ]

    private static func serviceAccountProblem(_ value: String) -> String? {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        let valid = parts.count == 2 && [parts[0], parts[1]].allSatisfy { part in
            !part.isEmpty && part.unicodeScalars.allSatisfy { (lower + digits + "-.").unicodeScalars.contains($0) }
        }
        return valid ? nil : "a service account email such as name@project.iam.gserviceaccount.com"
    }

    public var resolvedExecutorURL: String {
        executorURL ?? "https://\(region)-\(project).cloudfunctions.net/\(executorService)"
    }

    public var resolvedSchedulerServiceAccount: String {
        schedulerServiceAccount ?? "jobc-scheduler@\(project).iam.gserviceaccount.com"
    }

    public var resolvedWorkflowServiceAccount: String {
        workflowServiceAccount ?? "jobc-workflow@\(project).iam.gserviceaccount.com"
    }

    public init() {}

    /// The options of a run, already checked against `declarations`.
    public init(_ values: TargetOptionValues) {
        project = values["project"] ?? project
        region = values["region"] ?? region
        executorService = values["executor_service"] ?? executorService
        executorURL = values["executor_url"]
        schedulerServiceAccount = values["scheduler_service_account"]
        httpTimeout = values["http_timeout"].flatMap { Int($0) } ?? httpTimeout
        workflowServiceAccount = values["workflow_service_account"]
        logLevel = values["log_level"] ?? logLevel
    }

    private static let lower = "abcdefghijklmnopqrstuvwxyz"
    private static let digits = "0123456789"

    private static func matches(_ value: String, first: String, rest: String, last: String, length: ClosedRange<Int>) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard length.contains(scalars.count), let head = scalars.first, let tail = scalars.last else { return false }
        return first.unicodeScalars.contains(head) && last.unicodeScalars.contains(tail) && scalars.allSatisfy { rest.unicodeScalars.contains($0) }
    }
}
