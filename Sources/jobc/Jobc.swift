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
            Exit status: 0 when every job is clean, 1 when any job has an error or output could not be written, 2 for usage errors.

            Examples:
              jobc init
              jobc lint
              jobc lint orchestration/job
              jobc compile orchestration/job --target airflow --out build/airflow
              jobc ir orchestration/job/derived_dataset_materialize_sink.yaml
              jobc run orchestration/job/sales_diamond.yaml --report run.json
              jobc targets
            """,
        version: JobcVersion.current,
        subcommands: [
            LintCommand.self, CompileCommand.self, IRCommand.self, GraphCommand.self, LineageCommand.self, SchemaCommand.self, TargetsCommand.self,
            RulesCommand.self, ImportCommand.self, InitCommand.self, RunCommand.self, TestCommand.self,
        ]
    )

}

extension CalendarDay {
    /// Today in UTC: jobc's one reading of the clock, for the target checks (a start_date still to
    /// come). Only diagnostics depend on it, never a generated file.
    static func today() -> CalendarDay { CalendarDay(Date()) }
}

/// A problem with how jobc was called: `main` prints it and exits 2.
struct UsageError: Error {
    var message: String

    init(_ message: String) { self.message = message }
}

/// The targets a command can use: built-in ones and the plugins of the project's jobc.yaml (the
/// project of `--root`, else of the first job path, else around the current directory) and PATH.
struct Targets {
    let catalog: TargetCatalog

    /// `jobPaths`: what the command was given, to find the project whose jobc.yaml names plugins.
    init(project: ProjectOptions, jobPaths: [String] = []) throws {
        // The root search starts in the folder that holds a file: a folder given is its own start.
        var isFolder: ObjCBool = false
        let anchor = jobPaths.first.map { FileManager.default.fileExists(atPath: $0, isDirectory: &isFolder) && isFolder.boolValue ? $0 + "/" + JobcConfig.fileName : $0 }
            ?? FileManager.default.currentDirectoryPath + "/" + JobcConfig.fileName
        let root = project.root ?? Project.findRoot(forJobAt: anchor)
        catalog = TargetCatalog.discover(builtins: BuiltinEmitters.all, projectRoot: root, environment: ProcessInfo.processInfo.environment)
        guard !catalog.configDiagnostics.isEmpty else { return }
        var reporter = Reporter(noColor: project.noColor)
        try reporter.report(catalog.configDiagnostics)
        if reporter.errors > 0 {
            try reporter.finish(files: 0)
            throw ExitCode(1)
        }
    }

    /// The built-in targets: every job is checked against the names they reserve, whatever the
    /// command's target, so a job valid for one built-in target is valid for all.
    var builtins: [any Emitter] { catalog.builtins }

    /// The emitter for `name`: an unknown name is a usage error (exit 2), a plugin that cannot say
    /// what it supports an error (exit 1).
    func emitter(named name: String, forCompiling: Bool = false) throws -> any Emitter {
        do {
            guard let emitter = try catalog.emitter(named: name, forCompiling: forCompiling) else {
                if let file = catalog.nonExecutablePlugin(named: name) {
                    throw UsageError("target '\(name)': the plugin \(file) is not executable; make it so (chmod +x \(file))")
                }
                throw UsageError("unknown target '\(name)'; available: \(catalog.names().joined(separator: ", "))")
            }
            return emitter
        } catch let error as ExternalEmitter.LoadError {
            try Console.error("jobc: error: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// `--target` of lint: a comma-separated list, or `all` for every built-in and plugin target.
    func emitters(listedIn list: String) throws -> [any Emitter] {
        let names = list == "all" ? catalog.names() : list.split(separator: ",").map(String.init)
        return try names.map { try emitter(named: $0) }
    }
}

/// Options every job-reading subcommand shares.
struct ProjectOptions: ParsableArguments {
    @Option(name: .long, help: "The project root (the folder holding jobc.yaml or orchestration/). Default: found by walking up from each job file.")
    var root: String?

    @Flag(name: .long, help: "Never colour diagnostics (colour is also off when NO_COLOR is set or stderr is not a terminal).")
    var noColor = false

    func validate() throws {
        if let root, !Project.isRoot(root) {
            throw ValidationError("--root \(root) is not a project root: it has neither jobc.yaml nor an orchestration/ folder")
        }
    }

    /// The job paths a command reads: those given, a project root standing for its jobs folder
    /// (jobc.yaml `paths.jobs`); none given, the jobs folder of `--root` or of the project around
    /// the working directory.
    func jobPaths(_ given: [String]) throws -> [String] {
        func jobsFolder(ofRoot root: String, display: String) -> String {
            let jobs = JobcConfig.load(projectRoot: FileSystemPaths.real(root)).0.layout.jobs
            return display.isEmpty ? jobs : (display.hasSuffix("/") ? display : display + "/") + jobs
        }
        guard !given.isEmpty else {
            let cwd = FileManager.default.currentDirectoryPath
            guard let found = root ?? Project.findRoot(forJobAt: cwd + "/" + JobcConfig.fileName) else {
                throw UsageError("no job paths given, and no project around \(cwd) (no folder above it holds jobc.yaml or orchestration/)")
            }
            let display = FileSystemPaths.real(found) == FileSystemPaths.real(cwd) ? "" : found
            let jobs = jobsFolder(ofRoot: found, display: display)
            guard FileManager.default.fileExists(atPath: jobs) else {
                throw UsageError(
                    "no job paths given, and the project's jobs folder \(jobs) does not exist; pass job paths, or name "
                        + "the folder in jobc.yaml (paths: jobs:), which `jobc init` writes for an existing repository")
            }
            return [jobs]
        }
        return given.map { path in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue, Project.isRoot(path) else { return path }
            return jobsFolder(ofRoot: path, display: path == "." ? "" : path)
        }
    }
}

/// Real paths, for comparing folders the user may have named through a link or with `..`.
enum FileSystemPaths {
    static func real(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return (path as NSString).standardizingPath }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
