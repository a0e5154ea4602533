import ArgumentParser
import JobcCore

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile jobs for a target and write the generated files atomically.",
        discussion: """
            A job with errors writes nothing (its earlier output stays as it was); the other jobs still
            compile, and the exit status is 1.

            Examples:
              jobc compile orchestration/job --target airflow --out build/airflow
              jobc compile jobs/ --target airflow --out dags/ --root .
            """
    )

    @Argument(help: "Job files, or folders searched recursively for *.yaml and *.yml.")
    var paths: [String]

    @Option(help: "The target to compile for (see `jobc targets`).")
    var target: String

    @Option(help: "Output folder. Default: build/<target>.")
    var out: String?

    @Option(name: .customLong("option"), help: "A target option as key=value (repeatable).")
    var targetOptions: [String] = []

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        guard Jobc.registry.emitter(named: target) != nil else {
            throw ValidationError("unknown target '\(target)'; available: \(Jobc.registry.names.joined(separator: ", "))")
        }
        for option in targetOptions where !option.contains("=") {
            throw ValidationError("--option takes key=value, got '\(option)'")
        }
    }

    func run() throws {
        let files = discoverJobFiles(paths)
        let emitter = Jobc.registry.emitter(named: target)!
        var options: [String: String] = [:]
        for option in targetOptions {
            let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            options[String(parts[0])] = String(parts[1])
        }
        let workspace = Workspace(rootOverride: project.root)
        let compiler = BatchCompiler(workspace: workspace, emitter: emitter, context: EmitContext(options: options))
        let outcomes = compiler.compileAndWrite(files, writer: OutputWriter(outputDirectory: out ?? "build/\(target)"))
        var reporter = Reporter(workspace: workspace, noColor: project.noColor)
        for outcome in outcomes {
            reporter.report(outcome.diagnostics)
        }
        reporter.finish(files: files.count)
        let written = outcomes.filter(\.succeeded)
        print("compiled \(written.count) of \(outcomes.count) job\(outcomes.count == 1 ? "" : "s") for \(target) into \(out ?? "build/\(target)")")
        if written.count < outcomes.count { throw ExitCode(1) }
    }
}
