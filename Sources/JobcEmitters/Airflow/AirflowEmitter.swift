import JobcCore

/// Airflow 3: one static DAG file per job, `<job_id>.py`, in the style a person would write by hand,
/// running each task through `jobc_airflow.JobcFunctionOperator` (targets/airflow/).
public struct AirflowEmitter: Emitter {
    public let name = "airflow"
    public let summary = "Apache Airflow 3 DAG files (Python), one per job"
    public let capabilities = TargetCapabilities(supported: [
        .cronSchedule: "DAG schedule (cron string or preset)",
        .catchup: "DAG catchup",
        .retries: "operator retries",
        .retryDelay: "operator retry_delay",
        .taskTimeout: "operator execution_timeout",
        .tags: "DAG tags",
        .secrets: "resolved by name at run time by JobcFunctionOperator",
    ])

    public init() {}

    public func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
        let file = AirflowDAGFile(graph: graph, jobcVersion: context.jobcVersion)
        return EmitterOutput(artifacts: [Artifact(relativePath: graph.job.id + ".py", contents: file.render())])
    }
}
