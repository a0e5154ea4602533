import Foundation
import JobcCore

/// What `jobc run` shows while the run goes on and when it ends. On a terminal (`live`): one line per
/// running attempt with its elapsed time, redrawn in place below the lines that stay (attempts that
/// failed, tasks that ended); otherwise plain timestamped lines. Then a table of every task.
struct RunProgress {
    let live: Bool
    private var running: [(label: String, attempt: Int, maxAttempts: Int, since: Double)] = []
    private var drawnLines = 0

    init(live: Bool) {
        self.live = live
    }

    mutating func show(_ event: LocalRunEvent) throws {
        var lines: [String] = []
        let time = Self.clock()
        switch event.event {
        case .runStarted:
            let count = event.tasks?.count ?? 0
            lines.append("\(time) run \(event.runId ?? "") of \(event.jobId ?? "?"): \(count) task\(count == 1 ? "" : "s"), logical date \(event.logicalDate ?? "?")")
        case .attemptStarted:
            running.append((event.unitLabel, event.attempt ?? 0, event.maxAttempts ?? 0, Self.now()))
            if !live { lines.append("\(time) \(event.unitLabel) attempt \(attempts(event)) started") }
        case .attemptFinished:
            running.removeAll { $0.label == event.unitLabel }
            let seconds = Self.seconds(event.seconds)
            switch event.outcome {
            case "success":
                if !live { lines.append("\(time) \(event.unitLabel) attempt \(attempts(event)) succeeded after \(seconds)") }
            case "interrupted":
                lines.append("\(time) \(event.unitLabel) attempt \(attempts(event)) interrupted after \(seconds)")
            default:
                let retry = event.retryIn.map { "; retrying in \(Self.seconds($0))" } ?? ""
                let what = event.outcome == "timeout" ? "timed out" : "failed"
                lines.append("\(time) \(event.unitLabel) attempt \(attempts(event)) \(what) after \(seconds): \(Self.oneLine(event.error ?? "", limit: 200))\(retry)")
            }
        case .taskFinished:
            lines.append("\(time) \(event.taskId ?? event.task ?? "?") \(Self.describe(state: event.state ?? "?"))"
                + (event.attempts.map { $0 > 0 ? " (attempt \($0)/\(event.maxAttempts ?? $0), \(Self.seconds(event.seconds)))" : "" } ?? ""))
        case .runFinished, .runRejected, .runtimeMissing:
            break
        }
        try redraw(adding: lines)
    }

    /// Redraws the live lines (their elapsed times); nothing in plain mode.
    mutating func tick() throws {
        if live { try redraw(adding: []) }
    }

    mutating func clearLiveLines() throws {
        if live && drawnLines > 0 { try Console.out("\u{1B}[\(drawnLines)F\u{1B}[J") }
        drawnLines = 0
    }

    /// The table of every task, the outcome, where the logs are and the report.
    func finish(_ report: LocalRunEvent.Report, reportPath: String?) throws {
        let header = ["TASK", "STATE", "ATTEMPTS", "TIME", "ERROR"]
        let rows = report.tasks.map { task in
            [task.taskId, task.state, "\(task.attempts)/\(task.maxAttempts)", task.seconds.map(Self.seconds) ?? "-",
             Self.oneLine(task.error ?? "", limit: 80)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let table = ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var text = "\n" + table.joined(separator: "\n") + "\n\n"
        let named = { (states: Set<String>) in report.tasks.filter { states.contains($0.state) }.map(\.taskId) }
        switch report.state {
        case "success":
            text += "run succeeded in \(Self.seconds(report.seconds))\n"
        case "interrupted":
            text += "run interrupted after \(Self.seconds(report.seconds)): interrupted \(Self.list(named(["interrupted"])))"
            let notRun = named(["not_run"])
            text += notRun.isEmpty ? "\n" : "; not started: \(Self.list(notRun))\n"
        default:
            text += "run failed after \(Self.seconds(report.seconds)): \(Self.list(named(["failed"]))) failed\n"
        }
        text += "logs: \(report.runFolder)\n"
        if let reportPath { text += "report: \(reportPath)\n" }
        try Console.out(text)
    }

    private mutating func redraw(adding lines: [String]) throws {
        var text = live && drawnLines > 0 ? "\u{1B}[\(drawnLines)F\u{1B}[J" : ""
        text += lines.map { $0 + "\n" }.joined()
        if live {
            let now = Self.now()
            for unit in running {
                text += "  ▸ \(unit.label)  attempt \(unit.attempt)/\(unit.maxAttempts)  \(Self.seconds(now - unit.since))\n"
            }
            drawnLines = running.count
        }
        if !text.isEmpty { try Console.out(text) }
    }

    private func attempts(_ event: LocalRunEvent) -> String { "\(event.attempt ?? 0)/\(event.maxAttempts ?? 0)" }

    static func describe(state: String) -> String {
        switch state {
        case "success": return "succeeded"
        case "failed": return "failed"
        case "upstream_failed": return "not run: upstream_failed (an upstream task failed)"
        case "skipped": return "not run: skipped (its trigger rule did not fire)"
        case "interrupted": return "interrupted"
        default: return state
        }
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value < 10 ? String(format: "%.1f s", value) : String(format: "%.0f s", value)
    }

    static func oneLine(_ text: String, limit: Int) -> String {
        let first = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return first.count > limit ? String(first.prefix(limit - 1)) + "…" : first
    }

    static func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }

    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }

    static func now() -> Double { Date().timeIntervalSince1970 }
}
