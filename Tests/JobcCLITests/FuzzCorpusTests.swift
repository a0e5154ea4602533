import Foundation
import XCTest

/// The fuzz harness (Sources/JobcFuzz) in its plain build replays inputs: every curated fuzz input
/// (Tests/fuzz/corpus, where the inputs of fixed findings go) and every fixture job must pass its
/// invariants without a crash. docs/fuzzing.md says how the fuzzer itself runs.
final class FuzzCorpusTests: JobcCLITestCase {
    func testTheHarnessReplaysTheCuratedCorpusAndEveryFixtureJob() throws {
        let binary = try jobcBinary().deletingLastPathComponent().appendingPathComponent("jobc-fuzz")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary.path), "\(binary.path) missing: run swift build")
        var inputs: [String] = []
        for folder in ["Tests/fuzz/corpus", "Tests/JobcCLITests/Fixtures/project/jobs", "orchestration/job"] {
            let root = Self.repositoryRoot.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: root.path) else {
                XCTFail("\(folder) is missing")
                continue
            }
            for case let relative as String in walker {
                var isDirectory: ObjCBool = false
                let path = root.appendingPathComponent(relative).path
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { inputs.append(path) }
            }
        }
        XCTAssertGreaterThanOrEqual(inputs.count, 60)

        let process = Process()
        process.executableURL = binary
        process.arguments = inputs.sorted()
        let output = scratch.appendingPathComponent("replay.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(Self.watchdogSeconds * 3)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let log = String(decoding: try Data(contentsOf: output), as: UTF8.self)
        XCTAssertEqual(process.terminationReason, .exit, log)
        XCTAssertEqual(process.terminationStatus, 0, log)
        for input in inputs {
            XCTAssertTrue(log.contains(input + ": "), "no summary for \(input)\n\(log)")
        }
        XCTAssertTrue(log.contains("everything_function.yaml: 4 tasks"), "the curated seeds reach the emitters\n\(log)")
    }
}
