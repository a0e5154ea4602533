import ArgumentParser
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
        let graph = try validGraph(ofJobAt: path, project: project, command: "ir")
        try Console.out(graph.json.rendered())
    }
}
