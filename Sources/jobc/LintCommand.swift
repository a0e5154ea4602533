import ArgumentParser
import JobcCore

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check job files and report every problem, with its file, line and column.",
        discussion: """
            Exit status: 0 clean (warnings allowed), 1 when any error (or warning, with
            --warnings-as-errors), 2 for usage errors. The text format ends with a summary line
            ("0 errors, 0 warnings in 2 files") on standard error, and names each hidden or
            extension-less file a folder search skipped although it looks like a job.

            Examples:
              jobc lint orchestration/job
              jobc lint jobs/ --format github               # annotations in a GitHub pull request
              jobc lint jobs/ --format sarif > jobc.sarif   # code scanning
              jobc lint jobs/ --target all                  # can every target express these jobs?
              jobc lint jobs/a.yaml --target dagster,airflow --warnings-as-errors
            """
    )

    @Argument(help: "Job files, or folders searched recursively for *.yaml and *.yml; a project root means its jobs folder (jobc.yaml paths.jobs). Default: the jobs folder of the project around the working directory.")
    var paths: [String] = []

    @Option(help: "Output format: text (default; stderr), json, github or sarif (stdout).")
    var format: DiagnosticFormat = .text

    @Option(help: "Also check that these targets can express every job: a comma-separated list of targets, or 'all'.")
    var target: String?

    @OptionGroup var project: ProjectOptions

    @Flag(help: "Treat warnings as errors (exit 1 when there is any).")
    var warningsAsErrors = false

    func run() throws {
        let paths = try project.jobPaths(self.paths)
        let (files, skipped) = try discoverJobFilesAndSkipped(paths)
        let catalog = try Targets(project: project, jobPaths: paths)
        let portabilityTargets = try target.map(catalog.emitters(listedIn:)) ?? []
        let pipeline = Pipeline(targets: catalog.builtins + portabilityTargets, today: .today())
        let workspace = Workspace(rootOverride: project.root, pipeline: pipeline)
        var reporter = Reporter(noColor: project.noColor, format: format)
        // Every job on every core; reported in file order.
        let diagnostics = workspace.compileJobs(at: files) { compilation in
            compilation.allDiagnostics + (compilation.graph.map { pipeline.checkTargets($0, portabilityTargets) } ?? [])
        }
        for jobDiagnostics in diagnostics {
            try reporter.report(jobDiagnostics, warningsAsErrors: warningsAsErrors)
        }
        try reporter.finish(files: files.count, skipped: skipped, summary: true)
        if reporter.errors > 0 { throw ExitCode(1) }
    }
}
