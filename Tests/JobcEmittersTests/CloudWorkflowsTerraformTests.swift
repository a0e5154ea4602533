import Foundation
import JobcCore
@testable import JobcEmitters
import XCTest

/// The Terraform files of the cloud-workflows target: the workflow resource beside its program, the
/// scheduler that refers to it, the labels made of the tags. Terraform here has no network, so the
/// Google provider cannot be installed: the files are checked for their structure, loaded by
/// Terraform (`terraform providers` reads a configuration without its providers), and their strings
/// evaluated by Terraform in a stand-in configuration without resources.
final class CloudWorkflowsTerraformTests: XCTestCase {
    private static func graph(id: String = "nightly", description: String? = nil, schedule: String? = "@daily", tags: [String] = []) throws -> JobGraph {
        var sources = JobSources(file: "jobs/\(id).yaml")
        sources.tags = SourceLocation(file: sources.file, line: 4, column: 5)
        return JobGraph(
            job: JobMetadata(
                id: id, description: description, schedule: try schedule.map { .cron(try CronExpression.parse($0).get()) } ?? .manual,
                startDate: nil, catchup: false, tags: tags, sourcePath: "jobs/\(id).yaml", sources: sources),
            tasks: [], edges: [])
    }

    private static func emit(_ graph: JobGraph, options: [String] = []) throws -> EmitterOutput {
        let values = try TargetOptionValues.parse(options, for: CloudWorkflowsEmitter())
        return CloudWorkflowsEmitter().emit(graph, context: EmitContext(jobcVersion: "0.0.0", options: values))
    }

    private static func resource(_ artifact: Artifact, _ type: String, _ name: String) throws -> [String: Any] {
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(artifact.contents.utf8)) as? [String: Any])
        let resources = try XCTUnwrap(document["resource"] as? [String: Any])
        XCTAssertEqual(Array(resources.keys), [type])
        let byName = try XCTUnwrap(resources[type] as? [String: Any])
        XCTAssertEqual(Array(byName.keys), [name])
        return try XCTUnwrap(byName[name] as? [String: Any])
    }

    func testEveryJobGetsItsWorkflowResourceReadingTheProgramBesideIt() throws {
        let output = try Self.emit(try Self.graph(description: "Nightly ${load}", tags: ["sales", "etl"]),
                                   options: ["project=acme-data", "region=europe-west1", "workflow_service_account=wf@acme-data.iam.gserviceaccount.com",
                                             "log_level=LOG_ALL_CALLS"])
        XCTAssertEqual(output.artifacts.map(\.relativePath), ["nightly.workflows.yaml", "nightly.workflow.tf.json", "nightly.scheduler.tf.json"])
        XCTAssertEqual(output.diagnostics, [])
        let workflow = try Self.resource(output.artifacts[1], "google_workflows_workflow", "nightly")
        XCTAssertEqual(workflow as NSDictionary, [
            "name": "nightly", "project": "acme-data", "region": "europe-west1", "description": "Nightly $${load}",
            "service_account": "wf@acme-data.iam.gserviceaccount.com", "call_log_level": "LOG_ALL_CALLS",
            "labels": ["sales": "", "etl": "", "jobc-job": "nightly"],
            "source_contents": #"${file("${path.module}/nightly.workflows.yaml")}"#,
        ] as NSDictionary)
        XCTAssertTrue(output.artifacts[1].contents.contains("`terraform init` and `terraform apply` in this folder"))

        // Defaults; no description, no scheduler for a manual job.
        let manual = try Self.emit(try Self.graph(id: "by_hand", schedule: nil))
        XCTAssertEqual(manual.artifacts.map(\.relativePath), ["by_hand.workflows.yaml", "by_hand.workflow.tf.json"])
        let defaults = try Self.resource(manual.artifacts[1], "google_workflows_workflow", "by_hand")
        XCTAssertNil(defaults["description"])
        XCTAssertEqual(defaults["service_account"] as? String, "jobc-workflow@my-project.iam.gserviceaccount.com")
        XCTAssertEqual(defaults["call_log_level"] as? String, "LOG_ERRORS_ONLY")
        XCTAssertEqual(defaults["labels"] as? [String: String], ["jobc-job": "by_hand"])
    }

    /// The URI is built from the workflow resource's id: Terraform creates the workflow first, and
    /// project, region and name cannot disagree.
    func testTheSchedulerStartsTheWorkflowResourceOfItsFolder() throws {
        let output = try Self.emit(try Self.graph())
        let scheduler = try Self.resource(output.artifacts[2], "google_cloud_scheduler_job", "nightly")
        let target = try XCTUnwrap(scheduler["http_target"] as? [String: Any])
        XCTAssertEqual(target["uri"] as? String, "https://workflowexecutions.googleapis.com/v1/${google_workflows_workflow.nightly.id}/executions")
    }

    func testWorkflowOptionsAreChecked() {
        XCTAssertThrowsError(try TargetOptionValues.parse(["workflow_service_account=wf", "log_level=LOG_SOME"], for: CloudWorkflowsEmitter())) { error in
            let lines = String(describing: error).split(separator: "\n")
            XCTAssertEqual(lines.count, 2, "\(error)")
            XCTAssertTrue(lines[0].contains("--option workflow_service_account=\"wf\" is invalid: a service account email"), "\(lines[0])")
            XCTAssertTrue(lines[1].contains("--option log_level=\"LOG_SOME\" is invalid: one of LOG_ALL_CALLS, LOG_ERRORS_ONLY, LOG_NONE"), "\(lines[1])")
        }
    }

    // MARK: Labels

    func testTagsBecomeLabelKeysByGooglesRulesWithOneWarningPerTagThatChanges() throws {
        let long = String(repeating: "x", count: 70)
        let tags = ["sales", "Data Team", "data.team", "9lives", "", "jobc-job", "ünïcødé", "Ünï", "日本語", "sales", "_x", long, "dé\u{301}"]
        let labels = WorkflowLabels(graph: try Self.graph(tags: tags))
        XCTAssertEqual(labels.labels.map(\.key), [
            "sales", "data_team", "tag_9lives", "tag_", "ünïcødé", "ünï", "日本語", "tag__x", String(repeating: "x", count: 63), "dé_", "jobc-job",
        ])
        XCTAssertEqual(labels.labels.map(\.value), Array(repeating: "", count: 10) + ["nightly"])
        XCTAssertEqual(labels.diagnostics.map(\.message), [
            #"tag "Data Team" is not a valid Cloud Workflows label key: the workflow gets label "data_team""#,
            #"tags "Data Team" and "data.team" both become label "data_team": the workflow has it once"#,
            #"tag "9lives" is not a valid Cloud Workflows label key: the workflow gets label "tag_9lives""#,
            #"tag "" is not a valid Cloud Workflows label key: the workflow gets label "tag_""#,
            #"tag "jobc-job" is left out of the workflow's labels: jobc sets label "jobc-job" to the job id"#,
            #"tag "Ünï" is not a valid Cloud Workflows label key: the workflow gets label "ünï""#,
            #"tag "_x" is not a valid Cloud Workflows label key: the workflow gets label "tag__x""#,
            "tag \"\(long)\" is not a valid Cloud Workflows label key: the workflow gets label \"\(String(repeating: "x", count: 63))\"",
            "tag \"dé\u{301}\" is not a valid Cloud Workflows label key: the workflow gets label \"dé_\"",
        ])
        XCTAssertTrue(labels.diagnostics.allSatisfy { $0.severity == .warning && $0.rule == .targetUnsupported })
        XCTAssertEqual(Set(labels.diagnostics.map { $0.location?.line }), [4])
        for key in labels.labels.map(\.key) { XCTAssertTrue(WorkflowLabels.isKey(key), key) }
    }

    func testAWorkflowHasAtMost64Labels() throws {
        let labels = WorkflowLabels(graph: try Self.graph(tags: (1...70).map { "t\($0)" }))
        XCTAssertEqual(labels.labels.count, 64)
        XCTAssertEqual(labels.labels.last?.key, "jobc-job")
        XCTAssertEqual(labels.labels[62].key, "t63")
        XCTAssertEqual(labels.diagnostics.count, 7)
        XCTAssertEqual(labels.diagnostics.first?.message,
                       #"tag "t64" is left out of the workflow's labels: a workflow has at most 64 labels, one of them "jobc-job""#)
    }

    func testTagsAreSupportedOnCloudWorkflows() throws {
        XCTAssertEqual(PortabilityCheck.check(try Self.graph(tags: ["sales"]), target: CloudWorkflowsEmitter()), [])
    }

    // MARK: Expressions

    func testExpressionsAreMadeOfJobcNamesOnly() {
        typealias Template = TerraformJSON.Template
        XCTAssertEqual((Template.text("a$") + .text("{b} %") + .text("{c}")).rendered, "a$${b} %%{c}")
        XCTAssertEqual((Template.text("${x}/") + .reference("google_workflows_workflow", "job_1", "id") + .text("/${y}")).rendered,
                       "$${x}/${google_workflows_workflow.job_1.id}/$${y}")
        XCTAssertEqual(Template.fileContents("job_1.workflows.yaml").rendered, #"${file("${path.module}/job_1.workflows.yaml")}"#)
        XCTAssertTrue(Template.isIdentifier("a_b-1"))
        for name in ["", "1a", "a.b", "a}", "a\"", "é"] { XCTAssertFalse(Template.isIdentifier(name), name) }
        XCTAssertTrue(Template.isFileName("job_1.workflows.yaml"))
        for name in ["", ".hidden", "a/b", "a\"b", "a${b}", "a\\b", "a b"] { XCTAssertFalse(Template.isFileName(name), name) }
        // Every job id is both: the names jobc builds expressions from.
        for id in ["a", "job_1", String(repeating: "z", count: Identifier.maxLength)] {
            XCTAssertNil(Identifier.problem(with: id))
            XCTAssertTrue(Template.isIdentifier(id) && Template.isFileName(id + ".workflows.yaml"), id)
        }
        XCTAssertEqual(TerraformJSON.document(.object([("a", .template(.text("${"))), ("b", .string("${"))])), "{\n  \"a\": \"$${\",\n  \"b\": \"$${\"\n}\n")
    }

    /// `terraform providers` loads the generated folder as one configuration (JSON syntax, blocks,
    /// one resource per name): no provider needed. Then the resources' bodies, as written, become
    /// locals of a configuration with no provider — the one reference swapped for a local of the
    /// same value — and Terraform evaluates every string: the program file is read whole, the URI
    /// is the workflow's executions, and user text stays literal.
    func testTerraformLoadsTheFolderAndEvaluatesItsStringsAsMeant() throws {
        let description = "Nightly ${var.x} %{ if true }y%{ endif } $${z} ünï 🚀"
        let output = try Self.emit(try Self.graph(id: "nightly_load", description: description, tags: ["Sales ${x}", "etl"]),
                                   options: ["project=acme-data", "region=europe-west1"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jobc-terraform-\(UUID().uuidString)")
        let standIn = folder.appendingPathComponent("stand-in")
        try FileManager.default.createDirectory(at: standIn, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for artifact in output.artifacts {
            try artifact.contents.write(to: folder.appendingPathComponent(artifact.relativePath), atomically: true, encoding: .utf8)
        }
        let providers = String(decoding: try ExternalDecoder.run("terraform", ["providers", "-no-color"], in: folder), as: UTF8.self)
        XCTAssertTrue(providers.contains("provider[registry.terraform.io/hashicorp/google]"), providers)

        let program = output.artifacts[0]
        try program.contents.write(to: standIn.appendingPathComponent(program.relativePath), atomically: true, encoding: .utf8)
        let workflowBody = try Self.resource(output.artifacts[1], "google_workflows_workflow", "nightly_load")
        var schedulerBody = try Self.resource(output.artifacts[2], "google_cloud_scheduler_job", "nightly_load")
        var target = try XCTUnwrap(schedulerBody["http_target"] as? [String: Any])
        let uri = try XCTUnwrap(target["uri"] as? String)
        target["uri"] = uri.replacingOccurrences(of: "google_workflows_workflow.nightly_load.id", with: "local.workflow_id")
        schedulerBody["http_target"] = target
        let configuration: [String: Any] = [
            "locals": ["workflow": workflowBody, "scheduler": schedulerBody, "workflow_id": "projects/acme-data/locations/europe-west1/workflows/nightly_load"],
            "output": ["workflow": ["value": "${local.workflow}"], "scheduler": ["value": "${local.scheduler}"]],
        ]
        try JSONSerialization.data(withJSONObject: configuration).write(to: standIn.appendingPathComponent("stand_in.tf.json"))
        _ = try ExternalDecoder.run("terraform", ["init", "-input=false", "-no-color"], in: standIn)
        _ = try ExternalDecoder.run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], in: standIn)
        let workflow = try XCTUnwrap(JSONSerialization.jsonObject(with: try ExternalDecoder.run("terraform", ["output", "-json", "workflow"], in: standIn)) as? [String: Any])
        XCTAssertSameScalars(workflow["source_contents"] as? String, program.contents)
        XCTAssertSameScalars(workflow["description"] as? String, description)
        XCTAssertEqual(workflow["labels"] as? [String: String], ["sales___x_": "", "etl": "", "jobc-job": "nightly_load"])
        let scheduler = try XCTUnwrap(JSONSerialization.jsonObject(with: try ExternalDecoder.run("terraform", ["output", "-json", "scheduler"], in: standIn)) as? [String: Any])
        XCTAssertEqual((scheduler["http_target"] as? [String: Any])?["uri"] as? String,
                       "https://workflowexecutions.googleapis.com/v1/projects/acme-data/locations/europe-west1/workflows/nightly_load/executions")
    }
}
