import Foundation

/// One run of jobc over some job files: finds each file's project (once per root), reads sources,
/// and keeps them so diagnostics can quote the offending line.
public final class Workspace: @unchecked Sendable {
    public let rootOverride: String?
    public let frontEnd: JobFrontEnd
    private var projects: [String: Project] = [:]
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
        let displayPath = path
        guard let rootPath = rootOverride ?? Project.findRoot(forJobAt: path) else {
            return JobCompilation(displayPath: displayPath, spec: nil, graph: nil, diagnostics: [.error(
                .fileUnreadable, "no project root found: no folder above this file contains 'orchestration/'",
                at: SourceLocation(file: displayPath, line: 1, column: 1), suggestion: "pass --root PROJECT_FOLDER")],
                projectDiagnostics: [])
        }
        let (project, projectDiagnostics) = openProject(rootPath)
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
        remember(source)
        let result = frontEnd.compile(source, project: project, sourcePath: sourcePath)
        return JobCompilation(
            displayPath: displayPath, spec: result.spec, graph: result.graph, diagnostics: result.diagnostics,
            projectDiagnostics: projectDiagnostics)
    }

    /// Opens a project once; its contract diagnostics are returned only on that first opening.
    private func openProject(_ rootPath: String) -> (Project, [Diagnostic]) {
        let key = FileSystem.realPath(rootPath) ?? FileSystem.absolute(rootPath)
        lock.lock()
        defer { lock.unlock() }
        if let project = projects[key] { return (project, []) }
        let (project, diagnostics) = Project.open(root: key, loader: frontEnd.loader, displayPrefix: FileSystem.displayPrefix(forRoot: key))
        projects[key] = project
        return (project, diagnostics)
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
