/// Pictures of a job's graph: Graphviz DOT and Mermaid, each node labelled with its task id and
/// function. Labels are escaped for their language, so any task id or function name is safe.
extension JobGraph {
    public var dot: String {
        var lines = ["digraph \(Self.dotString(job.id)) {", "    rankdir=LR;", "    node [shape=box, style=rounded];"]
        for task in tasks {
            lines.append("    \(Self.dotString(task.key)) [label=\(Self.dotString("\(task.taskID)\n\(task.function.name)"))];")
        }
        for edge in edges {
            lines.append("    \(Self.dotString(edge.source)) -> \(Self.dotString(edge.target));")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Node ids get a prefix: Mermaid reserves words such as `end` that are valid task keys.
    public var mermaid: String {
        var lines = ["flowchart LR"]
        for task in tasks {
            lines.append("    task_\(task.key)[\"\(Self.mermaidText(task.taskID))<br/>\(Self.mermaidText(task.function.name))\"]")
        }
        for edge in edges {
            lines.append("    task_\(edge.source) --> task_\(edge.target)")
        }
        return lines.joined(separator: "\n") + "\n"
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
