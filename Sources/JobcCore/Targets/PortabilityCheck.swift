/// Which target-dependent features a job uses, where, and which targets cannot express them: the
/// check behind `jobc lint --target`, also run by `jobc compile` for its one target. It reads the
/// IR alone: every use is located by the IR's source map, and the day of the run (when the caller
/// gives it) is the only other input: a start_date after it is a use of `start-date`.
public enum PortabilityCheck {
    /// One use of a feature in the job file.
    public struct Use: Sendable {
        public var feature: TargetCapabilities.Feature
        public var location: SourceLocation
        /// How the job wrote it, for the message: "catchup: true", "timeout on task 'load'".
        public var what: String
    }

    /// `today` (UTC, from the command line's clock): without it, no start_date counts as still to come.
    public static func uses(in graph: JobGraph, today: CalendarDay? = nil) -> [Use] {
        let job = graph.job.sources
        var uses: [Use] = []
        func use(_ feature: TargetCapabilities.Feature, _ location: SourceLocation?, _ what: String) {
            uses.append(Use(feature: feature, location: location ?? job.fileStart, what: what))
        }
        if case .cron = graph.job.schedule {
            use(.cronSchedule, job.schedule, "a cron schedule")
            if let today, let start = graph.job.startDate, start.utcDay > today {
                use(.startDate, job.startDate, "start_date \(start.iso8601), which is still to come (today is \(today) in UTC)")
            }
        }
        if graph.job.catchup { use(.catchup, job.catchup, "catchup: true") }
        if !graph.job.tags.isEmpty { use(.tags, job.tags, "tags") }
        // A policy set in `defaults:` is one use, however many tasks inherit it.
        var policyUses = Set<SourceLocation>()
        func policy(_ feature: TargetCapabilities.Feature, _ key: String, _ location: SourceLocation?, _ defaultsLocation: SourceLocation?, _ task: TaskNode) {
            guard let location, policyUses.insert(location).inserted else { return }
            use(feature, location, "\(key) on \(location == defaultsLocation ? "defaults" : "task '\(task.key)'")")
        }
        for task in graph.tasks {
            if task.retry.retries > 0 { policy(.retries, "retries", task.sources.retries, job.defaultRetries, task) }
            policy(.retryDelay, "retry_delay", task.sources.retryDelay, job.defaultRetryDelay, task)
            if task.timeout != nil { policy(.taskTimeout, "timeout", task.sources.timeout, job.defaultTimeout, task) }
        }
        for task in graph.tasks where task.secretName != nil {
            use(.secrets, task.sources.secret, "secret_key on task '\(task.key)'")
        }
        if let first = graph.job.params.first { use(.runParams, first.location, "run parameters ('params')") }
        if job.onFailure != nil { use(.failureAlerts, job.onFailure, "on_failure alerts of the job") }
        if let first = graph.groups.first { use(.taskGroups, first.location, "task groups ('groups')") }
        for task in graph.tasks {
            let name = "task '\(task.key)'"
            if task.sources.onFailure != nil { use(.failureAlerts, task.sources.onFailure, "on_failure alerts of \(name)") }
            if task.triggerRule != .allSuccess {
                use(.triggerRules, task.sources.triggerRule, "trigger_rule \(task.triggerRule.rawValue) on \(name)")
            }
            if task.forEach != nil { use(.fanOut, task.sources.forEach, "for_each on \(name)") }
        }
        return uses
    }

    /// A diagnostic for every use the target cannot express, with the target's suggested workaround:
    /// an error when dropping it would change what a run does (the job is refused), else a warning.
    public static func check(_ graph: JobGraph, target: any Emitter, today: CalendarDay? = nil) -> [Diagnostic] {
        // Most targets express every feature: then there is nothing to look for.
        guard TargetCapabilities.Feature.allCases.contains(where: { target.capabilities.supported[$0] == nil }) else { return [] }
        return uses(in: graph, today: today).compactMap { use in
            guard target.capabilities.supported[use.feature] == nil else { return nil }
            let message = "target '\(target.name)' cannot express \(use.what)"
            if use.feature.changesBehaviour {
                return .error(
                    .targetUnsupported, message + " (\(use.feature.rawValue))", at: use.location,
                    suggestion: target.capabilities.workarounds[use.feature] ?? "the job would run differently on \(target.name): use another target or drop the feature")
            }
            return .warning(
                .targetUnsupported, message, at: use.location,
                suggestion: target.capabilities.workarounds[use.feature] ?? "the \(use.feature.rawValue) feature is ignored on \(target.name)")
        }
    }
}

extension PortabilityCheck: RuleDeclaring {
    public static let rules: [RuleID] = [.targetUnsupported, .targetLimit]
}

extension RuleID {
    public static let targetUnsupported = RuleID(
        "target-unsupported", summary: "The job uses something the chosen target cannot express.")
    /// Reported by emitters (declared here, beside the portability rule, so the catalogue has it
    /// without naming a target): the job's generated artifact would break the platform's
    /// documented limits, so nothing is written.
    public static let targetLimit = RuleID(
        "target-limit", summary: "The job's generated artifact would break a documented limit of the target platform (size, nesting, expression length).")
}
