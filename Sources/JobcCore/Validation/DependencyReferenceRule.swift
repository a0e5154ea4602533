/// Every dependency names tasks or groups of this job (by key), and no dependency is declared twice.
struct DependencyReferenceRule: JobRule {
    static let rules: [RuleID] = [.unknownDependency, .redundantDependency]

    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        let keys = job.tasks.map(\.key.value) + job.groups.map(\.key.value)
        let known = Set(keys)
        var seen: [Edge: SourceLocation] = [:]
        for dependency in job.dependencies {
            var valid = true
            for end in [dependency.source, dependency.target] where !known.contains(end.value) {
                valid = false
                let byTaskID = job.tasks.first { $0.taskID?.value == end.value }
                let suggestion = byTaskID.map { "dependencies name tasks by key: use '\($0.key.value)'" }
                    ?? Suggestions.didYouMean(end.value, in: keys)
                diagnostics.error(
                    .unknownDependency, "dependency on unknown \(job.groups.isEmpty ? "task" : "task or group") '\(end.value)'",
                    at: end.location, suggestion: suggestion)
            }
            guard valid else { continue }
            let edge = Edge(source: dependency.source.value, target: dependency.target.value)
            if let first = seen[edge] {
                diagnostics.warning(
                    .redundantDependency, "'\(edge.target)' already depends on '\(edge.source)'", at: dependency.source.location,
                    notes: [.init("first declared here", at: first)], suggestion: "remove the repeated dependency")
            } else {
                seen[edge] = dependency.source.location
            }
        }
    }
}

extension RuleID {
    public static let unknownDependency = RuleID(
        "unknown-dependency", summary: "A dependency names a task that does not exist.")
    public static let redundantDependency = RuleID(
        "redundant-dependency", summary: "The same dependency is declared twice.")
}
