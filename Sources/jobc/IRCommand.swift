import ArgumentParser
import Foundation
import JobcCore

struct IRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ir",
        abstract: "Print a job's intermediate representation as stable, versioned JSON (see docs/ir.md).",
        discussion: """
            Examples:
              jobc ir orchestration/job/derived_dataset_materialize_sink.yaml
              jobc ir job.yaml --root . > job.ir.json
            """
    )

    @Argument(help: "One job file.")
    var path: String

    @OptionGroup var project: ProjectOptions

    func run() throws {
        guard FileManager.default.fileExists(atPath: path) else { Reporter.usageError("no such file: \(path)") }
        let workspace = Workspace(rootOverride: project.root)
        let compilation = workspace.compileJob(at: path)
        var reporter = Reporter(workspace: workspace, noColor: project.noColor)
        reporter.report(compilation.allDiagnostics)
        // Output only from a fully valid project: a contract error would make the picture a lie.
        guard let graph = compilation.graph, reporter.errors == 0 else {
            reporter.finish(files: 1)
            throw ExitCode(1)
        }
        print(graph.json.rendered(), terminator: "")
    }
}
