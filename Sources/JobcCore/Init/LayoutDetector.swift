import Foundation

/// Finds where an existing repository keeps its jobs, SQL, functions and secrets, from folder names
/// and what the files hold: job files have top-level `job_id:` and `tasks:` lines, the SQL folder is
/// where their `sql_file_path`s point (else the folder with most `.sql` files), the secrets folder
/// holds `<secret_key>.json` for a secret the jobs name (else it is called `secret` or `secrets`).
public struct LayoutDetector {
    /// What the scan found in the repository's text files (values as written, never secret values).
    public struct Findings: Sendable, Equatable {
        public var layout: ProjectLayout
        /// The job files, relative to the root.
        public var jobFiles: [String]
        /// Function names the jobs use (`function:` values), sorted.
        public var functions: [String]
        /// Secret names the jobs use (`secret_key:` values), sorted.
        public var secrets: [String]
    }

    public let root: String
    /// Folders never looked into: tools' and builds' own.
    static let ignoredFolders: Set<String> = ["node_modules", "build", "dist", "venv", "__pycache__", "site-packages", "target"]
    static let maxDepth = 5

    public init(root: String) {
        self.root = root
    }

    /// nil when the repository holds no job file.
    public func detect() -> Findings? {
        let files = walk()
        var jobsByFolder: [String: [String]] = [:]
        var functions = Set<String>()
        var secrets = Set<String>()
        var sqlReferences: [String] = []
        for file in files where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
            guard !file.hasSuffix(FunctionCatalog.contractSuffix), let text = readText(file), Self.looksLikeJob(text) else { continue }
            jobsByFolder[Self.folder(of: file), default: []].append(file)
            functions.formUnion(Self.values(of: "function", in: text))
            secrets.formUnion(Self.values(of: "secret_key", in: text))
            sqlReferences += Self.values(of: "sql_file_path", in: text)
        }
        guard let jobs = Self.best(jobsByFolder.mapValues(\.count), preferring: ["jobs", "job"]) else { return nil }
        var layout = ProjectLayout.standard
        layout.jobs = jobs
        layout.sql = sqlFolder(referenced: sqlReferences, files: files) ?? layout.sql
        layout.functions = functionFolder(files: files) ?? layout.functions
        layout.secrets = secretFolder(named: secrets.sorted(), files: files) ?? layout.secrets
        return Findings(
            layout: layout, jobFiles: jobsByFolder.values.flatMap { $0 }.sorted(), functions: functions.sorted(), secrets: secrets.sorted())
    }

    /// Relative paths of the files under the root, hidden and ignored folders left out.
    private func walk() -> [String] {
        var result: [String] = []
        func visit(_ relative: String, depth: Int) {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            for name in FileSystem.list(absolute).sorted() where !name.hasPrefix(".") && !Self.ignoredFolders.contains(name) {
                let child = relative.isEmpty ? name : relative + "/" + name
                let path = root + "/" + child
                if FileSystem.isDirectory(path) {
                    if depth < Self.maxDepth, !FileSystem.isSymbolicLink(path) { visit(child, depth: depth + 1) }
                } else if FileSystem.isRegularFile(path) {
                    result.append(child)
                }
            }
        }
        visit("", depth: 0)
        return result
    }

    /// The folder every referenced SQL file shares (the one most name, when they differ).
    private func sqlFolder(referenced: [String], files: [String]) -> String? {
        var counts: [String: Int] = [:]
        for reference in referenced {
            guard case .success(let normalized) = Project.normalizeProjectPath(reference) else { continue }
            let parts = normalized.split(separator: "/")
            // The folder under which the reference's own subfolders start: its first two levels at most.
            let folder = parts.count > 2 ? parts.prefix(2).joined(separator: "/") : Self.folder(of: normalized)
            if !folder.isEmpty, FileSystem.isDirectory(root + "/" + folder) { counts[folder, default: 0] += 1 }
        }
        if let best = Self.best(counts, preferring: ["sql", "sqls"]) { return best }
        var sqlCounts: [String: Int] = [:]
        for file in files where file.hasSuffix(".sql") { sqlCounts[Self.folder(of: file), default: 0] += 1 }
        return Self.best(sqlCounts.filter { !$0.key.isEmpty }, preferring: ["sql", "sqls"])
    }

    private func functionFolder(files: [String]) -> String? {
        let folders = files.filter { $0.hasSuffix("/function_abstract.py") || $0.hasSuffix(FunctionCatalog.contractSuffix) }.map(Self.folder(of:))
        return Self.best(Dictionary(folders.map { ($0, 1) }, uniquingKeysWith: +), preferring: ["function", "functions"])
    }

    private func secretFolder(named secrets: [String], files: [String]) -> String? {
        var counts: [String: Int] = [:]
        for file in files where file.hasSuffix(".json") {
            let name = String((file as NSString).lastPathComponent.dropLast(5))
            let folder = Self.folder(of: file)
            let named = ["secret", "secrets"].contains((folder as NSString).lastPathComponent)
            if secrets.contains(name) { counts[folder, default: 0] += 10 } else if named { counts[folder, default: 0] += 1 }
        }
        return Self.best(counts.filter { !$0.key.isEmpty }, preferring: ["secret", "secrets"])
    }

    private func readText(_ relative: String) -> String? {
        guard let bytes = try? FileSystem.read(root + "/" + relative), bytes.count < 1_000_000 else { return nil }
        return String(bytes: bytes, encoding: .utf8)
    }

    static func looksLikeJob(_ text: String) -> Bool {
        let lines = text.split(whereSeparator: \.isNewline)
        return lines.contains { $0.hasPrefix("job_id:") } && lines.contains { $0.hasPrefix("tasks:") }
    }

    /// The plain values of `key: value` lines, quotes and comments dropped.
    static func values(of key: String, in text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix(key + ":") else { return nil }
            var value = trimmed.dropFirst(key.count + 1).drop { $0 == " " }
            if let quote = value.first, quote == "\"" || quote == "'" {
                value = value.dropFirst().prefix { $0 != quote }
            } else {
                value = value.prefix { $0 != " " && $0 != "#" }
            }
            return value.isEmpty ? nil : String(value)
        }
    }

    static func folder(of relative: String) -> String {
        (relative as NSString).deletingLastPathComponent
    }

    /// The folder with the highest count; ties go to a preferred last name, then to the shorter path.
    static func best(_ counts: [String: Int], preferring names: [String]) -> String? {
        counts.max { a, b in
            if a.value != b.value { return a.value < b.value }
            let aPreferred = names.contains((a.key as NSString).lastPathComponent)
            let bPreferred = names.contains((b.key as NSString).lastPathComponent)
            if aPreferred != bPreferred { return bPreferred }
            return (a.key.count, a.key) > (b.key.count, b.key)
        }?.key
    }
}
