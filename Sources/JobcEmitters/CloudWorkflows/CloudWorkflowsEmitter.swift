import JobcCore

/// Google Cloud Workflows: one program per job, `<job_id>.workflows.yaml`, whose tasks are calls to
/// one generic executor (targets/cloud_workflows/), in at most ten parallel lanes;
/// the workflow resource that deploys it, `<job_id>.workflow.tf.json`, and, for a scheduled job, its
/// Cloud Scheduler job, `<job_id>.scheduler.tf.json` (Terraform JSON: `terraform apply` in the output
/// folder deploys them in order).
public struct CloudWorkflowsEmitter: Emitter {
    public let name = "cloud-workflows"
    public let summary = "Google Cloud Workflows programs calling a generic executor, with their workflow and Cloud Scheduler resources (Terraform JSON)"
    public let capabilities = TargetCapabilities(supported: [
        .cronSchedule: "Cloud Scheduler job in UTC (Terraform JSON, applied with the workflow); no start date",
        .tags: "workflow labels (Terraform JSON): each tag a key with an empty value, mapped to Google's label rules with a warning when it must change",
        .retries: "attempts run by the executor (targets/cloud_workflows/)",
        .retryDelay: "slept by the executor between attempts",
        .taskTimeout: "enforced by the executor, any length: the program long-polls, no call outlives 1800 s",
        .secrets: "resolved by name at run time by the executor",
        .runParams: "execution argument {\"params\": {...}}, resolved by the executor before any task runs",
        .failureAlerts: "sent by the executor (jobc_runtime) at a task's last attempt",
        .triggerRules: "decided by the executor from the upstream tasks' recorded states",
        .taskGroups: "group dependencies as task dependencies; the lanes follow dependencies, not groups",
        .fanOut: "parallel for loop over the items, each item's attempts run by the executor",
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
        let lanes = WorkflowsLanes(graph: graph)
        // Inline calls bill fewer steps; the shared subworkflow keeps large jobs within 128 KB.
        var program = WorkflowsProgramFile(graph: graph, options: options, jobcVersion: context.jobcVersion, lanes: lanes, form: .inline)
        var text = program.render()
        if text.utf8.count > WorkflowsLimits.maximumSourceBytes {
            program = WorkflowsProgramFile(graph: graph, options: options, jobcVersion: context.jobcVersion, lanes: lanes, form: .shared)
            text = program.render()
        }
        // Every program is checked against Google's documented limits before it is written: one
        // that would be refused at deploy time is an error, never a file.
        let report = WorkflowsLimits.measure(program: text)
        let violations = report.violations + Self.sizeAfterFigures(text, report.figures)
        if !violations.isEmpty {
            return EmitterOutput(artifacts: [], diagnostics: labels.diagnostics + violations.map { violation in
                .error(.targetLimit, "job '\(graph.job.id)' does not fit in one Cloud Workflows program: " + violation.message,
                       at: graph.job.sources.jobID ?? graph.job.sources.fileStart,
                       suggestion: "split the job into smaller jobs (a program holds about 300 tasks), or fewer fan-out items per task")
            })
        }
        text = program.insertingFigures(report.figures, into: text)
        let workflow = WorkflowResourceFile(graph: graph, options: options, labels: labels, jobcVersion: context.jobcVersion)
        var artifacts = [
            Artifact(relativePath: WorkflowResourceFile.programFileName(graph), contents: text),
            Artifact(relativePath: WorkflowResourceFile.fileName(graph), contents: workflow.render()),
        ]
        if case .cron(let cron) = graph.job.schedule {
            let file = CloudSchedulerFile(graph: graph, cron: cron, options: options, jobcVersion: context.jobcVersion)
            artifacts.append(Artifact(relativePath: graph.job.id + ".scheduler.tf.json", contents: file.render()))
        }
        return EmitterOutput(artifacts: artifacts, diagnostics: labels.diagnostics)
    }

    /// The figures line makes the file a little longer than what was measured.
    private static func sizeAfterFigures(_ text: String, _ figures: WorkflowsProgramFigures) -> [WorkflowsLimitViolation] {
        let bytes = text.utf8.count + WorkflowsProgramFile.figuresLine(figures).utf8.count + 1
        guard bytes > WorkflowsLimits.maximumSourceBytes, text.utf8.count <= WorkflowsLimits.maximumSourceBytes else { return [] }
        return [WorkflowsLimitViolation(limit: .sourceSize, actual: bytes, path: "")]
    }
}
