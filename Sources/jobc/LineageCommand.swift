import ArgumentParser
import JobcCore

struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Print the project's data graph: which task of which job reads and writes which table.",
        discussion: """
            Tables come from the SQL files tasks run (functions whose contract says sql:), parsed with
            PostgreSQL's own parser. The JSON form lists every job and task, every table with its
            writers and readers, and the cross-job dependencies: a table one job writes and another
            reads. Any job with an error means exit 1 and no output.

            Examples:
              jobc lineage orchestration/job                       # JSON
              jobc lineage orchestration/job --format mermaid      # paste into Markdown
              jobc lineage orchestration/job --format svg > lineage.svg
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, dot, mermaid, svg
    }

    @Argument(help: "Job files, or folders searched recursively for *.yaml and *.yml.")
    var paths: [String]

    @Option(help: "json (default), dot, mermaid or svg (svg needs Graphviz's `dot`).")
    var format: Format = .json

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let files = try discoverJobFiles(paths)
        let targets = try Targets(project: project, jobPaths: paths)
        let workspace = Workspace(rootOverride: project.root, pipeline: Pipeline(targets: targets.builtins))
        let compilations = workspace.compileJobs(at: files) { $1 }
        var reporter = Reporter(noColor: project.noColor)
        for compilation in compilations {
            try reporter.report(compilation.allDiagnostics)
        }
        let graphs = compilations.compactMap(\.graph)
        guard reporter.errors == 0, graphs.count == compilations.count else {
            try reporter.finish(files: files.count)
            throw ExitCode(1)
        }
        let lineage = ProjectLineage(graphs)
        switch format {
        case .json: try Console.out(lineage.json.rendered())
        case .dot: try Console.out(lineage.dot)
        case .mermaid: try Console.out(lineage.mermaid)
        case .svg: try Console.out(try GraphCommand.svg(fromDot: lineage.dot))
        }
    }
}
