import JobcCore

/// The operators and nested `TaskGroup` blocks of the DAG, group by group: an entry precedes
/// another when its first task comes first in topological order.
struct AirflowScopes {
    let graph: JobGraph
    let variables: PythonNames
    /// Each group's first task (its own or a nested group's) as an index into `graph.tasks`; a
    /// group without tasks sorts after every task. Found in one pass over the tasks for all groups.
    private let firstTaskIndex: [String: Int]

    init(graph: JobGraph, variables: PythonNames) {
        self.graph = graph
        self.variables = variables
        var firstTaskIndex: [String: Int] = [:]
        if !graph.groups.isEmpty {
            let parents = Dictionary(graph.groups.map { ($0.key, $0.parent) }, uniquingKeysWith: { first, _ in first })
            for index in graph.tasks.indices {
                var group = graph.tasks[index].group
                // An earlier task already set this group's ancestors too.
                while let key = group, firstTaskIndex[key] == nil {
                    firstTaskIndex[key] = index
                    group = parents[key] ?? nil
                }
            }
        }
        self.firstTaskIndex = firstTaskIndex
    }

    /// The entries of `group` (nil: the DAG itself) at the writer's indentation.
    func write(of group: String?, to writer: inout PythonSourceWriter) {
        enum Entry { case task(index: Int), group(TaskGroup) }
        var entries: [(first: Int, entry: Entry)] = []
        for index in graph.tasks.indices where graph.tasks[index].group == group {
            entries.append((index, .task(index: index)))
        }
        for child in graph.childGroups(of: group) {
            entries.append((firstTaskIndex[child.key] ?? graph.tasks.count, .group(child)))
        }
        // Without groups the entries are the tasks, already in order.
        if !graph.groups.isEmpty { entries.sort { $0.first < $1.first } }
        let operatorCall = AirflowOperatorCall(graph: graph)
        for (position, item) in entries.enumerated() {
            if position > 0 { writer.blankLine() }
            switch item.entry {
            case .task(let index):
                operatorCall.write(graph.tasks[index], variable: variables[graph.tasks[index].key], to: &writer)
            case .group(let child):
                writer.line(Self.taskGroupHeader(child, variable: variables[child.key]))
                writer.indented { write(of: child.key, to: &$0) }
            }
        }
    }

    /// Task ids stay as the job names them (`prefix_group_id=False`): groups only arrange the view.
    private static func taskGroupHeader(_ group: TaskGroup, variable: String) -> String {
        var arguments = ["group_id=\(PythonLiteral.string(group.key))"]
        if let description = group.description {
            arguments.append("tooltip=\(PythonLiteral.string(description))")
        }
        arguments.append("prefix_group_id=False")
        return "with TaskGroup(\(arguments.joined(separator: ", "))) as \(variable):"
    }
}
