/// A job made by an importer, in the shape of the job format, before it is written as YAML. Keys
/// are valid identifiers (the importer made them so); every other string is user text.
public struct ImportedJob: Sendable {
    public enum Value: Sendable {
        case string(String)
        case integer(Int)
    }

    public struct Group: Sendable {
        public var key: String
        public var description: String
        public var parent: String?
        public var dependsOn: [String]
    }

    public struct Task: Sendable {
        public var key: String
        public var function: String
        public var secretKey: String
        public var group: String?
        public var dependsOn: [String]
        public var timeoutSeconds: Int?
        public var kwargs: [(name: String, value: Value)]
    }

    /// Fixed explanatory lines printed as `#` comments at the top (never user text: a comment
    /// cannot escape a line break).
    public var headerComment: [String]
    public var jobID: String
    public var description: String
    public var groups: [Group]
    public var tasks: [Task]

    /// The job as YAML: keys plain (they are identifiers; anything else would be an importer bug, and
    /// is still quoted rather than written plain), every string double-quoted with escapes, so no
    /// name can change the document's structure. Same job, same bytes.
    public var yaml: String {
        var out = headerComment.map { "# \($0)\n" }.joined()
        out += "job_id: \(YAMLLiteral.key(jobID))\n"
        out += "description: \(YAMLLiteral.string(description))\n"
        out += "schedule: null\n"
        if !groups.isEmpty {
            out += "\ngroups:\n"
            for group in groups {
                out += "  \(YAMLLiteral.key(group.key)):\n"
                out += "    description: \(YAMLLiteral.string(group.description))\n"
                if let parent = group.parent { out += "    group: \(YAMLLiteral.key(parent))\n" }
                if !group.dependsOn.isEmpty { out += "    depends_on: \(keyList(group.dependsOn))\n" }
            }
        }
        out += "\ntasks:\n"
        for (index, task) in tasks.enumerated() {
            if index > 0 { out += "\n" }
            out += "  \(YAMLLiteral.key(task.key)):\n"
            out += "    function: \(YAMLLiteral.key(task.function))\n"
            out += "    secret_key: \(YAMLLiteral.string(task.secretKey))\n"
            if let group = task.group { out += "    group: \(YAMLLiteral.key(group))\n" }
            if !task.dependsOn.isEmpty { out += "    depends_on: \(keyList(task.dependsOn))\n" }
            if let timeout = task.timeoutSeconds { out += "    timeout: \(timeout)s\n" }
            if !task.kwargs.isEmpty {
                out += "    kwargs:\n"
                for (name, value) in task.kwargs {
                    switch value {
                    case .string(let text): out += "      \(YAMLLiteral.key(name)): \(YAMLLiteral.string(text))\n"
                    case .integer(let number): out += "      \(YAMLLiteral.key(name)): \(number)\n"
                    }
                }
            }
        }
        return out
    }

    private func keyList(_ keys: [String]) -> String {
        "[" + keys.map(YAMLLiteral.key).joined(separator: ", ") + "]"
    }
}
