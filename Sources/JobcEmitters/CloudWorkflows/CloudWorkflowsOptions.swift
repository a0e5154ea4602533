import JobcCore

/// Where the generated workflow and its scheduler point: `jobc compile --target cloud-workflows
/// --option key=value`. Every value is checked against the resource's naming rules, so nothing an
/// option holds can change the meaning of the generated files.
public struct CloudWorkflowsOptions: Equatable, Sendable {
    public var project = "my-project"
    public var region = "us-central1"
    /// The Cloud Run function that runs every task (targets/cloud_workflows/).
    public var executorService = "jobc-executor"
    /// Overrides the executor URL built from region, project and service (e.g. a local executor).
    public var executorURL: String?
    /// The service account Cloud Scheduler uses to start executions.
    public var schedulerServiceAccount: String?

    public static let documentation: [(key: String, meaning: String)] = [
        ("project", "Google Cloud project id (default my-project)"),
        ("region", "region of the workflow, executor and scheduler job (default us-central1)"),
        ("executor_service", "name of the executor function (default jobc-executor)"),
        ("executor_url", "full executor URL, e.g. http://127.0.0.1:8080 for a local run (default https://REGION-PROJECT.cloudfunctions.net/SERVICE)"),
        ("scheduler_service_account", "service account Cloud Scheduler runs as (default jobc-scheduler@PROJECT.iam.gserviceaccount.com)"),
    ]

    public var resolvedExecutorURL: String {
        executorURL ?? "https://\(region)-\(project).cloudfunctions.net/\(executorService)"
    }

    public var resolvedSchedulerServiceAccount: String {
        schedulerServiceAccount ?? "jobc-scheduler@\(project).iam.gserviceaccount.com"
    }

    public init() {}

    /// Reads the options; unknown keys and malformed values are error diagnostics.
    public static func parse(_ options: [String: String], file: String) -> (CloudWorkflowsOptions, [Diagnostic]) {
        var result = CloudWorkflowsOptions()
        var diagnostics: [Diagnostic] = []
        let location = SourceLocation(file: file, line: 1, column: 1)
        func check(_ key: String, _ value: String, _ valid: Bool, _ rule: String) -> String? {
            if valid { return value }
            diagnostics.append(.error(.invalidValue, "cloud-workflows option \(key)=\(PythonLiteral.string(value)) is invalid: \(rule)", at: location))
            return nil
        }
        for key in options.keys.sorted() {
            let value = options[key]!
            switch key {
            case "project":
                result.project = check(key, value, matches(value, first: lower, rest: lower + digits + "-", last: lower + digits, length: 6...30),
                                       "6-30 lowercase letters, digits and '-', starting with a letter") ?? result.project
            case "region":
                result.region = check(key, value, matches(value, first: lower, rest: lower + digits + "-", last: digits, length: 2...40),
                                      "a region name such as us-central1") ?? result.region
            case "executor_service":
                result.executorService = check(key, value, matches(value, first: lower, rest: lower + digits + "-", last: lower + digits, length: 1...63),
                                               "lowercase letters, digits and '-', starting with a letter") ?? result.executorService
            case "executor_url":
                let valid = (value.hasPrefix("https://") || value.hasPrefix("http://")) && value.count > 8
                    && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"\"\\{}<>`".unicodeScalars.contains($0) }
                result.executorURL = check(key, value, valid, "an http:// or https:// URL without spaces, quotes or braces")
            case "scheduler_service_account":
                let parts = value.split(separator: "@", omittingEmptySubsequences: false)
                let valid = parts.count == 2 && [parts[0], parts[1]].allSatisfy { part in
                    !part.isEmpty && part.unicodeScalars.allSatisfy { (lower + digits + "-.").unicodeScalars.contains($0) }
                }
                result.schedulerServiceAccount = check(key, value, valid, "a service account email such as name@project.iam.gserviceaccount.com")
            default:
                let known = documentation.map(\.key)
                diagnostics.append(.error(
                    .invalidValue, "unknown cloud-workflows option '\(key)'", at: location,
                    suggestion: "known options: " + known.joined(separator: ", ")))
            }
        }
        return (result, diagnostics)
    }

    private static let lower = "abcdefghijklmnopqrstuvwxyz"
    private static let digits = "0123456789"

    private static func matches(_ value: String, first: String, rest: String, last: String, length: ClosedRange<Int>) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard length.contains(scalars.count), let head = scalars.first, let tail = scalars.last else { return false }
        return first.unicodeScalars.contains(head) && last.unicodeScalars.contains(tail) && scalars.allSatisfy { rest.unicodeScalars.contains($0) }
    }
}
