/// What each `COMPOSER_STEP` of AEF's Composer engine becomes in a jobc job.
///
/// AEF's Composer DAG generator (`workflows-generator/ComposerDagGenerator.py` and its
/// `composer-templates/`) expands each executor into Airflow operators that read the step's
/// parameters from `gs://<jobs bucket>/<COMPOSER_STEP>/<JOB_NAME>.json`. AEF ships the same work as
/// executor Cloud Functions of the same name, which read the same job file and which its Cloud
/// Workflows form calls (FUNCTION_ID_NAME = FUNCTION_STATUS_NAME = that name, async). So a mapped
/// step runs `AEFExecutorFunction` against that function, polling as the Composer sensor did.
public enum AEFComposerSteps {
    public struct Mapping: Sendable {
        /// The function polled for the job's status (AEF's executors answer both calls).
        public var statusFunction: String
        /// The Composer template's poll interval.
        public var waitTimeSeconds: Int
        /// The Composer template's sensor timeout; nil when it waits until the job ends.
        public var asyncTimeoutMinutes: Int?
    }

    static let mappings: [String: Mapping] = [
        // DataprocCreateBatchOperator, then DataprocBatchSensor(poke_interval=400, timeout=3600).
        "dataproc-serverless-job-executor": Mapping(statusFunction: "dataproc-serverless-job-executor", waitTimeSeconds: 400, asyncTimeoutMinutes: 60),
        // DataflowStartFlexTemplateOperator, which waits for the job (its poll_sleep defaults to 10 s).
        "dataflow-flextemplate-job-executor": Mapping(statusFunction: "dataflow-flextemplate-job-executor", waitTimeSeconds: 10, asyncTimeoutMinutes: nil),
        // Dataform compilation + workflow invocation, then DataformWorkflowInvocationStateSensor (poke_interval 60 s by default).
        "dataform-tag-executor": Mapping(statusFunction: "dataform-tag-executor", waitTimeSeconds: 60, asyncTimeoutMinutes: nil),
        // AEF's first Composer template (async_call_dataform.py): a Dataform run of the tag JOB_NAME, then
        // DataformWorkflowInvocationStateSensor; its Cloud Workflows definitions call this function for the same steps.
        "orch-framework-simple-dataform-query-executor": Mapping(
            statusFunction: "orch-framework-simple-dataform-query-executor", waitTimeSeconds: 60, asyncTimeoutMinutes: nil),
    ]

    /// The COMPOSER_STEP values with a mapping, sorted.
    public static var known: [String] { mappings.keys.sorted() }

    public static func mapping(for composerStep: String) -> Mapping? { mappings[composerStep] }
}
