import JobcCore

/// The task Airflow and Dagster add to a job with trigger rules, to fail the run when any task
/// failed (a handled failure would otherwise leave the run green).
enum RunOutcome {
    static let taskName = "jobc_run_outcome"

    static let reservedTaskName = ReservedIdentifier(
        taskName, scopes: [.task, .group],
        reason: "for the task jobc adds to report a run's outcome")
}
