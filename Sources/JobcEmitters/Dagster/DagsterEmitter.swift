import JobcCore

/// Dagster 1.13: one module per job, `<job_id>.py`, holding an op per task (built by
/// `jobc_dagster.jobc_op`, targets/dagster/), the job wiring them by Nothing dependencies, its
/// schedule, and a `Definitions` object that `dagster definitions validate` accepts.
public struct DagsterEmitter: Emitter {
    public let name = "dagster"
    public let summary = "Dagster 1.13 modules (ops, job, schedule, Definitions), one per job"
    public let capabilities = TargetCapabilities(supported: [
        .cronSchedule: "ScheduleDefinition in UTC; ticks before start_date are skipped",
        .retries: "op RetryPolicy(max_retries)",
        .retryDelay: "op RetryPolicy(delay)",
        .taskTimeout: "enforced by jobc_op inside the op (Dagster has no per-op timeout)",
        .tags: "job tag 'jobc/tags' holding the tags as a JSON list",
        .secrets: "resolved by name at run time by jobc_op",
    ], workarounds: [
        .catchup: "Dagster schedules do not catch up missed intervals: launch a backfill for the past intervals you need",
    ])

    public init() {}

    public func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
        let file = DagsterModuleFile(graph: graph, jobcVersion: context.jobcVersion)
        return EmitterOutput(artifacts: [Artifact(relativePath: graph.job.id + ".py", contents: file.render())])
    }
}
