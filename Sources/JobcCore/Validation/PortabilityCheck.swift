/// Which target-dependent features a job uses, where, and which targets cannot express them: the
/// check behind `jobc lint --target`, also run by `jobc compile` for its one target.
public enum PortabilityCheck {
    /// One use of a feature in the job file.
    public struct Use: Sendable {
        public var feature: TargetCapabilities.Feature
        public var location: SourceLocation
        /// How the job wrote it, for the message: "catchup: true", "timeout on task 'load'".
        public var what: String
    }

    public static func uses(in spec: JobSpec) -> [Use] {
        var uses: [Use] = []
        if case .cron? = spec.schedule?.value, let schedule = spec.schedule {
            uses.append(Use(feature: .cronSchedule, location: schedule.location, what: "a cron schedule"))
        }
        if let catchup = spec.catchup, catchup.value {
            uses.append(Use(feature: .catchup, location: catchup.location, what: "catchup: true"))
        }
        if let first = spec.tags.first {
            uses.append(Use(feature: .tags, location: first.location, what: "tags"))
        }
        let policies = [("defaults", spec.defaults)] + spec.tasks.map { ("task '\($0.key.value)'", $0.policy) }
        for (owner, policy) in policies {
            if let retries = policy.retries, retries.value > 0 {
                uses.append(Use(feature: .retries, location: retries.location, what: "retries on \(owner)"))
            }
            if let delay = policy.retryDelay {
                uses.append(Use(feature: .retryDelay, location: delay.location, what: "retry_delay on \(owner)"))
            }
            if let timeout = policy.timeout {
                uses.append(Use(feature: .taskTimeout, location: timeout.location, what: "timeout on \(owner)"))
            }
        }
        for task in spec.tasks {
            if let secret = task.secretKey {
                uses.append(Use(feature: .secrets, location: secret.location, what: "secret_key on task '\(task.key.value)'"))
            }
        }
        if let first = spec.params.first {
            uses.append(Use(feature: .runParams, location: first.name.location, what: "run parameters ('params')"))
        }
        if let alerts = spec.onFailure {
            uses.append(Use(feature: .failureAlerts, location: alerts.location, what: "on_failure alerts of the job"))
        }
        if let first = spec.groups.first {
            uses.append(Use(feature: .taskGroups, location: first.key.location, what: "task groups ('groups')"))
        }
        for task in spec.tasks {
            let name = "task '\(task.key.value)'"
            if let alerts = task.onFailure {
                uses.append(Use(feature: .failureAlerts, location: alerts.location, what: "on_failure alerts of \(name)"))
            }
            if let rule = task.triggerRule, rule.value != .allSuccess {
                uses.append(Use(feature: .triggerRules, location: rule.location, what: "trigger_rule \(rule.value.rawValue) on \(name)"))
            }
            if let forEach = task.forEach {
                uses.append(Use(feature: .fanOut, location: forEach.location, what: "for_each on \(name)"))
            }
        }
        return uses
    }

    /// A diagnostic for every use the target cannot express, with the target's suggested workaround:
    /// an error when dropping it would change what a run does (the job is refused), else a warning.
    public static func check(_ spec: JobSpec, target: any Emitter) -> [Diagnostic] {
        uses(in: spec).compactMap { use in
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
