/// Which tasks each group holds and what every declared dependency means between tasks: the one
/// reading of `groups:` that the rules and the IR builder share. Tolerant of broken input (unknown
/// parents, parent cycles, unknown endpoints are skipped: the rules report them).
struct GroupStructure {
    /// One declared dependency expanded to every task it orders: `A → G` orders A before every task
    /// of G, `G → B` every task of G before B. Tasks and the declaration are indices into the job's
    /// `tasks` and `dependencies`, so rules walk the graph without hashing a key per step.
    struct TaskEdge {
        var source: Int
        var target: Int
        var declaration: Int
    }

    let taskKeys: [String]
    /// task key → its index in `tasks` (the first task, should a key repeat).
    let taskIndex: [String: Int]
    let groupKeys: [String]
    /// group key → its parent's key (only for known parents).
    let parent: [String: String]
    /// group key → every task in it or in a group nested in it, in declaration order.
    let members: [String: [String]]
    let fullEdges: [TaskEdge]
    /// Each declared dependency's two ends as numbers: a task's index, else (past the tasks) a
    /// group's; nil for a key that names neither. Looked up once here for the edges and the rules.
    let dependencyEnds: [(source: Int?, target: Int?)]

    /// The job is borrowed: an initializer would otherwise take (and its caller copy) the whole spec.
    init(_ job: borrowing JobSpec) {
        taskKeys = job.tasks.map { $0.key.value }
        var taskIndex = [String: Int](minimumCapacity: taskKeys.count)
        for index in taskKeys.indices.reversed() { taskIndex[taskKeys[index]] = index }  // the first task wins
        self.taskIndex = taskIndex
        let groupKeys = job.groups.map(\.key.value)
        self.groupKeys = groupKeys
        let taskCount = taskKeys.count
        let dependencyEnds = job.dependencies.map { dependency in
            (source: Self.end(dependency.source.value, taskIndex, taskCount, groupKeys),
             target: Self.end(dependency.target.value, taskIndex, taskCount, groupKeys))
        }
        self.dependencyEnds = dependencyEnds
        guard !job.groups.isEmpty else {
            // Most jobs have no groups: every endpoint is a task or unknown (the reference rule's to report).
            parent = [:]
            members = [:]
            fullEdges = Self.edgesBetweenTasks(dependencyEnds)
            return
        }
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

        func tasks(of endpoint: String) -> [Int] {
            if let index = taskIndex[endpoint] { return [index] }
            return (members[endpoint] ?? []).map { taskIndex[$0]! }
        }
        func nested(_ inner: String, in outer: String) -> Bool {
            inner == outer || members[outer, default: []].contains(inner) || Self.chain(from: inner, parent).contains(outer)
        }
        var fullEdges: [TaskEdge] = []
        for (declaration, dependency) in job.dependencies.enumerated() {
            let source = dependency.source.value, target = dependency.target.value
            // A group and its own content cannot be ordered (GroupRule reports it); expanding it
            // would only add spurious cycles.
            if (members[source] != nil && nested(target, in: source)) || (members[target] != nil && nested(source, in: target)) {
                continue
            }
            for sourceTask in tasks(of: source) {
                for targetTask in tasks(of: target) {
                    fullEdges.append(TaskEdge(source: sourceTask, target: targetTask, declaration: declaration))
                }
            }
        }
        self.fullEdges = fullEdges
    }

    private static func end(_ key: String, _ taskIndex: [String: Int], _ taskCount: Int, _ groupKeys: [String]) -> Int? {
        taskIndex[key] ?? groupKeys.firstIndex(of: key).map { taskCount + $0 }
    }

    /// The edges of a job without groups: one per dependency whose two ends are tasks (here every
    /// known end is one).
    private static func edgesBetweenTasks(_ dependencyEnds: [(source: Int?, target: Int?)]) -> [TaskEdge] {
        var edges: [TaskEdge] = []
        edges.reserveCapacity(dependencyEnds.count)
        for (declaration, ends) in dependencyEnds.enumerated() {
            guard let source = ends.source, let target = ends.target else { continue }
            edges.append(TaskEdge(source: source, target: target, declaration: declaration))
        }
        return edges
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

    /// The task edges the IR keeps, as task indices: `fullEdges` once each. Not reduced to a
    /// group's first and last tasks: that keeps the order but not the upstream tasks a trigger rule
    /// decides on (with `A → G`, a task of G that runs after an `all_done` sibling must still see
    /// A's failure).
    func taskEdges() -> [(source: Int, target: Int)] {
        var seen = Set<Int>()
        var edges: [(source: Int, target: Int)] = []
        edges.reserveCapacity(fullEdges.count)
        for edge in fullEdges where seen.insert(edge.source * taskKeys.count + edge.target).inserted {
            edges.append((edge.source, edge.target))
        }
        return edges
    }
}
