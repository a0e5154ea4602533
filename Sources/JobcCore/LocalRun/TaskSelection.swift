/// `jobc run --only NAME… [--downstream]`: the tasks of a job one run is limited to.
public enum TaskSelection {
    public struct UnknownNames: Error, Equatable {
        public var names: [String]
    }

    /// Keys of the tasks named (a task key, a task id, or a group: every task in it and its nested
    /// groups), plus everything downstream of them when `downstream`, in the job's task order.
    public static func keys(in graph: JobGraph, only names: [String], downstream: Bool) throws(UnknownNames) -> [String] {
        var chosen = Set<String>()
        var unknown: [String] = []
        for name in names {
            let tasks = graph.tasks.filter { $0.key == name || $0.taskID == name }.map(\.key)
            let grouped = tasksInGroup(name, graph: graph)
            if tasks.isEmpty && grouped.isEmpty {
                unknown.append(name)
            }
            chosen.formUnion(tasks)
            chosen.formUnion(grouped)
        }
        guard unknown.isEmpty else { throw UnknownNames(names: unknown) }
        if downstream {
            // Tasks are in topological order: one pass reaches every descendant.
            let upstream = graph.upstreamByTask
            for task in graph.tasks where upstream[task.key, default: []].contains(where: chosen.contains) {
                chosen.insert(task.key)
            }
        }
        return graph.tasks.map(\.key).filter(chosen.contains)
    }

    private static func tasksInGroup(_ group: String, graph: JobGraph) -> [String] {
        guard graph.groups.contains(where: { $0.key == group }) else { return [] }
        let parents = Dictionary(uniqueKeysWithValues: graph.groups.map { ($0.key, $0.parent) })
        return graph.tasks.filter { task in
            var current = task.group
            while let name = current {
                if name == group { return true }
                current = parents[name] ?? nil
            }
            return false
        }.map(\.key)
    }
}
