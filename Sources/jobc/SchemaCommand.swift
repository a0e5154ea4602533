import ArgumentParser
import JobcCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the job format (for editors), or of the IR (for plugins); generated from jobc's own definitions.",
        discussion: """
            Examples:
              jobc schema > docs/job.schema.json
              # then, first line of a job file, for yaml-language-server (VS Code YAML, Neovim, …):
              # yaml-language-server: $schema=../../docs/job.schema.json
              jobc schema --ir > docs/ir.schema.json    # what `jobc ir` prints and plugins read
            """
    )

    @Flag(help: "The schema of the IR (`jobc ir`'s output) instead of the job format's.")
    var ir = false

    func run() throws {
        try Console.out((ir ? IRFormat.schema : JobSchema.generate()).rendered())
    }
}
