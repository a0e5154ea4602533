import Foundation

/// One run of jobc over some job files: finds each file's project root (the nearest folder above it
/// that holds `orchestration/`, or `--root`), opens each project once, and runs the pipeline's front
/// end over the files on every core. Safe to use from several threads.
public final class Workspace: @unchecked Sendable {
    public let rootOverride: String?
    public let pipeline: Pipeline
    private var projects: [String: (project: Project, diagnostics: [Diagnostic])] = [:]
    /// Projects whose contract diagnostics a job has already been given.
    private var reportedProjects = Set<String>()
    private let lock = NSLock()

    public init(rootOverride: String? = nil, pipeline: Pipeline = Pipeline()) {
        self.rootOverride = rootOverride
        self.pipeline = pipeline
    }

    /// The front end's outcome for one job file.
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

    /// `compileJob` for each path on every core, each compilation handed to `process` (with its index
    /// in `paths`) on the thread that made it, so only what `process` keeps stays in memory; results
    /// in `paths` order. Each project's diagnostics go with its first job in `paths` order, as
    /// compiling the jobs one by one would give them: that is decided before any thread starts.
    public func compileJobs<Output: Sendable>(at paths: [String], _ process: @Sendable (Int, JobCompilation) -> Output) -> [Output] {
        // A job's project and the real path of its folder depend only on the folder: asked once each.
        var folders: [String: (projectKey: String?, realPath: String?)] = [:]
        let jobFolders = paths.map { path in
            let folder = FileSystem.folder(of: path)
            if let known = folders[folder] { return known }
            let answers = (projectKey(forJobAt: path), FileSystem.realPath(folder.isEmpty ? "." : folder))
            folders[folder] = answers
            return answers
        }
        let reports = jobFolders.map { folder in folder.projectKey.map(claimDiagnostics(of:)) ?? false }
        return Array(paths.indices).concurrentMap { index in
            let folder = jobFolders[index]
            return process(index, compile(paths[index], projectKey: folder.projectKey, realFolder: folder.realPath) { _ in reports[index] })
        }
    }

    /// The real root of the job's project, nil when no folder above the job holds `orchestration/`.
    private func projectKey(forJobAt path: String) -> String? {
        (rootOverride ?? Project.findRoot(forJobAt: path)).map { FileSystem.realPath($0) ?? FileSystem.absolute($0) }
    }

    /// `realFolder`: the real path of the job's folder, when known.
    private func compile(
        _ path: String, projectKey key: String?, realFolder: String? = nil, reportsProjectDiagnostics: (String) -> Bool
    ) -> JobCompilation {
        func failed(_ diagnostic: Diagnostic, projectDiagnostics: [Diagnostic] = []) -> JobCompilation {
            JobCompilation(displayPath: path, spec: nil, graph: nil, diagnostics: [diagnostic], projectDiagnostics: projectDiagnostics)
        }
        let fileStart = SourceLocation(file: path, line: 1, column: 1)
        guard let key else {
            return failed(.error(
                .fileUnreadable, "no project root found: no folder above this file contains 'orchestration/'",
                at: fileStart, suggestion: "pass --root PROJECT_FOLDER"))
        }
        let (project, contractDiagnostics) = openProject(key)
        let projectDiagnostics = reportsProjectDiagnostics(key) ? contractDiagnostics : []
        // Read as a job, a secret's file would be quoted line by line in the diagnostics: it is
        // never read, and the refusal has no location, so nothing quotes it either.
        let real = FileSystem.realPath(path, inRealFolder: realFolder)
        if let real, real.hasPrefix(project.secretStore.directory + "/") {
            return failed(.error(
                .fileUnreadable, "\(path) is in the project's secret store; jobc never reads a secret as a job", at: nil,
                suggestion: "lint the job files, which name secrets with secret_key"), projectDiagnostics: projectDiagnostics)
        }
        let bytes: [UInt8]
        do {
            guard !FileSystem.isDirectory(path) else { throw CocoaError(.fileReadUnknown) }
            bytes = try FileSystem.read(path)
        } catch {
            return failed(.error(.fileUnreadable, "cannot read the job file", at: fileStart), projectDiagnostics: projectDiagnostics)
        }
        guard let sourcePath = project.relativePath(ofAbsolute: real ?? FileSystem.absolute(path)) else {
            return failed(.error(
                .fileUnreadable, "the job file is outside the project root \(project.root)", at: fileStart,
                suggestion: "move the job under the project root, or pass the right --root"), projectDiagnostics: projectDiagnostics)
        }
        let result = pipeline.frontEnd(SourceFile(displayPath: path, bytes: bytes), project: project, sourcePath: sourcePath)
        return JobCompilation(
            displayPath: path, spec: result.spec, graph: result.graph, diagnostics: result.diagnostics,
            projectDiagnostics: projectDiagnostics)
    }

    /// Opens a project once, keeping its contract diagnostics for whichever job reports them.
    private func openProject(_ key: String) -> (Project, [Diagnostic]) {
        lock.lock()
        defer { lock.unlock() }
        if let opened = projects[key] { return opened }
        let opened = Project.open(root: key, loader: pipeline.loader, displayPrefix: FileSystem.displayPrefix(forRoot: key))
        projects[key] = opened
        return opened
    }

    /// True the first time it is asked for a project: that job reports the project's diagnostics.
    private func claimDiagnostics(of key: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return reportedProjects.insert(key).inserted
    }
}
