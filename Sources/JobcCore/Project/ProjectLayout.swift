import Foundation

/// Where a project keeps its jobs, SQL, functions and secrets, relative to its root: `paths:` in
/// `jobc.yaml`, or today's layout when it names none.
///
///     paths:
///       jobs: orchestration/jobs
///       sql: orchestration/sqls
///       functions: orchestration/function
///       secrets: airflow_artifacts/secret
public struct ProjectLayout: Sendable, Equatable {
    /// Each '/'-separated, normalised, inside the root.
    public var jobs: String
    public var sql: String
    public var functions: String
    public var secrets: String

    public init(jobs: String = "orchestration/job", sql: String = "orchestration/sql", functions: String = "orchestration/function", secrets: String = "secret") {
        self.jobs = jobs
        self.sql = sql
        self.functions = functions
        self.secrets = secrets
    }

    public static let standard = ProjectLayout()

    /// The keys of `paths:`, in the order `jobc init` writes them.
    public static let keys = ["jobs", "sql", "functions", "secrets"]

    public subscript(key: String) -> String {
        get {
            switch key {
            case "jobs": jobs
            case "sql": sql
            case "functions": functions
            default: secrets
            }
        }
        set {
            switch key {
            case "jobs": jobs = newValue
            case "sql": sql = newValue
            case "functions": functions = newValue
            default: secrets = newValue
            }
        }
    }

    /// Reads `paths:`; a bad value keeps its default and is reported at the value.
    static func decode(_ node: YAMLNode, projectRoot: String, diagnostics: inout DiagnosticCollector) -> ProjectLayout {
        var layout = ProjectLayout.standard
        guard let paths = MappingReader(node, context: "'paths'", diagnostics: &diagnostics) else { return layout }
        paths.reportUnknownKeys(allowed: keys, diagnostics: &diagnostics)
        for key in keys {
            guard let valueNode = paths.value(key),
                  let value = MappingReader.string(valueNode, "'paths.\(key)'", diagnostics: &diagnostics) else { continue }
            switch Project.normalizeProjectPath(value.value) {
            case .failure(.absolute):
                diagnostics.error(
                    .invalidConfig, "'paths.\(key)' must be relative to the project root, not absolute", at: value.location,
                    suggestion: "write the folder relative to the folder holding jobc.yaml")
            case .failure(.escapesRoot):
                diagnostics.error(
                    .invalidConfig, "'paths.\(key)' climbs out of the project root", at: value.location,
                    suggestion: "name a folder inside the folder holding jobc.yaml")
            case .failure(.notAFile):
                diagnostics.error(.invalidConfig, "'paths.\(key)' names the project root itself", at: value.location, suggestion: "name a folder inside it")
            case .failure:
                diagnostics.error(.invalidConfig, "'paths.\(key)' is not a usable path", at: value.location)
            case .success(let relative):
                let absolute = projectRoot + "/" + relative
                if let real = FileSystem.realPath(absolute), !real.hasPrefix((FileSystem.realPath(projectRoot) ?? projectRoot) + "/") {
                    diagnostics.error(.invalidConfig, "'paths.\(key)' leads out of the project root through a symbolic link", at: value.location)
                } else if !FileSystem.isDirectory(absolute) {
                    let kind = FileSystem.kind(of: absolute)
                    diagnostics.error(
                        .invalidConfig, "'paths.\(key)' names \(relative), which is \(kind == "missing" ? "missing" : kind + ", not a folder")",
                        at: value.location, suggestion: kind == "missing" ? "create the folder, or correct the path" : "name a folder")
                } else {
                    layout[key] = relative
                }
            }
        }
        return layout
    }
}
