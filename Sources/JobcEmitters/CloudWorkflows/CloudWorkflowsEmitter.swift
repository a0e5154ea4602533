import JobcCore

/// Google Cloud Workflows: one program per job, `<job_id>.workflows.yaml`, whose tasks are calls to
/// one generic executor function (targets/cloud_workflows/), arranged as structured parallelism;
/// and, for a scheduled job, its Cloud Scheduler job as Terraform JSON, `<job_id>.scheduler.tf.json`.
public struct CloudWorkflowsEmitter: Emitter {
    public let name = "cloud-workflows"
    public let summary = "Google Cloud Workflows programs calling a generic executor, plus Cloud Scheduler jobs (Terraform JSON)"
    public let capabilities = TargetCapabilities(supported: [
        .cronSchedule: "Cloud Scheduler job in UTC (Terraform JSON); no start date",
        .retries: "attempts run by the executor (targets/cloud_workflows/)",
        .retryDelay: "slept by the executor between attempts",
        .taskTimeout: "enforced by the executor, any length: the program long-polls, no call outlives 1800 s",
        .secrets: "resolved by name at run time by the executor",
        .runParams: "execution argument {\"params\": {...}}, resolved by the executor before any task runs",
        .failureAlerts: "sent by the executor (jobc_runtime) at a task's last attempt",
        .triggerRules: "decided by the executor from the upstream tasks' recorded states",
        .taskGroups: "group dependencies as task dependencies; the lanes follow dependencies, not groups",
        .fanOut: "parallel for loop over the items, each item's attempts run by the executor",
    ])
    public let options: [TargetOption] = CloudWorkflowsOptions.declarations

    public init() {}

    public func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
        let options = CloudWorkflowsOptions(context.options)
        let lanes = WorkflowsLanes(graph: graph)
        // Inline calls bill fewer steps; the shared subworkflow keeps large jobs within 128 KB.
        var program = WorkflowsProgramFile(graph: graph, options: options, jobcVersion: context.jobcVersion, lanes: lanes, form: .inline)
        var text = program.render()
        if text.utf8.count > WorkflowsProgramFile.maximumSourceBytes {
            program = WorkflowsProgramFile(graph: graph, options: options, jobcVersion: context.jobcVersion, lanes: lanes, form: .shared)
            text = program.render()
        }
        var artifacts = [Artifact(relativePath: graph.job.id + ".workflows.yaml", contents: text)]
        if case .cron(let cron) = graph.job.schedule {
            let file = CloudSchedulerFile(graph: graph, cron: cron, options: options, jobcVersion: context.jobcVersion)
            artifacts.append(Artifact(relativePath: graph.job.id + ".scheduler.tf.json", contents: file.render()))
        }
        return EmitterOutput(artifacts: artifacts, diagnostics: [])
    }
}
