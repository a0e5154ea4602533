import JobcCore

/// The statement that creates one task's `JobcFunctionOperator`, unindented: a plain call, or for a
/// fan-out task Airflow's dynamic task mapping, `JobcFunctionOperator.partial(...).expand(...)`, one
/// mapped instance per item (tasks downstream wait for all of them).
struct AirflowOperatorCall {
    let task: TaskNode
    let graph: JobGraph
    let variable: String

    /// The module-level list of declared run parameters (see `AirflowDAGFile`).
    static let runParamsConstant = "RUN_PARAMS"

    func lines() -> [String] {
        guard let forEach = task.forEach else {
            return ["\(variable) = JobcFunctionOperator("] + arguments().map { "    " + $0 } + [")"]
        }
        // Items are listed one per line so a changed item is a one-line diff.
        return ["\(variable) = JobcFunctionOperator.partial("]
            + arguments().map { "    " + $0 }
            + ["    fan_out_parameter=\(PythonLiteral.string(forEach.parameter)),", ").expand(fan_out_item=["]
            + forEach.items.map { "    \(PythonLiteral.value($0))," }
            + ["])"]
    }

    /// Every argument but the fan-out ones, one per line (a mapping spans several), each ending in a comma.
    private func arguments() -> [String] {
        var lines = [
            "task_id=\(PythonLiteral.string(task.taskID)),",
            "job_id=\(PythonLiteral.string(graph.job.id)),",
            "function_module=\(PythonLiteral.string(task.function.module)),",
            "function_class=\(PythonLiteral.string(task.function.className)),",
        ]
        lines += PythonLiteral.kwargsArgument(task.parameters)
        lines.append("secret_key=\(PythonLiteral.optional(task.secretName, PythonLiteral.string)),")
        lines.append("retries=\(task.retry.retries),")
        lines.append("retry_delay=\(Self.timedelta(task.retry.delay)),")
        if let timeout = task.timeout {
            lines.append("execution_timeout=\(Self.timedelta(timeout)),")
        }
        // Airflow's own trigger rules have the meaning the job format gives them.
        if task.triggerRule != .allSuccess {
            lines.append("trigger_rule=\(PythonLiteral.string(task.triggerRule.rawValue)),")
        }
        if !task.onFailure.isEmpty {
            lines.append("on_failure={")
            lines.append("    \"webhooks\": \(PythonLiteral.list(task.onFailure.webhooks.map(PythonLiteral.string))),")
            lines.append("    \"emails\": \(PythonLiteral.list(task.onFailure.emails.map(PythonLiteral.string))),")
            lines.append("},")
        }
        if !graph.job.params.isEmpty {
            lines.append("run_params=\(Self.runParamsConstant),")
        }
        lines += graph.job.runtimeFolders.pythonArguments
        return lines
    }

    static func timedelta(_ duration: Duration) -> String {
        "datetime.timedelta(seconds=\(duration.seconds))"
    }
}
