import Foundation
import XCTest

/// `jobc import aef` on every form of AEF definition its history holds (`Fixtures/aef/corpus/`,
/// sources in its SOURCES.md): each imports, lints and compiles; the forms jobc cannot run as AEF
/// did are one located error with a hint; a folder imports in one call.
final class ImportAEFCorpusTests: JobcCLITestCase {
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures/aef")
    static let corpus = fixtures.appendingPathComponent("corpus")

    /// A project holding the repository's functions, a mock aef_executors secret and a copy of the corpus in `aef/`.
    private func project() throws -> URL {
        let project = scratch.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project.appendingPathComponent("orchestration"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.repositoryRoot.appendingPathComponent("orchestration/function"), to: project.appendingPathComponent("orchestration/function"))
        try write(#"{"base_url": "http://127.0.0.1:8080"}"#, to: project.appendingPathComponent("secret/aef_executors.json"))
        try FileManager.default.copyItem(at: Self.corpus, to: project.appendingPathComponent("aef"))
        return project
    }

    private func definitions() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix("platform-parameters") }.sorted()
    }

    func testEveryCorpusDefinitionImportsLintsAndCompiles() throws {
        let project = try project()
        let names = try definitions()
        XCTAssertEqual(names.count, 7, "one definition per form")
        for name in names {
            let single = try jobc(["import", "aef", "aef/\(name)", "--no-color"], in: project)
            XCTAssertEqual(single.status, 0, single.summary)
            XCTAssertEqual(single.errors, [], single.summary)
        }
        let imported = try jobc(["import", "aef", "aef", "--output", "orchestration/job", "--parameters", "aef/platform-parameters-dev.json"], in: project)
        XCTAssertEqual(imported.status, 0, imported.summary)
        let jobs = try FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("orchestration/job").path).sorted()
        XCTAssertEqual(jobs, [
            "bare_array_threaded.yaml", "composer_steps.yaml", "job_1_workflow_single_thread_1_level.yaml", "last_step.yaml",
            "next_step.yaml", "repeated_job_id.yaml", "wrapped_cloud_workflows.yaml",
        ])
        let paths = jobs.map { "orchestration/job/\($0)" }
        let lint = try jobc(["lint"] + paths, in: project)
        XCTAssertEqual(lint.status, 0, lint.summary)
        XCTAssertEqual(lint.diagnostics, [], lint.summary)
        for target in ["cloud-workflows", "airflow"] {
            let compiled = try jobc(["compile"] + paths + ["--target", target, "--out", "build/\(target)"], in: project)
            XCTAssertEqual(compiled.status, 0, "\(target): \(compiled.summary)")
        }
    }

    /// AEF's first generator read the bare array as the levels and generated Cloud Workflows.
    func testBareArrayMeansTheWrappedCloudWorkflowsForm() throws {
        let bare = try String(contentsOf: Self.corpus.appendingPathComponent("bare_array_threaded.json"), encoding: .utf8)
        try write(bare, to: scratch.appendingPathComponent("bare/pipeline.json"))
        try write(#"{"engine": "cloud_workflows", "definition": "# + bare + "}", to: scratch.appendingPathComponent("wrapped/pipeline.json"))
        let fromBare = try jobc(["import", "aef", "bare/pipeline.json"])
        let fromWrapped = try jobc(["import", "aef", "wrapped/pipeline.json"])
        XCTAssertEqual(fromBare.status, 0, fromBare.summary)
        XCTAssertEqual(fromBare.diagnostics, [], "nothing to say about the original form: \(fromBare.summary)")
        XCTAssertEqual(fromBare.stdout, fromWrapped.stdout)
    }

    func testComposerStepsRunAEFsExecutorFunctionsAsTheComposerDAGPolled() throws {
        let run = try jobc(["import", "aef", Self.corpus.appendingPathComponent("composer_steps.json").path])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.diagnostics.map(\.rule), ["import-not-carried-over"], "only the engine: \(run.summary)")
        for expected in [
            #"executor_function: "dataproc-serverless-job-executor"\#n      status_function: "dataproc-serverless-job-executor"\#n      wait_time_seconds: 400\#n      async_timeout_minutes: 60\#n"#,
            #"executor_function: "dataflow-flextemplate-job-executor"\#n      status_function: "dataflow-flextemplate-job-executor"\#n      wait_time_seconds: 10\#n"#,
            #"step_type: "async"\#n      executor_function: "dataform-tag-executor"\#n      status_function: "dataform-tag-executor"\#n      wait_time_seconds: 60\#n"#,
        ] {
            XCTAssertTrue(run.stdout.contains(expected), "\(expected)\n\(run.stdout)")
        }
    }

    /// AEF's generator named steps by JOB_NAME (at first JOB_ID_JOB_NAME): both steps ran.
    func testRepeatedJobIDKeepsBothStepsWithAWarning() throws {
        let run = try jobc(["import", "aef", "--no-color", try copy("corpus/repeated_job_id.json")])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.diagnostics.map { "\($0.line):\($0.column) \($0.severity) \($0.rule)" },
                       ["2:3 warning import-not-carried-over", "21:25 warning import-duplicate-id"], run.summary)
        XCTAssertTrue(run.stderr.contains("note: repeated_job_id.json:11:25: first used here"), run.summary)
        XCTAssertTrue(run.stdout.contains("  sample_jdbc_dataflow_ingestion:\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("  run_dataform_tag:\n"), run.stdout)
        XCTAssertEqual(run.stdout.components(separatedBy: #"aef_job_id: "J01""#).count - 1, 2, run.stdout)
        XCTAssertTrue(run.stdout.contains("depends_on: [sample_jdbc_dataflow_ingestion]"), "still in sequence\n\(run.stdout)")
    }

    func testAFileNameThatIsNoJobIDIsRenamedWithALocatedWarning() throws {
        let run = try jobc(["import", "aef", try copy("corpus/1_workflow_single_thread_1_level.json")])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.diagnostics.map(\.description), [
            #"1_workflow_single_thread_1_level.json:1:1: warning: the file name "1_workflow_single_thread_1_level" cannot be the job id as it is: "#
                + "the job is 'job_1_workflow_single_thread_1_level' [import-renamed]",
        ])
        XCTAssertTrue(run.stdout.contains("\njob_id: job_1_workflow_single_thread_1_level\n"), run.stdout)
    }

    func testNextAndLastStepAreAcceptedAsTheGeneratorsReadThem() throws {
        let run = try jobc(["import", "aef", Self.corpus.appendingPathComponent("next_step.json").path])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.diagnostics.map(\.rule), ["import-not-carried-over"], "only the engine: \(run.summary)")
        XCTAssertTrue(run.stdout.contains("depends_on: [load_orders]"), run.stdout)
        let lastStep = try jobc(["import", "aef", Self.corpus.appendingPathComponent("last_step.json").path])
        XCTAssertEqual(lastStep.status, 0, lastStep.summary)
        XCTAssertEqual(lastStep.diagnostics, [], lastStep.summary)
    }

    func testFormsJobcCannotRunAsAEFDidAreOneLocatedErrorWithAHint() throws {
        let composer = try jobc(["import", "aef", "--no-color", try copy("composer_unmapped.json")])
        XCTAssertEqual(composer.status, 1, composer.summary)
        XCTAssertEqual(composer.stdout, "")
        XCTAssertEqual(composer.errors.map { "\($0.line):\($0.column) \($0.rule)" }, ["20:32 import-unsupported"], composer.summary)
        XCTAssertTrue(composer.errors.first?.message.hasPrefix(#"COMPOSER_STEP "orch-framework-dataflow-jdbc-to-bq-executor" has no jobc equivalent"#) ?? false,
                      composer.summary)
        XCTAssertTrue(composer.stderr.contains("help: deploy an AEF executor Cloud Function for it"), composer.summary)

        let jump = try jobc(["import", "aef", "--no-color", try copy("next_jump.json")])
        XCTAssertEqual(jump.status, 1, jump.summary)
        XCTAssertEqual(jump.errors.map { "\($0.line):\($0.column) \($0.rule)" }, ["18:23 import-unsupported"], jump.summary)
        XCTAssertTrue(jump.stderr.contains("help: reorder the steps"), jump.summary)
    }

    func testAFolderImportsEveryFileAndWritesNothingForAFailingOne() throws {
        let folder = scratch.appendingPathComponent("defs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["corpus/wrapped_cloud_workflows.json", "composer_unmapped.json", "corpus/platform-parameters-dev.json"] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(name),
                                             to: folder.appendingPathComponent((name as NSString).lastPathComponent))
        }
        let run = try jobc(["import", "aef", "defs", "--out", "jobs", "--no-color"])
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(Set(run.diagnostics.map(\.file)), ["defs/composer_unmapped.json", "defs/wrapped_cloud_workflows.json"], run.summary)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent("jobs").path), ["wrapped_cloud_workflows.yaml"])
        XCTAssertTrue(run.stderr.hasSuffix("1 error, 2 warnings in 2 files\n"), run.summary)

        let again = try jobc(["import", "aef", "defs", "--out", "jobs"])
        XCTAssertTrue(again.errors.contains { $0.message == "jobs/wrapped_cloud_workflows.yaml exists; pass --force to replace it" }, again.summary)
        let noOut = try jobc(["import", "aef", "defs"])
        XCTAssertEqual(noOut.status, 2, noOut.summary)
    }

    /// AEF sent `{"jobs_definitions_bucket": …}` as the step properties of a step without its own.
    func testPlatformParametersFillWhatAEFsGeneratorTookFromThem() throws {
        let run = try jobc(["import", "aef", Self.corpus.appendingPathComponent("repeated_job_id.json").path, "--no-color",
                            "--parameters", Self.corpus.appendingPathComponent("platform-parameters-dev.json").path])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.stdout.contains(#"step_properties: "{\"repository_name\":\"sample-repo-1\""#), "a step's own properties stay\n\(run.stdout)")
        let bare = try jobc(["import", "aef", Self.corpus.appendingPathComponent("bare_array_threaded.json").path, "--no-color",
                             "--parameters", Self.corpus.appendingPathComponent("platform-parameters-dev.json").path])
        XCTAssertEqual(bare.status, 0, bare.summary)
        XCTAssertTrue(bare.stdout.contains(#"step_properties: "{\"jobs_definitions_bucket\":\"example-orchestration_aef_jobs_bucket\"}""#), bare.stdout)
        XCTAssertTrue(bare.stderr.contains(#"help: secret 'aef_executors': {"base_url": "https://us-central1-example-orchestration.cloudfunctions.net""#), bare.summary)
        XCTAssertTrue(bare.diagnostics.contains { $0.message.hasPrefix("platform parameter pFunctionIntermediateName is not carried over") }, bare.summary)

        try write(#"{"pRegion": "us-central1"}"#, to: scratch.appendingPathComponent("params.json"))
        let wrong = try jobc(["import", "aef", Self.corpus.appendingPathComponent("bare_array_threaded.json").path, "--parameters", "params.json"])
        XCTAssertEqual(wrong.status, 1, wrong.summary)
        XCTAssertEqual(wrong.errors.map { "\($0.file):\($0.line):\($0.column)" }, ["params.json:1:1"], wrong.summary)
    }

    /// The fixture copied into the scratch folder, so diagnostics name it by its bare file name.
    private func copy(_ fixture: String) throws -> String {
        let name = (fixture as NSString).lastPathComponent
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(fixture), to: scratch.appendingPathComponent(name))
        return name
    }
}
