/// Pictures of a job's graph: Graphviz DOT and Mermaid, each node labelled with its task id and
/// function (and its trigger rule and fan-out, when it has them), groups drawn as nested boxes.
/// Labels are escaped for their language, so any task id or function name is safe.
extension JobGraph {
    public var dot: String {
        var lines = ["digraph \(Self.dotString(job.id)) {", "    rankdir=LR;", "    node [shape=box, style=rounded];"]
        func place(_ group: String?, indent: String) {
            for task in tasks(directlyIn: group) {
                lines.append("\(indent)\(Self.dotString(task.key)) [label=\(Self.dotString(label(task, lineBreak: "\n")))];")
            }
            for child in childGroups(of: group) {
                lines.append("\(indent)subgraph \(Self.dotString("cluster_" + child.key)) {")
                lines.append("\(indent)    label=\(Self.dotString(child.key));")
                place(child.key, indent: indent + "    ")
                lines.append("\(indent)}")
            }
        }
        place(nil, indent: "    ")
        for edge in edges {
            lines.append("    \(Self.dotString(edge.source)) -> \(Self.dotString(edge.target));")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Node ids get a prefix: Mermaid reserves words such as `end` that are valid task keys.
    public var mermaid: String {
        var lines = ["flowchart LR"]
        func place(_ group: String?, indent: String) {
            for task in tasks(directlyIn: group) {
                lines.append("\(indent)task_\(task.key)[\"\(Self.mermaidText(label(task, lineBreak: "\n")).replacingNewlines(with: "<br/>"))\"]")
            }
            for child in childGroups(of: group) {
                lines.append("\(indent)subgraph group_\(child.key)[\"\(Self.mermaidText(child.key))\"]")
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

    private func label(_ task: TaskNode, lineBreak: String) -> String {
        var parts = [task.taskID, task.function.name]
        if task.triggerRule != .allSuccess { parts.append("[\(task.triggerRule.rawValue)]") }
        if let forEach = task.forEach { parts.append("for each \(forEach.parameter) (\(forEach.items.count))") }
        return parts.joined(separator: lineBreak)
    }

    /// A DOT quoted string: only `"` and `\` need escaping; a newline becomes DOT's `\n` line break.
    static func dotString(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    /// Mermaid labels take HTML entities; quotes and angle brackets must not reach the parser raw.
    static func mermaidText(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "&": out += "#amp;"
            default: out.append(character)
            }
        }
        return out
    }
}

private extension String {
    func replacingNewlines(with separator: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: separator)
    }
}
