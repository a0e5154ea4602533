import Foundation
import XCTest

/// The core applies what targets declare and names none of them (docs/architecture.md): a target's
/// name in JobcCore's code is knowledge that belongs in that target. Comments may give examples.
final class CoreNamesNoTargetTests: XCTestCase {
    func testNoTargetNameInTheCoresCode() throws {
        let core = RuleCatalogTests.repositoryRoot.appendingPathComponent("Sources/JobcCore")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: core, includingPropertiesForKeys: nil))
        var checked = 0
        // StandardFunctionFiles.swift is the project's functions as text for `jobc init`, not the core's code.
        for case let url as URL in files where url.pathExtension == "swift" && url.lastPathComponent != "StandardFunctionFiles.swift" {
            checked += 1
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() {
                let code = line.range(of: "//").map { line[..<$0.lowerBound] } ?? line[...]
                if let name = code.lowercased().firstMatch(of: /airflow|dagster|prefect|cloud[ -]?workflows/) {
                    XCTFail("\(url.lastPathComponent):\(number + 1) names the target '\(name.output)': declare it in the target instead")
                }
            }
        }
        XCTAssertGreaterThan(checked, 50, "JobcCore's sources were not found at \(core.path)")
    }
}
