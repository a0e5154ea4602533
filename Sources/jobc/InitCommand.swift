import ArgumentParser
import Foundation
import JobcCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a project, or make an existing repository one: writes jobc.yaml and the standard functions.",
        discussion: """
            In a folder without jobs: a working project (a sample job and its SQL, the functions jobc
            ships, a secret with placeholder values, jobc.yaml, a pre-commit hook and a GitHub Actions
            workflow running jobc lint). In a repository with jobs: jobc.yaml naming the folders where
            it keeps jobs, SQL, functions and secrets, and the standard functions its jobs use but it
            lacks. Never overwrites a file; prints each file it writes and each it leaves alone.

            Exit status: 0 done, 1 when a file could not be written, 2 for usage errors.

            Examples:
              jobc init
              jobc init path/to/repository --dry-run
            """
    )

    @Argument(help: "The folder to initialise. Default: the working directory.")
    var folder: String = "."

    @Flag(help: "Print what would be written; write nothing.")
    var dryRun = false

    func run() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw UsageError("no such folder: \(folder)")
        }
        let initializer = ProjectInitializer(root: folder)
        let plan = initializer.plan()
        let prefix = folder == "." ? "" : (folder.hasSuffix("/") ? folder : folder + "/")
        try Console.write(plan.existingProject
            ? "jobc init: found jobs in \(prefix)\(plan.layout.jobs), SQL in \(prefix)\(plan.layout.sql), secrets in \(prefix)\(plan.layout.secrets)\n"
            : "jobc init: a new project in \(folder)\n", to: .standardOutput)
        var kept = plan.kept
        if dryRun {
            for file in plan.write { try Console.write("would write \(prefix)\(file.path)  (\(file.reason))\n", to: .standardOutput) }
        } else {
            let result: (written: [ProjectInitializer.PlannedFile], kept: [ProjectInitializer.PlannedFile])
            do {
                result = try initializer.write(plan)
            } catch {
                try Console.error("jobc: error: \(error.localizedDescription)\n")
                throw ExitCode(1)
            }
            for file in result.written { try Console.write("wrote \(prefix)\(file.path)  (\(file.reason))\n", to: .standardOutput) }
            kept += result.kept
        }
        for file in kept { try Console.write("left alone \(prefix)\(file.path)  (already there)\n", to: .standardOutput) }
        // A jobc.yaml of its own (plugins, say) is never rewritten: say what it lacks instead.
        if kept.contains(where: { $0.path == JobcConfig.fileName }), JobcConfig.load(projectRoot: initializer.root).0.layout != plan.layout {
            let block = ProjectLayout.keys.map { "  \($0): \(plan.layout[$0])" }.joined(separator: "\n")
            try Console.write("add to \(prefix)\(JobcConfig.fileName):\npaths:\n\(block)\n", to: .standardOutput)
        }
        if !dryRun {
            try Console.write("next: jobc lint\(folder == "." ? "" : " " + folder)\n", to: .standardOutput)
        }
    }
}
