import Foundation
import XCTest
@testable import JobcCore

/// `jobc init`'s guesses about an existing repository: by what files hold, not only by folder names.
final class LayoutDetectorTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func write(_ text: String, _ path: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    private func job(_ id: String, sql: String, secret: String) -> String {
        "job_id: \(id)\ntasks:\n  t:\n    function: PostgreSQLFunction\n    secret_key: \"\(secret)\"\n    kwargs:\n      sql_file_path: '\(sql)' # a comment\n"
    }

    func testFoldersAreFoundByWhatTheyHold() throws {
        try write(job("a", sql: "warehouse/queries/daily/a.sql", secret: "warehouse_db"), "pipelines/a.yml")
        try write(job("b", sql: "warehouse/queries/b.sql", secret: "warehouse_db"), "pipelines/b.yaml")
        try write("SELECT 1;\n", "warehouse/queries/daily/a.sql")
        try write("SELECT 1;\n", "warehouse/queries/b.sql")
        try write("SELECT 1;\n", "scratch/old.sql")
        try write("{}\n", "config/creds/warehouse_db.json")
        try write("{}\n", "secrets/unrelated.json")
        try write("name: x\n", "docker-compose.yml")  // YAML, but no job

        let found = try XCTUnwrap(LayoutDetector(root: root.path).detect())
        XCTAssertEqual(found.layout, ProjectLayout(
            jobs: "pipelines", sql: "warehouse/queries", functions: "orchestration/function", secrets: "config/creds"))
        XCTAssertEqual(found.jobFiles, ["pipelines/a.yml", "pipelines/b.yaml"])
        XCTAssertEqual(found.functions, ["PostgreSQLFunction"])
        XCTAssertEqual(found.secrets, ["warehouse_db"])
    }

    func testAFolderWithoutJobsIsNoExistingProject() throws {
        try write("name: x\n", "docker-compose.yml")
        XCTAssertNil(LayoutDetector(root: root.path).detect())
    }

    func testTheValuesOfAKeyDropQuotesAndComments() {
        XCTAssertEqual(LayoutDetector.values(of: "sql_file_path", in: "  sql_file_path: \"a b.sql\"\n  sql_file_path: c.sql # x\nsql_file_path_2: no\n"),
                       ["a b.sql", "c.sql"])
    }
}
