import Foundation
import JobcCore

/// One `jobc run` after validation: starts the local executor, forwards Ctrl-C and SIGTERM to it
/// (a second one kills it),
/// shows its events, and turns the run's outcome into the exit status (0, 1, 130; 2 when the
/// executor refused the plan or the Python given cannot run jobs). `jobc test` runs each scenario
/// through it without showing the events (`quiet`) and reads `report`.
final class RunSession {
    let plan: LocalRunPlan
    let python: String
    let quiet: Bool
    /// The run's report, once it finished.
    private(set) var report: LocalRunEvent.Report?
    /// The task keys the executor said it stubs (run_started); nil from an executor without stubs.
    private(set) var stubbedTasks: [String]?
    /// Whether Ctrl-C or SIGTERM reached this run.
    private(set) var interrupted = false
    /// Why the run did not start (run_rejected or runtime_missing), when it did not.
    private(set) var refusal: LocalRunEvent?

    init(plan: LocalRunPlan, python: String, quiet: Bool = false) {
        self.plan = plan
        self.python = python
        self.quiet = quiet
    }

    func execute() throws -> Int32 {
        let interruptions = Locked(0)
        let executorPID = Locked<pid_t?>(nil)
        var signalSources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)  // delivered to the source below: the executor stops the run
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                // The first asks the executor to stop the run cleanly; another one ends it at once
                // (its attempts kill themselves when its end closes their stdin).
                let count = interruptions.withLock { count in
                    count += 1
                    return count
                }
                if let pid = executorPID.withLock({ $0 }) {
                    _ = count == 1 ? kill(pid, SIGINT) : kill(-pid, SIGKILL)
                }
            }
            source.resume()
            signalSources.append(source)
        }
        defer { signalSources.forEach { $0.cancel() } }

        let executor: LocalExecutorProcess
        do {
            executor = try LocalExecutorProcess(python: python, extraEnvironment: ["JOBC_PROJECT_ROOT": plan.projectRoot])
        } catch {
            rmdir(plan.runFolder)
            throw UsageError("\(error); \(Self.installHint(python: python))")
        }
        executorPID.withLock { $0 = executor.pid }
        executor.send(plan.line)

        let environment = ProcessInfo.processInfo.environment
        var progress = RunProgress(live: !quiet && isatty(STDOUT_FILENO) == 1 && environment["TERM"] != "dumb")
        var report: LocalRunEvent.Report?
        defer {
            self.report = report
            interrupted = interruptions.withLock { $0 } > 0
        }
        var reportError: String?
        var refusal: LocalRunEvent?
        reading: while true {
            switch executor.readLine(timeout: 0.25) {
            case .line(let bytes):
                guard let event = LocalRunEvent.decode(line: bytes) else { continue }
                switch event.event {
                case .runStarted: stubbedTasks = event.stubs
                case .runFinished:
                    report = event.report
                    reportError = event.reportError
                case .runRejected, .runtimeMissing: refusal = event
                default: break
                }
                if !quiet { try progress.show(event) }
            case .timedOut:
                if !quiet { try progress.tick() }
            case .ended:
                break reading
            }
        }
        executorPID.withLock { $0 = nil }
        let status = executor.wait()
        try progress.clearLiveLines()

        self.refusal = refusal
        if let refusal {
            rmdir(plan.runFolder)  // nothing ran: no empty folder left behind (rmdir leaves a full one)
            if refusal.event == .runtimeMissing {
                throw UsageError("the Python '\(python)' (\(refusal.python ?? "?")) cannot run jobs: \(refusal.error ?? "?"); \(Self.installHint(python: python))")
            }
            throw UsageError(refusal.error ?? "the local executor refused the run")
        }
        guard let report else {
            try Console.error("jobc: error: the local executor ended (status \(status)) before the run finished\n")
            return interruptions.withLock { $0 } > 0 ? 130 : 1
        }
        if !quiet { try progress.finish(report, reportPath: reportError == nil ? plan.reportPath : nil) }
        if let reportError {
            try Console.error("jobc: error: \(reportError)\n")
            if report.state != "interrupted" { return 1 }
        }
        switch report.state {
        case "success": return 0
        case "interrupted": return 130
        default: return 1
        }
    }

    /// How to install what `jobc run` needs into `python`: from the jobc source tree this binary was
    /// built from when it is still there.
    static func installHint(python: String) -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let hasTargets = FileManager.default.fileExists(atPath: source + "/targets/local/pyproject.toml")
        let folder = hasTargets ? source + "/targets" : "<jobc source>/targets"
        return "install jobc's runtime with: \(python) -m pip install '\(folder)/runtime[postgres]' \(folder)/local (or give another Python with --python or JOBC_PYTHON)"
    }
}
