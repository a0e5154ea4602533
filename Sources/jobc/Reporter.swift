import ArgumentParser
import Foundation
import JobcCore

/// Prints a run's diagnostics in the chosen format: text streams to standard error as files are
/// checked; the machine-readable formats are one document on standard output at the end.
struct Reporter {
    let workspace: Workspace
    let format: DiagnosticFormat
    let renderer: DiagnosticRenderer
    private var collected: [Diagnostic] = []

    init(workspace: Workspace, noColor: Bool, format: DiagnosticFormat = .text) {
        self.workspace = workspace
        self.format = format
        let environment = ProcessInfo.processInfo.environment
        let useColor = !noColor && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb" && isatty(STDERR_FILENO) == 1
        self.renderer = DiagnosticRenderer(useColor: useColor) { [workspace] file, line in workspace.line(of: file, line) }
    }

    var errors: Int { collected.filter { $0.severity == .error }.count }
    var warnings: Int { collected.count - errors }

    mutating func report(_ diagnostics: [Diagnostic], warningsAsErrors: Bool = false) {
        for diagnostic in diagnostics.sortedByLocation() {
            var shown = diagnostic
            if warningsAsErrors { shown.severity = .error }
            collected.append(shown)
            if format == .text { Self.writeError(renderer.render(shown)) }
        }
    }

    func finish(files: Int) {
        let report = DiagnosticReport(diagnostics: collected, filesChecked: files)
        switch format {
        case .text:
            guard !collected.isEmpty else { return }
            func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
            Self.writeError("\(plural(errors, "error")), \(plural(warnings, "warning")) in \(plural(files, "file"))\n")
        case .json: print(JSONDiagnostics.render(report), terminator: "")
        case .github: print(GitHubAnnotations.render(report), terminator: "")
        case .sarif: print(SARIFLog.render(report), terminator: "")
        }
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func usageError(_ message: String) -> Never {
        writeError("jobc: error: \(message)\n")
        exit(2)
    }
}

extension DiagnosticFormat: ExpressibleByArgument {}

/// Expands job paths, turning a missing path into a usage error (exit 2).
func discoverJobFiles(_ paths: [String]) -> [String] {
    do {
        let files = try InputDiscovery.jobFiles(in: paths)
        if files.isEmpty { Reporter.usageError("no job files (*.yaml, *.yml) found in \(paths.joined(separator: ", "))") }
        return files
    } catch {
        Reporter.usageError("no such file or folder: \(error.path)")
    }
}

/// The graph of one job for commands that print it (`ir`, `graph`): diagnostics go to standard
/// error, and any error — the job's or its project's contracts' — means exit 1 and no output.
func validGraph(ofJobAt path: String, project: ProjectOptions) throws -> JobGraph {
    guard FileManager.default.fileExists(atPath: path) else { Reporter.usageError("no such file: \(path)") }
    let workspace = Workspace(rootOverride: project.root)
    let compilation = workspace.compileJob(at: path)
    var reporter = Reporter(workspace: workspace, noColor: project.noColor)
    reporter.report(compilation.allDiagnostics)
    guard let graph = compilation.graph, reporter.errors == 0 else {
        reporter.finish(files: 1)
        throw ExitCode(1)
    }
    return graph
}
