import Foundation
import JobcCore
@testable import JobcEmitters
import XCTest

/// Terraform reads every JSON string value as a template; `TerraformJSON` must leave it meaning
/// exactly its text. Checked with Terraform itself when it is installed (`terraform init` and
/// `apply` of a configuration with no providers and no resources: nothing is downloaded or created).
final class TerraformJSONTests: XCTestCase {
    /// Found by the emitter property test (Tests/integration/test_emitter_properties.py): Swift's
    /// `replacingOccurrences` compares grapheme clusters, and `{` followed by an emoji modifier or a
    /// combining mark is one cluster, so `${` went through unescaped; Terraform reads code points.
    func testTemplateSignsAreDoubledScalarByScalar() {
        XCTAssertEqual(TerraformJSON.template("${\u{1F3FB}} %{\u{301} $${x} %x {y} $ %"), "$${\u{1F3FB}} %%{\u{301} $$${x} %x {y} $ %")
        XCTAssertEqual(TerraformJSON.document(.object([("${key}", .array([.string("${x}"), .integer(1)]))])),
                       "{\n  \"${key}\": [\n    \"$${x}\",\n    1\n  ]\n}\n")
    }

    /// The scheduler file of a job whose description holds Terraform syntax keeps it literal.
    func testSchedulerDescriptionStaysLiteral() throws {
        let cron = try CronExpression.parse("@daily").get()
        let graph = JobGraph(
            job: JobMetadata(id: "nightly", description: "runs ${var.secret} and %{ if true }x%{ endif }, then $${ok}",
                             schedule: .cron(cron), startDate: nil, catchup: false, tags: [], sourcePath: "${path}.yaml"),
            tasks: [], edges: [])
        let text = CloudSchedulerFile(graph: graph, cron: cron, options: CloudWorkflowsOptions(), jobcVersion: "0.0.0").render()
        XCTAssertTrue(text.contains(#""description": "runs $${var.secret} and %%{ if true }x%%{ endif }, then $$${ok}","#), text)
        XCTAssertTrue(text.contains(#"from $${path}.yaml."#), text)
    }

    func testHostileStringsDecodeToThemselvesInTerraform() throws {
        let strings = HostileStrings.all()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobc-terraform-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The values under test go through the encoder; the output that reads them back is written by hand.
        try TerraformJSON.document(.object([("locals", .object([("values", .array(strings.map(JSONValue.string)))]))]))
            .write(to: directory.appendingPathComponent("values.tf.json"), atomically: true, encoding: .utf8)
        try #"{"output": {"values": {"value": "${local.values}"}}}"#
            .write(to: directory.appendingPathComponent("output.tf.json"), atomically: true, encoding: .utf8)
        _ = try ExternalDecoder.run("terraform", ["init", "-input=false", "-no-color"], in: directory)
        _ = try ExternalDecoder.run("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], in: directory)
        let output = try ExternalDecoder.run("terraform", ["output", "-json", "values"], in: directory)
        let decoded = try JSONDecoder().decode([String].self, from: output)
        XCTAssertEqual(decoded.count, strings.count)
        for (text, value) in zip(strings, decoded) {
            // Terraform normalizes every string to NFC and drops a leading U+FEFF (no escape keeps
            // one: JSON escapes are decoded before Terraform reads the string); nothing else may change.
            var expected = text.precomposedStringWithCanonicalMapping.unicodeScalars
            if expected.first == "\u{FEFF}" { expected.removeFirst() }
            XCTAssertSameScalars(value, String(expected))
        }
    }
}
