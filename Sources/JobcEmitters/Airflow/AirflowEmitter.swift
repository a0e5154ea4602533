import JobcCore

/// Airflow 3: one static DAG file per job, `<job_id>.py`, in the style a person would write by hand,
/// running each task through `jobc_airflow.JobcFunctionOperator` (targets/airflow/).
public struct AirflowEmitter: Emitter {
    public let name = "airflow"
    public let summary = "Apache Airflow 3 DAG files (Python), one per job"
    public let capabilities = TargetCapabilities(supported: [
        .cronSchedule: "DAG schedule (cron string or preset)",
        .startDate: "DAG start_date: no scheduled run before it",
        .catchup: "DAG catchup",
        .retries: "operator retries",
        .retryDelay: "operator retry_delay",
        .taskTimeout: "operator execution_timeout",
        .tags: "DAG tags",
        .secrets: "resolved by name at run time by JobcFunctionOperator",
        .runParams: "DAG params (Param with a JSON-schema type); dag_run conf overrides them",
        .failureAlerts: "sent by jobc_runtime.run_task when a task's last attempt fails",
        .triggerRules: "operator trigger_rule, plus a jobc-run-outcome task that fails the run when any task failed",
        .taskGroups: "TaskGroup (prefix_group_id=False: task ids unchanged)",
        .fanOut: "dynamic task mapping: JobcFunctionOperator.partial(...).expand(...)",
    ])
    public let reservedIdentifiers: [ReservedIdentifier] = [RunOutcome.reservedTaskName]
    public let jobModule: JobModuleNaming? = PythonModuleNames.jobModule(importing: ["airflow", "jobc_airflow", "pendulum"])

    public init() {}

    public func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
        let file = AirflowDAGFile(graph: graph, jobcVersion: context.jobcVersion)
        return EmitterOutput(artifacts: [Artifact(relativePath: graph.job.id + ".py", contents: file.render())])
    }
}
