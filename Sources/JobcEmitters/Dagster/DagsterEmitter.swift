import JobcCore

/// Dagster 1.13: one module per job, `<job_id>.py`, holding an op per task (built by
/// `jobc_dagster.jobc_op`, targets/dagster/), the job wiring them by Nothing dependencies, its
/// schedule, and a `Definitions` object that `dagster definitions validate` accepts.
///
/// IR version 2 features:
/// - Run parameters: a `jobc_params` resource whose config schema has a typed `Field` (default,
///   description) per parameter, so a run overrides them in run config
///   (`resources: {jobc_params: {config: {NAME: VALUE}}}`) and Dagster type-checks them before any op
///   starts; every op requires the resource and passes the values, through
///   `jobc_runtime.resolve_params`, to the function.
/// - Failure alerts: each op hands its task's alerts to `jobc_runtime.run_task`, which sends them
///   when the last attempt fails.
/// - Task groups: a nested `@dg.graph` per group (named after it; op names unchanged, so step keys
///   read `group.inner.task`). Dependencies from outside a group enter as graph inputs, tasks that
///   something outside waits for leave as graph outputs. A Dagster graph is called with all its
///   inputs at once, so when a group cannot be nested (something outside it both waits for one of
///   its tasks and feeds another) the job's ops stay flat and each carries its group path in the op
///   tag `jobc/group` ("outer/inner").
/// - Fan-out: dynamic mapping. The op `<task>_items_` yields one `DynamicOutput` per item (mapping
///   keys `item_0`, `item_1`…), the task's op is `.map()`ped over it (the item reaches the function
///   as the kwarg `forEach.parameter`), and tasks that wait for it take `.collect()` of the mapped
///   outputs (fan-in). Retries apply to each mapped step.
/// - Trigger rules: Dagster never starts an op after an upstream op failed, and has no trigger
///   rules, so jobs that use them are lowered by *outcome passing*: every op always runs, receives
///   its upstream tasks' outcomes ("success", "failed", "upstream_failed", "skipped"; a list from a
///   fan-out task) as inputs, decides with `jobc_runtime.trigger_decision` whether to run its
///   function, and returns its own outcome (output metadata `jobc/outcome`). Attempts before the
///   last still raise, so the RetryPolicy applies; a failed last attempt is logged at ERROR and
///   returned as "failed", so Dagster shows that op's step as succeeded with outcome "failed". The
///   op `jobc_run_outcome` (a task id jobc reserves) waits for every task and fails the run when any
///   task failed. Jobs without trigger rules keep plain Nothing dependencies.
public struct DagsterEmitter: Emitter {
    public let name = "dagster"
    public let summary = "Dagster 1.13 modules (ops, job, schedule, Definitions), one per job"
    public let capabilities = TargetCapabilities(supported: [
        .cronSchedule: "ScheduleDefinition in UTC; ticks before start_date are skipped",
        .startDate: "the schedule skips ticks before start_date (should_execute=not_before(...))",
        .retries: "op RetryPolicy(max_retries)",
        .retryDelay: "op RetryPolicy(delay)",
        .taskTimeout: "enforced by jobc_op inside the op (Dagster has no per-op timeout)",
        .tags: "job tag 'jobc/tags' holding the tags as a JSON list",
        .secrets: "resolved by name at run time by jobc_op",
        .runParams: "resource 'jobc_params' with a typed config field per parameter; override in run config "
            + "{resources: {jobc_params: {config: {NAME: VALUE}}}}",
        .failureAlerts: "sent by jobc_runtime.run_task when an op's last attempt fails",
        .triggerRules: "outcome passing: every op runs, gets its upstream tasks' outcomes and applies the rule; "
            + "a handled failure shows as a succeeded step with output metadata jobc/outcome 'failed', and the "
            + "op jobc_run_outcome fails the run",
        .taskGroups: "a nested @dg.graph per group (op names unchanged); when a group cannot be nested, op tag "
            + "'jobc/group' instead",
        .fanOut: "dynamic mapping: DynamicOutput per item (mapping keys item_0, item_1…), .map() and .collect()",
    ], workarounds: [
        .catchup: "Dagster schedules do not catch up missed intervals: launch a backfill for the past intervals you need",
    ])
    public let reservedIdentifiers: [ReservedIdentifier] = [RunOutcome.reservedTaskName] + Self.dagsterReservedNames.sorted().map {
        ReservedIdentifier($0, reason: "by Dagster for its own job, op and input names")
    }
    public let jobModule: JobModuleNaming? = PythonModuleNames.jobModule(importing: ["dagster", "dagster_shared", "jobc_dagster"])

    /// Names Dagster 1.13 refuses for jobs, ops and inputs (`dagster._core.definitions.utils`).
    private static let dagsterReservedNames: Set<String> = [
        "context", "conf", "config", "meta", "arg_dict", "dict", "input_arg_dict", "output_arg_dict",
        "int", "str", "float", "bool", "input", "output", "type",
    ]

    public init() {}

    public func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
        let file = DagsterModuleFile(graph: graph, jobcVersion: context.jobcVersion)
        return EmitterOutput(artifacts: [Artifact(relativePath: graph.job.id + ".py", contents: file.render())])
    }
}
