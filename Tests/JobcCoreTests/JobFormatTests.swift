import XCTest
@testable import JobcCore

/// `JobFormat`'s tables drive the decoder: a key defined in a table but never read by the decoder
/// would be accepted and silently ignored, so this test fails for it.
final class JobFormatTests: XCTestCase {
    /// Every mapping of the format, once, so the decoder meets each table (values barely matter: the
    /// decoder asks for every key of a mapping whether or not it is present).
    static let everyMapping = """
        job_id: every_mapping
        defaults: {}
        params:
          day: {type: string, default: monday}
        on_failure: {email: oncall@example.com}
        groups:
          stage: {}
        tasks:
          load:
            function: EchoFunction
            group: stage
            on_failure: {email: oncall@example.com}
            for_each: {parameter: message, items: [a]}
        dependencies:
          - {source: load, target: load}
        """

    func testTheDecoderReadsEveryKeyOfEveryTable() throws {
        let root = try XCTUnwrap(YAMLLoader().load(SourceFile(displayPath: "t.yaml", text: Self.everyMapping)).root)
        let log = JobFormat.KeyReadLog()
        let decoded = JobFormat.KeyReadLog.$current.withValue(log) { JobSpecDecoder().decode(root, file: "t.yaml") }
        XCTAssertEqual(decoded.diagnostics.map(\.message), [])
        for table in JobFormat.Table.allCases {
            for key in table.keys {
                XCTAssertTrue(log.contains(key, in: table), "the decoder never reads '\(key.name)' of the \(table) table")
            }
        }
    }

    func testKeysOfATableAreUniqueAndAliasesNameKeysOfTheirTable() {
        for table in JobFormat.Table.allCases {
            let names = table.keys.names
            XCTAssertEqual(names.count, Set(names).count, "\(table): \(names)")
            for key in table.keys {
                if let target = key.aliasOf { XCTAssertTrue(names.contains(target), "\(table).\(key.name) is an alias of an unknown key") }
            }
        }
    }

    func testRequiredKeysComeFromTheTable() throws {
        let root = try XCTUnwrap(YAMLLoader().load(SourceFile(displayPath: "t.yaml", text: """
            name: old_spelling
            tasks:
              a: {for_each: {}}
            dependencies: [{}]
            """)).root)
        let messages = JobSpecDecoder().decode(root, file: "t.yaml").diagnostics.filter { $0.rule == .missingKey }.map(\.message)
        XCTAssertEqual(messages, [
            "task 'a' is missing the required key 'function'",
            "'for_each' of task 'a' is missing the required key 'parameter'",
            "'for_each' of task 'a' is missing the required key 'items'",
            "a dependency is missing the required key 'source'",
            "a dependency is missing the required key 'target'",
        ])
    }
}
