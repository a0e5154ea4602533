import Foundation
import JobcCore

/// A throwaway project folder with one function contract, a SQL file and a secret, for tests that
/// need real files on disk.
struct TestProject {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "jobc-core-test-" + UUID().uuidString
        try write("orchestration/function/echo_function.py", "class EchoFunction: pass\n")
        try write("orchestration/function/echo_function.contract.yaml", """
            name: EchoFunction
            module: echo_function
            class: EchoFunction
            secret: optional
            extra_parameters: none
            parameters:
              message: {type: string, required: true}
              times: {type: integer, default: 1}
              script: {type: path}
            """)
        try write("orchestration/sql/ok.sql", "select 1;\n")
        try write("secret/db.json", "{\"password\": \"hunter2\"}\n")
    }

    func write(_ relative: String, _ text: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs the front end over `yaml` as the job file `jobs/job.yaml`, for `targets`.
    func compile(_ yaml: String, targets: [any Emitter] = [NamingTarget()]) throws -> Pipeline.FrontEndResult {
        try write("jobs/job.yaml", yaml)
        let (project, contractDiagnostics) = Project.open(root: root)
        precondition(contractDiagnostics.isEmpty, "fixture contracts are valid: \(contractDiagnostics)")
        return Pipeline(targets: targets).frontEnd(SourceFile(displayPath: "job.yaml", text: yaml), project: project, sourcePath: "jobs/job.yaml")
    }
}

extension Pipeline.FrontEndResult {
    /// "line:column rule" of each diagnostic, in reading order: compact to assert on.
    var summary: [String] {
        diagnostics.sortedByLocation().map { d in
            "\(d.location.map { "\($0.line):\($0.column)" } ?? "-") \(d.severity == .error ? "" : "warning ")\(d.rule)"
        }
    }
}

/// A target that declares names of its own, as a built-in target does: the core must apply them.
struct NamingTarget: Emitter {
    let name = "naming"
    let summary = "reserves names"
    let capabilities = TargetCapabilities(supported: [:])
    let reservedIdentifiers: [ReservedIdentifier] = [
        ReservedIdentifier("jobc_run_outcome", scopes: [.task, .group], reason: "for the run-outcome task"),
        ReservedIdentifier("config", reason: "by the engine"),
    ]
    let jobModule: JobModuleNaming? = JobModuleNaming(
        language: "Python", fileExtension: ".py", importedModules: ["airflow", "jobc_dagster"], standardLibrary: ["datetime", "json"])

    func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput { EmitterOutput(artifacts: []) }
}
