/// Reads a job file's YAML tree into a `JobSpec`: checks the shape (keys, types) and the syntax of
/// values (schedule, dates, durations), reporting every problem it finds, not just the first.
public struct JobSpecDecoder: Sendable {
    public static let jobKeys = JobFormat.job.names
    public static let taskKeys = JobFormat.task.names
    public static let policyKeys = JobFormat.policy.names
    public static let dependencyKeys = JobFormat.dependency.names
    public static let maxRetries = 100

    public init() {}

    public func decode(_ root: YAMLNode, file: String) -> (spec: JobSpec?, diagnostics: [Diagnostic]) {
        var diagnostics = DiagnosticCollector()
        guard let job = MappingReader(root, context: "the job", diagnostics: &diagnostics) else {
            return (nil, diagnostics.diagnostics)
        }
        var spec = JobSpec(file: file, location: root.location)
        job.reportUnknownKeys(allowed: Self.jobKeys, diagnostics: &diagnostics)
        spec.jobID = decodeJobID(job, &diagnostics)
        if let node = job.value("description") {
            spec.description = MappingReader.string(node, "'description'", diagnostics: &diagnostics)
        }
        if let node = job.value("schedule") {
            spec.schedule = decodeSchedule(node, &diagnostics)
        }
        if let node = job.value("start_date") {
            spec.startDate = decodeStartDate(node, &diagnostics)
        } else if case .cron? = spec.schedule?.value {
            diagnostics.error(
                .missingKey, "a scheduled job needs 'start_date' (the first moment the schedule applies)",
                at: job.keyLocation("schedule"), suggestion: "add e.g. start_date: \"2024-01-01\"")
        }
        if let node = job.value("catchup") {
            spec.catchup = MappingReader.bool(node, "'catchup'", diagnostics: &diagnostics)
        }
        if let node = job.value("tags") {
            spec.tags = MappingReader.stringList(node, "'tags'", diagnostics: &diagnostics)
        }
        if let node = job.value("defaults"),
           let defaults = MappingReader(node, context: "'defaults'", diagnostics: &diagnostics) {
            defaults.reportUnknownKeys(allowed: Self.policyKeys, diagnostics: &diagnostics)
            spec.defaults = decodePolicy(defaults, &diagnostics)
        }
        if let node = job.require("tasks", diagnostics: &diagnostics) {
            spec.tasks = decodeTasks(node, &diagnostics)
            spec.dependencies += spec.tasks.flatMap { task in
                task.dependsOn.map { DependencySpec(source: $0, target: task.key, origin: .dependsOn) }
            }
        }
        if let node = job.value("dependencies") {
            spec.dependencies = decodeDependencyList(node, &diagnostics) + spec.dependencies
        }
        return (spec, diagnostics.diagnostics)
    }

    private func decodeJobID(_ job: MappingReader, _ diagnostics: inout DiagnosticCollector) -> Located<String>? {
        if let node = job.value("job_id") {
            if let alias = job.keyLocation("name") {
                diagnostics.error(
                    .unknownKey, "'name' and 'job_id' both set; 'name' is an old alias of 'job_id'", at: alias,
                    suggestion: "remove 'name'")
            }
            return MappingReader.string(node, "'job_id'", diagnostics: &diagnostics)
        }
        if let node = job.value("name") {
            diagnostics.warning(
                .deprecatedKey, "'name' is accepted as an alias of 'job_id'", at: job.keyLocation("name"),
                suggestion: "rename the key to 'job_id'")
            return MappingReader.string(node, "'name'", diagnostics: &diagnostics)
        }
        diagnostics.error(.missingKey, "the job is missing the required key 'job_id'", at: job.node.location)
        return nil
    }

    private func decodeSchedule(_ node: YAMLNode, _ diagnostics: inout DiagnosticCollector) -> Located<Schedule>? {
        if node.scalar?.resolved == .null { return Located(.manual, at: node.location) }
        guard let text = MappingReader.string(node, "'schedule'", diagnostics: &diagnostics) else { return nil }
        switch CronExpression.parse(text.value) {
        case .success(let cron):
            return Located(.cron(cron), at: node.location)
        case .failure(let error):
            diagnostics.error(
                .invalidSchedule, error.message, at: MappingReader.location(in: node, offset: error.offset),
                suggestion: error.suggestion)
            return nil
        }
    }

    private func decodeStartDate(_ node: YAMLNode, _ diagnostics: inout DiagnosticCollector) -> Located<StartDate>? {
        guard let text = MappingReader.string(node, "'start_date'", diagnostics: &diagnostics) else { return nil }
        switch StartDate.parse(text.value) {
        case .success(let date):
            return Located(date, at: node.location)
        case .failure(let error):
            diagnostics.error(.invalidDate, error.message, at: node.location)
            return nil
        }
    }

    private func decodeTasks(_ node: YAMLNode, _ diagnostics: inout DiagnosticCollector) -> [TaskSpec] {
        guard let tasks = MappingReader(node, context: "'tasks'", diagnostics: &diagnostics) else { return [] }
        if tasks.entries.isEmpty {
            diagnostics.error(.missingKey, "'tasks' is empty; a job needs at least one task", at: node.location)
        }
        return tasks.entries.compactMap { entry in
            decodeTask(key: Located(entry.key, at: entry.keyLocation), entry.value, &diagnostics)
        }
    }

    private func decodeTask(key: Located<String>, _ node: YAMLNode, _ diagnostics: inout DiagnosticCollector) -> TaskSpec? {
        guard let task = MappingReader(node, context: "task '\(key.value)'", diagnostics: &diagnostics) else { return nil }
        task.reportUnknownKeys(allowed: Self.taskKeys, diagnostics: &diagnostics)
        var spec = TaskSpec(key: key, location: node.location)
        if let node = task.require("function", diagnostics: &diagnostics) {
            spec.function = MappingReader.string(node, "'function'", diagnostics: &diagnostics)
        }
        if let node = task.value("task_id") {
            spec.taskID = MappingReader.string(node, "'task_id'", diagnostics: &diagnostics)
        }
        if let node = task.value("secret_key"), node.scalar?.resolved != .null {
            spec.secretKey = MappingReader.string(node, "'secret_key'", diagnostics: &diagnostics)
        }
        if let node = task.value("kwargs"), node.scalar?.resolved != .null,
           let kwargs = MappingReader(node, context: "kwargs of task '\(key.value)'", diagnostics: &diagnostics) {
            spec.kwargsLocation = node.location
            spec.kwargs = kwargs.entries.map { KeywordArgumentSpec(name: Located($0.key, at: $0.keyLocation), value: $0.value) }
        }
        if let node = task.value("depends_on") {
            if let single = node.scalar, case .string = single.resolved {
                spec.dependsOn = [Located(single.text, at: node.location)]
            } else {
                spec.dependsOn = MappingReader.stringList(node, "'depends_on'", diagnostics: &diagnostics)
            }
        }
        spec.policy = decodePolicy(task, &diagnostics)
        return spec
    }

    private func decodePolicy(_ mapping: MappingReader, _ diagnostics: inout DiagnosticCollector) -> TaskPolicySpec {
        var policy = TaskPolicySpec()
        if let node = mapping.value("retries") {
            policy.retries = MappingReader.integer(node, "'retries'", range: 0...Self.maxRetries, diagnostics: &diagnostics)
        }
        if let node = mapping.value("retry_delay") {
            policy.retryDelay = decodeDuration(node, "'retry_delay'", minimumSeconds: 0, &diagnostics)
        }
        if let node = mapping.value("timeout") {
            policy.timeout = decodeDuration(node, "'timeout'", minimumSeconds: 1, &diagnostics)
        }
        return policy
    }

    private func decodeDuration(
        _ node: YAMLNode, _ what: String, minimumSeconds: Int, _ diagnostics: inout DiagnosticCollector
    ) -> Located<Duration>? {
        let text: String
        switch node.scalar?.resolved {
        case .integer(let seconds)?: text = String(seconds)
        case .float? where MappingReader.isWholeNumberSyntax(node.scalar!.text): text = node.scalar!.text
        case .string(let value)?: text = value
        default:
            diagnostics.error(
                .wrongType, "\(what) must be a duration like 30s, 5m or 1h30m, found \(node.kindDescription)",
                at: node.location)
            return nil
        }
        switch Duration.parse(text) {
        case .success(let duration) where duration.seconds >= minimumSeconds:
            return Located(duration, at: node.location)
        case .success:
            diagnostics.error(.invalidDuration, "\(what) must be at least \(minimumSeconds)s", at: node.location)
        case .failure(.tooLarge):
            diagnostics.error(.invalidDuration, "\(what) '\(text)' is longer than jobc allows (\(Duration(seconds: Duration.maximumSeconds)))", at: node.location)
        case .failure(.malformed):
            diagnostics.error(
                .invalidDuration, "\(what) '\(text)' is not a duration", at: node.location,
                suggestion: "write a number with units d, h, m, s in that order, e.g. 30s, 5m, 1h30m")
        }
        return nil
    }

    private func decodeDependencyList(_ node: YAMLNode, _ diagnostics: inout DiagnosticCollector) -> [DependencySpec] {
        guard let items = MappingReader.sequence(node, "'dependencies'", diagnostics: &diagnostics) else { return [] }
        return items.compactMap { item in
            guard let edge = MappingReader(item, context: "a dependency", diagnostics: &diagnostics) else { return nil }
            edge.reportUnknownKeys(allowed: Self.dependencyKeys, diagnostics: &diagnostics)
            let source = edge.require("source", diagnostics: &diagnostics).flatMap {
                MappingReader.string($0, "'source'", diagnostics: &diagnostics)
            }
            let target = edge.require("target", diagnostics: &diagnostics).flatMap {
                MappingReader.string($0, "'target'", diagnostics: &diagnostics)
            }
            guard let source, let target else { return nil }
            return DependencySpec(source: source, target: target, origin: .dependenciesList)
        }
    }
}
