import Foundation
import JobcCore

/// The job as data, sent once to the executor when a run starts (`start_run`): its run parameters
/// and every task's function, kwargs, secret name, retries, timeout, trigger rule, upstream tasks,
/// alerts and fan-out items. The program's steps then name tasks by key only, so a task costs the
/// program one line here plus its step, however many kwargs or upstream tasks it has.
///
/// Each task is one YAML flow mapping. A member left out takes the table's `defaults` (the value
/// most tasks share, when that is not the executor's own default) or else the executor's default
/// (`implicitDefaults`), so a job whose tasks share a function, secret and retry policy writes them
/// once. A member whose value holds the bytes `${` anywhere (which Workflows would evaluate, even
/// inside a map) is sent as `NAME_b64`: the base64 of its JSON text, decoded by the executor. That
/// keeps every user value out of Workflows expressions, whose 400-character limit a long kwarg
/// would otherwise break. `function` is `module:Class`.
struct WorkflowsJobTable {
    /// The members a task may leave to `defaults`, in the order rows write them.
    static let defaultableMembers = ["function", "kwargs", "secret", "retries", "retry_delay_seconds", "timeout_seconds", "trigger_rule", "on_failure"]
    /// What the executor assumes for a member neither the row nor `defaults` has.
    static let implicitDefaults: [String: ParameterValue] = [
        "kwargs": .mapping([]), "secret": .null, "retries": .integer(0), "retry_delay_seconds": .integer(RetryPolicy.defaultDelay.seconds),
        "timeout_seconds": .null, "trigger_rule": .string(TriggerRule.allSuccess.rawValue), "upstream": .list([]), "on_failure": .null,
    ]

    /// `defaults` as a flow mapping, or nil when every member's most common value is the executor's default.
    let defaults: String?
    /// One flow mapping per task, in the job's order.
    let rows: [String]

    init(_ graph: JobGraph) {
        let upstream = graph.upstreamByTask
        let members = graph.tasks.map { Self.members($0, upstream: upstream[$0.key] ?? []) }
        var shared: [(String, ParameterValue)] = []
        for name in Self.defaultableMembers {
            var counts: [String: (count: Int, value: ParameterValue)] = [:]
            var firstSeen: [String] = []
            guard !members.isEmpty else { break }
            for task in members {
                let value = task[name] ?? Self.implicitDefaults[name] ?? .null
                let text = YAMLLiteral.value(value)
                if counts[text] == nil { firstSeen.append(text) }
                counts[text, default: (0, value)].count += 1
            }
            // The most common value, the first seen on a tie: deterministic.
            var common = firstSeen[0]
            for text in firstSeen where counts[text]!.count > counts[common]!.count { common = text }
            guard counts[common]!.count > 1 else { continue }
            let value = counts[common]!.value
            if value != Self.implicitDefaults[name] { shared.append((name, value)) }
        }
        let sharedByName = Dictionary(uniqueKeysWithValues: shared)
        defaults = shared.isEmpty ? nil : "{" + shared.map { Self.member($0.0, $0.1) }.joined(separator: ", ") + "}"
        rows = zip(graph.tasks, members).map { task, values in
            var written: [String] = [Self.member("key", .string(task.key))]
            if task.taskID != task.key { written.append(Self.member("task_id", .string(task.taskID))) }
            for name in Self.defaultableMembers + ["upstream", "for_each"] {
                let value = values[name] ?? Self.implicitDefaults[name] ?? .null
                let assumed = sharedByName[name] ?? Self.implicitDefaults[name] ?? .null
                if value != assumed { written.append(Self.member(name, value)) }
            }
            return "{" + written.joined(separator: ", ") + "}"
        }
    }

    /// A task's members that differ from the executor's defaults, by name.
    private static func members(_ task: TaskNode, upstream: [String]) -> [String: ParameterValue] {
        var members: [String: ParameterValue] = ["function": .string(task.function.module + ":" + task.function.className)]
        if !task.parameters.isEmpty { members["kwargs"] = .mapping(task.parameters) }
        if let secret = task.secretName { members["secret"] = .string(secret) }
        if task.retry.retries > 0 {
            members["retries"] = .integer(task.retry.retries)
            members["retry_delay_seconds"] = .integer(task.retry.delay.seconds)
        }
        if let timeout = task.timeout { members["timeout_seconds"] = .integer(timeout.seconds) }
        if task.triggerRule != .allSuccess { members["trigger_rule"] = .string(task.triggerRule.rawValue) }
        if !upstream.isEmpty { members["upstream"] = .list(upstream.map(ParameterValue.string)) }
        if !task.onFailure.isEmpty {
            members["on_failure"] = .mapping([
                .init(key: "webhooks", value: .list(task.onFailure.webhooks.map(ParameterValue.string))),
                .init(key: "emails", value: .list(task.onFailure.emails.map(ParameterValue.string))),
            ])
        }
        if let fanOut = task.forEach {
            members["for_each"] = .mapping([
                .init(key: "parameter", value: .string(fanOut.parameter)),
                .init(key: "items", value: .list(fanOut.items)),
            ])
        }
        return members
    }

    /// The project's functions and secrets folders, which the executor hands to the runtime.
    static func folders(_ folders: RuntimeFolders) -> String {
        "{" + member("functions", .string(folders.functions)) + ", " + member("secrets", .string(folders.secrets)) + "}"
    }

    static func parameter(_ parameter: RunParameter) -> String {
        "{" + [
            member("name", .string(parameter.name)),
            member("type", .string(parameter.type.rawValue)),
            member("default", parameter.defaultValue),
        ].joined(separator: ", ") + "}"
    }

    /// `name: VALUE` in flow style, or `name_b64: "…"` when VALUE would hold `${`.
    static func member(_ name: String, _ value: ParameterValue) -> String {
        let text = YAMLLiteral.value(value)
        guard WorkflowsLiteral.containsExpressionStart(text) else { return name + ": " + text }
        let json = IRFormat.parameterValue(value).rendered(indent: nil)
        return name + "_b64: " + YAMLLiteral.string(Data(json.utf8).base64EncodedString())
    }
}
