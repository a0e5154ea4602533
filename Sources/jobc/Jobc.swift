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
            RulesCommand.self, ImportCommand.self,
        ]
    )

}

/// The targets a command can use: built-in ones and the plugins of `--root`'s jobc.yaml (else the
/// project around the current directory) and PATH.
struct Targets {
    let catalog: TargetCatalog

    init(project: ProjectOptions) {
        let root = project.root ?? Project.findRoot(forJobAt: FileManager.default.currentDirectoryPath + "/" + JobcConfig.fileName)
        catalog = TargetCatalog.discover(builtins: BuiltinEmitters.all, projectRoot: root, environment: ProcessInfo.processInfo.environment)
        guard !catalog.configDiagnostics.isEmpty else { return }
        var reporter = Reporter(workspace: Workspace(), noColor: project.noColor)
        reporter.report(catalog.configDiagnostics)
        if reporter.errors > 0 {
            reporter.finish(files: 0)
            Foundation.exit(1)
        }
    }

    /// The emitter for `name`: an unknown name is a usage error (exit 2), a plugin that cannot say
    /// what it supports an error (exit 1).
    func emitter(named name: String) -> any Emitter {
        do {
            guard let emitter = try catalog.emitter(named: name) else {
                Reporter.usageError("unknown target '\(name)'; available: \(catalog.names().joined(separator: ", "))")
            }
            return emitter
        } catch {
            Reporter.writeError("jobc: error: \(error)\n")
            Foundation.exit(1)
        }
    }
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
