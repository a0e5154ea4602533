import Foundation
import JobcCore
import XCTest

/// `secret_keys:` in a contract, and the `secret-keys` check of the secrets tasks name.
final class SecretKeysTests: XCTestCase {
    private var project: TestProject!

    override func setUpWithError() throws {
        project = try TestProject()
        try project.write("orchestration/function/pg.py", "class PG: pass\n")
        try project.write("orchestration/function/pg.contract.yaml", """
            name: PG
            module: pg
            class: PG
            secret: required
            secret_keys: [host, user, password, {one_of: [database, dbname]}]
            """)
    }

    override func tearDown() {
        project.remove()
    }

    private func lint(secret name: String) throws -> Pipeline.FrontEndResult {
        try project.compile("job_id: j\ntasks:\n  a: {function: PG, secret_key: \(name)}\n")
    }

    func testTheContractDeclaresKeysAndOneOf() {
        let (opened, diagnostics) = Project.open(root: project.root)
        XCTAssertTrue(diagnostics.isEmpty, "\(diagnostics)")
        XCTAssertEqual(opened.functions["PG"]?.secretKeys, [.key("host"), .key("user"), .key("password"), .oneOf(["database", "dbname"])])
    }

    func testTheDemoSecretAndTheSampleSecretPass() throws {
        try project.write("secret/demo.json", #"{"host": "h", "database": "d", "user": "u", "password": "p"}"#)
        XCTAssertEqual(try lint(secret: "demo").summary, [])
        try project.write("secret/sample.json", #"{"host": "h", "port": 5432, "dbname": "d", "user": "u", "password": "p", "note": "extra keys are fine"}"#)
        XCTAssertEqual(try lint(secret: "sample").summary, [])
    }

    func testTheRepositorysSampleSecretFitsItsContract() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let (opened, _) = Project.open(root: repository)
        let contract = try XCTUnwrap(opened.functions["PostgreSQLFunction"])
        XCTAssertFalse(contract.secretKeys.isEmpty)
        guard case .keys(let keys) = opened.secretStore.contents("postgres_credentials") else { return XCTFail("not an object") }
        XCTAssertTrue(contract.secretKeys.allSatisfy { $0.isMet(by: keys) })
    }

    func testMissingKeysAreNamedAtTheSecretKeyWithoutAnyValue() throws {
        try project.write("secret/partial.json", #"{"host": "s3cr3t-host", "usr": "s3cr3t-user", "password": "s3cr3t-password"}"#)
        let result = try lint(secret: "partial")
        XCTAssertEqual(result.summary, ["3:33 secret-keys"])
        let diagnostic = try XCTUnwrap(result.diagnostics.first)
        XCTAssertEqual(
            diagnostic.message,
            "secret/partial.json lacks keys required by PG: 'user', 'database' or 'dbname'")
        XCTAssertEqual(diagnostic.notes.map(\.message), ["PG declares its secret's keys in orchestration/function/pg.contract.yaml"])
        XCTAssertEqual(diagnostic.suggestion, "secret/partial.json has 'usr': rename it to 'user'?")
        XCTAssertFalse("\(result.diagnostics)".contains("s3cr3t"))
    }

    func testASecretThatIsNoJSONObjectIsAnError() throws {
        for (name, text, what) in [("list", #"["s3cr3t"]"#, "a JSON array"), ("broken", #"{"password": "s3cr3t""#, "not valid JSON"),
                                    ("text", #""s3cr3t""#, "a JSON string")] {
            try project.write("secret/\(name).json", text)
            let result = try lint(secret: name)
            XCTAssertEqual(result.summary, ["3:33 secret-keys"], name)
            XCTAssertEqual(result.diagnostics.first?.message.hasPrefix("secret/\(name).json is \(what), not a JSON object"), true, name)
            XCTAssertFalse("\(result.diagnostics)".contains("s3cr3t"), name)
        }
    }

    func testAMissingSecretIsReportedOnceByTheSecretRule() throws {
        XCTAssertEqual(try lint(secret: "absent").summary, ["3:33 missing-secret"])
    }

    func testMalformedDeclarationsAreLocated() throws {
        try project.write("orchestration/function/pg.contract.yaml", """
            name: PG
            module: pg
            class: PG
            secret: required
            secret_keys: [host, 3, host, {one_of: [database]}, {one_of: [a, b], also: c}, {any_of: [x, y]}]
            """)
        try project.write("orchestration/function/nosecret.py", "")
        try project.write("orchestration/function/nosecret.contract.yaml", "name: N\nmodule: nosecret\nclass: N\nsecret_keys: [token]\n")
        try project.write("orchestration/function/scalar.py", "")
        try project.write("orchestration/function/scalar.contract.yaml", "name: S\nmodule: scalar\nclass: S\nsecret: required\nsecret_keys: token\n")
        let (_, diagnostics) = Project.open(root: project.root)
        let summary = diagnostics.map { "\($0.location?.file ?? "-"):\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.rule)" }.sorted()
        XCTAssertEqual(summary, [
            "orchestration/function/nosecret.contract.yaml:4:14 invalid-contract",
            "orchestration/function/pg.contract.yaml:5:21 wrong-type",
            "orchestration/function/pg.contract.yaml:5:24 invalid-contract",
            "orchestration/function/pg.contract.yaml:5:39 invalid-contract",
            "orchestration/function/pg.contract.yaml:5:69 unknown-key",
            "orchestration/function/pg.contract.yaml:5:80 unknown-key",
            "orchestration/function/pg.contract.yaml:5:79 missing-key",
            "orchestration/function/scalar.contract.yaml:5:14 wrong-type",
        ].sorted())
    }
}
