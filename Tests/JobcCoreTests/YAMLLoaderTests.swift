import XCTest
@testable import JobcCore

final class YAMLLoaderTests: XCTestCase {
    private func load(_ text: String, limits: YAMLLimits = YAMLLimits()) -> YAMLLoader.Result {
        YAMLLoader(limits: limits).load(SourceFile(displayPath: "t.yaml", text: text))
    }

    private func load(bytes: [UInt8]) -> YAMLLoader.Result {
        YAMLLoader().load(SourceFile(displayPath: "t.yaml", bytes: bytes))
    }

    func testEveryNodeCarriesItsPosition() throws {
        let result = load("a: 1\nlist:\n  - x\n  - {k: \"v\"}\n")
        guard case .mapping(let entries)? = result.root?.content else { return XCTFail("expected a mapping") }
        XCTAssertEqual(entries.map(\.key), ["a", "list"])
        XCTAssertEqual(entries[0].keyLocation, SourceLocation(file: "t.yaml", line: 1, column: 1))
        XCTAssertEqual(entries[0].value.location, SourceLocation(file: "t.yaml", line: 1, column: 4))
        guard case .sequence(let items) = entries[1].value.content else { return XCTFail("expected a list") }
        XCTAssertEqual(items[0].location.line, 3)
        XCTAssertEqual(items[0].location.column, 5)
        guard case .mapping(let inner) = items[1].content else { return XCTFail("expected a mapping") }
        XCTAssertEqual(inner[0].value.location, SourceLocation(file: "t.yaml", line: 4, column: 9))
        XCTAssertEqual(inner[0].value.scalar?.style, .doubleQuoted)
    }

    func testColumnsCountCharactersNotBytes() {
        let result = load("é: ü\n")
        guard case .mapping(let entries)? = result.root?.content else { return XCTFail("expected a mapping") }
        XCTAssertEqual(entries[0].value.location.column, 4)
    }

    func testScalarsResolveUnderTheCoreSchema() {
        let cases: [(String, ScalarValue)] = [
            ("true", .bool(true)), ("True", .bool(true)), ("FALSE", .bool(false)), ("yes", .string("yes")),
            ("~", .null), ("null", .null), ("", .null), ("12", .integer(12)), ("-3", .integer(-3)), ("0x1F", .integer(31)),
            ("1.5", .float(1.5)), ("1e3", .float(1000)), ("2024-01-01", .string("2024-01-01")), ("1_000", .string("1_000")),
            ("'true'", .string("true")), ("\"12\"", .string("12")), ("!!str 12", .string("12")),
        ]
        for (text, expected) in cases {
            let result = load("v: \(text)\n")
            guard case .mapping(let entries)? = result.root?.content else { return XCTFail("expected a mapping for \(text)") }
            XCTAssertEqual(entries[0].value.scalar?.resolved, expected, "resolving \(text)")
        }
    }

    /// Found while writing the emitter property test: `0x1FFFFFFFFFFFFFFFF` resolved to the string
    /// "0x1FFFFFFFFFFFFFFFF", silently. (Decimal integers that large were already refused where used.)
    func testHexAndOctalIntegersBeyond64BitsAreRefusedNotTurnedIntoStrings() {
        for text in ["0x1FFFFFFFFFFFFFFFF", "0x10000000000000000", "0o7777777777777777777777"] {
            let result = load("a: 1\nv: [\(text)]\n")
            XCTAssertNil(result.root, text)
            XCTAssertEqual(result.diagnostics.map(\.rule), [.invalidValue], text)
            XCTAssertEqual(result.diagnostics.first?.location, SourceLocation(file: "t.yaml", line: 2, column: 5), text)
        }
        let edges: [(String, ScalarValue)] = [
            ("0x7FFFFFFFFFFFFFFF", .integer(.max)), ("0o777777777777777777777", .integer(.max)),
            ("\"0x1FFFFFFFFFFFFFFFF\"", .string("0x1FFFFFFFFFFFFFFFF")), ("0x", .string("0x")), ("0xZ", .string("0xZ")),
            ("99999999999999999999", .float(1e20)),
        ]
        for (text, expected) in edges {
            XCTAssertEqual(load("v: \(text)\n").root.flatMap { root -> ScalarValue? in
                guard case .mapping(let entries) = root.content else { return nil }
                return entries[0].value.scalar?.resolved
            }, expected, text)
        }
    }

    func testSyntaxErrorIsLocated() {
        let result = load("a: [1, 2\nb: 3\n")
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.first?.rule, .yamlSyntax)
        XCTAssertEqual(result.diagnostics.first?.location?.line, 2)
    }

    func testDuplicateKeysAreAllReportedWithTheFirstDefinition() {
        let result = load("a: 1\nb: 2\na: 3\nb: 4\n")
        let duplicates = result.diagnostics.filter { $0.rule == .yamlDuplicateKey }
        XCTAssertEqual(duplicates.map { $0.location?.line }, [3, 4])
        XCTAssertEqual(duplicates.first?.notes.first?.location?.line, 1)
    }

    func testDuplicateKeysInALargeMappingAreFoundAsInASmallOne() {
        // Past `keysScannedLinearly` keys the duplicate check looks keys up in an index instead of scanning.
        let lines = (0..<60).map { "key\($0): \($0)" } + ["key3: again", "key45: again"]
        let result = load(lines.joined(separator: "\n") + "\n")
        let duplicates = result.diagnostics.filter { $0.rule == .yamlDuplicateKey }
        XCTAssertEqual(duplicates.map { $0.location?.line }, [61, 62])
        XCTAssertEqual(duplicates.map { $0.notes.first?.location?.line }, [4, 46])
        guard case .mapping(let entries)? = result.root?.content else { return XCTFail("expected a mapping") }
        XCTAssertEqual(entries.count, 60)
    }

    func testAnchoredAndAliasedKeysAreKeysLikeAnyOther() {
        let result = load("{&k a: 1, b: 2, *k : 3}\n")
        XCTAssertEqual(result.diagnostics.map(\.rule), [.yamlDuplicateKey])
        XCTAssertEqual(result.diagnostics.first?.location, SourceLocation(file: "t.yaml", line: 1, column: 17))
        XCTAssertEqual(result.diagnostics.first?.notes.first?.location, SourceLocation(file: "t.yaml", line: 1, column: 2))
        guard case .mapping(let entries)? = result.root?.content else { return XCTFail("expected a mapping") }
        XCTAssertEqual(entries.map(\.key), ["a", "b"])
        XCTAssertEqual(entries.map(\.keyLocation.column), [2, 11])
    }

    func testSecondDocumentIsRefused() {
        let result = load("a: 1\n---\nb: 2\n")
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.map(\.rule), [.yamlMultipleDocuments])
        XCTAssertEqual(result.diagnostics.first?.location?.line, 2)
    }

    func testBillionLaughsStopsAtTheBound() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let result = load(text)
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.map(\.rule), [.yamlLimits])
    }

    func testAliasesWithinBoundsAreCopies() {
        let result = load("base: &b {x: 1}\ncopy: *b\n")
        guard case .mapping(let entries)? = result.root?.content else { return XCTFail("expected a mapping") }
        guard case .mapping(let copy) = entries[1].value.content else { return XCTFail("alias should resolve to a mapping") }
        XCTAssertEqual(copy.first?.key, "x")
        XCTAssertEqual(entries[1].value.location.line, 2)
    }

    func testUndefinedAliasIsAnError() {
        XCTAssertEqual(load("a: *nowhere\n").diagnostics.map(\.rule), [.yamlSyntax])
    }

    func testDeepNestingIsRefusedWithoutOverflowingTheStack() {
        let depth = 20_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let result = load(text)
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.map(\.rule), [.yamlLimits])
        XCTAssertEqual(result.diagnostics.first?.location?.column, YAMLLimits().maxDepth + 1)
    }

    func testInvalidUTF8IsLocated() {
        let result = load(bytes: Array("a: ok\nb: ".utf8) + [0xC3, 0x28] + Array("\n".utf8))
        XCTAssertEqual(result.diagnostics.map(\.rule), [.yamlEncoding])
        XCTAssertEqual(result.diagnostics.first?.location, SourceLocation(file: "t.yaml", line: 2, column: 4))
    }

    func testRawUnicodeLineSeparatorsAreRefusedWhereTheyStand() {
        let result = load("a: 1 # note\u{2028}\nb: 2\n")
        XCTAssertEqual(result.diagnostics.map(\.rule), [.yamlEncoding])
        XCTAssertEqual(result.diagnostics.first?.location, SourceLocation(file: "t.yaml", line: 1, column: 12))
        XCTAssertNotNil(load("a: \"escaped \\L is fine\"\n").root)
    }

    func testBinaryFileIsRefused() {
        let result = load(bytes: [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00])
        XCTAssertEqual(result.diagnostics.map(\.rule), [.yamlEncoding])
        XCTAssertTrue(result.diagnostics[0].message.contains("binary"))
    }

    func testEmptyAndCommentOnlyFilesAreRefused() {
        XCTAssertEqual(load("").diagnostics.map(\.rule), [.yamlEmpty])
        XCTAssertEqual(load("# nothing here\n\n").diagnostics.map(\.rule), [.yamlEmpty])
    }

    func testFileSizeBound() {
        let result = load(String(repeating: "a", count: 100), limits: YAMLLimits(maxFileBytes: 10))
        XCTAssertEqual(result.diagnostics.map(\.rule), [.yamlLimits])
    }

    func testComplexKeysAndCustomTagsAreRefused() {
        XCTAssertEqual(load("? [a, b]\n: 1\nc: 2\n").diagnostics.map(\.rule), [.yamlUnsupported])
        XCTAssertEqual(load("a: !python/object {x: 1}\n").diagnostics.map(\.rule), [.yamlUnsupported])
    }
}
