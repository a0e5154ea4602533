import ArgumentParser
import Foundation
import JobcCore

/// Prints a run's diagnostics in the chosen format: text streams to standard error as files are
/// checked, quoting the offending lines; the machine-readable formats are one document on standard
/// output at the end.
struct Reporter {
    let format: DiagnosticFormat
    let renderer: DiagnosticRenderer
    private var collected: [Diagnostic] = []

    init(noColor: Bool, format: DiagnosticFormat = .text) {
        self.format = format
        let environment = ProcessInfo.processInfo.environment
        let useColor = !noColor && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb" && isatty(STDERR_FILENO) == 1
        let sources = SourceLines()
        self.renderer = DiagnosticRenderer(useColor: useColor) { file, line in sources.line(of: file, line) }
    }

    var errors: Int { collected.filter { $0.severity == .error }.count }
    var warnings: Int { collected.count - errors }

    mutating func report(_ diagnostics: [Diagnostic], warningsAsErrors: Bool = false) throws(Console.WriteFailure) {
        for diagnostic in diagnostics.sortedByLocation() {
            var shown = diagnostic
            if warningsAsErrors { shown.severity = .error }
            collected.append(shown)
            if format == .text { try Console.error(renderer.render(shown)) }
        }
    }

    static let skipReason = "a folder search reads only *.yaml and *.yml files, and no hidden ones; rename it (NAME.yaml) to lint it"

    /// In text, a run with diagnostics ends with a one-line summary, and with `summary` (lint) a clean
    /// run too; each file a folder search skipped that looks like a job gets a line before it. The
    /// machine-readable formats leave both out.
    func finish(files: Int, skipped: [String] = [], summary: Bool = false) throws(Console.WriteFailure) {
        let report = DiagnosticReport(diagnostics: collected, filesChecked: files)
        switch format {
        case .text:
            for path in skipped {
                try Console.error("\(path): skipped: looks like a job, but \(Self.skipReason)\n")
            }
            guard summary || !collected.isEmpty else { return }
            func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
            let skippedNote = skipped.isEmpty ? "" : " (\(plural(skipped.count, "file")) skipped)"
            try Console.error("\(plural(errors, "error")), \(plural(warnings, "warning")) in \(plural(files, "file"))\(skippedNote)\n")
        case .json: try Console.out(JSONDiagnostics.render(report))
        case .github: try Console.out(GitHubAnnotations.render(report))
        case .sarif: try Console.out(SARIFLog.render(report))
        }
    }
}

/// The lines diagnostics quote, read from disk once per file.
private final class SourceLines: @unchecked Sendable {
    private var files: [String: SourceFile] = [:]
    private let lock = NSLock()

    func line(of file: String, _ number: Int) -> String? {
        lock.lock()
        defer { lock.unlock() }
        if let source = files[file] { return source.line(number) }
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        let source = SourceFile(displayPath: file, bytes: Array(data))
        files[file] = source
        return source.line(number)
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}

/// Expands job paths; a missing path, or none holding a job file, is a usage error (exit 2).
func discoverJobFiles(_ paths: [String]) throws -> [String] {
    try discoverJobFilesAndSkipped(paths).files
}

/// The job files, and the hidden or extension-less files that look like jobs, which a folder
/// search passed over (see `InputDiscovery.discover`).
func discoverJobFilesAndSkipped(_ paths: [String]) throws -> (files: [String], skipped: [String]) {
    do {
        let found = try InputDiscovery.discover(in: paths)
        if found.files.isEmpty {
            let skipped = found.skipped.isEmpty ? "" : "; skipped, though they look like jobs: "
                + found.skipped.joined(separator: ", ") + " (\(Reporter.skipReason))"
            throw UsageError("no job files (*.yaml, *.yml) found in \(paths.joined(separator: ", "))\(skipped)")
        }
        return found
    } catch let missing as InputDiscovery.MissingPath {
        throw UsageError("no such file or folder: \(missing.path)")
    }
}

/// The graph of one job for commands that print it (`ir`, `graph`): diagnostics go to standard
/// error, and any error — the job's or its project's contracts' — means exit 1 and no output.
func validGraph(ofJobAt path: String, project: ProjectOptions, command: String) throws -> JobGraph {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw UsageError("no such file: \(path)") }
    if isFolder.boolValue {
        throw UsageError("\(path) is a folder; jobc \(command) takes one job file (jobc lint checks a folder)")
    }
    let targets = try Targets(project: project, jobPaths: [path])
    let workspace = Workspace(rootOverride: project.root, pipeline: Pipeline(targets: targets.builtins))
    let compilation = workspace.compileJob(at: path)
    var reporter = Reporter(noColor: project.noColor)
    try reporter.report(compilation.allDiagnostics)
    guard let graph = compilation.graph, reporter.errors == 0 else {
        try reporter.finish(files: 1)
        throw ExitCode(1)
    }
    return graph
}
