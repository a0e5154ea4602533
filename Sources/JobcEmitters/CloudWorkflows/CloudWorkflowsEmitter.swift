import JobcCore

/// Google Cloud Workflows: one program per job, `<job_id>.workflows.yaml`, whose tasks are calls to
/// one generic executor function (targets/cloud_workflows/), arranged as structured parallelism;
/// the workflow resource that deploys it, `<job_id>.workflow.tf.json`, and, for a scheduled job, its
/// Cloud Scheduler job, `<job_id>.scheduler.tf.json` (Terraform JSON: `terraform apply` in the output
/// folder deploys them in order).
public struct CloudWorkflowsEmitter: Emitter {
    public let name = "cloud-workflows"
    public let summary = "Google Cloud Workflows programs calling a generic executor, with their workflow and Cloud Scheduler resources (Terraform JSON)"
    public let capabilities = TargetCapabilities(supported: [
        .cronSchedule: "Cloud Scheduler job in UTC (Terraform JSON, applied with the workflow); no start date",
        .tags: "workflow labels (Terraform JSON): each tag a key with an empty value, mapped to Google's label rules with a warning when it must change",
        .retries: "try/retry with a predicate retrying executor failures",
        .retryDelay: "retry backoff with a constant delay",
        .taskTimeout: "http.post timeout, at most 1800 s",
        .secrets: "resolved by name at run time by the executor",
        .runParams: "execution argument {\"params\": {...}}, resolved by the executor before any task runs",
        .failureAlerts: "sent by the executor (jobc_runtime) at a task's last attempt",
        .triggerRules: "task states in a shared map; a switch applies each task's rule to its upstream states",
        .taskGroups: "nested steps blocks where the plan keeps a group's tasks together",
        .fanOut: "parallel for loop over the items, retries per item",
    ], workarounds: [
        .startDate: "Cloud Scheduler starts the schedule as soon as it is applied: runs before start_date would happen; "
            + "apply the scheduler on or after start_date, or pause it until then (gcloud scheduler jobs pause JOB_ID --location REGION)",
        .catchup: "Cloud Scheduler makes no catch-up runs for the intervals before the job was applied (or while it was paused): "
            + "run each past day with gcloud workflows run JOB_ID --location REGION --data '{\"logical_date\": \"YYYY-MM-DD\"}'",
    ])
    public let options: [TargetOption] = CloudWorkflowsOptions.declarations

    public init() {}

    public func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
        let options = CloudWorkflowsOptions(context.options)
        let labels = WorkflowLabels(graph: graph)
        let diagnostics = unsupportedFeatures(graph) + labels.diagnostics

        var scheduler = StructuredScheduler(graph: graph)
        let plan = scheduler.schedule()
        let program = WorkflowsProgramFile(
            graph: graph, options: options, jobcVersion: context.jobcVersion, plan: plan,
            metrics: ScheduleMetrics(scheduler: scheduler, plan: plan))
        let workflow = WorkflowResourceFile(graph: graph, options: options, labels: labels, jobcVersion: context.jobcVersion)
        var artifacts = [
            Artifact(relativePath: WorkflowResourceFile.programFileName(graph), contents: program.render()),
            Artifact(relativePath: WorkflowResourceFile.fileName(graph), contents: workflow.render()),
        ]
        if case .cron(let cron) = graph.job.schedule {
            let file = CloudSchedulerFile(graph: graph, cron: cron, options: options, jobcVersion: context.jobcVersion)
            artifacts.append(Artifact(relativePath: graph.job.id + ".scheduler.tf.json", contents: file.render()))
        }
        return EmitterOutput(artifacts: artifacts, diagnostics: diagnostics)
    }

    private func unsupportedFeatures(_ graph: JobGraph) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // catchup and a start_date still to come: the portability check reports them from `capabilities`.
        for task in graph.tasks {
            let location = task.sources.key ?? graph.job.sources.fileStart
            if let timeout = task.timeout, timeout.seconds > WorkflowsProgramFile.maximumHTTPTimeout {
                diagnostics.append(.warning(
                    .targetUnsupported,
                    "task '\(task.key)' has a timeout of \(timeout); Workflows waits at most \(WorkflowsProgramFile.maximumHTTPTimeout) s for an HTTP call, so the call times out after 1800 s",
                    at: location, suggestion: "use a timeout of at most 30m on cloud-workflows"))
            }
            if task.retry.retries > 0 && task.retry.delay.seconds < 1 {
                diagnostics.append(.warning(
                    .targetUnsupported, "task '\(task.key)' retries without delay; Workflows waits at least 1 s between attempts",
                    at: location))
            }
        }
        return diagnostics
    }
}
