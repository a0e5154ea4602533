import Foundation

/// Expands the paths given on the command line into job files: files as given, folders searched
/// recursively for `*.yaml` / `*.yml` (hidden folders, symlinked folders and function contracts
/// skipped), sorted, each file once even when reached by two paths.
public enum InputDiscovery {
    public struct MissingPath: Error {
        public let path: String
    }

    public static func jobFiles(in paths: [String]) throws(MissingPath) -> [String] {
        var files: [String] = []
        for path in paths {
            if FileSystem.isDirectory(path) {
                files += yamlFiles(under: path)
            } else if FileSystem.exists(path) {
                files.append(path)
            } else {
                throw MissingPath(path: path)
            }
        }
        var seen = Set<String>()
        return files.filter { seen.insert(FileSystem.realPath($0) ?? $0).inserted }
    }

    /// The first of `paths` that is a folder holding `folder` (or is it), links resolved, even when
    /// `folder` does not exist yet: files generated there would be read as jobs by the next run over
    /// that folder (a `*.workflows.yaml` is a YAML file like any job).
    public static func inputFolder(containing folder: String, among paths: [String]) -> String? {
        let output = FileSystem.resolvedPath(folder)
        return paths.first { path in
            guard FileSystem.isDirectory(path) else { return false }
            let input = FileSystem.resolvedPath(path)
            return output == input || output.hasPrefix(input.hasSuffix("/") ? input : input + "/")
        }
    }

    private static func yamlFiles(under directory: String) -> [String] {
        var found: [String] = []
        var pending = [directory]
        while let folder = pending.popLast() {
            for name in FileSystem.list(folder).sorted() where !name.hasPrefix(".") {
                let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
                if FileSystem.isDirectory(path) {
                    // A symlinked folder can loop (`up -> ..`) or repeat a sibling: walk real folders only.
                    if !FileSystem.isSymbolicLink(path) { pending.append(path) }
                } else if (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !name.hasSuffix(FunctionCatalog.contractSuffix) {
                    found.append(path)
                }
            }
        }
        return found.sorted()
    }
}
