import JobcCore

/// How a job's tasks nest into Dagster graphs: one `@dg.graph` per task group, holding the ops of its
/// tasks and the graphs of its child groups. Computes, for every scope (the job itself, or a group),
/// which nodes it calls in which order, which task outputs enter it as graph inputs and which leave it
/// as graph outputs.
///
/// A Dagster graph is called once with all its inputs, so a group can only become a graph when nothing
/// outside it both waits for one of its tasks and feeds another (`g1 → b → g2` with g1 and g2 in the
/// group and b outside). `init` returns nil for such jobs; the emitter then lays out the ops flat and
/// names each op's group in its `jobc/group` tag.
struct DagsterGroupLayout {
    /// What a scope calls: a task's op, or a child group's graph.
    enum Node: Equatable {
        case task(String)
        case group(String)
    }

    struct Scope {
        /// The child nodes, every one after the nodes it waits for.
        var nodes: [Node]
        /// Tasks outside the scope that tasks inside it wait for (graph inputs), in task order.
        var inputs: [String]
        /// Tasks inside the scope that something outside waits for (graph outputs), in task order.
        var outputs: [String]
    }

    /// Keyed by group key; the job's own scope is `jobScope`.
    private(set) var scopes: [String: Scope] = [:]
    private(set) var jobScope = Scope(nodes: [], inputs: [], outputs: [])
    /// Groups in an order where every group comes after the groups nested in it (definitions order).
    private(set) var innermostFirst: [String] = []

    /// `exportsEveryTask`: every task is an output of its groups (the run-outcome op outside every
    /// group waits for all of them).
    init?(graph: JobGraph, exportsEveryTask: Bool) {
        let upstream = graph.upstreamByTask
        let taskOrder = Dictionary(uniqueKeysWithValues: graph.tasks.enumerated().map { ($1.key, $0) })
        var parent: [String: String] = [:]
        for group in graph.groups { parent[group.key] = group.parent }
        var downstream: [String: [String]] = [:]
        for edge in graph.edges { downstream[edge.source, default: []].append(edge.target) }

        /// The node that stands for `task` in `scope`, or nil when the task is not inside the scope.
        func node(of task: TaskNode, in scope: String?) -> Node? {
            var current = task.group
            var child: String?
            while current != scope {
                guard let group = current else { return nil }
                child = group
                current = parent[group] ?? nil
            }
            return child.map(Node.group) ?? .task(task.key)
        }

        func build(_ scope: String?) -> Scope? {
            let inside = graph.tasks.filter { node(of: $0, in: scope) != nil }
            let insideKeys = Set(inside.map(\.key))
            var nodes: [Node] = []
            var nodeOf: [String: Node] = [:]
            for task in inside {
                let taskNode = node(of: task, in: scope)!
                nodeOf[task.key] = taskNode
                if !nodes.contains(taskNode) { nodes.append(taskNode) }
            }
            // Node-level dependencies; Kahn's algorithm taking the first ready node in first-task order.
            var waitsFor: [Int: Set<Int>] = [:]
            for task in inside {
                let target = nodes.firstIndex(of: nodeOf[task.key]!)!
                for source in upstream[task.key] ?? [] where insideKeys.contains(source) {
                    let sourceIndex = nodes.firstIndex(of: nodeOf[source]!)!
                    if sourceIndex != target { waitsFor[target, default: []].insert(sourceIndex) }
                }
            }
            var ordered: [Int] = []
            var done: Set<Int> = []
            while ordered.count < nodes.count {
                guard let next = nodes.indices.first(where: { !done.contains($0) && waitsFor[$0, default: []].isSubset(of: done) })
                else { return nil }  // a cycle between nodes: not expressible as nested graphs
                ordered.append(next)
                done.insert(next)
            }
            let inputs = Set(inside.flatMap { upstream[$0.key] ?? [] }.filter { !insideKeys.contains($0) })
            let outputs = inside.filter { task in
                exportsEveryTask || (downstream[task.key] ?? []).contains { !insideKeys.contains($0) }
            }
            return Scope(
                nodes: ordered.map { nodes[$0] },
                inputs: inputs.sorted { taskOrder[$0]! < taskOrder[$1]! },
                outputs: scope == nil ? [] : outputs.map(\.key))
        }

        guard let job = build(nil) else { return nil }
        jobScope = job
        for group in graph.groups {
            guard let scope = build(group.key) else { return nil }
            scopes[group.key] = scope
        }
        // Post-order from the top: children (in `groups` order) before their parent.
        func visit(_ group: String?) {
            for child in graph.childGroups(of: group) { visit(child.key) }
            if let group { innermostFirst.append(group) }
        }
        visit(nil)
    }

    func scope(_ group: String?) -> Scope {
        group.map { scopes[$0]! } ?? jobScope
    }
}
