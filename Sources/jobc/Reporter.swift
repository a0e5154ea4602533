import Foundation
import JobcCore

/// Prints diagnostics to standard error in the located, caret-underlined text form, and a summary.
struct Reporter {
    let workspace: Workspace
    let renderer: DiagnosticRenderer
    private(set) var errors = 0
    private(set) var warnings = 0

    init(workspace: Workspace, noColor: Bool) {
        self.workspace = workspace
        let environment = ProcessInfo.processInfo.environment
        let useColor = !noColor && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb" && isatty(STDERR_FILENO) == 1
        self.renderer = DiagnosticRenderer(useColor: useColor) { [workspace] file, line in workspace.line(of: file, line) }
    }

    mutating func report(_ diagnostics: [Diagnostic], warningsAsErrors: Bool = false) {
        for diagnostic in diagnostics.sortedByLocation() {
            var shown = diagnostic
            if warningsAsErrors { shown.severity = .error }
            if shown.severity == .error { errors += 1 } else { warnings += 1 }
            Self.writeError(renderer.render(shown))
        }
    }

    func summary(files: Int) {
        guard errors + warnings > 0 else { return }
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        Self.writeError("\(plural(errors, "error")), \(plural(warnings, "warning")) in \(plural(files, "file"))\n")
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func usageError(_ message: String) -> Never {
        writeError("jobc: error: \(message)\n")
        exit(2)
    }
}

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
