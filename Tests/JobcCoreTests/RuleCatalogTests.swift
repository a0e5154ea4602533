import Foundation
import XCTest
@testable import JobcCore

/// Every rule is declared once, by the check that reports it, and listed by `RuleID.catalog`; the
/// rules section of docs/diagnostics.md is generated from the catalogue. Regenerate it after adding
/// or changing a rule with `JOBC_UPDATE_GOLDEN=1 swift test --filter RuleCatalogTests`.
final class RuleCatalogTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testRuleIDsAreUniqueAndSummarised() {
        let names = RuleID.catalog.map(\.name)
        XCTAssertEqual(names.count, Set(names).count, "a rule id is declared twice: \(names)")
        for rule in RuleID.catalog {
            XCTAssertNotNil(rule.name.wholeMatch(of: /[a-z]+(-[a-z]+)*/), "rule id '\(rule.name)' is not kebab-case")
            XCTAssertTrue(rule.summary.hasSuffix(".") && !rule.summary.contains("\n"), "summary of \(rule.name) is not one sentence line")
        }
    }

    /// Diagnostics can only carry a declared `RuleID` (there is no conversion from a string), so a
    /// declaration the catalogue misses is the one way an id could be reported yet undocumented.
    func testEveryDeclaredRuleIsInTheCatalogue() throws {
        let sources = Self.repositoryRoot.appendingPathComponent("Sources")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var declared: [String: String] = [:]
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: /RuleID\(\s*"([^"]+)"/) {
                let name = String(match.output.1)
                XCTAssertNil(declared[name], "rule '\(name)' declared in \(url.lastPathComponent) and \(declared[name] ?? "")")
                declared[name] = url.lastPathComponent
            }
        }
        XCTAssertFalse(declared.isEmpty, "no rule declarations found under \(sources.path)")
        let catalogued = Set(RuleID.catalog.map(\.name))
        for (name, file) in declared.sorted(by: { $0.key < $1.key }) where !catalogued.contains(name) {
            XCTFail("rule '\(name)' (declared in \(file)) is missing from RuleID.catalog: list it in its declarer's `rules`")
        }
        XCTAssertEqual(Set(declared.keys), catalogued)
    }

    func testDiagnosticsDocumentListsTheCatalogue() throws {
        let url = Self.repositoryRoot.appendingPathComponent("docs/diagnostics.md")
        let document = try String(contentsOf: url, encoding: .utf8)
        let begin = "<!-- rules: generated from RuleID.catalog by RuleCatalogTests; do not edit by hand -->\n"
        let end = "<!-- end of rules -->"
        let start = try XCTUnwrap(document.range(of: begin), "docs/diagnostics.md lacks the generated rules section")
        let stop = try XCTUnwrap(document.range(of: end, range: start.upperBound..<document.endIndex))
        let table = "| Rule | What it checks |\n|---|---|\n"
            + RuleID.catalog.map { "| `\($0.name)` | \($0.summary) |\n" }.joined()
        if ProcessInfo.processInfo.environment["JOBC_UPDATE_GOLDEN"] == "1" {
            try Data(document.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: table).utf8).write(to: url)
            return
        }
        XCTAssertEqual(String(document[start.upperBound..<stop.lowerBound]), table,
                       "docs/diagnostics.md's rules differ from RuleID.catalog; rerun with JOBC_UPDATE_GOLDEN=1")
    }
}
