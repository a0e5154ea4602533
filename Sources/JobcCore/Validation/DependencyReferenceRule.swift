/// Every dependency names tasks or groups of this job (by key), and no dependency is declared twice.
struct DependencyReferenceRule: JobRule {
    static let rules: [RuleID] = [.unknownDependency, .redundantDependency]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        let structure = context.structure
        let endpointCount = structure.taskKeys.count + structure.groupKeys.count
        // source × endpointCount + target → first declaration; sized up front (grown from empty it
        // was rehashed every few dependencies)
        var seen = [Int: SourceLocation](minimumCapacity: context.job.dependencies.count)
        for (dependency, ends) in zip(context.job.dependencies, structure.dependencyEnds) {
            let (source, target) = ends
            guard let source, let target else {
                if source == nil { reportUnknown(dependency.source, context, &diagnostics) }
                if target == nil { reportUnknown(dependency.target, context, &diagnostics) }
                continue
            }
            if let first = seen[source * endpointCount + target] {
                diagnostics.warning(
                    .redundantDependency, "'\(dependency.target.value)' already depends on '\(dependency.source.value)'",
                    at: dependency.source.location, notes: [.init("first declared here", at: first)],
                    suggestion: "remove the repeated dependency")
            } else {
                seen[source * endpointCount + target] = dependency.source.location
            }
        }
    }

    private func reportUnknown(_ end: Located<String>, _ context: JobContext, _ diagnostics: inout DiagnosticCollector) {
        let job = context.job
        let byTaskID = job.tasks.first { $0.taskID?.value == end.value }
        let suggestion = byTaskID.map { "dependencies name tasks by key: use '\($0.key.value)'" }
            ?? Suggestions.didYouMean(end.value, in: context.structure.taskKeys + context.structure.groupKeys)
        diagnostics.error(
            .unknownDependency, "dependency on unknown \(job.groups.isEmpty ? "task" : "task or group") '\(end.value)'",
            at: end.location, suggestion: suggestion)
    }
}

extension RuleID {
    public static let unknownDependency = RuleID(
        "unknown-dependency", summary: "A dependency names a task that does not exist.")
    public static let redundantDependency = RuleID(
        "redundant-dependency", summary: "The same dependency is declared twice.")
}
