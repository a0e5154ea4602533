/// Pictures of a job's graph: Graphviz DOT and Mermaid, each node labelled with its task id and
/// function (and its trigger rule and fan-out, when it has them), groups drawn as nested boxes.
/// Ids and labels are written by `DOTLiteral` and `MermaidLiteral`, so any task id or function name is safe.
extension JobGraph {
    public var dot: String {
        var lines = ["digraph \(DOTLiteral.string(job.id)) {", "    rankdir=LR;", "    node [shape=box, style=rounded];"]
        func place(_ group: String?, indent: String) {
            for task in tasks(directlyIn: group) {
                lines.append("\(indent)\(DOTLiteral.string(task.key)) [label=\(DOTLiteral.string(label(task)))];")
            }
            for child in childGroups(of: group) {
                lines.append("\(indent)subgraph \(DOTLiteral.string("cluster_" + child.key)) {")
                lines.append("\(indent)    label=\(DOTLiteral.string(child.key));")
                place(child.key, indent: indent + "    ")
                lines.append("\(indent)}")
            }
        }
        place(nil, indent: "    ")
        for edge in edges {
            lines.append("    \(DOTLiteral.string(edge.source)) -> \(DOTLiteral.string(edge.target));")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Node ids get a prefix: Mermaid reserves words such as `end` that are valid task keys.
    public var mermaid: String {
        var lines = ["flowchart LR"]
        func place(_ group: String?, indent: String) {
            for task in tasks(directlyIn: group) {
                lines.append("\(indent)task_\(task.key)[\(MermaidLiteral.label(label(task)))]")
            }
            for child in childGroups(of: group) {
                lines.append("\(indent)subgraph group_\(child.key)[\(MermaidLiteral.label(child.key))]")
                place(child.key, indent: indent + "    ")
                lines.append("\(indent)end")
            }
        }
        place(nil, indent: "    ")
        for edge in edges {
            lines.append("    task_\(edge.source) --> task_\(edge.target)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line each: task id, function, and the trigger rule and fan-out when there are any.
    private func label(_ task: TaskNode) -> String {
        var parts = [task.taskID, task.function.name]
        if task.triggerRule != .allSuccess { parts.append("[\(task.triggerRule.rawValue)]") }
        if let forEach = task.forEach { parts.append("for each \(forEach.parameter) (\(forEach.items.count))") }
        return parts.joined(separator: "\n")
    }
}
