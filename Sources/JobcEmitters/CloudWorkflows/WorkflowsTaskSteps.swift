import JobcCore

/// The steps of one task: its trigger rule applied to the states of its upstream tasks, then one
/// `http.post` to the executor per attempt (per item for a fan-out task) in `try`/`retry`, ending in
/// the task's state: "success", "failed" (after its retries), "upstream_failed" or "skipped".
///
/// With retries, the try block first increments the task's attempt counter, so every retry re-runs
/// the increment and the executor learns attempt and max_attempts (it chooses `on_retry` or
/// `on_failure`, and sends the failure alerts, from them).
struct WorkflowsTaskSteps {
    let graph: JobGraph
    let options: CloudWorkflowsOptions
    private let upstream: [String: [String]]

    init(graph: JobGraph, options: CloudWorkflowsOptions) {
        self.graph = graph
        self.options = options
        upstream = graph.upstreamByTask
    }

    struct Rendered {
        var steps: [YAMLBlock]
        /// Variables the steps write, declared (with these values) before the task's enclosing steps.
        var variables: [(String, YAMLBlock)]
        var successSteps: Int
    }

    func steps(for task: TaskNode) -> Rendered {
        var rendered = task.forEach.map { fanOutSteps(task, $0) } ?? singleSteps(task)
        guard decides(task) else { return rendered }
        // When every task succeeds, a one_failed task is skipped: only its switch runs.
        rendered.successSteps = task.triggerRule == .oneFailed ? 1 : rendered.successSteps + 1
        rendered.steps = [YAMLBlock.named("task_" + task.key, .map([("switch", .list(decision(task, upstream[task.key]!, run: rendered.steps)))]))]
        return rendered
    }

    /// Whether the task's trigger rule needs a look at its upstream states: a task without upstream
    /// tasks, or with `all_done`, always runs.
    private func decides(_ task: TaskNode) -> Bool {
        !(upstream[task.key] ?? []).isEmpty && task.triggerRule != .allDone
    }

    /// `task_KEY` is the task's outermost step: its run, or the switch around its run.
    private func stepName(_ task: TaskNode) -> String { (decides(task) ? "run_" : "task_") + task.key }

    /// The trigger rule as a switch on the upstream states, the same table as jobc_runtime.trigger_decision.
    /// The conditions exclude each other: workflows-emulator (1.10.0) goes on evaluating the
    /// conditions after a matching one (Cloud Workflows stops at the first), and running the task
    /// changes no upstream state.
    private func decision(_ task: TaskNode, _ upstreamKeys: [String], run: [YAMLBlock]) -> [YAMLBlock] {
        let failedStates = #"["failed", "upstream_failed"]"#
        let anyFailed = upstreamKeys.map { Self.state($0) + " in " + failedStates }.joined(separator: " or ")
        let record = { (state: String) in
            YAMLBlock.list([.map([(Self.stateTarget(task.key), .scalar(YAMLLiteral.string(state)))])])
        }
        let condition = { (code: String) in YAMLBlock.scalar(WorkflowsLiteral.expression(code)) }
        switch task.triggerRule {
        case .allSuccess:
            let allSucceeded = upstreamKeys.map { Self.state($0) + #" == "success""# }.joined(separator: " and ")
            return [
                .map([("condition", condition(allSucceeded)), ("steps", .list(run))]),
                .map([("condition", condition(anyFailed)), ("assign", record("upstream_failed"))]),
                .map([("condition", condition("not(\(allSucceeded)) and not(\(anyFailed))")), ("assign", record("skipped"))]),
            ]
        case .oneFailed:
            return [
                .map([("condition", condition(anyFailed)), ("steps", .list(run))]),
                .map([("condition", condition("not(\(anyFailed))")), ("assign", record("skipped"))]),
            ]
        case .allDone:
            return run
        }
    }

    // MARK: one call

    private func singleSteps(_ task: TaskNode) -> Rendered {
        let retries = task.retry.retries
        let counter = "attempt_" + task.key
        let attempt: YAMLBlock = retries > 0 ? .scalar(WorkflowsLiteral.expression(counter)) : .scalar("1")
        var inner: [YAMLBlock] = []
        if retries > 0 {
            inner.append(YAMLBlock.named("count_" + task.key, .map([("assign", .list([
                .map([(counter, .scalar(WorkflowsLiteral.expression(counter + " + 1")))]),
            ]))])))
        }
        inner.append(YAMLBlock.named("call_" + task.key, call(task, attempt: attempt, item: nil)))
        inner.append(YAMLBlock.named("succeeded_" + task.key, .map([("assign", .list([
            .map([(Self.stateTarget(task.key), .scalar(YAMLLiteral.string("success")))]),
        ]))])))
        let step = attemptStep(task, inner, attempt: attempt, item: nil, onFailure: [
            .map([(Self.stateTarget(task.key), .scalar(YAMLLiteral.string("failed")))]),
        ])
        var variables: [(String, YAMLBlock)] = [("error_" + task.key, .scalar("null"))]
        if retries > 0 { variables.insert((counter, .scalar("0")), at: 0) }
        return Rendered(
            steps: [YAMLBlock.named(stepName(task), step)],
            variables: variables, successSteps: retries > 0 ? 4 : 3)
    }

    // MARK: fan-out

    /// One iteration of a `parallel` `for` loop per item, each with its own retries; the task failed
    /// when one item failed. Fan-in is the next step: the loop ends when every item is done.
    private func fanOutSteps(_ task: TaskNode, _ fanOut: FanOut) -> Rendered {
        let retries = task.retry.retries
        let counters = "attempts_" + task.key
        let item = Self.itemVariable(task), index = Self.indexVariable(task)
        let attempt: YAMLBlock = retries > 0 ? .scalar(WorkflowsLiteral.expression(counters + "[\(index)]")) : .scalar("1")
        var inner: [YAMLBlock] = []
        if retries > 0 {
            inner.append(YAMLBlock.named("count_" + task.key, .map([("assign", .list([
                .map([(counters + "[\(index)]", .scalar(WorkflowsLiteral.expression(counters + "[\(index)] + 1")))]),
            ]))])))
        }
        inner.append(YAMLBlock.named("call_" + task.key, call(task, attempt: attempt, item: fanOut)))
        let each = attemptStep(task, inner, attempt: attempt, item: fanOut, onFailure: [
            .map([(Self.stateTarget(task.key), .scalar(YAMLLiteral.string("failed")))]),
        ])
        // Each item's attempts in a list indexed by item: a variable of the loop body would be one
        // per iteration on Cloud Workflows, but workflows-emulator shares one between iterations.
        var variables: [(String, YAMLBlock)] = [("error_" + task.key, .scalar("null"))]
        var shared = ["states", "error_" + task.key]
        if retries > 0 {
            variables.insert((counters, .scalar("[" + Array(repeating: "0", count: fanOut.items.count).joined(separator: ", ") + "]")), at: 0)
            shared.insert(counters, at: 1)
        }
        let loop = YAMLBlock.named("items_" + task.key, .map([("parallel", .map([
            ("exception_policy", .scalar("continueAll")),
            ("shared", .scalar("[" + shared.joined(separator: ", ") + "]")),
            ("for", .map([
                ("value", .scalar(item)),
                ("index", .scalar(index)),
                ("in", .list(fanOut.items.map { .scalar(WorkflowsLiteral.value($0)) })),
                ("steps", .list([YAMLBlock.named("each_" + task.key, each)])),
            ])),
        ]))]))
        let finish = YAMLBlock.named("fan_in_" + task.key, .map([("switch", .list([.map([
            ("condition", .scalar(WorkflowsLiteral.expression(Self.state(task.key) + #" != "failed""#))),
            ("assign", .list([.map([(Self.stateTarget(task.key), .scalar(YAMLLiteral.string("success")))])])),
        ])]))]))
        let perItem = retries > 0 ? 3 : 2
        return Rendered(
            steps: [YAMLBlock.named(stepName(task), .map([("steps", .list([loop, finish]))]))],
            variables: variables, successSteps: 3 + perItem * fanOut.items.count)
    }

    // MARK: shared parts

    /// `try` (with `retry` when the task retries) around `inner`; a final failure is logged at
    /// ERROR and recorded by `onFailure`, never raised.
    private func attemptStep(_ task: TaskNode, _ inner: [YAMLBlock], attempt: YAMLBlock, item: FanOut?, onFailure: [YAMLBlock]) -> YAMLBlock {
        let retries = task.retry.retries
        var step: [(String, YAMLBlock)] = [("try", .map([("steps", .list(inner))]))]
        if retries > 0 {
            // Workflows needs max_delay ≥ initial_delay; one second more because the emulator
            // (1.10.0) stops retrying unless the delay is strictly below max_delay. The multiplier
            // is 1: a constant delay, as retry_delay means on Airflow and Dagster.
            let delay = Self.retryDelay(task)
            step.append(("retry", .map([
                ("predicate", .scalar(WorkflowsLiteral.expression(WorkflowsProgramFile.retryPredicate))),
                ("max_retries", .scalar(String(retries))),
                ("backoff", .map([
                    ("initial_delay", .scalar(String(delay))),
                    ("max_delay", .scalar(String(delay + 1))),
                    ("multiplier", .scalar("1")),
                ])),
            ])))
        }
        let errorVariable = "error_" + task.key
        var log: [(String, YAMLBlock)] = [
            ("message", .scalar(WorkflowsLiteral.string("jobc task '\(task.taskID)' of job '\(graph.job.id)' failed"))),
            ("attempt", attempt),
            ("max_attempts", .scalar(String(retries + 1))),
        ]
        if item != nil { log.append(("item", .scalar(WorkflowsLiteral.expression(Self.itemVariable(task))))) }
        log.append(("error", .scalar(WorkflowsLiteral.expression(errorVariable))))
        step.append(("except", .map([
            ("as", .scalar(errorVariable)),
            ("steps", .list([
                YAMLBlock.named("log_" + task.key, .map([
                    ("call", .scalar("sys.log")),
                    ("args", .map([("severity", .scalar("ERROR")), ("json", .map(log))])),
                ])),
                YAMLBlock.named("failed_" + task.key, .map([("assign", .list(onFailure))])),
            ])),
        ])))
        return .map(step)
    }

    private func call(_ task: TaskNode, attempt: YAMLBlock, item: FanOut?) -> YAMLBlock {
        .map([
            ("call", .scalar("http.post")),
            ("args", .map([
                ("url", .scalar(WorkflowsLiteral.string(options.resolvedExecutorURL))),
                ("auth", .map([("type", .scalar("OIDC"))])),
                ("timeout", .scalar(String(Self.httpTimeout(task)))),
                ("body", .map(requestBody(task, attempt: attempt, item: item))),
            ])),
        ])
    }

    private func requestBody(_ task: TaskNode, attempt: YAMLBlock, item: FanOut?) -> [(String, YAMLBlock)] {
        let kwargs: [(String, YAMLBlock)] = task.parameters.map { (WorkflowsLiteral.string($0.key), .scalar(WorkflowsLiteral.value($0.value))) }
        var body: [(String, YAMLBlock)] = [
            ("job_id", .scalar(WorkflowsLiteral.string(graph.job.id))),
            ("task_id", .scalar(WorkflowsLiteral.string(task.taskID))),
            ("function_module", .scalar(WorkflowsLiteral.string(task.function.module))),
            ("function_class", .scalar(WorkflowsLiteral.string(task.function.className))),
            ("kwargs", .map(kwargs)),
            ("secret_key", .scalar(task.secretName.map(WorkflowsLiteral.string) ?? "null")),
            ("run_id", .scalar(WorkflowsLiteral.expression("run_id"))),
            ("logical_date", .scalar(WorkflowsLiteral.expression("logical_date"))),
            ("attempt", attempt),
            ("max_attempts", .scalar(String(task.retry.retries + 1))),
            ("timeout_seconds", .scalar(task.timeout.map { String($0.seconds) } ?? "null")),
        ]
        if !graph.job.params.isEmpty { body.append(("params_json", .scalar(WorkflowsLiteral.expression("params")))) }
        if !task.onFailure.isEmpty {
            body.append(("on_failure", .map([
                ("webhooks", .list(task.onFailure.webhooks.map { .scalar(WorkflowsLiteral.string($0)) })),
                ("emails", .list(task.onFailure.emails.map { .scalar(WorkflowsLiteral.string($0)) })),
            ])))
        }
        if let item {
            body.append(("for_each", .map([
                ("parameter", .scalar(WorkflowsLiteral.string(item.parameter))),
                ("index", .scalar(WorkflowsLiteral.expression(Self.indexVariable(task)))),
                // JSON text, added to the kwargs by the executor: workflows-emulator (1.10.0)
                // passes a list or map through an expression as Python text re-read as YAML.
                ("item_json", .scalar(WorkflowsLiteral.expression("json.encode_to_string(\(Self.itemVariable(task)))"))),
            ])))
        }
        return body
    }

    /// Retries when the executor reports a failed function (500), on transient HTTP statuses, and
    /// on connection errors and timeouts. Written without `${http.default_retry_predicate}`, which
    /// also skips 500 and crashes the emulator on errors that are not HTTP errors.
    static func retryPredicate() -> YAMLBlock {
        let codes = [429, 500, 502, 503, 504].map { "e.code == \($0)" }.joined(separator: " or ")
        let tags = ["ConnectionError", "ConnectionFailedError", "TimeoutError"].map { "\"\($0)\" in e.tags" }.joined(separator: " or ")
        return .map([
            ("params", .scalar("[e]")),
            ("steps", .list([
                .map([("by_status", .map([("switch", .list([.map([
                    ("condition", .scalar(WorkflowsLiteral.expression(#""code" in e"#))),
                    ("return", .scalar(WorkflowsLiteral.expression(codes))),
                ])]))]))]),
                .map([("by_tag", .map([("switch", .list([.map([
                    ("condition", .scalar(WorkflowsLiteral.expression(#""tags" in e"#))),
                    ("return", .scalar(WorkflowsLiteral.expression(tags))),
                ])]))]))]),
                .map([("otherwise", .map([("return", .scalar("false"))]))]),
            ])),
        ])
    }

    /// The fan-out loop's value and index variables, named after the task: workflows-emulator
    /// (1.10.0) keeps a finished loop's variables and may read them in a later loop of the same name.
    static func itemVariable(_ task: TaskNode) -> String { "item_" + task.key }
    static func indexVariable(_ task: TaskNode) -> String { "index_" + task.key }

    /// A task's state in an expression.
    static func state(_ key: String) -> String { "states[" + WorkflowsLiteral.expressionString(key) + "]" }
    /// The assignment target of a task's state.
    static func stateTarget(_ key: String) -> String { YAMLLiteral.string(state(key)) }

    /// A task without a timeout gets Workflows' longest wait: its default (300 s) would cut long tasks short.
    static func httpTimeout(_ task: TaskNode) -> Int {
        min(task.timeout?.seconds ?? WorkflowsProgramFile.maximumHTTPTimeout, WorkflowsProgramFile.maximumHTTPTimeout)
    }

    /// Workflows' backoff counts whole seconds from 1.
    static func retryDelay(_ task: TaskNode) -> Int { max(task.retry.delay.seconds, 1) }

}
