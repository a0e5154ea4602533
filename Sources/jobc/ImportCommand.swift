import ArgumentParser
import Foundation
import JobcCore
import JobcEmitters

/// `jobc import FORMAT …`: turns another tool's pipeline definition into a jobc job.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn another tool's pipeline definition into a jobc job file.",
        subcommands: [ImportAEFCommand.self]
    )
}

struct ImportAEFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aef",
        abstract: "Turn an Analytics Engineering Framework (AEF) pipeline definition (JSON) into a job.",
        discussion: """
            Levels become nested task groups that run in sequence, threads parallel groups inside them,
            steps tasks chained in file order. Every step runs AEFExecutorFunction with the secret
            'aef_executors' ({"base_url": ...}). What the job cannot express is reported as a warning.
            Exit status: 0 when imported (warnings allowed), 1 when the definition has errors (nothing
            is written), 2 for usage errors.

            Examples:
              jobc import aef pipeline.json > orchestration/job/pipeline.yaml
              jobc import aef pipeline.json --out orchestration/job/pipeline.yaml --job-id daily_sales
            """
    )

    @Argument(help: "The AEF definition file (JSON).")
    var definition: String

    @Option(help: "Write the job here (atomically) instead of standard output.")
    var out: String?

    @Flag(help: "Replace the --out file if it exists.")
    var force = false

    @Option(name: .customLong("job-id"), help: "The job's id (default: the definition's file name, made a valid id).")
    var jobID: String?

    @Flag(name: .long, help: "Never colour diagnostics.")
    var noColor = false

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: definition, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: definition) else {
            throw UsageError("cannot read the definition file \(definition)")
        }
        if let out {
            if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue {
                throw UsageError("--out \(out) is a folder; name the job file")
            }
            // lstat, not fileExists: a dangling symbolic link is still something --force would replace.
            var status = stat()
            if !force, lstat(out, &status) == 0 { throw UsageError("\(out) exists; pass --force to replace it") }
        }

        // The job's names must be free on every built-in target, as `jobc lint` will check.
        let pipeline = Pipeline(targets: BuiltinEmitters.all)
        let result = AEFImporter.importDefinition(SourceFile(displayPath: definition, bytes: Array(data)), jobID: jobID, names: pipeline.targetNames)
        var reporter = Reporter(noColor: noColor)
        try reporter.report(result.diagnostics)
        guard let yaml = result.yaml, reporter.errors == 0 else {
            try reporter.finish(files: 1)
            throw ExitCode(1)
        }
        try reporter.report(pipeline.readBack(yaml, as: out ?? "(the imported job)"))
        guard reporter.errors == 0 else {
            try reporter.finish(files: 1)
            throw ExitCode(1)
        }
        if let out {
            let folder = (out as NSString).deletingLastPathComponent
            let writer = OutputWriter(outputDirectory: folder.isEmpty ? "." : folder)
            do {
                try writer.write([Artifact(relativePath: (out as NSString).lastPathComponent, contents: yaml)])
            } catch {
                try reporter.report([.error(.outputWrite, "\(error)", at: nil)])
                try reporter.finish(files: 1)
                throw ExitCode(1)
            }
        } else {
            try Console.out(yaml)
        }
        try reporter.finish(files: 1)
    }
}
