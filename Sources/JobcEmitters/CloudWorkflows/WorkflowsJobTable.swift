import Foundation
import JobcCore

/// The job as data, sent once to the executor when a run starts (`start_run`): its run parameters
/// and every task's function, kwargs, secret name, retries, timeout, trigger rule, upstream tasks,
/// alerts and fan-out items. The program's steps then name tasks by key only, so a task costs the
/// program one line here plus its step, however many kwargs or upstream tasks it has.
///
/// Each entry is one YAML flow mapping. A member whose value holds the bytes `${` anywhere (which
/// Workflows would evaluate, even inside a map) is sent as `NAME_b64`: the base64 of its JSON
/// text, decoded by the executor. That keeps every user value out of Workflows expressions, whose
/// 400-character limit a long kwarg would otherwise break. Members with their default value are
/// left out (the executor's defaults: no kwargs, no secret, no retries, no timeout, all_success,
/// no upstream tasks, no alerts).
enum WorkflowsJobTable {
    static func task(_ task: TaskNode, upstream: [String]) -> String {
        var members: [String] = [member("key", .string(task.key))]
        if task.taskID != task.key { members.append(member("task_id", .string(task.taskID))) }
        members.append(member("function", .mapping([
            .init(key: "module", value: .string(task.function.module)),
            .init(key: "class", value: .string(task.function.className)),
        ])))
        if !task.parameters.isEmpty { members.append(member("kwargs", .mapping(task.parameters))) }
        if let secret = task.secretName { members.append(member("secret", .string(secret))) }
        if task.retry.retries > 0 {
            members.append(member("retries", .integer(task.retry.retries)))
            members.append(member("retry_delay_seconds", .integer(task.retry.delay.seconds)))
        }
        if let timeout = task.timeout { members.append(member("timeout_seconds", .integer(timeout.seconds))) }
        if task.triggerRule != .allSuccess { members.append(member("trigger_rule", .string(task.triggerRule.rawValue))) }
        if !upstream.isEmpty { members.append(member("upstream", .list(upstream.map(ParameterValue.string)))) }
        if !task.onFailure.isEmpty {
            members.append(member("on_failure", .mapping([
                .init(key: "webhooks", value: .list(task.onFailure.webhooks.map(ParameterValue.string))),
                .init(key: "emails", value: .list(task.onFailure.emails.map(ParameterValue.string))),
            ])))
        }
        if let fanOut = task.forEach {
            members.append(member("for_each", .mapping([
                .init(key: "parameter", value: .string(fanOut.parameter)),
                .init(key: "items", value: .list(fanOut.items)),
            ])))
        }
        return "{" + members.joined(separator: ", ") + "}"
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
