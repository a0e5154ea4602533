/// Which tasks each group holds and what every declared dependency means between tasks: the one
/// reading of `groups:` that the rules and the IR builder share. Tolerant of broken input (unknown
/// parents, parent cycles, unknown endpoints are skipped: the rules report them).
struct GroupStructure {
    /// One declared dependency expanded to every task it orders: `A → G` orders A before every task
    /// of G, `G → B` every task of G before B.
    struct TaskEdge {
        var source: String
        var target: String
        var declaration: DependencySpec
    }

    let taskKeys: [String]
    let groupKeys: [String]
    /// group key → its parent's key (only for known parents).
    let parent: [String: String]
    /// group key → every task in it or in a group nested in it, in declaration order.
    let members: [String: [String]]
    let fullEdges: [TaskEdge]

    init(_ job: JobSpec) {
        taskKeys = job.tasks.map(\.key.value)
        groupKeys = job.groups.map(\.key.value)
        let groupSet = Set(groupKeys)
        var parent: [String: String] = [:]
        for group in job.groups {
            if let name = group.parent?.value, groupSet.contains(name) { parent[group.key.value] = name }
        }
        self.parent = parent
        var members: [String: [String]] = [:]
        for task in job.tasks {
            guard let group = task.group?.value, groupSet.contains(group) else { continue }
            for ancestor in Self.chain(from: group, parent) { members[ancestor, default: []].append(task.key.value) }
        }
        self.members = members

        let taskSet = Set(taskKeys)
        func tasks(of endpoint: String) -> [String] {
            taskSet.contains(endpoint) ? [endpoint] : (members[endpoint] ?? [])
        }
        let parentOf = parent
        func nested(_ inner: String, in outer: String) -> Bool {
            inner == outer || members[outer, default: []].contains(inner) || Self.chain(from: inner, parentOf).contains(outer)
        }
        fullEdges = job.dependencies.flatMap { dependency -> [TaskEdge] in
            let source = dependency.source.value, target = dependency.target.value
            // A group and its own content cannot be ordered (GroupRule reports it); expanding it
            // would only add spurious cycles.
            if (members[source] != nil && nested(target, in: source)) || (members[target] != nil && nested(source, in: target)) {
                return []
            }
            return tasks(of: source).flatMap { source in
                tasks(of: target).map { TaskEdge(source: source, target: $0, declaration: dependency) }
            }
        }
    }

    /// `group`, its parent, its parent's parent…, stopping at a cycle.
    static func chain(from group: String, _ parent: [String: String]) -> [String] {
        var chain = [group]
        var seen: Set<String> = [group]
        var current = group
        while let next = parent[current], seen.insert(next).inserted {
            chain.append(next)
            current = next
        }
        return chain
    }

    func ancestors(of group: String) -> [String] { Array(Self.chain(from: group, parent).dropFirst()) }

    func isGroup(_ key: String) -> Bool { members[key] != nil || groupKeys.contains(key) }

    /// The task edges the IR keeps: `fullEdges` once each. Not reduced to a group's first and last
    /// tasks: that keeps the order but not the upstream tasks a trigger rule decides on (with
    /// `A → G`, a task of G that runs after an `all_done` sibling must still see A's failure).
    func taskEdges() -> [Edge] {
        var seen = Set<Edge>()
        return fullEdges.map { Edge(source: $0.source, target: $0.target) }.filter { seen.insert($0).inserted }
    }
}
