import Foundation
import XCTest

/// `jobc init` in an empty folder and in a repository with the demo's layout, the `paths:` of
/// jobc.yaml, and the messages that say what to add.
final class InitCommandTests: JobcCLITestCase {
    static let demoLayout = testsDirectory.appendingPathComponent("Fixtures/demo-layout")

    func copyOfDemoLayout() throws -> URL {
        let copy = scratch.appendingPathComponent("demo", isDirectory: true)
        try FileManager.default.copyItem(at: Self.demoLayout, to: copy)
        return copy
    }

    func testInitInAnEmptyFolderWritesAProjectThatLintsAndCompiles() throws {
        let folder = scratch.appendingPathComponent("fresh", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let run = try jobc(["init"], in: folder)
        XCTAssertEqual(run.status, 0, run.summary)
        for path in ["jobc.yaml", "orchestration/job/example_daily_copy.yaml", "orchestration/sql/example_daily_copy.sql",
                     "orchestration/function/function_abstract.py", "orchestration/function/postgres_sql_function.py",
                     "orchestration/function/postgres_sql_function.contract.yaml", "secret/postgres_credentials.json",
                     ".pre-commit-config.yaml", ".github/workflows/jobc.yml"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path), path)
            XCTAssertTrue(run.stdout.contains("wrote \(path)"), "\(path)\n\(run.summary)")
        }
        let secret = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("secret/postgres_credentials.json"))) as? [String: String]
        XCTAssertEqual(Set(secret?.keys ?? [:].keys), ["host", "user", "password", "database"])

        let lint = try jobc(["lint"], in: folder)
        XCTAssertEqual(lint.status, 0, lint.summary)
        let compile = try jobc(["compile", ".", "--target", "airflow", "--out", scratch.appendingPathComponent("out").path], in: folder)
        XCTAssertEqual(compile.status, 0, compile.summary)
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("out/example_daily_copy.py").path), compile.summary)
    }

    func testInitNeverOverwritesAFile() throws {
        let folder = scratch.appendingPathComponent("fresh", isDirectory: true)
        try write("# mine\n", to: folder.appendingPathComponent("jobc.yaml"))
        try write("mine\n", to: folder.appendingPathComponent("orchestration/function/postgres_sql_function.py"))
        let run = try jobc(["init"], in: folder)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("jobc.yaml"), encoding: .utf8), "# mine\n")
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("orchestration/function/postgres_sql_function.py"), encoding: .utf8), "mine\n")
        XCTAssertTrue(run.stdout.contains("left alone jobc.yaml"), run.summary)
        XCTAssertTrue(run.stdout.contains("left alone orchestration/function/postgres_sql_function.py"), run.summary)

        let before = try filesUnder(folder)
        let again = try jobc(["init"], in: folder)
        XCTAssertEqual(again.status, 0, again.summary)
        XCTAssertEqual(try filesUnder(folder), before, "a second init changed files")
        XCTAssertFalse(again.stdout.contains("wrote "), again.summary)
    }

    func testDryRunWritesNothing() throws {
        let demo = try copyOfDemoLayout()
        let before = try filesUnder(demo)
        let run = try jobc(["init", demo.path, "--dry-run"])
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertTrue(run.stdout.contains("would write \(demo.path)/jobc.yaml"), run.summary)
        XCTAssertEqual(try filesUnder(demo), before)
        XCTAssertEqual(try jobc(["init", demo.appendingPathComponent("nowhere").path]).status, 2)
    }

    func testInitInTheDemoLayoutNamesItsFoldersAndAddsTheContracts() throws {
        let demo = try copyOfDemoLayout()
        let unknown = try jobc(["lint", "orchestration/jobs"], in: demo)
        XCTAssertEqual(unknown.status, 1, unknown.summary)
        XCTAssertTrue(unknown.stderr.contains("run 'jobc init' to add orchestration/function/postgres_sql_function.py"), unknown.summary)
        XCTAssertTrue(unknown.stderr.contains("create secret/postgres_credentials.json, a JSON object with the keys 'host', 'user', 'password', 'database' or 'dbname'"), unknown.summary)

        let run = try jobc(["init"], in: demo)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(try String(contentsOf: demo.appendingPathComponent("jobc.yaml"), encoding: .utf8), """
            # jobc's project configuration (README.md: jobc.yaml). Paths are relative to this folder.
            paths:
              jobs: orchestration/jobs
              sql: orchestration/sqls
              functions: orchestration/function
              secrets: airflow_artifacts/secret

            """)
        for path in ["orchestration/function/postgres_sql_function.contract.yaml", "orchestration/function/postgres_sql_function.py",
                     "orchestration/function/function_abstract.py"] {
            XCTAssertTrue(run.stdout.contains("wrote \(path)"), "\(path)\n\(run.summary)")
        }
        XCTAssertFalse(run.stdout.contains("aef_executor_function"), "only the functions the jobs use\n\(run.summary)")
        // The job files are the demo's, unchanged.
        XCTAssertEqual(try filesUnder(demo.appendingPathComponent("orchestration/jobs")), try filesUnder(Self.demoLayout.appendingPathComponent("orchestration/jobs")))

        let lint = try jobc(["lint"], in: demo)
        XCTAssertEqual(lint.status, 0, lint.summary)
        let out = scratch.appendingPathComponent("dags")
        let compile = try jobc(["compile", "--target", "airflow", "--out", out.path], in: demo)
        XCTAssertEqual(compile.status, 0, compile.summary)
        let dag = try String(contentsOf: out.appendingPathComponent("derived_dataset_materialize_sink.py"), encoding: .utf8)
        XCTAssertTrue(dag.contains("secret_folder=\"airflow_artifacts/secret\","), dag)
        XCTAssertFalse(dag.contains("function_folder="), "the standard functions folder is not repeated\n\(dag)")
    }

    func testAJobcYamlOfItsOwnIsKeptAndInitSaysWhatToAdd() throws {
        let demo = try copyOfDemoLayout()
        try write("plugins: {}\n", to: demo.appendingPathComponent("jobc.yaml"))
        let run = try jobc(["init"], in: demo)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(try String(contentsOf: demo.appendingPathComponent("jobc.yaml"), encoding: .utf8), "plugins: {}\n")
        XCTAssertTrue(run.stdout.contains("left alone jobc.yaml"), run.summary)
        XCTAssertTrue(run.stdout.contains("add to jobc.yaml:\npaths:\n  jobs: orchestration/jobs\n  sql: orchestration/sqls\n"), run.summary)
    }

    func testASecretMissingFromTheConfiguredFolderNamesThatFolder() throws {
        let demo = try copyOfDemoLayout()
        XCTAssertEqual(try jobc(["init"], in: demo).status, 0)
        try FileManager.default.removeItem(at: demo.appendingPathComponent("airflow_artifacts/secret/postgres_credentials.json"))
        let lint = try jobc(["lint"], in: demo)
        XCTAssertEqual(lint.status, 1, lint.summary)
        XCTAssertEqual(lint.errors.map(\.rule), ["missing-secret"], lint.summary)
        XCTAssertTrue(lint.stderr.contains("create airflow_artifacts/secret/postgres_credentials.json, a JSON object with the keys 'host', 'user', 'password', 'database' or 'dbname'"), lint.summary)
    }

    func testAnUnknownFunctionNamesTheContractToWrite() throws {
        let demo = try copyOfDemoLayout()
        XCTAssertEqual(try jobc(["init"], in: demo).status, 0)
        let job = demo.appendingPathComponent("orchestration/jobs/derived_dataset_materialize_sink.yaml")
        try write(try String(contentsOf: job, encoding: .utf8).replacingOccurrences(of: "PostgreSQLFunction  #", with: "MyCSVExport  #"), to: job)
        let lint = try jobc(["lint"], in: demo)
        XCTAssertEqual(lint.errors.map(\.rule), ["unknown-function"], lint.summary)
        XCTAssertTrue(lint.stderr.contains("write its contract, orchestration/function/my_csv_export.contract.yaml"), lint.summary)
    }

    func testBadPathsInJobcYamlAreLocated() throws {
        let demo = try copyOfDemoLayout()
        try write("""
            paths:
              job: orchestration/jobs
              sql: /etc
              functions: ../elsewhere
              secrets: airflow_artifacts/secrets

            """, to: demo.appendingPathComponent("jobc.yaml"))
        let lint = try jobc(["lint", "orchestration/jobs"], in: demo)
        XCTAssertEqual(lint.status, 1, lint.summary)
        let config = demo.appendingPathComponent("jobc.yaml").path
        XCTAssertEqual(lint.errors.map { "\($0.line):\($0.column) \($0.rule)" }, ["2:3 unknown-key", "3:8 invalid-config", "4:14 invalid-config", "5:12 invalid-config"], lint.summary)
        XCTAssertTrue(lint.errors.allSatisfy { $0.file.hasSuffix("jobc.yaml") }, "\(config)\n\(lint.summary)")
        XCTAssertTrue(lint.stderr.contains("did you mean 'jobs'?"), lint.summary)
        XCTAssertTrue(lint.stderr.contains("'paths.secrets' names airflow_artifacts/secrets, which is missing"), lint.summary)
    }

    func testARootWithOnlyJobcYamlIsAProject() throws {
        let folder = scratch.appendingPathComponent("flat", isDirectory: true)
        let fixture = Self.fixtureProject
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("orchestration/function"), to: folder.appendingPathComponent("functions"))
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("secret"), to: folder.appendingPathComponent("secrets"))
        try write("paths:\n  jobs: jobs\n  functions: functions\n  secrets: secrets\n", to: folder.appendingPathComponent("jobc.yaml"))
        try write("""
            job_id: flat_layout
            schedule: "@daily"
            start_date: "2024-01-01"
            tasks:
              run:
                function: PostgreSQLFunction
                secret_key: postgres_credentials
                kwargs:
                  sql_file_path: jobs/run.sql

            """, to: folder.appendingPathComponent("jobs/flat_layout.yaml"))
        try write("SELECT 1;\n", to: folder.appendingPathComponent("jobs/run.sql"))
        let lint = try jobc(["lint", "--root", folder.path])
        XCTAssertEqual(lint.status, 0, lint.summary)
        let out = scratch.appendingPathComponent("out")
        let compile = try jobc(["compile", "--target", "airflow", "--out", out.path], in: folder.appendingPathComponent("jobs"))
        XCTAssertEqual(compile.status, 0, compile.summary)
        let dag = try String(contentsOf: out.appendingPathComponent("flat_layout.py"), encoding: .utf8)
        XCTAssertTrue(dag.contains("function_folder=\"functions\",") && dag.contains("secret_folder=\"secrets\","), dag)

        // Every built-in target hands the folders to its runtime.
        let expected = ["dagster": "flat_layout.py", "cloud-workflows": "flat_layout.workflows.yaml"]
        for (target, file) in expected {
            let folder = scratch.appendingPathComponent("out-" + target)
            let run = try jobc(["compile", "jobs", "--target", target, "--out", folder.path], in: folder.deletingLastPathComponent().appendingPathComponent("flat"))
            XCTAssertEqual(run.status, 0, run.summary)
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let marker = target == "dagster" ? "function_folder=\"functions\"," : "folders: {functions: \"functions\", secrets: \"secrets\"}"
            XCTAssertTrue(text.contains(marker), "\(target)\n\(text)")
        }
        let ir = try jobc(["ir", "jobs/flat_layout.yaml"], in: folder)
        XCTAssertTrue(ir.stdout.contains(#""folders": {"#), ir.summary)
    }
}
