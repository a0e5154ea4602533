import Foundation

/// One run of jobc over some job files: finds each file's project (once per root), reads sources,
/// and keeps those with diagnostics so the diagnostics can quote the offending line. Safe to use
/// from several threads (`compileJobs` does).
public final class Workspace: @unchecked Sendable {
    public let rootOverride: String?
    public let frontEnd: JobFrontEnd
    private var projects: [String: (project: Project, diagnostics: [Diagnostic])] = [:]
    /// Projects whose contract diagnostics a job has already been given.
    private var reportedProjects = Set<String>()
    private var sources: [String: SourceFile] = [:]
    private let lock = NSLock()

    public init(rootOverride: String? = nil, frontEnd: JobFrontEnd = JobFrontEnd()) {
        self.rootOverride = rootOverride
        self.frontEnd = frontEnd
    }

    /// The outcome for one job file.
    public struct JobCompilation: Sendable {
        public var displayPath: String
        public var spec: JobSpec?
        public var graph: JobGraph?
        /// Problems of the job itself.
        public var diagnostics: [Diagnostic]
        /// Problems of the project's contracts, given with the first job of that project this
        /// workspace compiles (reported once per run, and not counted against the job).
        public var projectDiagnostics: [Diagnostic]

        public var allDiagnostics: [Diagnostic] { projectDiagnostics + diagnostics }
    }

    public func compileJob(at path: String) -> JobCompilation {
        compile(path, projectKey: projectKey(forJobAt: path)) { self.claimDiagnostics(of: $0) }
    }

    /// `compileJob` for each path on every core, each compilation handed to `process` on the thread
    /// that made it, so only what `process` keeps stays in memory; results in `paths` order. Each
    /// project's diagnostics go with its first job in `paths` order, as compiling the jobs one by
    /// one would give them: that is decided before any thread starts.
    public func compileJobs<Output: Sendable>(at paths: [String], _ process: @Sendable (JobCompilation) -> Output) -> [Output] {
        var keyByFolder: [String: String?] = [:]  // a job's project depends only on its folder
        let keys = paths.map { path in
            let folder = (path as NSString).deletingLastPathComponent
            if let known = keyByFolder[folder] { return known }
            let key = projectKey(forJobAt: path)
            keyByFolder[folder] = key
            return key
        }
        let reports = keys.map { key in key.map(claimDiagnostics(of:)) ?? false }
        return Array(paths.indices).concurrentMap { index in
            process(compile(paths[index], projectKey: keys[index]) { _ in reports[index] })
        }
    }

    /// The real root of the job's project, nil when no folder above the job holds `orchestration/`.
    private func projectKey(forJobAt path: String) -> String? {
        (rootOverride ?? Project.findRoot(forJobAt: path)).map { FileSystem.realPath($0) ?? FileSystem.absolute($0) }
    }

    private func compile(_ path: String, projectKey key: String?, reportsProjectDiagnostics: (String) -> Bool) -> JobCompilation {
        let displayPath = path
        guard let key else {
            return JobCompilation(displayPath: displayPath, spec: nil, graph: nil, diagnostics: [.error(
                .fileUnreadable, "no project root found: no folder above this file contains 'orchestration/'",
                at: SourceLocation(file: displayPath, line: 1, column: 1), suggestion: "pass --root PROJECT_FOLDER")],
                projectDiagnostics: [])
        }
        let (project, contractDiagnostics) = openProject(key)
        let projectDiagnostics = reportsProjectDiagnostics(key) ? contractDiagnostics : []
        let bytes: [UInt8]
        do {
            guard !FileSystem.isDirectory(path) else { throw CocoaError(.fileReadUnknown) }
            bytes = try FileSystem.read(path)
        } catch {
            return JobCompilation(displayPath: displayPath, spec: nil, graph: nil, diagnostics: [.error(
                .fileUnreadable, "cannot read the job file", at: SourceLocation(file: displayPath, line: 1, column: 1))],
                projectDiagnostics: projectDiagnostics)
        }
        guard let sourcePath = project.relativePath(of: path) else {
            return JobCompilation(displayPath: displayPath, spec: nil, graph: nil, diagnostics: [.error(
                .fileUnreadable, "the job file is outside the project root \(project.root)",
                at: SourceLocation(file: displayPath, line: 1, column: 1),
                suggestion: "move the job under the project root, or pass the right --root")],
                projectDiagnostics: projectDiagnostics)
        }
        let source = SourceFile(displayPath: displayPath, bytes: bytes)
        let result = frontEnd.compile(source, project: project, sourcePath: sourcePath)
        if !result.diagnostics.isEmpty { remember(source) }
        return JobCompilation(
            displayPath: displayPath, spec: result.spec, graph: result.graph, diagnostics: result.diagnostics,
            projectDiagnostics: projectDiagnostics)
    }

    /// Opens a project once, keeping its contract diagnostics for whichever job reports them.
    private func openProject(_ key: String) -> (Project, [Diagnostic]) {
        lock.lock()
        defer { lock.unlock() }
        if let opened = projects[key] { return opened }
        let opened = Project.open(root: key, loader: frontEnd.loader, displayPrefix: FileSystem.displayPrefix(forRoot: key))
        projects[key] = opened
        return opened
    }

    /// True the first time it is asked for a project: that job reports the project's diagnostics.
    private func claimDiagnostics(of key: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return reportedProjects.insert(key).inserted
    }

    private func remember(_ source: SourceFile) {
        lock.lock()
        defer { lock.unlock() }
        sources[source.displayPath] = source
    }

    /// For `DiagnosticRenderer`: quotes from files this workspace read, else from disk.
    public func line(of file: String, _ number: Int) -> String? {
        lock.lock()
        let source = sources[file]
        lock.unlock()
        if let source { return source.line(number) }
        guard let bytes = try? FileSystem.read(file) else { return nil }
        let loaded = SourceFile(displayPath: file, bytes: bytes)
        remember(loaded)
        return loaded.line(number)
    }
}
