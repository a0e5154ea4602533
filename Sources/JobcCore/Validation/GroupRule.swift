/// Groups are well formed: every parent and every task's `group` names a group, nesting has no
/// cycle, every group holds a task, group keys do not collide with task keys or ids, and no
/// dependency joins a group with something inside it (that would order a task before itself).
/// Cycles and name clashes carry the rules they share with tasks (`.dependencyCycle`, `.duplicateTaskID`).
struct GroupRule: JobRule {
    static let rules: [RuleID] = [.invalidGroup]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        let job = context.job
        guard !job.groups.isEmpty || job.tasks.contains(where: { $0.group != nil }) else { return }
        let structure = context.structure
        let groupKeys = structure.groupKeys
        let taskIDs = Set(job.tasks.map(\.effectiveTaskID.value))

        for group in job.groups {
            let key = group.key
            if structure.taskIndex[key.value] != nil || taskIDs.contains(key.value) {
                diagnostics.error(
                    .duplicateTaskID, "group '\(key.value)' has the name of a task; groups and tasks share one namespace",
                    at: key.location, suggestion: "rename the group, e.g. '\(key.value)_group'")
            }
            if let parent = group.parent {
                if !groupKeys.contains(parent.value) {
                    unknownGroup(parent, groupKeys, &diagnostics)
                } else if structure.ancestors(of: parent.value).contains(key.value) || parent.value == key.value,
                          case let cycle = [key.value] + GroupStructure.chain(from: parent.value, structure.parent).prefix(while: { $0 != key.value }) + [key.value],
                          // Reported once, at the group of the cycle declared first.
                          groupKeys.first(where: cycle.contains) == key.value {
                    diagnostics.error(
                        .dependencyCycle, "groups nest in a cycle: \(cycle.joined(separator: " ⊂ "))", at: parent.location,
                        suggestion: "a group cannot be inside itself")
                }
            }
            if structure.members[key.value, default: []].isEmpty {
                diagnostics.error(
                    .invalidGroup, "group '\(key.value)' holds no task", at: key.location,
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
            .invalidGroup, "unknown group '\(name.value)'", at: name.location,
            suggestion: Suggestions.didYouMean(name.value, in: groupKeys)
                ?? (groupKeys.isEmpty ? "declare it under 'groups:'" : "groups: \(groupKeys.joined(separator: ", "))"))
    }
}

extension RuleID {
    public static let invalidGroup = RuleID(
        "invalid-group", summary: "A group that holds no task, or a 'group:' that names no declared group.")
}
