/// Reads a job file's YAML tree into a `JobSpec`: checks the shape (keys, types) and the syntax of
/// values (schedule, dates, durations), reporting every problem it finds, not just the first. Keys are
/// read only through `JobFormat`'s handles: the tables decide which keys exist and which are required.
public struct JobSpecDecoder: Sendable {
    public static let maxRetries = 100
    public static let maxFanOutItems = 1000

    public init() {}

    public func decode(_ root: YAMLNode, file: String) -> (spec: JobSpec?, diagnostics: [Diagnostic]) {
        var diagnostics = DiagnosticCollector()
        guard let job = MappingReader(root, table: .job, context: "the job", diagnostics: &diagnostics) else {
            return (nil, diagnostics.diagnostics)
        }
        var spec = JobSpec(file: file, location: root.location)
        spec.jobID = decodeJobID(job, &diagnostics)
        if let node = job.value(JobFormat.Job.description, &diagnostics) {
            spec.description = MappingReader.string(node, "'description'", diagnostics: &diagnostics)
        }
        if let node = job.value(JobFormat.Job.schedule, &diagnostics) {
            spec.schedule = decodeSchedule(node, &diagnostics)
        }
        if let node = job.value(JobFormat.Job.startDate, &diagnostics) {
            spec.startDate = decodeStartDate(node, &diagnostics)
        } else if case .cron? = spec.schedule?.value {
            diagnostics.error(
                .missingKey, "a scheduled job needs 'start_date' (the first moment the schedule applies)",
                at: job.keyLocation(JobFormat.Job.schedule), suggestion: "add e.g. start_date: \"2024-01-01\"")
        }
        if let node = job.value(JobFormat.Job.catchup, &diagnostics) {
            spec.catchup = MappingReader.bool(node, "'catchup'", diagnostics: &diagnostics)
        }
        if let node = job.value(JobFormat.Job.tags, &diagnostics) {
            spec.tags = MappingReader.stringList(node, "'tags'", diagnostics: &diagnostics)
        }
        if let node = job.value(JobFormat.Job.defaults, &diagnostics),
           let defaults = MappingReader(node, table: .policy, context: "'defaults'", diagnostics: &diagnostics) {
            spec.defaults = decodePolicy(defaults, &diagnostics)
        }
        if let node = job.value(JobFormat.Job.params, &diagnostics), node.scalar?.resolved != .null {
            spec.params = decodeParams(node, &diagnostics)
        }
        if let node = job.value(JobFormat.Job.onFailure, &diagnostics), node.scalar?.resolved != .null {
            spec.onFailure = decodeAlerts(node, "'on_failure'", &diagnostics)
        }
        if let node = job.value(JobFormat.Job.groups, &diagnostics), node.scalar?.resolved != .null {
            spec.groups = decodeGroups(node, &diagnostics)
            spec.dependencies += spec.groups.flatMap { group in
                group.dependsOn.map { DependencySpec(source: $0, target: group.key, origin: .dependsOn) }
            }
        }
        if let node = job.value(JobFormat.Job.tasks, &diagnostics) {
            spec.tasks = decodeTasks(node, &diagnostics)
            spec.dependencies += spec.tasks.flatMap { task in
                task.dependsOn.map { DependencySpec(source: $0, target: task.key, origin: .dependsOn) }
            }
        }
        if let node = job.value(JobFormat.Job.dependencies, &diagnostics) {
            spec.dependencies = decodeDependencyList(node, &diagnostics) + spec.dependencies
        }
        return (spec, diagnostics.diagnostics)
    }

    private func decodeJobID(_ job: MappingReader, _ diagnostics: inout DiagnosticCollector) -> Located<String>? {
        // `job.value` reports a missing job_id only when its alias 'name' is absent too.
        if let node = job.value(JobFormat.Job.jobID, &diagnostics) {
            if let alias = job.keyLocation(JobFormat.Job.name) {
                diagnostics.error(
                    .unknownKey, "'name' and 'job_id' both set; 'name' is an old alias of 'job_id'", at: alias,
                    suggestion: "remove 'name'")
            }
            return MappingReader.string(node, "'job_id'", diagnostics: &diagnostics)
        }
        if let node = job.value(JobFormat.Job.name, &diagnostics) {
            diagnostics.warning(
                .deprecatedKey, "'name' is accepted as an alias of 'job_id'", at: job.keyLocation(JobFormat.Job.name),
                suggestion: "rename the key to 'job_id'")
            return MappingReader.string(node, "'name'", diagnostics: &diagnostics)
        }
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
        var decoded: [TaskSpec] = []
        decoded.reserveCapacity(tasks.entries.count)  // compactMap grows its array from empty: six copies for 20 tasks
        for entry in tasks.entries {
            if let task = decodeTask(key: Located(entry.key, at: entry.keyLocation), entry.value, &diagnostics) { decoded.append(task) }
        }
        return decoded
    }

    private func decodeTask(key: Located<String>, _ node: YAMLNode, _ diagnostics: inout DiagnosticCollector) -> TaskSpec? {
        guard let task = MappingReader(node, table: .task, context: "task '\(key.value)'", diagnostics: &diagnostics) else { return nil }
        var spec = TaskSpec(key: key, location: node.location)
        if let node = task.value(JobFormat.Task.function, &diagnostics) {
            spec.function = MappingReader.string(node, "'function'", diagnostics: &diagnostics)
        }
        if let node = task.value(JobFormat.Task.taskID, &diagnostics) {
            spec.taskID = MappingReader.string(node, "'task_id'", diagnostics: &diagnostics)
        }
        if let node = task.value(JobFormat.Task.secretKey, &diagnostics), node.scalar?.resolved != .null {
            spec.secretKey = MappingReader.string(node, "'secret_key'", diagnostics: &diagnostics)
        }
        if let node = task.value(JobFormat.Task.kwargs, &diagnostics), node.scalar?.resolved != .null,
           let kwargs = MappingReader(node, context: "kwargs of task '\(key.value)'", diagnostics: &diagnostics) {
            spec.kwargsLocation = node.location
            spec.kwargs = kwargs.entries.map { entry in
                KeywordArgumentSpec(
                    name: Located(entry.key, at: entry.keyLocation),
                    value: decodeArgument(entry.value, parameter: entry.key, &diagnostics))
            }
        }
        if let node = task.value(JobFormat.Task.dependsOn, &diagnostics) {
            spec.dependsOn = stringOrList(node, "'depends_on'", &diagnostics)
        }
        if let node = task.value(JobFormat.Task.group, &diagnostics), node.scalar?.resolved != .null {
            spec.group = MappingReader.string(node, "'group'", diagnostics: &diagnostics)
        }
        if let node = task.value(JobFormat.Task.allowUnordered, &diagnostics) {
            spec.allowUnordered = stringOrList(node, "'allow_unordered'", &diagnostics)
        }
        if let node = task.value(JobFormat.Task.triggerRule, &diagnostics), let text = MappingReader.string(node, "'trigger_rule'", diagnostics: &diagnostics) {
            if let rule = TriggerRule(rawValue: text.value) {
                spec.triggerRule = Located(rule, at: text.location)
            } else {
                let names = TriggerRule.allCases.map(\.rawValue)
                diagnostics.error(
                    .invalidValue, "unknown trigger_rule '\(text.value)'", at: text.location,
                    suggestion: Suggestions.didYouMean(text.value, in: names) ?? "use one of: \(names.joined(separator: ", "))")
            }
        }
        if let node = task.value(JobFormat.Task.onFailure, &diagnostics), node.scalar?.resolved != .null {
            spec.onFailure = decodeAlerts(node, "'on_failure' of task '\(key.value)'", &diagnostics)
        }
        if let node = task.value(JobFormat.Task.forEach, &diagnostics) {
            spec.forEach = decodeForEach(node, task: key.value, &diagnostics)
        }
        spec.policy = decodePolicy(task, &diagnostics)
        return spec
    }

    /// A single string or a list of strings (`depends_on`, `webhook`, `email`).
    private func stringOrList(_ node: YAMLNode, _ what: String, _ diagnostics: inout DiagnosticCollector) -> [Located<String>] {
        if let single = node.scalar, case .string = single.resolved {
            return [Located(single.text, at: node.location)]
        }
        return MappingReader.stringList(node, what, diagnostics: &diagnostics)
    }

    private func decodeParams(_ node: YAMLNode, _ diagnostics: inout DiagnosticCollector) -> [RunParameterSpec] {
        guard let params = MappingReader(node, context: "'params'", diagnostics: &diagnostics) else { return [] }
        return params.entries.compactMap { entry in
            let name = Located(entry.key, at: entry.keyLocation)
            guard let param = MappingReader(entry.value, table: .param, context: "run parameter '\(entry.key)'", diagnostics: &diagnostics) else { return nil }
            var spec = RunParameterSpec(name: name)
            if let node = param.value(JobFormat.Param.type, &diagnostics),
               let text = MappingReader.string(node, "'type' of run parameter '\(entry.key)'", diagnostics: &diagnostics) {
                if let type = RunParameter.ValueType(rawValue: text.value) {
                    spec.type = Located(type, at: text.location)
                } else {
                    let names = RunParameter.ValueType.allCases.map(\.rawValue)
                    diagnostics.error(
                        .invalidValue, "unknown run parameter type '\(text.value)'", at: text.location,
                        suggestion: Suggestions.didYouMean(text.value, in: names) ?? "use one of: \(names.joined(separator: ", "))")
                }
            }
            if let node = param.value(JobFormat.Param.defaultValue, &diagnostics) {
                spec.defaultValue = decodeValue(
                    node, nonFinite: "the default of run parameter '\(entry.key)' is NaN or infinity", overflowSuggestion: nil, &diagnostics)
                if let type = spec.type?.value, let value = spec.defaultValue?.value, !type.accepts(value) {
                    var suggestion: String?
                    if type == .string, let scalar = node.scalar, scalar.style == .plain { suggestion = "quote it: \"\(scalar.text)\"" }
                    diagnostics.error(
                        .wrongType, "the default of run parameter '\(entry.key)' must be of type \(type.rawValue), found \(value.kindDescription)",
                        at: node.location, suggestion: suggestion)
                }
            }
            if let node = param.value(JobFormat.Param.description, &diagnostics) {
                spec.description = MappingReader.string(node, "'description'", diagnostics: &diagnostics)
            }
            return spec
        }
    }

    private func decodeAlerts(_ node: YAMLNode, _ what: String, _ diagnostics: inout DiagnosticCollector) -> AlertsSpec? {
        guard let alerts = MappingReader(node, table: .alerts, context: what, diagnostics: &diagnostics) else { return nil }
        var spec = AlertsSpec(location: node.location)
        let webhook = alerts.value(JobFormat.Alerts.webhook, &diagnostics)
        let email = alerts.value(JobFormat.Alerts.email, &diagnostics)
        if let node = webhook {
            spec.webhooks = stringOrList(node, "'webhook'", &diagnostics).filter { url in
                guard let problem = Self.webhookProblem(url.value) else { return true }
                diagnostics.error(.invalidValue, "webhook '\(url.value)' \(problem)", at: url.location,
                                  suggestion: "write a full URL, e.g. https://hooks.example.com/jobc")
                return false
            }
        }
        if let node = email {
            spec.emails = stringOrList(node, "'email'", &diagnostics).filter { address in
                guard !Self.isEmailAddress(address.value) else { return true }
                diagnostics.error(.invalidValue, "'\(address.value)' is not an e-mail address", at: address.location,
                                  suggestion: "write one address per item, e.g. data-oncall@example.com")
                return false
            }
        }
        if spec.webhooks.isEmpty && spec.emails.isEmpty && webhook == nil && email == nil {
            diagnostics.warning(.invalidValue, "\(what) names nobody to alert", at: node.location, suggestion: "add 'webhook' or 'email'")
        }
        return spec
    }

    /// Nil when `url` is an http(s) URL with a host and nothing a request line could not carry.
    static func webhookProblem(_ url: String) -> String? {
        let lowered = url.lowercased()
        guard let scheme = ["https://", "http://"].first(where: lowered.hasPrefix) else {
            return "is not an http:// or https:// URL"
        }
        if url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || !$0.isASCII }) {
            return "contains spaces, control or non-ASCII characters (percent-encode them)"
        }
        let host = url.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        // A password in the URL would reach logs and error messages; put a token in the path instead.
        if host.contains("@") { return "carries a user name or password before '@' (use a token in the path or query)" }
        if host.isEmpty || host.hasPrefix(":") { return "has no host" }
        return nil
    }

    /// A deliberately plain check: one '@', something before it, a dotted or single-label domain of
    /// letters, digits, '-' and '.', no spaces. Deliverability is the mail server's business.
    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, text.count <= 254 else { return false }
        let localAllowed = parts[0].unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && !"()<>,;:\\\"[]".unicodeScalars.contains($0) }
        let domainAllowed = parts[1].unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-" || $0 == ".") }
        return localAllowed && domainAllowed && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !parts[1].contains("..")
    }

    private func decodeGroups(_ node: YAMLNode, _ diagnostics: inout DiagnosticCollector) -> [GroupSpec] {
        guard let groups = MappingReader(node, context: "'groups'", diagnostics: &diagnostics) else { return [] }
        return groups.entries.compactMap { entry in
            let key = Located(entry.key, at: entry.keyLocation)
            var spec = GroupSpec(key: key, location: entry.value.location)
            if entry.value.scalar?.resolved == .null { return spec }  // `name:` alone: a group with no settings
            guard let group = MappingReader(entry.value, table: .group, context: "group '\(entry.key)'", diagnostics: &diagnostics) else { return nil }
            if let node = group.value(JobFormat.Group.description, &diagnostics) {
                spec.description = MappingReader.string(node, "'description'", diagnostics: &diagnostics)
            }
            if let node = group.value(JobFormat.Group.parent, &diagnostics), node.scalar?.resolved != .null {
                spec.parent = MappingReader.string(node, "'group'", diagnostics: &diagnostics)
            }
            if let node = group.value(JobFormat.Group.dependsOn, &diagnostics) {
                spec.dependsOn = stringOrList(node, "'depends_on'", &diagnostics)
            }
            return spec
        }
    }

    private func decodeForEach(_ node: YAMLNode, task: String, _ diagnostics: inout DiagnosticCollector) -> ForEachSpec? {
        guard let forEach = MappingReader(node, table: .forEach, context: "'for_each' of task '\(task)'", diagnostics: &diagnostics) else { return nil }
        let parameter = forEach.value(JobFormat.ForEach.parameter, &diagnostics).flatMap {
            MappingReader.string($0, "'parameter'", diagnostics: &diagnostics)
        }
        var items: [Located<ParameterValue>]?
        if let node = forEach.value(JobFormat.ForEach.items, &diagnostics),
           let list = MappingReader.sequence(node, "'items'", diagnostics: &diagnostics) {
            if list.isEmpty {
                diagnostics.error(.invalidValue, "'items' is empty; a fan-out needs at least one item", at: node.location)
            } else if list.count > Self.maxFanOutItems {
                diagnostics.error(.invalidValue, "'items' has \(list.count) items; jobc allows at most \(Self.maxFanOutItems)", at: node.location,
                                  suggestion: "split the task, or let one run handle several items")
            } else if let parameter {
                // Each item becomes the kwarg `parameter` of one run.
                items = list.compactMap { decodeArgument($0, parameter: parameter.value, &diagnostics) }
            }
        }
        guard let parameter, let items else { return nil }
        return ForEachSpec(location: node.location, parameter: parameter, items: items)
    }

    private func decodePolicy(_ mapping: MappingReader, _ diagnostics: inout DiagnosticCollector) -> TaskPolicySpec {
        var policy = TaskPolicySpec()
        if let node = mapping.value(JobFormat.Policy.retries, &diagnostics) {
            policy.retries = MappingReader.integer(node, "'retries'", range: 0...Self.maxRetries, diagnostics: &diagnostics)
        }
        if let node = mapping.value(JobFormat.Policy.retryDelay, &diagnostics) {
            policy.retryDelay = decodeDuration(node, "'retry_delay'", minimumSeconds: 0, &diagnostics)
        }
        if let node = mapping.value(JobFormat.Policy.timeout, &diagnostics) {
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
            guard let edge = MappingReader(item, table: .dependency, context: "a dependency", diagnostics: &diagnostics) else { return nil }
            let source = edge.value(JobFormat.Dependency.source, &diagnostics).flatMap {
                MappingReader.string($0, "'source'", diagnostics: &diagnostics)
            }
            let target = edge.value(JobFormat.Dependency.target, &diagnostics).flatMap {
                MappingReader.string($0, "'target'", diagnostics: &diagnostics)
            }
            guard let source, let target else { return nil }
            return DependencySpec(source: source, target: target, origin: .dependenciesList)
        }
    }
}

extension JobSpecDecoder: RuleDeclaring {
    /// With the shape rules `MappingReader` reports for it.
    public static let rules: [RuleID] = [
        .unknownKey, .missingKey, .wrongType, .deprecatedKey, .invalidSchedule, .invalidDate, .invalidDuration, .invalidValue,
    ]
}

extension RuleID {
    public static let deprecatedKey = RuleID(
        "deprecated-key", summary: "A key that still works but has a preferred spelling.")
    public static let invalidSchedule = RuleID(
        "invalid-schedule",
        summary: "A schedule that is neither a known preset, a valid 5-field cron expression, nor null.")
    public static let invalidDate = RuleID(
        "invalid-date", summary: "A start date that is not a real ISO 8601 date or date-time.")
    public static let invalidDuration = RuleID(
        "invalid-duration", summary: "A duration that is not of the form 30s, 5m, 1h30m (or whole seconds).")
    public static let invalidValue = RuleID("invalid-value", summary: "A value outside its allowed range.")
}
