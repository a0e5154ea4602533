import Foundation
import JobcCore

/// The fixed projects fuzz inputs are compiled in: real folders in a temporary directory (the front
/// end reads contracts, SQL files and secrets from disk), written once per process.
struct FuzzProject: Sendable {
    /// Where jobs are compiled: contracts with every parameter type, SQL files (one behind a symlink
    /// that leaves the root) and a secret, so the contract, path and secret rules all run.
    let jobProject: Project
    /// A project whose only contract is the fuzz input itself (see `FuzzHarness.compileContract`).
    let contractRoot: String
    let base: String

    static let contractFile = "orchestration/function/fuzz.contract.yaml"

    init() throws {
        base = NSTemporaryDirectory() + "jobc-fuzz-\(getpid())-\(UUID().uuidString)"
        let jobRoot = base + "/project"
        contractRoot = base + "/contract-project"
        for (path, text) in Self.projectFiles {
            try Self.write(jobRoot + "/" + path, text)
        }
        for (path, text) in Self.projectFiles where path.hasSuffix(".py") || path.hasPrefix("secret/") {
            try Self.write(contractRoot + "/" + path, text)
        }
        try Self.write(base + "/outside.sql", "select 'outside the root';\n")
        try FileManager.default.createSymbolicLink(atPath: jobRoot + "/orchestration/sql/outside.sql", withDestinationPath: base + "/outside.sql")
        let (project, diagnostics) = Project.open(root: jobRoot)
        guard diagnostics.isEmpty else { throw FuzzSetupError(diagnostics: diagnostics) }
        jobProject = project
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: base)
    }

    private static func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    struct FuzzSetupError: Error {
        var diagnostics: [Diagnostic]
    }

    /// The contracts and files the seed jobs (CLI fixtures, sample jobs, conformance scenarios) name.
    static let projectFiles: [(String, String)] = [
        ("orchestration/function/echo_function.py", "class EchoFunction: pass\n"),
        ("orchestration/function/echo_function.contract.yaml", """
            name: EchoFunction
            module: echo_function
            class: EchoFunction
            secret: none
            extra_parameters: none
            parameters:
              message: {type: string, required: true}
              repeat: {type: integer, default: 1}
              loud: {type: boolean, default: false}
              payload: {type: any}
            """),
        ("orchestration/function/postgres_sql_function.py", "class PostgreSQLFunction: pass\n"),
        ("orchestration/function/postgres_sql_function.contract.yaml", """
            name: PostgreSQLFunction
            module: postgres_sql_function
            class: PostgreSQLFunction
            secret: required
            extra_parameters: scalar
            parameters:
              sql_file_path: {type: path, required: true}
              use_dict_cursor: {type: boolean, default: true}
            """),
        ("orchestration/function/everything_function.py", "class EverythingFunction: pass\n"),
        ("orchestration/function/everything_function.contract.yaml", """
            name: EverythingFunction
            module: everything_function
            class: EverythingFunction
            secret: optional
            extra_parameters: any
            parameters:
              text: {type: string}
              count: {type: integer, default: 0}
              ratio: {type: number, default: 0.5}
              items: {type: list, default: []}
              options: {type: mapping, default: {}}
              script: {type: path}
            """),
        ("orchestration/sql/ok.sql", "select 1;\n"),
        ("orchestration/sql/transform_source_to_sink.sql", "select 1;\n"),
        ("orchestration/sql/sales/extract_orders.sql", "select 1;\n"),
        ("orchestration/sql/sales/totals_by_region.sql", "select 1;\n"),
        ("orchestration/sql/sales/totals_by_product.sql", "select 1;\n"),
        ("orchestration/sql/sales/publish_report.sql", "select 1;\n"),
        ("Tests/conformance/scenarios/failing_retry/load_ok.sql", "select 1;\n"),
        ("Tests/conformance/scenarios/failing_retry/break_things.sql", "select 1;\n"),
        ("Tests/conformance/scenarios/hostile_strings/record_strings.sql", "select 1;\n"),
        ("secret/postgres_credentials.json", "{\"password\": \"fuzz-secret-value\"}\n"),
    ]
}
