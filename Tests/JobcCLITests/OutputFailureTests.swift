import Foundation
import XCTest

/// Output that cannot be written (a full disk, a closed stream, a reader gone) is a failed run: a
/// non-zero exit and a message on the stream that still works, never a crash nor a silent exit 0.
final class OutputFailureTests: JobcCLITestCase {
    /// Runs jobc through `sh` so a stream can be closed (`>&-`) or sent to /dev/full; the other
    /// stream is captured.
    private func jobcRedirected(_ redirection: String, _ arguments: [String], in directory: URL) throws -> JobcRun {
        let binary = try jobcBinary()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \"$0\" \"$@\" \(redirection)", binary.path] + arguments
        process.currentDirectoryURL = directory
        let outURL = scratch.appendingPathComponent("out-\(UUID().uuidString)")
        let errURL = scratch.appendingPathComponent("err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return JobcRun(
            arguments: arguments + [redirection], status: process.terminationStatus,
            terminatedBySignal: process.terminationReason == .uncaughtSignal, timedOut: false,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Every command that prints, with its output lost in each way.
    func testLostStandardOutputFailsEveryCommand() throws {
        let project = try copyOfFixtureProject()
        let commands: [[String]] = [
            ["schema"], ["schema", "--ir"], ["ir", "jobs/good/echo_pipeline.yaml"], ["graph", "jobs/good/echo_pipeline.yaml"],
            ["graph", "--format", "mermaid", "jobs/good/echo_pipeline.yaml"], ["lint", "--format", "json", "jobs/good"],
            ["lint", "--format", "sarif", "jobs/good"], ["lint", "--format", "github", "jobs/bad/wrong_type.yaml"],
            ["targets"], ["rules"], ["--help"], ["compile", "jobs/good", "--target", "airflow", "--out", "build/airflow"],
        ]
        for arguments in commands {
            for (redirection, reason) in [(">/dev/full", "No space left on device"), (">&-", "Bad file descriptor")] {
                let run = try jobcRedirected(redirection, arguments, in: project)
                XCTAssertFalse(run.terminatedBySignal, run.summary)
                XCTAssertNotEqual(run.status, 0, run.summary)
                XCTAssertTrue(run.stderr.contains("jobc: error: cannot write to standard output: \(reason)"), run.summary)
                assertNoCrashOutput(run)
            }
        }
    }

    func testLostStandardErrorFailsWithoutACrash() throws {
        let project = try copyOfFixtureProject()
        for redirection in ["2>/dev/full", "2>&-"] {
            for arguments in [["lint", "jobs/bad/wrong_type.yaml"], ["ir", "jobs/bad/wrong_type.yaml"], ["lint", "no/such/folder"]] {
                let run = try jobcRedirected(redirection, arguments, in: project)
                XCTAssertFalse(run.terminatedBySignal, run.summary)
                XCTAssertNotEqual(run.status, 0, run.summary)
                XCTAssertTrue(run.stdout.contains("jobc: error: cannot write to standard error"), run.summary)
            }
        }
        // A clean lint still has its summary line to write: losing it fails like any lost write.
        let clean = try jobcRedirected("2>&-", ["lint", "jobs/good"], in: project)
        XCTAssertNotEqual(clean.status, 0, clean.summary)
        XCTAssertTrue(clean.stdout.contains("jobc: error: cannot write to standard error"), clean.summary)
        // Nothing to say on the lost stream (the report goes to standard output): nothing lost, success.
        XCTAssertEqual(try jobcRedirected("2>&-", ["lint", "jobs/good", "--format", "json"], in: project).status, 0)
    }

    /// A reader that went away: SIGPIPE must not end jobc silently; the write fails with EPIPE.
    func testAClosedPipeIsReportedNotASilentDeath() throws {
        let project = try copyOfFixtureProject()
        let binary = try jobcBinary()
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let errURL = scratch.appendingPathComponent("err")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["schema"]
        process.currentDirectoryURL = project
        process.standardOutput = pipe.fileHandleForWriting
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        let stderr = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        XCTAssertEqual(process.terminationReason, .exit, "killed by signal \(process.terminationStatus)")
        XCTAssertEqual(process.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("cannot write to standard output: Broken pipe"), stderr)
    }
}
