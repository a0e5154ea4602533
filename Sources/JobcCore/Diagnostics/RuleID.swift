/// The stable name of a check, shown with every diagnostic it produces. The catalog below is the one
/// place where every rule is listed and explained (`jobc rules` prints it; docs point here).
public struct RuleID: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    public var description: String { name }
}

extension RuleID {
    // Reading the file
    public static let fileUnreadable: RuleID = "file-unreadable"
    public static let yamlSyntax: RuleID = "yaml-syntax"
    public static let yamlEncoding: RuleID = "yaml-encoding"
    public static let yamlEmpty: RuleID = "yaml-empty"
    public static let yamlMultipleDocuments: RuleID = "yaml-multiple-documents"
    public static let yamlDuplicateKey: RuleID = "yaml-duplicate-key"
    public static let yamlLimits: RuleID = "yaml-limits"
    public static let yamlUnsupported: RuleID = "yaml-unsupported"
    // The job's shape
    public static let unknownKey: RuleID = "unknown-key"
    public static let missingKey: RuleID = "missing-key"
    public static let wrongType: RuleID = "wrong-type"
    public static let deprecatedKey: RuleID = "deprecated-key"
    public static let invalidIdentifier: RuleID = "invalid-identifier"
    public static let invalidSchedule: RuleID = "invalid-schedule"
    public static let invalidDate: RuleID = "invalid-date"
    public static let invalidDuration: RuleID = "invalid-duration"
    public static let invalidValue: RuleID = "invalid-value"
    // Meaning
    public static let duplicateTaskID: RuleID = "duplicate-task-id"
    public static let duplicateJobID: RuleID = "duplicate-job-id"
    public static let unknownDependency: RuleID = "unknown-dependency"
    public static let dependencyCycle: RuleID = "dependency-cycle"
    public static let redundantDependency: RuleID = "redundant-dependency"
    public static let unknownFunction: RuleID = "unknown-function"
    public static let functionParameters: RuleID = "function-parameters"
    public static let missingFile: RuleID = "missing-file"
    public static let pathEscape: RuleID = "path-escape"
    public static let missingSecret: RuleID = "missing-secret"
    public static let invalidSecretName: RuleID = "invalid-secret-name"
    public static let invalidContract: RuleID = "invalid-contract"
    public static let targetUnsupported: RuleID = "target-unsupported"
    public static let outputWrite: RuleID = "output-write"
    // Plugins and configuration
    public static let invalidConfig: RuleID = "invalid-config"
    public static let pluginFailed: RuleID = "plugin-failed"
    // Importing other formats (`jobc import aef`)
    public static let jsonSyntax: RuleID = "json-syntax"
    public static let importNotCarriedOver: RuleID = "import-not-carried-over"
    public static let importDuplicateID: RuleID = "import-duplicate-id"
    public static let importRenamed: RuleID = "import-renamed"

    /// Every rule with a one-line explanation, in the order a reader meets them.
    public static let catalog: [(rule: RuleID, summary: String)] = [
        (.fileUnreadable, "The job file cannot be read (missing, a folder, or permission denied)."),
        (.yamlSyntax, "The file is not well-formed YAML."),
        (.yamlEncoding, "The file is not UTF-8 text (binary data, invalid byte sequences)."),
        (.yamlEmpty, "The file holds no YAML document."),
        (.yamlMultipleDocuments, "A job file holds exactly one YAML document."),
        (.yamlDuplicateKey, "A mapping names the same key twice; YAML keeps one silently, jobc refuses."),
        (.yamlLimits, "Nesting depth, alias expansion or size beyond jobc's bounds (protects against YAML bombs)."),
        (.yamlUnsupported, "A YAML feature jobc does not accept in jobs (complex keys, merge keys, custom tags)."),
        (.unknownKey, "A key the job format does not define; usually a typo."),
        (.missingKey, "A required key is absent."),
        (.wrongType, "A value has the wrong type (a list where a string is expected, say)."),
        (.deprecatedKey, "A key that still works but has a preferred spelling."),
        (.invalidIdentifier, "An id that is not portable to every target (lowercase snake_case, at most 63 characters)."),
        (.invalidSchedule, "A schedule that is neither a known preset, a valid 5-field cron expression, nor null."),
        (.invalidDate, "A start date that is not a real ISO 8601 date or date-time."),
        (.invalidDuration, "A duration that is not of the form 30s, 5m, 1h30m (or whole seconds)."),
        (.invalidValue, "A value outside its allowed range."),
        (.duplicateTaskID, "Two tasks of one job share a task_id."),
        (.duplicateJobID, "Two compiled jobs share a job_id, so they would write the same files."),
        (.unknownDependency, "A dependency names a task that does not exist."),
        (.dependencyCycle, "Dependencies form a cycle, so no task of it could ever start."),
        (.redundantDependency, "The same dependency is declared twice."),
        (.unknownFunction, "A task names a function that has no contract in orchestration/function/."),
        (.functionParameters, "A task's kwargs do not match its function's contract (missing, unknown or mistyped)."),
        (.missingFile, "A referenced project file does not exist."),
        (.pathEscape, "A referenced path leaves the project root (absolute, '..', or a symlink pointing outside)."),
        (.missingSecret, "A named secret is not in the secret store."),
        (.invalidSecretName, "A secret name that could be a path: only letters, digits, '_' and '-' are allowed."),
        (.invalidContract, "A function contract file is malformed."),
        (.targetUnsupported, "The job uses something the chosen target cannot express."),
        (.outputWrite, "A generated file could not be written."),
        (.invalidConfig, "The project's jobc.yaml is malformed (unknown key, bad plugin name, missing command)."),
        (.pluginFailed, "An external emitter crashed, timed out, or answered outside the plugin protocol (docs/plugins.md)."),
        (.jsonSyntax, "An imported definition file is not valid JSON (position given)."),
        (.importNotCarriedOver, "A value of the imported definition that the job cannot express; it is left out."),
        (.importDuplicateID, "An imported definition uses the same LEVEL_ID, THREAD_ID (within a level) or JOB_ID twice."),
        (.importRenamed, "An imported name is not a portable identifier; the job uses the name shown."),
    ]
}
