import Foundation

/// Where an external target's executable is, and how long one call may take.
public struct PluginReference: Sendable, Equatable {
    public var name: String
    public var executable: String
    public var timeoutSeconds: Int
    /// Where it was found, for `jobc targets` and error messages: "PATH" or the config file.
    public var origin: String
}

/// Finds `jobc-emit-NAME` executables: entries of the jobc config first, then the folders of PATH in
/// order (the first executable of a name wins, as in a shell).
public enum PluginDiscovery {
    public static let executablePrefix = "jobc-emit-"
    public static let defaultTimeoutSeconds = 60

    public static func isValidTargetName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.count <= 63 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Every plugin, sorted by name (for `jobc targets` and `--target all`: lists every PATH folder).
    public static func discover(searchPath: String?, config: JobcConfig) -> [PluginReference] {
        var found: [String: PluginReference] = [:]
        for entry in config.plugins { found[entry.name] = reference(entry, config: config) }
        for directory in folders(of: searchPath) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for fileName in names.sorted() where fileName.hasPrefix(executablePrefix) {
                let name = String(fileName.dropFirst(executablePrefix.count))
                guard found[name] == nil, isValidTargetName(name) else { continue }
                found[name] = onPath(name, in: directory)
            }
        }
        return found.values.sorted { $0.name < $1.name }
    }

    /// The plugin for one target name, looking only for that executable (what `jobc compile` needs).
    public static func find(_ name: String, searchPath: String?, config: JobcConfig) -> PluginReference? {
        if let entry = config.plugins.first(where: { $0.name == name }) { return reference(entry, config: config) }
        guard isValidTargetName(name) else { return nil }
        return folders(of: searchPath).lazy.compactMap { onPath(name, in: $0) }.first
    }

    /// A `jobc-emit-NAME` file on PATH that would be the plugin if it were executable: why a target
    /// name is unknown, when the user meant to install a plugin.
    public static func nonExecutableCandidate(_ name: String, searchPath: String?) -> String? {
        guard isValidTargetName(name) else { return nil }
        return folders(of: searchPath).lazy.map { ($0 as NSString).appendingPathComponent(executablePrefix + name) }
            .first { path in
                var status = stat()
                return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG && access(path, X_OK) != 0
            }
    }

    private static func reference(_ entry: JobcConfig.PluginEntry, config: JobcConfig) -> PluginReference {
        PluginReference(
            name: entry.name, executable: entry.command,
            timeoutSeconds: entry.timeoutSeconds ?? defaultTimeoutSeconds, origin: config.path ?? JobcConfig.fileName)
    }

    private static func onPath(_ name: String, in directory: String) -> PluginReference? {
        let path = (directory as NSString).appendingPathComponent(executablePrefix + name)
        guard isExecutableFile(path) else { return nil }
        return PluginReference(name: name, executable: FileSystem.absolute(path), timeoutSeconds: defaultTimeoutSeconds, origin: "PATH")
    }

    /// PATH's folders in order; an empty entry means the current directory, as in a shell.
    private static func folders(of searchPath: String?) -> [String] {
        (searchPath ?? "").split(separator: ":", omittingEmptySubsequences: false).map { $0.isEmpty ? "." : String($0) }
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
