import ArgumentParser
import JobcCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the job format (for editors; generated from jobc's own definitions).",
        discussion: """
            Examples:
              jobc schema > docs/job.schema.json
              # then, first line of a job file, for yaml-language-server (VS Code YAML, Neovim, …):
              # yaml-language-server: $schema=../../docs/job.schema.json
            """
    )

    func run() throws {
        print(JobSchema.generate().rendered(), terminator: "")
    }
}
