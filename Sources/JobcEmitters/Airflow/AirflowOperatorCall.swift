import JobcCore

/// The statement that creates one task's `JobcFunctionOperator`, unindented: a plain call, or for a
/// fan-out task Airflow's dynamic task mapping, `JobcFunctionOperator.partial(...).expand(...)`, one
/// mapped instance per item (tasks downstream wait for all of them).
/// The task comes as an argument rather than a stored property: a caller hands over the node in its
/// graph's array as it is, without copying it.
struct AirflowOperatorCall {
    let graph: JobGraph

    /// The module-level list of declared run parameters (see `AirflowDAGFile`).
    static let runParamsConstant = "RUN_PARAMS"

    func write(_ task: TaskNode, variable: String, to writer: inout PythonSourceWriter) {
        writer.startLine()
        writer.append(variable)
        guard let forEach = task.forEach else {
            writer.append(" = JobcFunctionOperator(")
            writer.endLine()
            writer.indented { writeArguments(task, to: &$0) }
            writer.line(")")
            return
        }
        writer.append(" = JobcFunctionOperator.partial(")
        writer.endLine()
        writer.indented { writer in
            writeArguments(task, to: &writer)
            writeArgument("fan_out_parameter", string: forEach.parameter, to: &writer)
        }
        // Items are listed one per line so a changed item is a one-line diff.
        writer.line(").expand(fan_out_item=[")
        writer.indented { writer in
            for item in forEach.items {
                writer.startLine()
                writer.appendValue(item)
                writer.endLineWithComma()
            }
        }
        writer.line("])")
    }

    /// Every argument but the fan-out ones, one per line (a mapping spans several), each ending in a comma.
    private func writeArguments(_ task: TaskNode, to writer: inout PythonSourceWriter) {
        writeArgument("task_id", string: task.taskID, to: &writer)
        writeArgument("job_id", string: graph.job.id, to: &writer)
        writeArgument("function_module", string: task.function.module, to: &writer)
        writeArgument("function_class", string: task.function.className, to: &writer)
        PythonLiteral.writeKwargsArgument(task.parameters, to: &writer)
        if let secretName = task.secretName {
            writeArgument("secret_key", string: secretName, to: &writer)
        } else {
            writeArgument("secret_key", code: PythonLiteral.none, to: &writer)
        }
        writeArgument("retries", code: String(task.retry.retries), to: &writer)
        writeTimedeltaArgument("retry_delay", task.retry.delay, to: &writer)
        if let timeout = task.timeout {
            writeTimedeltaArgument("execution_timeout", timeout, to: &writer)
        }
        // Airflow's own trigger rules have the meaning the job format gives them.
        if task.triggerRule != .allSuccess {
            writeArgument("trigger_rule", string: task.triggerRule.rawValue, to: &writer)
        }
        if !task.onFailure.isEmpty {
            writer.line("on_failure={")
            writer.line("    \"webhooks\": \(PythonLiteral.list(task.onFailure.webhooks.map(PythonLiteral.string))),")
            writer.line("    \"emails\": \(PythonLiteral.list(task.onFailure.emails.map(PythonLiteral.string))),")
            writer.line("},")
        }
        if !graph.job.params.isEmpty {
            writer.line("run_params=\(Self.runParamsConstant),")
        }
        graph.job.runtimeFolders.writePythonArguments(to: &writer)
    }

    /// `name="value",` on a line of its own.
    private func writeArgument(_ name: String, string value: String, to writer: inout PythonSourceWriter) {
        writer.startLine()
        writer.append(name)
        writer.append("=")
        writer.appendString(value)
        writer.endLineWithComma()
    }

    /// `name=code,` on a line of its own, `code` being Python already.
    private func writeArgument(_ name: String, code: String, to writer: inout PythonSourceWriter) {
        writer.startLine()
        writer.append(name)
        writer.append("=")
        writer.append(code)
        writer.endLineWithComma()
    }

    /// `name=datetime.timedelta(seconds=N),`, written in pieces: the call alone is too long for a
    /// string kept inline, so building it first would allocate.
    private func writeTimedeltaArgument(_ name: String, _ duration: Duration, to writer: inout PythonSourceWriter) {
        writer.startLine()
        writer.append(name)
        writer.append("=datetime.timedelta(seconds=")
        writer.append(String(duration.seconds))
        writer.append(")")
        writer.endLineWithComma()
    }
}
