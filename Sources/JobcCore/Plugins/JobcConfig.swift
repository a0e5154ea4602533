import Foundation

/// The project's `jobc.yaml` (in the project root): where the project keeps its jobs, SQL,
/// functions and secrets (`paths:`, see `ProjectLayout`), where plugins live when they are not on
/// PATH, and how long each may run.
///
///     paths:
///       jobs: orchestration/jobs
///
///     plugins:
///       prefect:
///         command: .venv/prefect/bin/jobc-emit-prefect
///         timeout_seconds: 120
public struct JobcConfig: Sendable {
    public static let fileName = "jobc.yaml"

    public struct PluginEntry: Sendable, Equatable {
        public var name: String
        /// Absolute, resolved against the config file's folder.
        public var command: String
        public var timeoutSeconds: Int?
    }

    public var path: String?
    public var plugins: [PluginEntry]
    public var layout: ProjectLayout = .standard

    public static let empty = JobcConfig(path: nil, plugins: [])

    /// Reads `jobc.yaml` from the project root; no file is an empty config. Problems are diagnostics
    /// located in the file, all of them at once.
    public static func load(projectRoot: String) -> (JobcConfig, [Diagnostic]) {
        let path = (projectRoot as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else { return (.empty, []) }
        guard let bytes = try? FileSystem.read(path) else {
            return (.empty, [.error(.invalidConfig, "cannot read the jobc config", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        let source = SourceFile(displayPath: path, bytes: bytes)
        let loaded = YAMLLoader().load(source)
        var diagnostics = DiagnosticCollector()
        diagnostics.emit(contentsOf: loaded.diagnostics)
        guard let root = loaded.root else { return (JobcConfig(path: path, plugins: []), diagnostics.diagnostics) }
        let plugins = decodePlugins(root, folder: (path as NSString).deletingLastPathComponent, diagnostics: &diagnostics)
        var config = JobcConfig(path: path, plugins: plugins)
        var reported = DiagnosticCollector()  // a config that is no mapping was reported above
        if let paths = MappingReader(root, context: "the jobc config", diagnostics: &reported)?.value("paths") {
            config.layout = ProjectLayout.decode(paths, projectRoot: projectRoot, diagnostics: &diagnostics)
        }
        return (config, diagnostics.diagnostics)
    }

    private static func decodePlugins(_ root: YAMLNode, folder: String, diagnostics: inout DiagnosticCollector) -> [PluginEntry] {
        guard let config = MappingReader(root, context: "the jobc config", diagnostics: &diagnostics) else { return [] }
        config.reportUnknownKeys(allowed: ["paths", "plugins"], diagnostics: &diagnostics)
        guard let pluginsNode = config.value("plugins"),
              let plugins = MappingReader(pluginsNode, context: "'plugins'", diagnostics: &diagnostics) else { return [] }
        var entries: [PluginEntry] = []
        for entry in plugins.entries {
            guard PluginDiscovery.isValidTargetName(entry.key) else {
                diagnostics.error(
                    .invalidConfig, "'\(entry.key)' is not a valid target name", at: entry.keyLocation,
                    suggestion: "use lowercase letters, digits and hyphens, starting with a letter")
                continue
            }
            guard let plugin = MappingReader(entry.value, context: "plugin '\(entry.key)'", diagnostics: &diagnostics) else { continue }
            plugin.reportUnknownKeys(allowed: ["command", "timeout_seconds"], diagnostics: &diagnostics)
            let command = plugin.require("command", diagnostics: &diagnostics)
                .flatMap { MappingReader.string($0, "'command'", diagnostics: &diagnostics) }
            let timeout = plugin.value("timeout_seconds")
                .flatMap { MappingReader.integer($0, "'timeout_seconds'", range: 1...86_400, diagnostics: &diagnostics) }
            guard let command else { continue }
            let absolute = command.value.hasPrefix("/") ? command.value : (folder as NSString).appendingPathComponent(command.value)
            entries.append(PluginEntry(name: entry.key, command: (absolute as NSString).standardizingPath, timeoutSeconds: timeout?.value))
        }
        return entries
    }
}

extension JobcConfig: RuleDeclaring {
    public static let rules: [RuleID] = [.invalidConfig]
}

extension RuleID {
    public static let invalidConfig = RuleID(
        "invalid-config", summary: "The project's jobc.yaml is malformed (unknown key, bad plugin name, missing command).")
}
