import JobcCore

/// The steps that run one task: a call to the executor's `run_task`, which waits for the task's
/// upstream tasks, applies its trigger rule, runs its attempts in the background and answers when
/// the task has ended. Each call is a long poll: the executor holds it up to `waitSeconds` and then
/// answers 503, which the retry policy retries, so a task may run for days while no HTTP call
/// outlives Workflows' 1,800-second limit. Giving up on a call (the executor unreachable, or a
/// task outlasting the whole job's bound) marks the task failed through `abandon_task`, so the
/// tasks waiting for it go on; the step never raises and the lane goes on.
///
/// Two forms with the same behaviour (the program picks one per job, see `WorkflowsProgramFile`):
/// - **inline**: the `try`/`retry` call written in the task's step — 2 billed steps per task;
/// - **shared**: the step calls the `jobc_task` subworkflow, which holds the one copy of the call —
///   3 billed steps per task, about a fifth of the source size, so 300 tasks fit in 128 KB.
struct WorkflowsTaskSteps {
    enum Form: String { case inline, shared }

    let graph: JobGraph
    let options: CloudWorkflowsOptions
    let form: Form
    /// How long the executor may hold one call: the HTTP timeout minus a margin for the answer.
    let waitSeconds: Int
    /// Retries of one call: enough polls to outwait the job's bound, plus transient errors.
    let maximumPolls: Int

    static let retryPredicate = "jobc_should_retry"
    static let taskSubworkflow = "jobc_task"
    static let itemSubworkflow = "jobc_item"
    static let abandonSubworkflow = "jobc_abandon"
    /// Retries of the start_run, finish_run and abandon_task calls (transient errors only).
    static let controlRetries = 5
    /// The HTTP timeout of those calls.
    static let controlTimeout = 60
    /// A task without a timeout is waited for at most this long (a week): Workflows needs a bound.
    static let untimedTaskBound = 7 * 24 * 3600
    /// Workflows ends an execution after a year.
    static let executionBound = 365 * 24 * 3600
    /// Fan-out items running at once, so lanes and items stay within Google's 20 concurrent
    /// branches and iterations per execution.
    static let concurrentBranchesPerExecution = 20

    init(graph: JobGraph, options: CloudWorkflowsOptions, form: Form) {
        self.graph = graph
        self.options = options
        self.form = form
        let timeout = options.httpTimeout
        waitSeconds = timeout - min(60, max(1, timeout / 4))
        maximumPolls = Self.polls(for: Self.jobBound(graph), waitSeconds: waitSeconds)
    }

    /// The longest a run of the job can take: every task's attempts at their timeouts, one after the other.
    static func jobBound(_ graph: JobGraph) -> Int {
        var total = 0
        for task in graph.tasks {
            let attempt = task.timeout?.seconds ?? untimedTaskBound
            let runs = max(task.forEach?.items.count ?? 1, 1)
            total += runs * ((task.retry.retries + 1) * attempt + task.retry.retries * task.retry.delay.seconds)
            if total >= executionBound { return executionBound }
        }
        return max(total, 1)
    }

    /// Polls that outwait `bound` seconds when each holds `waitSeconds` and the next starts a second later.
    static func polls(for bound: Int, waitSeconds: Int) -> Int {
        (bound + waitSeconds) / (waitSeconds + 1) + controlRetries
    }

    // MARK: steps in a lane

    /// The step of one task: `task_KEY` in a branch of main (inline), the task's key in its lane's
    /// subworkflow (shared), where no other step can have that name.
    func step(_ task: TaskNode) -> YAMLBlock {
        let name = form == .inline ? "task_" + task.key : task.key
        guard let fanOut = task.forEach else { return YAMLBlock.named(name, call(key: task.key, index: nil)) }
        // The gate waits for the decision, so no item waits for another lane while it holds one of
        // the execution's concurrent branches; then one iteration per item.
        let index = "index_" + task.key
        let lanesAndItems = Self.concurrentBranchesPerExecution - WorkflowsLanes.maximumBranches
        let loop = YAMLBlock.named("items_" + task.key, .map([("parallel", .map([
            ("exception_policy", .scalar("continueAll")),
            ("concurrency_limit", .scalar(String(max(1, min(fanOut.items.count, lanesAndItems))))),
            ("for", .map([
                ("value", .scalar(index)),
                ("range", .scalar("[0, \(fanOut.items.count - 1)]")),
                ("steps", .list([YAMLBlock.named("item_" + task.key, call(key: task.key, index: index))])),
            ])),
        ]))]))
        return YAMLBlock.named(name, .map([("steps", .list([
            YAMLBlock.named("gate_" + task.key, call(key: task.key, index: nil)),
            loop,
        ]))]))
    }

    /// Billed steps of a task's step when it succeeds at the first attempt (see the program header).
    func successSteps(_ task: TaskNode) -> Int {
        let call = form == .inline ? 2 : 3
        guard let fanOut = task.forEach else { return call }
        return 1 + call + 1 + fanOut.items.count * call
    }

    /// The body of a step that runs the task (or one item of it, `index` naming the loop variable).
    private func call(key: String, index: String?) -> YAMLBlock {
        switch form {
        case .shared:
            var args = "key: " + YAMLLiteral.string(key)
            if let index { args += ", index: " + WorkflowsLiteral.expression(index) }
            return .scalar("{call: " + (index == nil ? Self.taskSubworkflow : Self.itemSubworkflow) + ", args: {" + args + "}}")
        case .inline:
            return runTask(key: YAMLLiteral.string(key), index: index.map(WorkflowsLiteral.expression), abandonArguments:
                "{key: " + YAMLLiteral.string(key) + (index.map { ", index: " + WorkflowsLiteral.expression($0) } ?? "") + ", error: \"${error}\"}")
        }
    }

    /// `try` the run_task call, `retry` it while the executor asks to be called again, and on
    /// giving up call `jobc_abandon`. `key` and `index` are written values or expressions.
    private func runTask(key: String, index: String?, abandonArguments: String) -> YAMLBlock {
        var body = "{action: run_task, run_id: " + WorkflowsLiteral.expression(Self.runIDExpression) + ", key: " + key
        if let index { body += ", index: " + index }
        body += ", wait_seconds: \(waitSeconds)}"
        return .map([
            ("try", .map([
                ("call", .scalar("http.post")),
                ("args", .map([
                    ("url", .scalar(WorkflowsLiteral.string(options.resolvedExecutorURL))),
                    ("auth", .map([("type", .scalar("OIDC"))])),
                    ("timeout", .scalar(String(options.httpTimeout))),
                    ("body", .scalar(body)),
                ])),
            ])),
            ("retry", .scalar(retryPolicy(maximumPolls))),
            ("except", .scalar("{as: error, steps: [{abandon: {call: \(Self.abandonSubworkflow), args: \(abandonArguments)}}]}")),
        ])
    }

    /// Retries what `jobc_should_retry` accepts, a second apart (Workflows' smallest delay; a
    /// multiplier of 1 because workflows-emulator 1.10.0 stops retrying once the delay reaches
    /// max_delay, which a growing delay soon does). The waiting itself happens in the executor.
    func retryPolicy(_ retries: Int) -> String {
        "{predicate: " + WorkflowsLiteral.expression(Self.retryPredicate) + ", max_retries: \(retries), backoff: {initial_delay: 1, max_delay: 2, multiplier: 1}}"
    }

    // MARK: subworkflows

    /// The subworkflows the steps call, by name.
    func subworkflows() -> [(String, YAMLBlock)] {
        var result: [(String, YAMLBlock)] = []
        if form == .shared {
            result.append((Self.taskSubworkflow, .map([
                ("params", .scalar("[key]")),
                ("steps", .list([YAMLBlock.named("run_task", runTask(
                    key: WorkflowsLiteral.expression("key"), index: nil, abandonArguments: "{key: \"${key}\", error: \"${error}\"}"))])),
            ])))
            if graph.tasks.contains(where: { $0.forEach != nil }) {
                result.append((Self.itemSubworkflow, .map([
                    ("params", .scalar("[key, index]")),
                    ("steps", .list([YAMLBlock.named("run_item", runTask(
                        key: WorkflowsLiteral.expression("key"), index: WorkflowsLiteral.expression("index"),
                        abandonArguments: "{key: \"${key}\", index: \"${index}\", error: \"${error}\"}"))])),
                ])))
            }
        }
        result.append((Self.abandonSubworkflow, abandon()))
        result.append((Self.retryPredicate, Self.retryPredicateBody()))
        return result
    }

    /// Logs why a task's call gave up and tells the executor the task failed (its downstream tasks
    /// stop waiting). `index` is -1 for a whole task: a null would reach the executor as "None"
    /// through workflows-emulator 1.10.0.
    private func abandon() -> YAMLBlock {
        .map([
            ("params", .scalar("[key, error, index: -1]")),
            ("steps", .list([
                YAMLBlock.named("log", .map([
                    ("call", .scalar("sys.log")),
                    ("args", .map([("severity", .scalar("ERROR")), ("json", .map([
                        ("message", .scalar(WorkflowsLiteral.string("jobc gave up waiting for a task of job '\(graph.job.id)'; it counts as failed"))),
                        ("task", .scalar(WorkflowsLiteral.expression("key"))),
                        ("error", .scalar(WorkflowsLiteral.expression("error"))),
                    ]))])),
                ])),
                YAMLBlock.named("abandon_task", controlCall(
                    body: .scalar("{action: abandon_task, run_id: " + WorkflowsLiteral.expression(Self.runIDExpression)
                        + ", key: \"${key}\", index: \"${index}\", error: \"${json.encode_to_string(error)}\"}"),
                    result: nil)),
            ])),
        ])
    }

    /// The execution id, read where it is needed: a subworkflow cannot see main's variables.
    static let runIDExpression = #"sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID")"#

    /// A start_run / finish_run / abandon_task call: short timeout, transient errors retried.
    func controlCall(body: YAMLBlock, result: String?) -> YAMLBlock {
        var call: [(String, YAMLBlock)] = [
            ("call", .scalar("http.post")),
            ("args", .map([
                ("url", .scalar(WorkflowsLiteral.string(options.resolvedExecutorURL))),
                ("auth", .map([("type", .scalar("OIDC"))])),
                ("timeout", .scalar(String(Self.controlTimeout))),
                ("body", body),
            ])),
        ]
        if let result { call.append(("result", .scalar(result))) }
        return .map([("try", .map(call)), ("retry", .scalar(retryPolicy(Self.controlRetries)))])
    }

    /// Call again on the executor's 503 ("not yet") and on transient HTTP statuses, connection
    /// errors and timeouts. Written out rather than `${http.default_retry_predicate}`, which crashes
    /// workflows-emulator 1.10.0 on errors that are not HTTP errors. Never 400 or 500: a rejected
    /// request or an executor bug does not get better by asking again.
    static func retryPredicateBody() -> YAMLBlock {
        let codes = [429, 502, 503, 504].map { "e.code == \($0)" }.joined(separator: " or ")
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
}
