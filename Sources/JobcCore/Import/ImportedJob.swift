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

    /// The job as YAML: keys plain (they are identifiers), every string double-quoted with escapes,
    /// so no name can change the document's structure. Same job, same bytes.
    public var yaml: String {
        var out = headerComment.map { "# \($0)\n" }.joined()
        out += "job_id: \(plainKey(jobID))\n"
        out += "description: \(YAMLText.doubleQuoted(description))\n"
        out += "schedule: null\n"
        if !groups.isEmpty {
            out += "\ngroups:\n"
            for group in groups {
                out += "  \(plainKey(group.key)):\n"
                out += "    description: \(YAMLText.doubleQuoted(group.description))\n"
                if let parent = group.parent { out += "    group: \(plainKey(parent))\n" }
                if !group.dependsOn.isEmpty { out += "    depends_on: \(keyList(group.dependsOn))\n" }
            }
        }
        out += "\ntasks:\n"
        for (index, task) in tasks.enumerated() {
            if index > 0 { out += "\n" }
            out += "  \(plainKey(task.key)):\n"
            out += "    function: \(plainKey(task.function))\n"
            out += "    secret_key: \(YAMLText.doubleQuoted(task.secretKey))\n"
            if let group = task.group { out += "    group: \(plainKey(group))\n" }
            if !task.dependsOn.isEmpty { out += "    depends_on: \(keyList(task.dependsOn))\n" }
            if let timeout = task.timeoutSeconds { out += "    timeout: \(timeout)s\n" }
            if !task.kwargs.isEmpty {
                out += "    kwargs:\n"
                for (name, value) in task.kwargs {
                    switch value {
                    case .string(let text): out += "      \(plainKey(name)): \(YAMLText.doubleQuoted(text))\n"
                    case .integer(let number): out += "      \(plainKey(name)): \(number)\n"
                    }
                }
            }
        }
        return out
    }

    private func keyList(_ keys: [String]) -> String {
        "[" + keys.map(plainKey).joined(separator: ", ") + "]"
    }

    /// Importers only produce identifiers and contract names here; anything else would be a bug,
    /// and is still written safely rather than as a plain scalar.
    private func plainKey(_ key: String) -> String {
        YAMLText.isSafePlain(key) ? key : YAMLText.doubleQuoted(key)
    }
}

/// Safe YAML scalars for generated job files.
public enum YAMLText {
    /// A double-quoted YAML scalar holding exactly `text`: quotes, backslashes, line breaks and
    /// every character YAML does not allow raw (controls, C1, BOM, line/paragraph separators) escaped.
    public static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                out += "\\x" + hex(scalar.value, width: 2)
            case "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}":
                out += "\\u" + hex(scalar.value, width: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// True for text that reads back as the same string when written plain: lowercase identifiers
    /// and CamelCase names, never a YAML keyword (`null`, `true`, `no`…) or a number.
    public static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        let wordsYAMLResolves: Set<String> = ["null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf"]
        guard !wordsYAMLResolves.contains(text.lowercased()) else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
