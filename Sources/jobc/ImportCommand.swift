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
        abstract: "Turn Analytics Engineering Framework (AEF) pipeline definitions (JSON) into jobs.",
        discussion: """
            Every form AEF's generators read: {"engine", "definition"} with either engine, the original
            bare array of levels, Cloud Workflows steps (FUNCTION_ID_NAME…) and Composer steps
            (COMPOSER_STEP, mapped to AEF's executor functions). Levels become nested task groups that run
            in sequence, threads parallel groups inside them, steps tasks chained in file order. Every
            step runs AEFExecutorFunction with the secret 'aef_executors' ({"base_url": ...}). What the
            job cannot express is reported as a warning, every rename too.
            DEFINITION may be a folder: each *.json in it (platform-parameters-*.json excepted) becomes
            --out/<job id>.yaml; a file with errors writes nothing, the others are still written.
            Exit status: 0 when imported (warnings allowed), 1 when a definition has errors, 2 for usage
            errors.

            Examples:
              jobc import aef pipeline.json > orchestration/job/pipeline.yaml
              jobc import aef pipeline.json --out orchestration/job/pipeline.yaml --job-id daily_sales
              jobc import aef workflow-definitions --out orchestration/job --parameters workflow-definitions/platform-parameters-dev.json
            """
    )

    @Argument(help: "The AEF definition file (JSON), or a folder of them.")
    var definition: String

    @Option(name: [.customLong("out"), .customLong("output")],
            help: "Write the job here (atomically) instead of standard output; for a folder of definitions, the folder for the jobs.")
    var out: String?

    @Flag(help: "Replace existing job files.")
    var force = false

    @Option(name: .customLong("job-id"), help: "The job's id (default: the definition's file name, made a valid id). Not with a folder.")
    var jobID: String?

    @Option(help: "AEF's platform-parameters-<env>.json: the jobs-definitions bucket becomes the step_properties of steps without STEP_PROPERTIES.")
    var parameters: String?

    @Flag(name: .long, help: "Never colour diagnostics.")
    var noColor = false

    /// Platform parameters files live beside the definitions in AEF's repositories.
    static func isParametersFile(_ name: String) -> Bool { name.hasPrefix("platform-parameters") }

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: definition, isDirectory: &isDirectory) else {
            throw UsageError("cannot read the definition file \(definition)")
        }
        var reporter = Reporter(noColor: noColor)
        var platform: AEFPlatformParameters?
        if let parameters {
            guard let data = FileManager.default.contents(atPath: parameters) else { throw UsageError("cannot read the parameters file \(parameters)") }
            let read = AEFPlatformParameters.read(SourceFile(displayPath: parameters, bytes: Array(data)))
            try reporter.report(read.diagnostics)
            guard let parameters = read.parameters, reporter.errors == 0 else {
                try reporter.finish(files: 1)
                throw ExitCode(1)
            }
            platform = parameters
        }
        if isDirectory.boolValue {
            try importFolder(platform: platform, reporter: &reporter)
        } else {
            try importFile(platform: platform, reporter: &reporter)
        }
    }

    private func importFile(platform: AEFPlatformParameters?, reporter: inout Reporter) throws {
        guard let data = FileManager.default.contents(atPath: definition) else { throw UsageError("cannot read the definition file \(definition)") }
        if let out { try checkWritable(out) }
        let pipeline = Pipeline(targets: BuiltinEmitters.all)
        let yaml = try importOne(path: definition, data: data, jobID: jobID, platform: platform, as: out ?? "(the imported job)",
                                 pipeline: pipeline, reporter: &reporter)
        guard let yaml else {
            try reporter.finish(files: 1)
            throw ExitCode(1)
        }
        if let out {
            guard write(yaml, to: out, reporter: &reporter) else {
                try reporter.finish(files: 1)
                throw ExitCode(1)
            }
        } else {
            try Console.out(yaml)
        }
        try reporter.finish(files: 1)
    }

    /// Each definition of the folder on its own: diagnostics for all, a job file for each that imports.
    private func importFolder(platform: AEFPlatformParameters?, reporter: inout Reporter) throws {
        guard let out else { throw UsageError("\(definition) is a folder: name the folder for the jobs with --out") }
        if jobID != nil { throw UsageError("--job-id names one job; with a folder, each job is named after its file") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw UsageError("--out \(out) is a file; with a folder of definitions, name a folder")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: definition)
            .filter { $0.hasSuffix(".json") && !Self.isParametersFile($0) }.sorted()
        guard !names.isEmpty else { throw UsageError("\(definition) holds no .json definition") }
        let pipeline = Pipeline(targets: BuiltinEmitters.all)
        var jobFiles: [String: String] = [:]
        var failed = 0
        for name in names {
            let path = (definition as NSString).appendingPathComponent(name)
            let jobID = AEFImporter.defaultJobID(forFile: path, names: pipeline.targetNames)
            let target = (out as NSString).appendingPathComponent(jobID + ".yaml")
            if let other = jobFiles[jobID] {
                try reporter.report([.error(.importDuplicateID, "\(name) would be job '\(jobID)', as \(other) is", at: SourceLocation(file: path, line: 1, column: 1),
                                            suggestion: "rename one of the files, or import it alone with --job-id")])
                failed += 1
                continue
            }
            jobFiles[jobID] = name
            var status = stat()
            if !force, lstat(target, &status) == 0 {
                try reporter.report([.error(.outputWrite, "\(target) exists; pass --force to replace it", at: SourceLocation(file: path, line: 1, column: 1))])
                failed += 1
                continue
            }
            guard let data = FileManager.default.contents(atPath: path),
                  let yaml = try importOne(path: path, data: data, jobID: nil, platform: platform, as: target, pipeline: pipeline, reporter: &reporter),
                  write(yaml, to: target, reporter: &reporter) else {
                failed += 1
                continue
            }
        }
        try reporter.finish(files: names.count)
        if failed > 0 { throw ExitCode(1) }
    }

    /// The job's text, or nil when the definition (or the job read back) has errors, all reported.
    private func importOne(
        path: String, data: Data, jobID: String?, platform: AEFPlatformParameters?, as jobPath: String, pipeline: Pipeline, reporter: inout Reporter
    ) throws -> String? {
        // The job's names must be free on every built-in target, as `jobc lint` will check.
        let result = AEFImporter.importDefinition(
            SourceFile(displayPath: path, bytes: Array(data)), jobID: jobID, parameters: platform, names: pipeline.targetNames)
        let before = reporter.errors
        try reporter.report(result.diagnostics)
        guard let yaml = result.yaml, reporter.errors == before else { return nil }
        try reporter.report(pipeline.readBack(yaml, as: jobPath))
        return reporter.errors == before ? yaml : nil
    }

    private func checkWritable(_ out: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue {
            throw UsageError("--out \(out) is a folder; name the job file")
        }
        // lstat, not fileExists: a dangling symbolic link is still something --force would replace.
        var status = stat()
        if !force, lstat(out, &status) == 0 { throw UsageError("\(out) exists; pass --force to replace it") }
    }

    private func write(_ yaml: String, to out: String, reporter: inout Reporter) -> Bool {
        let folder = FileSystem.parent(of: out)
        let writer = OutputWriter(outputDirectory: folder.isEmpty ? "." : folder)
        do {
            try writer.write([Artifact(relativePath: (out as NSString).lastPathComponent, contents: yaml)])
            return true
        } catch {
            try? reporter.report([.error(.outputWrite, "\(error)", at: nil)])
            return false
        }
    }
}
