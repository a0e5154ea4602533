import ArgumentParser
import Foundation
import JobcCore

/// `jobc run`: one job run here and now, no orchestrator. The job is validated like `jobc compile`
/// validates it; the run itself belongs to the local executor (`targets/local`, Python, the same
/// jobc_runtime every engine uses); this command renders its events.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job on this machine, without an orchestrator, with the same semantics as on the engines.",
        discussion: """
            Trigger rules, retries and their delays, timeouts, groups, fan-out, run parameters and failure alerts behave as on every target: the local executor calls the same jobc_runtime. Each attempt's output goes to .jobc/runs/JOB/TIME/TASK/attempt-N.log under the project root. Secrets are read by name at run time from $JOBC_SECRET_DIR (default <project>/secret).

            Python: --python, else $JOBC_PYTHON, else python3, with jobc-runtime and jobc-local installed (pip install 'targets/runtime[postgres]' targets/local, from jobc's source).

            Exit status: 0 when no task failed (the engines' rule for a run's outcome), 1 when a task failed or the job has errors (then nothing runs), 2 for usage errors or a missing runtime, 130 when interrupted (Ctrl-C stops the running attempts and reports them interrupted; a second Ctrl-C kills the run at once).

            Examples:
              jobc run orchestration/job/sales_diamond.yaml
              jobc run job.yaml --logical-date 2024-03-01 --param region=apac --report run.json
              jobc run job.yaml --only load_orders --downstream --max-parallel 2
            """
    )

    @Argument(help: "One job file.")
    var path: String

    @Option(name: .customLong("logical-date"), help: "The run's logical date: YYYY-MM-DD or an ISO 8601 date-time. Default: today (UTC).")
    var logicalDate: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("A run parameter override (repeatable), typed by its declaration.", valueName: "NAME=VALUE"))
    var params: [String] = []

    @Option(name: .customLong("only"), help: ArgumentHelp("Run only these tasks (task keys, task ids or groups; repeatable or comma-separated); dependencies between them are kept, others ignored.", valueName: "TASK"))
    var only: [String] = []

    @Flag(help: "With --only: also run every task downstream of those named.")
    var downstream = false

    @Option(name: .customLong("max-parallel"), help: "At most this many attempts at a time. Default: the number of CPUs.")
    var maxParallel: Int?

    @Option(help: ArgumentHelp("Write a JSON report of the run (each task's state, attempts, timings, error) to this file.", valueName: "FILE"))
    var report: String?

    @Option(help: ArgumentHelp("The Python that runs the job (needs jobc-runtime and jobc-local). Default: $JOBC_PYTHON, else python3.", valueName: "PY"))
    var python: String?

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        if downstream && only.isEmpty { throw ValidationError("--downstream needs --only") }
        if let maxParallel, maxParallel < 1 { throw ValidationError("--max-parallel must be at least 1, got \(maxParallel)") }
        for param in params where !param.contains("=") || param.hasPrefix("=") {
            throw ValidationError("--param takes NAME=VALUE, got '\(param)'")
        }
    }

    func run() throws {
        let graph = try validGraph(ofJobAt: path, project: project, command: "run")
        let root = URL(fileURLWithPath: project.root ?? Project.findRoot(forJobAt: path) ?? ".").resolvingSymlinksInPath().path
        let selected: [String]?
        do {
            let names = only.flatMap { $0.split(separator: ",").map(String.init) }
            selected = names.isEmpty ? nil : try TaskSelection.keys(in: graph, only: names, downstream: downstream)
        } catch {
            let known = graph.tasks.map(\.key) + graph.groups.map(\.key)
            throw UsageError("--only: no task or group \(error.names.map { "'\($0)'" }.joined(separator: ", ")) in job '\(graph.job.id)'; it has: \(known.joined(separator: ", "))")
        }
        let started = Date()
        let plan = LocalRunPlan(
            graph: graph, runID: "local__" + Self.stamp(started), logicalDate: logicalDate ?? Self.today(started),
            params: params.map { param in
                let parts = param.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (name: String(parts[0]), value: String(parts[1]))
            },
            selectedTasks: selected, maxParallel: maxParallel ?? ProcessInfo.processInfo.activeProcessorCount,
            runFolder: try Self.runFolder(root: root, jobID: graph.job.id, started: started),
            reportPath: report.map(Self.absolute), projectRoot: root)
        let status = try RunSession(plan: plan, python: pythonCommand).execute()
        throw ExitCode(status)
    }

    private var pythonCommand: String {
        python ?? ProcessInfo.processInfo.environment["JOBC_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    }

    /// `<root>/.jobc/runs/<job>/<UTC time>`, made unique with a suffix if two runs start in one second.
    static func runFolder(root: String, jobID: String, started: Date) throws -> String {
        let base = "\(root)/.jobc/runs/\(jobID)/\(stamp(started))"
        var folder = base
        var number = 1
        while FileManager.default.fileExists(atPath: folder) {
            number += 1
            folder = "\(base)-\(number)"
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw UsageError("cannot create the run folder \(folder): \(error.localizedDescription)")
        }
        return folder
    }

    static func absolute(_ path: String) -> String {
        ((path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path) as NSString).standardizingPath
    }

    static func stamp(_ date: Date) -> String { utcFormat("yyyyMMdd'T'HHmmss'Z'", date) }

    static func today(_ date: Date) -> String { utcFormat("yyyy-MM-dd", date) }

    private static func utcFormat(_ format: String, _ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }
}
