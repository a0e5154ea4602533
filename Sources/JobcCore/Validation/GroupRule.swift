/// Groups are well formed: every parent and every task's `group` names a group, nesting has no
/// cycle, every group holds a task, group keys do not collide with task keys or ids, and no
/// dependency joins a group with something inside it (that would order a task before itself).
struct GroupRule: JobRule {
    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        guard !job.groups.isEmpty || job.tasks.contains(where: { $0.group != nil }) else { return }
        let structure = GroupStructure(job)
        let groupKeys = structure.groupKeys
        let taskKeys = Set(job.tasks.map(\.key.value))
        let taskIDs = Set(job.tasks.map(\.effectiveTaskID.value))

        for group in job.groups {
            let key = group.key
            if taskKeys.contains(key.value) || taskIDs.contains(key.value) {
                diagnostics.error(
                    .duplicateTaskID, "group '\(key.value)' has the name of a task; groups and tasks share one namespace",
                    at: key.location, suggestion: "rename the group, e.g. '\(key.value)_group'")
            }
            if let parent = group.parent {
                if !groupKeys.contains(parent.value) {
                    unknownGroup(parent, groupKeys, &diagnostics)
                } else if structure.ancestors(of: parent.value).contains(key.value) || parent.value == key.value,
                          case let cycle = [key.value] + GroupStructure.chain(from: parent.value, structure.parent).prefix { $0 != key.value } + [key.value],
                          // Reported once, at the group of the cycle declared first.
                          groupKeys.first(where: cycle.contains) == key.value {
                    diagnostics.error(
                        .dependencyCycle, "groups nest in a cycle: \(cycle.joined(separator: " ⊂ "))", at: parent.location,
                        suggestion: "a group cannot be inside itself")
                }
            }
            if structure.members[key.value, default: []].isEmpty {
                diagnostics.error(
                    .missingKey, "group '\(key.value)' holds no task", at: key.location,
                    suggestion: "add 'group: \(key.value)' to its tasks, or remove the group")
            }
        }
        for task in job.tasks {
            if let group = task.group, !groupKeys.contains(group.value) { unknownGroup(group, groupKeys, &diagnostics) }
        }
        // A group and anything inside it cannot wait for one another.
        for dependency in job.dependencies {
            let source = dependency.source.value, target = dependency.target.value
            for (outer, inner) in [(source, target), (target, source)] where structure.isGroup(outer) {
                let inside = structure.members[outer, default: []].contains(inner)
                    || (structure.isGroup(inner) && structure.ancestors(of: inner).contains(outer))
                if inside || outer == inner {
                    diagnostics.error(
                        .dependencyCycle, "'\(target)' cannot depend on '\(source)': \(outer == inner ? "a group cannot depend on itself" : "'\(inner)' is inside group '\(outer)'")",
                        at: dependency.source.location,
                        suggestion: "depend on tasks or groups outside '\(outer)', or order the tasks inside it directly")
                    break
                }
            }
        }
    }

    private func unknownGroup(_ name: Located<String>, _ groupKeys: [String], _ diagnostics: inout DiagnosticCollector) {
        diagnostics.error(
            .unknownDependency, "unknown group '\(name.value)'", at: name.location,
            suggestion: Suggestions.didYouMean(name.value, in: groupKeys)
                ?? (groupKeys.isEmpty ? "declare it under 'groups:'" : "groups: \(groupKeys.joined(separator: ", "))"))
    }
}

/// Run parameters: a known type, a default of that type, a name functions can bind.
struct RunParameterRule: JobRule {
    /// Names the runtimes use themselves: PostgreSQLFunction binds execution_date, and the logical
    /// date is a run argument on Cloud Workflows and a flow parameter on Prefect.
    static let reservedNames: Set<String> = ["execution_date", "logical_date"]

    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        for param in job.params {
            if Self.reservedNames.contains(param.name.value) {
                diagnostics.error(
                    .invalidIdentifier, "run parameter '\(param.name.value)' is reserved (the runtime supplies it)", at: param.name.location,
                    suggestion: "choose another name")
            } else if let problem = Identifier.problem(with: param.name.value) {
                diagnostics.error(.invalidIdentifier, "invalid run parameter name: \(problem)", at: param.name.location,
                                  suggestion: Identifier.suggestion(for: param.name.value).map { "try '\($0)'" })
            }
            guard let type = param.type?.value, let node = param.defaultValue else { continue }
            let value = ParameterValue(yaml: node)
            if FunctionContractRule.overflowingInteger(in: node) != nil {
                diagnostics.error(.invalidValue, "integer \(node.scalar?.text ?? "") is out of range (64-bit signed integers only)", at: node.location)
            } else if !value.isFinite {
                diagnostics.error(.invalidValue, "the default of run parameter '\(param.name.value)' is NaN or infinity", at: node.location)
            } else if !type.accepts(value) {
                var suggestion: String?
                if type == .string, let scalar = node.scalar, scalar.style == .plain { suggestion = "quote it: \"\(scalar.text)\"" }
                diagnostics.error(
                    .wrongType, "the default of run parameter '\(param.name.value)' must be of type \(type.rawValue), found \(value.kindDescription)",
                    at: node.location, suggestion: suggestion)
            }
        }
    }
}

/// `one_failed` reacts to an upstream failure, so a task using it needs an upstream task.
struct TriggerRuleRule: JobRule {
    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        let ruled = job.tasks.filter { $0.triggerRule != nil && $0.triggerRule?.value != .allSuccess }
        guard !ruled.isEmpty else { return }
        let hasUpstream = Set(GroupStructure(job).fullEdges.map(\.target))
        for task in ruled where !hasUpstream.contains(task.key.value) {
            guard let rule = task.triggerRule else { continue }
            if rule.value == .oneFailed {
                diagnostics.error(
                    .invalidValue, "task '\(task.key.value)' has trigger_rule one_failed but no upstream task, so nothing could fail before it",
                    at: rule.location, suggestion: "add depends_on with the tasks or groups it reacts to")
            } else {
                diagnostics.warning(
                    .invalidValue, "trigger_rule \(rule.value.rawValue) has no effect on task '\(task.key.value)': it has no upstream task",
                    at: rule.location, suggestion: "remove it, or add depends_on")
            }
        }
    }
}
