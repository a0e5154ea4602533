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

    @Flag(help: "Also say, per task, which SQL files were parsed and the tables they read and write, and which were not parsed (a dialect jobc has no parser for).")
    var verbose = false

    func run() throws {
        let paths = try project.jobPaths(self.paths)
        let (files, skipped) = try discoverJobFilesAndSkipped(paths)
        let catalog = try Targets(project: project, jobPaths: paths)
        let portabilityTargets = try target.map(catalog.emitters(listedIn:)) ?? []
        let pipeline = Pipeline(targets: catalog.builtins + portabilityTargets, today: .today())
        let workspace = Workspace(rootOverride: project.root, pipeline: pipeline)
        var reporter = Reporter(noColor: project.noColor, format: format)
        // Every job on every core; reported in file order.
        let results = workspace.compileJobs(at: files) { _, compilation in
            (compilation.allDiagnostics + (compilation.graph.map { pipeline.checkTargets($0, portabilityTargets) } ?? []), compilation.graph)
        }
        for (jobDiagnostics, graph) in results {
            try reporter.report(jobDiagnostics, warningsAsErrors: warningsAsErrors)
            if verbose, let graph, format == .text, case let summary = Self.sqlSummary(of: graph), !summary.isEmpty { try Console.error(summary + "\n") }
        }
        try reporter.finish(files: files.count, skipped: skipped, summary: true)
        if reporter.errors > 0 { throw ExitCode(1) }
    }

    /// One line per task that runs SQL: what jobc parsed and found, or why it did not parse.
    static func sqlSummary(of graph: JobGraph) -> String {
        graph.tasks.compactMap { task -> String? in
            guard let sql = task.lineage.sqlFiles else { return nil }
            let files = sql.paths.joined(separator: ", ")
            let prefix = "\(graph.job.sources.file): note: task '\(task.key)' runs \(files.isEmpty ? "no SQL file" : files) (\(sql.dialect))"
            guard sql.parsed else { return prefix + ": not parsed, jobc has no \(sql.dialect) parser (only \(SQLContract.parsedDialects.joined(separator: ", ")))" }
            func tables(_ accesses: [TableAccess]) -> String { accesses.isEmpty ? "nothing" : accesses.map(\.table).joined(separator: ", ") }
            return prefix + ": parsed; reads \(tables(task.lineage.reads)); writes \(tables(task.lineage.writes))"
        }.joined(separator: "\n")
    }
}
