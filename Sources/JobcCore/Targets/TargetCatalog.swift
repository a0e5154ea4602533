/// Every target this run of jobc can compile for: the built-in emitters, then the plugins found in
/// the project's jobc.yaml and on PATH. Plugins are looked for, and started, only when asked for.
public struct TargetCatalog: Sendable {
    public let builtins: [any Emitter]
    public let config: JobcConfig
    /// Problems in the jobc config.
    public let configDiagnostics: [Diagnostic]
    private let searchPath: String?

    public init(builtins: [any Emitter], config: JobcConfig = .empty, configDiagnostics: [Diagnostic] = [], searchPath: String?) {
        self.builtins = builtins.sorted { $0.name < $1.name }
        self.config = config
        self.configDiagnostics = configDiagnostics
        self.searchPath = searchPath
    }

    /// Built-ins plus plugins from `jobc.yaml` in `projectRoot` (if any) and `PATH`.
    public static func discover(builtins: [any Emitter], projectRoot: String?, environment: [String: String]) -> TargetCatalog {
        let (config, diagnostics) = projectRoot.map { JobcConfig.load(projectRoot: $0) } ?? (.empty, [])
        return TargetCatalog(builtins: builtins, config: config, configDiagnostics: diagnostics, searchPath: environment["PATH"])
    }

    /// Every plugin: those a target can use, and those hidden by a built-in target of the same name.
    public func plugins() -> (usable: [PluginReference], shadowed: [PluginReference]) {
        let builtinNames = Set(builtins.map(\.name))
        let discovered = PluginDiscovery.discover(searchPath: searchPath, config: config)
        return (discovered.filter { !builtinNames.contains($0.name) }, discovered.filter { builtinNames.contains($0.name) })
    }

    public func names() -> [String] { (builtins.map(\.name) + plugins().usable.map(\.name)).sorted() }

    /// Where a plugin file for `name` sits that cannot run because it is not executable, if any.
    public func nonExecutablePlugin(named name: String) -> String? {
        PluginDiscovery.nonExecutableCandidate(name, searchPath: searchPath)
    }

    /// The emitter for a target name, nil when there is none; a plugin is asked for its capabilities
    /// first. `forCompiling`: a plugin's compile process starts at once (see `ExternalEmitter.load`).
    public func emitter(named name: String, forCompiling: Bool = false) throws(ExternalEmitter.LoadError) -> (any Emitter)? {
        if let builtin = builtins.first(where: { $0.name == name }) { return builtin }
        guard let plugin = PluginDiscovery.find(name, searchPath: searchPath, config: config) else { return nil }
        return try ExternalEmitter.load(plugin, startingACompile: forCompiling)
    }
}
