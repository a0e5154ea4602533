import Foundation
import XCTest

/// What one run of the built `jobc` binary did.
struct JobcRun {
    var arguments: [String]
    /// Exit status, or the signal number when `terminatedBySignal`.
    var status: Int32
    var terminatedBySignal: Bool
    /// True when the watchdog had to kill the process.
    var timedOut: Bool
    var stdout: String
    var stderr: String

    /// The rendered diagnostic headers (`path:line:col: severity: message [rule]`), in output order.
    var diagnostics: [RenderedDiagnostic] {
        stderr.split(separator: "\n").compactMap(RenderedDiagnostic.init(header:))
    }

    var errors: [RenderedDiagnostic] { diagnostics.filter { $0.severity == "error" } }

    /// A one-glance description for assertion messages.
    var summary: String {
        let how = timedOut ? "timed out" : terminatedBySignal ? "killed by signal \(status)" : "exit \(status)"
        return "jobc \(arguments.joined(separator: " ")) → \(how)\n--- stdout:\n\(Self.clip(stdout))\n--- stderr:\n\(Self.clip(stderr))"
    }

    /// At most 40 lines of at most 200 characters: a 40 KB quoted source line must not flood the log.
    private static func clip(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var clipped = lines.prefix(40).map { $0.count > 200 ? $0.prefix(200) + "…" : $0 }
        if lines.count > 40 { clipped.append("… \(lines.count - 40) more lines") }
        return clipped.joined(separator: "\n")
    }
}

/// One diagnostic header line as `DiagnosticRenderer` prints it.
struct RenderedDiagnostic: Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int
    var severity: String
    var message: String
    var rule: String

    /// Parses `path:line:col: error: message [rule-id]`; nil for snippet, note and summary lines.
    init?(header: Substring) {
        guard !header.hasPrefix(" "), header.hasSuffix("]") else { return nil }
        let marker = [": error: ", ": warning: "].compactMap { header.range(of: $0) }.min { $0.lowerBound < $1.lowerBound }
        guard let marker, let ruleStart = header.range(of: " [", options: .backwards) else { return nil }
        let place = header[..<marker.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
        guard place.count >= 3, let line = Int(place[place.count - 2]), let column = Int(place[place.count - 1]) else { return nil }
        file = place.dropLast(2).joined(separator: ":")
        self.line = line
        self.column = column
        severity = header[marker].contains("error") ? "error" : "warning"
        message = String(header[marker.upperBound..<ruleStart.lowerBound])
        rule = String(header[ruleStart.upperBound..<header.index(before: header.endIndex)])
    }

    var description: String { "\(file):\(line):\(column): \(severity): \(message) [\(rule)]" }
}

enum JobcProcessError: Error, CustomStringConvertible {
    case binaryNotFound(searched: [String])

    var description: String {
        switch self {
        case .binaryNotFound(let searched):
            return "the jobc binary was not found (run `swift build` first); searched: \(searched.joined(separator: ", "))"
        }
    }
}

/// Base class of the CLI tests: finds the `jobc` binary next to the test bundle, runs it with a
/// watchdog (a hang fails the test instead of hanging CI), and makes scratch copies of the fixture project.
class JobcCLITestCase: XCTestCase {
    /// A run longer than this is a hang: the process is killed and the test fails.
    static let watchdogSeconds: TimeInterval = 20

    /// `Tests/JobcCLITests/`, from this source file's path (fixtures are read from the source tree).
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtureProject = testsDirectory.appendingPathComponent("Fixtures/project")
    /// The repository root: `Tests/JobcCLITests/../..`.
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh folder for this test, removed afterwards.
    private(set) var scratch: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("jobc-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        try super.tearDownWithError()
    }

    /// The built `jobc`: in the folder that holds the test bundle (`.build/<config>/`). Never skips:
    /// a missing binary is a failure.
    func jobcBinary(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        var folders: [URL] = [Bundle.main.bundleURL, Bundle(for: JobcCLITestCase.self).bundleURL.deletingLastPathComponent()]
        folders += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map { $0.bundleURL.deletingLastPathComponent() }
        // Walk up a little too, for layouts where the bundle sits in a sub-folder of the build folder.
        folders += folders.flatMap { [$0.deletingLastPathComponent(), $0.deletingLastPathComponent().deletingLastPathComponent()] }
        for folder in folders {
            let candidate = folder.appendingPathComponent("jobc")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        let error = JobcProcessError.binaryNotFound(searched: folders.map(\.path))
        XCTFail("\(error)", file: file, line: line)
        throw error
    }

    /// Runs `jobc arguments` with stdout and stderr captured in files (no pipe can fill up and block),
    /// killing it after `watchdogSeconds`. A timeout or a signal is reported as a test failure here.
    @discardableResult
    func jobc(
        _ arguments: [String], in directory: URL? = nil, environment overrides: [String: String?] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> JobcRun {
        let process = Process()
        process.executableURL = try jobcBinary(file: file, line: line)
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? scratch
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        for (key, value) in overrides { environment[key] = value }
        process.environment = environment
        let outURL = scratch.appendingPathComponent(".run-\(UUID().uuidString).stdout")
        let errURL = scratch.appendingPathComponent(".run-\(UUID().uuidString).stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle

        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + Self.watchdogSeconds) == .timedOut {
            timedOut = true
            process.terminate()
            if finished.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
        }
        let run = JobcRun(
            arguments: arguments, status: process.terminationStatus,
            terminatedBySignal: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
            stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
        XCTAssertFalse(timedOut, "jobc hung: killed after \(Self.watchdogSeconds) s\n\(run.summary)", file: file, line: line)
        XCTAssertFalse(run.terminatedBySignal && !timedOut, "jobc crashed\n\(run.summary)", file: file, line: line)
        return run
    }

    /// A copy of the fixture project in the scratch folder, so tests can add files (symlinks,
    /// generated inputs, outputs) without touching the source tree.
    func copyOfFixtureProject() throws -> URL {
        let copy = scratch.appendingPathComponent("project", isDirectory: true)
        try FileManager.default.copyItem(at: Self.fixtureProject, to: copy)
        return copy
    }

    /// Asserts that nothing in `output` looks like a crash: Swift runtime traps, stack traces, sanitizers.
    func assertNoCrashOutput(_ run: JobcRun, file: StaticString = #filePath, line: UInt = #line) {
        let text = run.stdout + run.stderr
        for marker in ["Fatal error", "Stack dump", "Current stack trace", "Segmentation fault", "Illegal instruction",
                       "💣", "Program crashed", "SUMMARY: AddressSanitizer", "Swift runtime failure"] {
            XCTAssertFalse(text.contains(marker), "output contains '\(marker)'\n\(run.summary)", file: file, line: line)
        }
    }

    /// Every regular file under `folder`, by relative path, with its bytes.
    func filesUnder(_ folder: URL) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let base = folder.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return result }
        for case let relative as String in walker {
            let path = base + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return result
    }

    func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}
