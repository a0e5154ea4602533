import JobcCore

/// The workflow's labels: each tag as a label key with an empty value, then `jobc-job: JOB_ID`, so
/// what jobc deployed can be found by label. Google's rules for labels: keys
/// `[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}`, values `[\p{Ll}\p{Lo}\p{N}_-]{0,63}` (lowercase
/// letters, international characters, digits, `_` and `-`; lengths in code points), at most 64
/// labels. A job id is a valid value (lowercase letters, digits and `_`, at most 63).
///
/// A tag that is not a valid key becomes one, deterministically: lowercased, every other character
/// `_`, `tag_` in front when it does not start with a letter, cut to 63 code points. Each tag that
/// changes, that lands on a key an earlier tag (or jobc) took, or that finds no room is one warning
/// at the job's tags.
struct WorkflowLabels {
    static let provenanceKey = "jobc-job"
    static let maximumCount = 64
    static let maximumLength = 63
    static let prefix = "tag_"

    /// In order: the tags' labels as the job lists them, then the provenance label.
    private(set) var labels: [(key: String, value: String)] = []
    private(set) var diagnostics: [Diagnostic] = []

    init(graph: JobGraph) {
        let location = graph.job.sources.tags ?? graph.job.sources.fileStart
        var owners: [String: String] = [:]
        var seen = Set<String>()
        for tag in graph.job.tags where seen.insert(tag).inserted {
            let key = Self.key(for: tag)
            let label = JSONLiteral.string(key)
            let becomes = key == tag ? "" : " (it becomes label \(label))"
            func warn(_ message: String, _ suggestion: String? = nil) {
                diagnostics.append(.warning(.targetUnsupported, message, at: location, suggestion: suggestion))
            }
            if key == Self.provenanceKey {
                warn("tag \(JSONLiteral.string(tag))\(becomes) is left out of the workflow's labels: jobc sets label \(label) to the job id",
                     "rename the tag")
            } else if let owner = owners[key] {
                warn("tags \(JSONLiteral.string(owner)) and \(JSONLiteral.string(tag)) both become label \(label): the workflow has it once",
                     "make the tags differ in lowercase letters, digits, '_' or '-'")
            } else if owners.count == Self.maximumCount - 1 {
                warn("tag \(JSONLiteral.string(tag)) is left out of the workflow's labels: a workflow has at most \(Self.maximumCount) labels, one of them \(JSONLiteral.string(Self.provenanceKey))",
                     "use at most \(Self.maximumCount - 1) tags on cloud-workflows")
            } else {
                owners[key] = tag
                labels.append((key, ""))
                if key != tag {
                    warn("tag \(JSONLiteral.string(tag)) is not a valid Cloud Workflows label key: the workflow gets label \(label)",
                         "use tags of lowercase letters, digits, '_' and '-' that start with a letter, at most \(Self.maximumLength) long")
                }
            }
        }
        labels.append((Self.provenanceKey, graph.job.id))
    }

    /// The label key a tag becomes: the tag itself when it is a valid key.
    static func key(for tag: String) -> String {
        if isKey(tag) { return tag }
        var key = String.UnicodeScalarView()
        for scalar in tag.lowercased().unicodeScalars {
            key.append(isKeyCharacter(scalar) ? scalar : "_")
        }
        if !(key.first.map(isLetter) ?? false) {
            key = String.UnicodeScalarView(prefix.unicodeScalars) + key
        }
        return String(String.UnicodeScalarView(key.prefix(maximumLength)))
    }

    static func isKey(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, isLetter(first), scalars.count <= maximumLength else { return false }
        return scalars.allSatisfy(isKeyCharacter)
    }

    /// `\p{Ll}` or `\p{Lo}`: what a key starts with.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `[\p{Ll}\p{Lo}\p{N}_-]`.
    static func isKeyCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .otherLetter, .decimalNumber, .letterNumber, .otherNumber: return true
        default: return scalar == "_" || scalar == "-"
        }
    }
}
