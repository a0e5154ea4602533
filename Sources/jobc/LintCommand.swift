import ArgumentParser
import JobcCore

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check job files and report every problem, with its file, line and column.",
        discussion: """
            Examples:
              jobc lint orchestration/job
              jobc lint jobs/a.yaml jobs/b.yaml --warnings-as-errors
            """
    )

    @Argument(help: "Job files, or folders searched recursively for *.yaml and *.yml.")
    var paths: [String]

    @OptionGroup var project: ProjectOptions

    @Flag(help: "Treat warnings as errors (exit 1 when there is any).")
    var warningsAsErrors = false

    func run() throws {
        let files = discoverJobFiles(paths)
        let workspace = Workspace(rootOverride: project.root)
        var reporter = Reporter(workspace: workspace, noColor: project.noColor)
        for file in files {
            reporter.report(workspace.compileJob(at: file).diagnostics, warningsAsErrors: warningsAsErrors)
        }
        reporter.summary(files: files.count)
        if reporter.errors > 0 { throw ExitCode(1) }
    }
}
