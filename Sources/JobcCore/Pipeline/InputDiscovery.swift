import Foundation

/// Expands the paths given on the command line into job files: files as given, folders searched
/// recursively for `*.yaml` / `*.yml` (hidden files and folders, symlinked folders, function
/// contracts and job tests `*.test.yaml` skipped), sorted, each file once even when reached by two paths.
public enum InputDiscovery {
    public struct MissingPath: Error {
        public let path: String
    }

    public static func jobFiles(in paths: [String]) throws(MissingPath) -> [String] {
        try discover(in: paths).files
    }

    /// The job files, and the files a folder search passed over that look like jobs: hidden files
    /// (`.yaml`, as one tool wrote a job) and files without an extension, whose text has a top-level
    /// `job_id:` or `tasks:` line. A run says it skipped them rather than stay silent.
    public static func discover(in paths: [String]) throws(MissingPath) -> (files: [String], skipped: [String]) {
        var files: [Found] = []
        var skipped: [String] = []
        for path in paths {
            if FileSystem.isDirectory(path) {
                let found = yamlFiles(under: path)
                files += found.files
                skipped += found.skipped
            } else if FileSystem.exists(path) {
                files.append(Found(path: path, realPath: nil))
            } else {
                throw MissingPath(path: path)
            }
        }
        var seen = Set<String>()
        var seenSkipped = Set<String>()
        return (files.filter { seen.insert($0.realPath ?? FileSystem.realPath($0.path) ?? $0.path).inserted }.map(\.path),
                skipped.filter { seenSkipped.insert(FileSystem.realPath($0) ?? $0).inserted }.sorted())
    }

    /// A job file, and its real path when the folder walk knows it without asking the file system
    /// (a file that is no link, in a real folder whose real path is known): two paths name one file
    /// only when they resolve alike, and resolving a thousand paths one by one is most of a listing.
    private struct Found {
        var path: String
        var realPath: String?
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

    private static func yamlFiles(under directory: String) -> (files: [Found], skipped: [String]) {
        var found: [Found] = []
        var skipped: [String] = []
        // Only real folders are walked below the first, so each one's real path follows from its parent's.
        var pending = [(path: directory, realPath: FileSystem.realPath(directory))]
        while let folder = pending.popLast() {
            for (name, kind) in FileSystem.entries(folder.path).sorted(by: { $0.name < $1.name }) {
                let path = folder.path.hasSuffix("/") ? folder.path + name : folder.path + "/" + name
                let realPath = kind == .symbolicLink ? nil : folder.realPath.map { $0 == "/" ? "/" + name : $0 + "/" + name }
                // A link to a folder is a folder here too, but is not walked: it can loop (`up -> ..`) or repeat a sibling.
                if kind == .folder || (kind == .symbolicLink && FileSystem.isDirectory(path)) {
                    if !name.hasPrefix("."), kind == .folder { pending.append((path, realPath)) }
                } else if name.hasPrefix(".") || !name.utf8.dropFirst().contains(UInt8(ascii: ".")) {
                    if FileSystem.isRegularFile(path), looksLikeJob(path) { skipped.append(path) }
                } else if (name.hasUTF8Suffix(".yaml") || name.hasUTF8Suffix(".yml")) && !name.hasUTF8Suffix(FunctionCatalog.contractSuffix)
                            && !JobTest.isTestFile(name) {
                    found.append(Found(path: path, realPath: realPath))
                }
            }
        }
        // One folder's entries come sorted already: checking that costs a comparison a file, sorting again
        // a dozen (this all runs on the main thread before the cores start).
        let isSorted = zip(found, found.dropFirst()).allSatisfy { $0.path < $1.path }
        return (isSorted ? found : found.sorted { $0.path < $1.path }, skipped)
    }

    /// The job tests (`*.test.yaml`, `*.test.yml`) among `paths`: files as given, folders searched
    /// recursively as for jobs; sorted, each once.
    public static func testFiles(in paths: [String]) throws(MissingPath) -> [String] {
        var files: [String] = []
        for path in paths {
            if FileSystem.isDirectory(path) {
                var pending = [path]
                var found: [String] = []
                while let folder = pending.popLast() {
                    for name in FileSystem.list(folder) {
                        let child = folder.hasSuffix("/") ? folder + name : folder + "/" + name
                        if name.hasPrefix(".") { continue }
                        if FileSystem.isDirectory(child) {
                            if !FileSystem.isSymbolicLink(child) { pending.append(child) }
                        } else if JobTest.isTestFile(name) {
                            found.append(child)
                        }
                    }
                }
                files += found.sorted()
            } else if FileSystem.exists(path) {
                files.append(path)
            } else {
                throw MissingPath(path: path)
            }
        }
        var seen = Set<String>()
        return files.filter { seen.insert(FileSystem.realPath($0) ?? $0).inserted }
    }

    /// A top-level `job_id:` or `tasks:` line in the file's first 64 KiB.
    private static func looksLikeJob(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 65_536) else { return false }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).contains { line in
            line.hasPrefix("job_id:") || line.hasPrefix("tasks:")
        }
    }
}
