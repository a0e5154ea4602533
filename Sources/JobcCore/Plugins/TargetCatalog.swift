import Foundation

/// Every target this run of jobc can compile for: the built-in emitters, then the plugins found on
/// PATH and in the project's jobc.yaml. Plugins are only started when asked for.
public struct TargetCatalog: Sendable {
    public let builtins: [any Emitter]
    /// Plugins whose name no built-in target takes.
    public let plugins: [PluginReference]
    /// Plugins hidden by a built-in target of the same name.
    public let shadowed: [PluginReference]
    /// Problems in the jobc config.
    public let configDiagnostics: [Diagnostic]

    public init(builtins: [any Emitter], plugins discovered: [PluginReference], configDiagnostics: [Diagnostic] = []) {
        self.builtins = builtins.sorted { $0.name < $1.name }
        let builtinNames = Set(builtins.map(\.name))
        self.plugins = discovered.filter { !builtinNames.contains($0.name) }
        self.shadowed = discovered.filter { builtinNames.contains($0.name) }
        self.configDiagnostics = configDiagnostics
    }

    /// Built-ins plus plugins from `jobc.yaml` in `projectRoot` (if any) and `PATH`.
    public static func discover(builtins: [any Emitter], projectRoot: String?, environment: [String: String]) -> TargetCatalog {
        let (config, diagnostics) = projectRoot.map { JobcConfig.load(projectRoot: $0) } ?? (.empty, [])
        let plugins = PluginDiscovery.discover(searchPath: environment["PATH"], config: config)
        return TargetCatalog(builtins: builtins, plugins: plugins, configDiagnostics: diagnostics)
    }

    public var names: [String] { (builtins.map(\.name) + plugins.map(\.name)).sorted() }

    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// The emitter for a target name; a plugin is asked for its capabilities first.
    public func emitter(named name: String) throws(ExternalEmitter.LoadError) -> (any Emitter)? {
        if let builtin = builtins.first(where: { $0.name == name }) { return builtin }
        guard let plugin = plugins.first(where: { $0.name == name }) else { return nil }
        return try ExternalEmitter.load(plugin)
    }
}
