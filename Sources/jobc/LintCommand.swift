import ArgumentParser
import JobcCore

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check job files and report every problem, with its file, line and column.",
        discussion: """
            Exit status: 0 clean (warnings allowed), 1 when any error (or warning, with
            --warnings-as-errors), 2 for usage errors.

            Examples:
              jobc lint orchestration/job
              jobc lint jobs/ --format github               # annotations in a GitHub pull request
              jobc lint jobs/ --format sarif > jobc.sarif   # code scanning
              jobc lint jobs/ --target all                  # can every target express these jobs?
              jobc lint jobs/a.yaml --target dagster,airflow --warnings-as-errors
            """
    )

    @Argument(help: "Job files, or folders searched recursively for *.yaml and *.yml.")
    var paths: [String]

    @Option(help: "Output format: text (default; stderr), json, github or sarif (stdout).")
    var format: DiagnosticFormat = .text

    @Option(help: "Also check that these targets can express every job: a comma-separated list of targets, or 'all'.")
    var target: String?

    @OptionGroup var project: ProjectOptions

    @Flag(help: "Treat warnings as errors (exit 1 when there is any).")
    var warningsAsErrors = false

    /// Every target to check against; `all` includes every discovered plugin.
    private func portabilityTargets() -> [any Emitter] {
        guard let target else { return [] }
        let targets = Targets(project: project)
        let names = target == "all" ? targets.catalog.names() : target.split(separator: ",").map(String.init)
        return names.map(targets.emitter(named:))
    }

    func run() throws {
        let targets = portabilityTargets()
        let files = discoverJobFiles(paths)
        let workspace = Workspace(rootOverride: project.root)
        var reporter = Reporter(workspace: workspace, noColor: project.noColor, format: format)
        for file in files {
            let compilation = workspace.compileJob(at: file)
            let portability = compilation.spec.map { spec in targets.flatMap { PortabilityCheck.check(spec, target: $0) } } ?? []
            reporter.report(compilation.allDiagnostics + portability, warningsAsErrors: warningsAsErrors)
        }
        reporter.finish(files: files.count)
        if reporter.errors > 0 { throw ExitCode(1) }
    }
}
