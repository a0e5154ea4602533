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

    /// The task edges the IR keeps: a group endpoint stands for its tasks that nothing inside the group
    /// comes before (as a target) or after (as a source). Reachability is the same as `fullEdges`'.
    func reducedEdges() -> [Edge] {
        var predecessors: [String: Set<String>] = [:]
        var successors: [String: Set<String>] = [:]
        for edge in fullEdges {
            predecessors[edge.target, default: []].insert(edge.source)
            successors[edge.source, default: []].insert(edge.target)
        }
        let taskSet = Set(taskKeys)
        func entries(_ group: String) -> [String] {
            let inside = Set(members[group] ?? [])
            return (members[group] ?? []).filter { predecessors[$0, default: []].isDisjoint(with: inside) }
        }
        func exits(_ group: String) -> [String] {
            let inside = Set(members[group] ?? [])
            return (members[group] ?? []).filter { successors[$0, default: []].isDisjoint(with: inside) }
        }
        var edges: [Edge] = []
        var seen = Set<Edge>()
        for edge in fullEdges {
            let source = edge.declaration.source.value, target = edge.declaration.target.value
            let sources = taskSet.contains(source) ? [source] : exits(source)
            let targets = taskSet.contains(target) ? [target] : entries(target)
            guard sources.contains(edge.source), targets.contains(edge.target) else { continue }
            let reduced = Edge(source: edge.source, target: edge.target)
            if seen.insert(reduced).inserted { edges.append(reduced) }
        }
        return edges
    }
}
