import ArgumentParser
import Foundation
import JobcCore
import JobcEmitters

/// The `jobc` command: subcommands only; each one's `run()` calls into JobcCore.
struct Jobc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobc",
        abstract: "Compile technology-agnostic YAML jobs into Airflow, Dagster, Cloud Workflows and more.",
        discussion: """
            Exit status: 0 when every job is clean, 1 when any job has an error, 2 for usage errors.

            Examples:
              jobc lint orchestration/job
              jobc compile orchestration/job --target airflow --out build/airflow
              jobc ir orchestration/job/derived_dataset_materialize_sink.yaml
              jobc targets
            """,
        version: JobcVersion.current,
        subcommands: [
            LintCommand.self, CompileCommand.self, IRCommand.self, GraphCommand.self, SchemaCommand.self, TargetsCommand.self,
            RulesCommand.self,
        ]
    )

    static let registry = EmitterRegistry(BuiltinEmitters.all)
}

/// Options every job-reading subcommand shares.
struct ProjectOptions: ParsableArguments {
    @Option(name: .long, help: "The project root (the folder holding orchestration/). Default: found by walking up from each job file.")
    var root: String?

    @Flag(name: .long, help: "Never colour diagnostics (colour is also off when NO_COLOR is set or stderr is not a terminal).")
    var noColor = false

    func validate() throws {
        if let root, !FileManager.default.fileExists(atPath: root + "/orchestration") {
            throw ValidationError("--root \(root) is not a project root: it has no orchestration/ folder")
        }
    }
}
