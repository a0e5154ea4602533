import Foundation
import XCTest

/// What the whole-output tests (determinism, secrets) run over: every target jobc lists, and the
/// repository's own jobs besides the fixture project.
extension JobcCLITestCase {
    /// The targets `jobc targets` lists (built-in and working plugins), so a new target is checked
    /// without touching the tests.
    func targetNames(file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let run = try jobc(["targets"], file: file, line: line)
        XCTAssertEqual(run.status, 0, run.summary, file: file, line: line)
        let names = run.stdout.split(separator: "\n")
            .filter { !$0.hasPrefix(" ") && !$0.hasPrefix("note:") && ($0.hasSuffix("(built-in)") || $0.contains("(plugin ")) }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        XCTAssertTrue(names.contains("airflow"), run.summary, file: file, line: line)
        return names
    }

    /// A scratch copy of the repository's project with its sample, conformance and golden jobs, and
    /// the paths of those jobs. Its `secret/*.json` keep the repository's names and keys but hold
    /// canary values: the repository's own are local development values such as "jobc", which every
    /// generated file contains as part of a module name, so only unique values can show a leak.
    func copyOfRepositoryProject() throws -> (root: URL, paths: [String]) {
        let copy = scratch.appendingPathComponent("repository", isDirectory: true)
        let paths = ["orchestration/job", "Tests/conformance/scenarios", "Tests/JobcEmittersTests/Golden/jobs"]
        for folder in ["orchestration", "Tests/conformance", "Tests/JobcEmittersTests/Golden/jobs"] {
            let destination = copy.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent(folder), to: destination)
        }
        let secrets = Self.repositoryRoot.appendingPathComponent("secret")
        try FileManager.default.createDirectory(at: copy.appendingPathComponent("secret"), withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: secrets.path) where name.hasSuffix(".json") {
            let original = try JSONSerialization.jsonObject(with: Data(contentsOf: secrets.appendingPathComponent(name)))
            let canary = try JSONSerialization.data(withJSONObject: Self.canary(for: original, in: name))
            try canary.write(to: copy.appendingPathComponent("secret/" + name))
        }
        return (copy, paths)
    }

    /// The same shape with every string and number replaced by a value that occurs nowhere else
    /// (a boolean too: jobc never reads them).
    private static func canary(for value: Any, in file: String) -> Any {
        switch value {
        case let object as [String: Any]: return object.mapValues { canary(for: $0, in: file) }
        case let list as [Any]: return list.map { canary(for: $0, in: file) }
        case is String: return "canary-\(file.dropLast(5))-\(UUID().uuidString.prefix(13))"
        case is NSNumber: return Int.random(in: 100_000_000...999_999_999)
        default: return value
        }
    }

    /// What must never appear in jobc's output: every leaf string of every `*.json` in `folder`, and
    /// every number of more than 3 digits (shorter ones occur anywhere by chance).
    static func secretValues(in folder: URL) throws -> [String] {
        var values: [String] = []
        func collect(_ value: Any) {
            switch value {
            case let object as [String: Any]: object.values.forEach(collect)
            case let list as [Any]: list.forEach(collect)
            case let text as String where !text.isEmpty: values.append(text)
            case let number as NSNumber where number.stringValue.filter(\.isNumber).count > 3:  // booleans are 0 and 1
                values.append(number.stringValue)
            default: break
            }
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".json") {
            collect(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))))
        }
        return values
    }
}
