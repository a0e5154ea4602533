import Foundation
import JobcCore
import JobcEmitters
import XCTest

/// Compiles the sample jobs (orchestration/job) and the edge-case jobs (Golden/jobs) for every
/// built-in target and diffs the output against Golden/<target>/.
/// Regenerate after an intended change: `JOBC_UPDATE_GOLDEN=1 swift test --filter GoldenTests`,
/// then review the diff like code.
final class GoldenTests: XCTestCase {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
    static let updating = ProcessInfo.processInfo.environment["JOBC_UPDATE_GOLDEN"] == "1"

    static func jobFiles() throws -> [String] {
        let folders = [repositoryRoot.appendingPathComponent("orchestration/job"), testsFolder.appendingPathComponent("Golden/jobs")]
        return try folders.flatMap { folder in
            try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".test.yaml") }.sorted().map { folder.appendingPathComponent($0).path }
        }
    }

    func testEveryTargetMatchesItsGoldenFiles() throws {
        let files = try Self.jobFiles()
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for emitter in BuiltinEmitters.all {
            let workspace = Workspace(rootOverride: Self.repositoryRoot.path)
            let outcomes = BatchCompiler(workspace: workspace, emitter: emitter).compile(files)
            for outcome in outcomes {
                XCTAssertTrue(outcome.succeeded, "\(outcome.displayPath): \(outcome.diagnostics)")
                for artifact in outcome.artifacts {
                    try check(artifact, target: emitter.name)
                }
            }
        }
    }

    private func check(_ artifact: Artifact, target: String) throws {
        let golden = Self.testsFolder.appendingPathComponent("Golden/\(target)/\(artifact.relativePath)")
        if Self.updating {
            try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(artifact.contents.utf8).write(to: golden)
            return
        }
        guard let expected = FileManager.default.contents(atPath: golden.path) else {
            return XCTFail("missing golden file \(golden.path); run JOBC_UPDATE_GOLDEN=1 swift test --filter GoldenTests")
        }
        XCTAssertEqual(artifact.contents, String(decoding: expected, as: UTF8.self), "\(target)/\(artifact.relativePath) differs from its golden file")
    }

    func testOutputDoesNotDependOnTheWorkingDirectoryOrRun() throws {
        let files = try Self.jobFiles()
        let first = BatchCompiler(workspace: Workspace(rootOverride: Self.repositoryRoot.path), emitter: AirflowEmitter()).compile(files)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(NSTemporaryDirectory()))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let second = BatchCompiler(workspace: Workspace(rootOverride: Self.repositoryRoot.path), emitter: AirflowEmitter()).compile(files)
        XCTAssertEqual(first.flatMap(\.artifacts), second.flatMap(\.artifacts))
    }
}
