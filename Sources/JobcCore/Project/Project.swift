import Foundation

/// The folder that holds `jobc.yaml` or `orchestration/` (and usually `secret/`): every path in a
/// job is relative to it, and function contracts and secrets are looked up in it, in the folders its
/// layout names.
public struct Project: Sendable {
    /// Absolute, symlinks resolved, no trailing slash.
    public let root: String
    /// Where jobs, SQL, functions and secrets live (`paths:` in jobc.yaml).
    public let layout: ProjectLayout
    public let functions: FunctionCatalog
    public let secretStore: SecretStore
    /// What the disk said about each project file a job named: one run asks once per file, however
    /// many tasks name it.
    private let resolvedFiles = Memo<String, Result<String, FileProblem>>()
    /// Each SQL file a task runs, read and parsed once a run however many tasks and jobs use it.
    private let analyzedSQL = OnceMemo<String, ProjectSQLFile>()
    /// Prepended to root-relative paths in diagnostics, so they open from the working directory.
    public let displayPrefix: String

    /// Loads the contracts of the project at `root` from the functions folder its jobc.yaml names;
    /// contract problems come back as diagnostics (jobc.yaml's own are the target catalog's to
    /// report: a bad path keeps its default here). `displayPrefix` is prepended to root-relative
    /// paths in diagnostics (so they open from the working directory).
    public static func open(root: String, loader: YAMLLoader = YAMLLoader(), displayPrefix: String = "") -> (Project, [Diagnostic]) {
        let resolvedRoot = FileSystem.realPath(root) ?? FileSystem.absolute(root)
        let layout = JobcConfig.load(projectRoot: resolvedRoot).0.layout
        let (catalog, diagnostics) = FunctionCatalog.load(
            projectRoot: resolvedRoot, functionFolder: layout.functions, loader: loader, displayPrefix: displayPrefix)
        let project = Project(
            root: resolvedRoot, layout: layout, functions: catalog,
            secretStore: SecretStore(projectRoot: resolvedRoot, folder: layout.secrets), displayPrefix: displayPrefix)
        return (project, diagnostics)
    }

    /// Whether `folder` is a project root: it holds `jobc.yaml` or `orchestration/`.
    public static func isRoot(_ folder: String) -> Bool {
        FileSystem.isRegularFile((folder as NSString).appendingPathComponent(JobcConfig.fileName))
            || FileSystem.isDirectory((folder as NSString).appendingPathComponent("orchestration"))
    }

    /// The nearest folder at or above the job file's folder that is a project root (`isRoot`).
    public static func findRoot(forJobAt path: String) -> String? {
        var directory = (FileSystem.absolute(path) as NSString).deletingLastPathComponent
        while true {
            if isRoot(directory) {
                return directory
            }
            let parent = (directory as NSString).deletingLastPathComponent
            if parent == directory || parent.isEmpty { return nil }
            directory = parent
        }
    }

    /// `absolute` (links already resolved, as the workspace resolves each job file once) relative
    /// to the root ('/' separated), for artifacts; nil when the file is outside the root (generated
    /// files never name a machine's absolute paths).
    func relativePath(ofAbsolute absolute: String) -> String? {
        guard absolute.hasPrefix(root + "/") else { return nil }
        return String(absolute.dropFirst(root.count + 1))
    }

    /// The SQL files the project holds (each `path` as `resolveProjectFile` returned it), parsed as
    /// PostgreSQL once a run; a file that cannot be read is one located problem. The missing ones
    /// are parsed in whatever order another thread is not already parsing them (`OnceMemo.values`).
    func postgreSQLFiles(_ paths: [String]) -> [ProjectSQLFile] {
        analyzedSQL.values(for: paths, analyzePostgreSQL)
    }

    private func analyzePostgreSQL(_ path: String) -> ProjectSQLFile {
        let analysis: SQLAnalysis
        if let bytes = try? FileSystem.read(root + "/" + path) {
            analysis = SQLAnalyzer.analyzePostgreSQL(bytes)
        } else {
            var unreadable = SQLAnalysis()
            unreadable.problems = [SQLProblem(kind: .encoding, message: "the file cannot be read", position: SQLPosition(line: 1, column: 1))]
            analysis = unreadable
        }
        return ProjectSQLFile(path: path, displayPath: displayPath(of: path), analysis: analysis)
    }

    /// How diagnostics name a project file: relative to the working directory when that is shorter.
    public func displayPath(of relativePath: String) -> String {
        displayPrefix + relativePath
    }

    public enum FileProblem: Error, Equatable {
        case absolute
        case escapesRoot
        case missing
        /// What it is instead: "a folder", "a named pipe (FIFO)", …
        case notAFile(String)
        case symlinkEscapesRoot(String)
        /// NUL or another control character: the OS would read a different path than the one checked.
        case controlCharacter
        /// In the secret store: a secret reaches a function by name (`secret_key`), never as a file.
        case insideSecretStore
    }

    /// Resolves a project-relative path a job names, refusing anything that reads outside the root.
    /// Returns the normalised relative path.
    public func resolveProjectFile(_ relative: String) -> Result<String, FileProblem> {
        resolvedFiles.value(for: relative) { resolveOnDisk($0) }
    }

    private func resolveOnDisk(_ relative: String) -> Result<String, FileProblem> {
        let normalized: String
        switch Self.normalizeProjectPath(relative) {
        case .success(let path): normalized = path
        case .failure(let problem): return .failure(problem)
        }
        // realpath fails for a missing file (or a dangling symlink): no separate existence check.
        guard let real = FileSystem.realPath(root + "/" + normalized) else { return .failure(.missing) }
        guard real.hasPrefix(root + "/") else { return .failure(.symlinkEscapesRoot(real)) }
        guard !real.hasPrefix(secretStore.directory + "/") else { return .failure(.insideSecretStore) }
        guard FileSystem.isRegularFile(real) else { return .failure(.notAFile(FileSystem.kind(of: real))) }
        return .success(normalized)
    }

    /// The first half of `resolveProjectFile`, without the disk: `./a/../b.sql` → `b.sql`, refusing
    /// control characters, absolute paths and paths that climb above the root.
    public static func normalizeProjectPath(_ relative: String) -> Result<String, FileProblem> {
        isNormalProjectPath(relative) ? .success(relative) : normalizeBySplitting(relative)
    }

    /// `normalizeProjectPath` for a path that needs it: split into components, then joined again.
    static func normalizeBySplitting(_ relative: String) -> Result<String, FileProblem> {
        guard !relative.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return .failure(.controlCharacter)
        }
        guard !relative.hasPrefix("/"), !relative.hasPrefix("~") else { return .failure(.absolute) }
        // Paths are nearly always ASCII, where bytes are characters and splitting bytes is far cheaper
        // than splitting grapheme clusters.
        let parts = relative.utf8.allSatisfy { $0 < 0x80 }
            ? relative.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
            : relative.split(separator: "/", omittingEmptySubsequences: true)
        var components: [Substring] = []
        for component in parts {
            switch component {
            case ".": continue
            case "..":
                guard !components.isEmpty else { return .failure(.escapesRoot) }
                components.removeLast()
            default: components.append(component)
            }
        }
        guard !components.isEmpty else { return .failure(.notAFile("the project root folder")) }
        return .success(components.joined(separator: "/"))
    }

    /// True when `relative` is already what `normalizeProjectPath` would make of it: no control
    /// character, not absolute, and no empty, `.` or `..` component. One pass over the bytes, where
    /// normalising splits and joins: nearly every path a job names is written this way, and every
    /// path parameter of every task comes through here.
    static func isNormalProjectPath(_ relative: String) -> Bool {
        var relative = relative
        return relative.withUTF8 { isNormalProjectPath(bytes: $0) }
    }

    private static func isNormalProjectPath(bytes relative: UnsafeBufferPointer<UInt8>) -> Bool {
        guard relative.first != UInt8(ascii: "~") else { return false }
        var componentLength = 0
        var componentDots = 0  // how many of the component's bytes are '.'
        for byte in relative {
            if byte < 0x20 || byte == 0x7F { return false }
            if byte == UInt8(ascii: "/") {
                if componentLength == 0 || componentDots == componentLength && componentLength <= 2 { return false }
                componentLength = 0
                componentDots = 0
                continue
            }
            componentLength += 1
            if byte == UInt8(ascii: ".") { componentDots += 1 }
        }
        return componentLength > 0 && !(componentDots == componentLength && componentLength <= 2)
    }
}

/// The mock secret store: `<secrets folder>/<name>.json` under the project root (`secret/` unless
/// jobc.yaml says otherwise). jobc checks that a secret exists and which keys its JSON object holds;
/// it never reads a value into anything it writes.
public struct SecretStore: Sendable {
    public let directory: String
    /// The folder, relative to the project root.
    public let folder: String
    /// Asked once per secret name a run, however many tasks name it.
    private let known = Memo<String, Entry>()
    private let read = Memo<String, Contents>()

    init(projectRoot: String, folder: String = ProjectLayout.standard.secrets) {
        directory = projectRoot + "/" + folder
        self.folder = folder
    }

    /// Where the secret `name` is (or would be), relative to the project root.
    public func relativePath(of name: String) -> String {
        folder + "/" + name + ".json"
    }

    /// What the store holds under a name.
    public enum Entry: Sendable, Equatable {
        case secret
        case missing
        /// `secret/NAME.json` exists but is no file: what it is ("a folder", "a symbolic link to a missing file").
        case notAFile(String)
    }

    public func entry(_ name: String) -> Entry {
        known.value(for: name) { name in
            guard SecretName.problem(with: name) == nil else { return .missing }
            let path = directory + "/" + name + ".json"
            if FileSystem.isRegularFile(path) { return .secret }
            let kind = FileSystem.kind(of: path)
            return kind == "missing" ? .missing : .notAFile(kind)
        }
    }

    public func contains(_ name: String) -> Bool {
        entry(name) == .secret
    }

    /// What a secret's file holds, as far as jobc looks: the names of its top-level keys, never a value.
    public enum Contents: Sendable, Equatable {
        case keys(Set<String>)
        /// The file is no JSON object: what it is instead ("a JSON array", "not valid JSON").
        case notAnObject(String)
    }

    /// The keys of a secret the store holds (`entry(name) == .secret`), read once a run. The values
    /// are dropped at once; a parse error's text, which may quote the file, is never kept.
    public func contents(_ name: String) -> Contents {
        read.value(for: name) { name in
            guard let bytes = try? FileSystem.read(directory + "/" + name + ".json") else { return .notAnObject("unreadable") }
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
                return .notAnObject("not valid JSON")
            }
            switch parsed {
            case let object as [String: Any]: return .keys(Set(object.keys))
            case is [Any]: return .notAnObject("a JSON array")
            case is String: return .notAnObject("a JSON string")
            case is NSNull: return .notAnObject("JSON null")
            default: return .notAnObject("a JSON scalar")
            }
        }
    }

    /// The names of the secrets the store really holds (not its folders or dangling links).
    public func availableNames() -> [String] {
        FileSystem.list(directory).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter(contains).sorted()
    }
}

/// The few file-system questions jobc asks, in one place.
public enum FileSystem {
    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (full as NSString).standardizingPath
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The part of `path` before its last slash: "" for a bare name, "/" for a name at the root.
    /// For paths without a trailing slash (listed by discovery, or built here): NSString's
    /// `deletingLastPathComponent` normalises the whole path first, ~25,000 instructions a call, and
    /// some are made on the main thread for every job before the cores start.
    static func folder(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The folder that holds `path`, as NSString's `deletingLastPathComponent` says, without its
    /// trap: in Swift 6.3.1 that dies (SIGILL) on "a", "." and "a/", so `--out o` crashed a compile.
    /// Trailing slashes are ignored; "" for a bare name, "/" for a name at the root.
    public static func parent(of path: String) -> String {
        var end = path.utf8.endIndex
        while end > path.utf8.index(after: path.utf8.startIndex), path.utf8[path.utf8.index(before: end)] == UInt8(ascii: "/") {
            end = path.utf8.index(before: end)
        }
        return folder(of: String(path[..<end]))
    }

    /// The part of `path` after its last slash (all of it when there is none); see `folder(of:)`.
    static func name(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `realPath` of a path whose folder's real path is known (nil: not known): one lstat instead of
    /// resolving every folder of the path again, a link still resolved whole.
    static func realPath(_ path: String, inRealFolder folder: String?) -> String? {
        guard let folder else { return realPath(path) }
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let name = FileSystem.name(of: path)
        guard info.st_mode & S_IFMT != S_IFLNK, name != ".", name != ".." else { return realPath(path) }
        return folder == "/" ? "/" + name : folder + "/" + name
    }

    /// Absolute, with the links of its deepest existing folder resolved: where a path that may not
    /// exist yet would be created.
    static func resolvedPath(_ path: String) -> String {
        var existing = absolute(path)
        var missing: [String] = []
        while realPath(existing) == nil, existing != "/" {
            missing.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        let base = realPath(existing) ?? existing
        return missing.reduce(base) { ($0 as NSString).appendingPathComponent($1) }
    }

    // stat(2) directly: FileManager's fileExists costs several times more, and jobc asks per task.
    static func exists(_ path: String) -> Bool {
        status(path) != nil
    }

    static func isDirectory(_ path: String) -> Bool {
        status(path).map { $0.st_mode & S_IFMT == S_IFDIR } ?? false
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
    }

    /// A regular file, links followed: not a folder, and not a FIFO, socket or device, which a
    /// reader would block on or read something else from.
    static func isRegularFile(_ path: String) -> Bool {
        status(path).map { $0.st_mode & S_IFMT == S_IFREG } ?? false
    }

    /// What is at `path`, links followed, in words for a diagnostic ("a folder").
    static func kind(of path: String) -> String {
        guard let info = status(path) else {
            var link = stat()
            return lstat(path, &link) == 0 ? "a symbolic link to a missing file" : "missing"
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return "a file"
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "a special file"
        }
    }

    /// Follows symlinks; nil when the path (or a symlink's target) does not exist.
    private static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    static func list(_ directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    enum EntryKind {
        case folder, symbolicLink, other
    }

    /// A folder's entries with what each is, links not followed, from readdir(3)'s type field: a
    /// folder of a thousand jobs is then listed without a stat per file (lstat only where the file
    /// system leaves the type unknown). Empty when the folder cannot be read.
    static func entries(_ directory: String) -> [(name: String, kind: EntryKind)] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var entries: [(name: String, kind: EntryKind)] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != ".", name != ".." else { continue }
            var type = Int(entry.pointee.d_type)
            if type == DT_UNKNOWN {
                var info = stat()
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                guard lstat(path, &info) == 0 else { continue }
                type = switch info.st_mode & S_IFMT { case S_IFDIR: DT_DIR; case S_IFLNK: DT_LNK; default: DT_REG }
            }
            entries.append((name, type == DT_DIR ? .folder : type == DT_LNK ? .symbolicLink : .other))
        }
        return entries
    }

    /// How to reach files under `root` from the working directory: "" when the root is the working
    /// directory, "../" style or absolute otherwise.
    static func displayPrefix(forRoot root: String) -> String {
        let cwd = realPath(FileManager.default.currentDirectoryPath) ?? FileManager.default.currentDirectoryPath
        if cwd == root { return "" }
        if root.hasPrefix(cwd + "/") { return String(root.dropFirst(cwd.count + 1)) + "/" }
        return root + "/"
    }

    /// Whether the regular file at `path` holds exactly `data`, read with open(2) and read(2): asked
    /// for every file a compile writes, and most are new (one failed open) or differ in size (one fstat).
    static func fileHolds(_ path: String, exactly data: Data) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) == data.count else { return false }
        var existing = [UInt8](repeating: 0, count: data.count)
        var offset = 0
        while offset < existing.count {
            let count = existing.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        guard !data.isEmpty else { return true }
        return existing.withUnsafeBytes { existingBytes in
            data.withUnsafeBytes { memcmp(existingBytes.baseAddress!, $0.baseAddress!, data.count) == 0 }
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        return [UInt8](data)
    }
}

extension String {
    /// Whether the UTF-8 bytes end with `suffix`'s. For the ASCII suffixes of file names (`.yaml`,
    /// `.contract.yaml`): job discovery asks several of each of a thousand names on the main thread
    /// before the cores start, and Character-wise `hasSuffix` (and `count`) cost more than the rest.
    func hasUTF8Suffix(_ suffix: String) -> Bool {
        let count = suffix.utf8.count
        return utf8.count >= count && utf8.suffix(count).elementsEqual(suffix.utf8)
    }
}
