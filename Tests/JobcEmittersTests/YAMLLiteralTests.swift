import Foundation
import JobcCore
@testable import JobcEmitters
import XCTest

/// Every scalar `YAMLLiteral` writes is read back as exactly its input by two real YAML parsers:
/// jobc's own libyaml-based loader and PyYAML (a YAML 1.1 reader, like the Workflows emulator's).
final class YAMLLiteralTests: XCTestCase {
    /// Loads stdin and prints, for every item, its text and whether YAML typed it as a string.
    private static let pyYAML = """
        import json, sys, yaml
        def typed(value):
            if isinstance(value, dict):
                return [[key, isinstance(key, str), typed(item)] for key, item in value.items()]
            return [value, isinstance(value, str)] if not isinstance(value, list) else [typed(item) for item in value]
        document = yaml.safe_load(sys.stdin.buffer.read().decode("utf-8"))
        print(json.dumps(typed(document), ensure_ascii=True))
        """

    func testHostileStringsDecodeToThemselves() throws {
        let strings = HostileStrings.all()
        let document = strings.map { "- " + YAMLLiteral.string($0) + "\n" }.joined()
        for text in strings {
            XCTAssertFalse(YAMLLiteral.string(text).unicodeScalars.contains { $0.isHiddenFromReaders }, describe(text))
        }
        let items = try loadWithJobc(document)
        XCTAssertEqual(items.count, strings.count)
        for (text, node) in zip(strings, items) {
            guard case .string(let decoded)? = node.scalar?.resolved else { XCTFail("\(describe(text)) is not a string"); continue }
            XCTAssertSameScalars(decoded, text, "jobc's loader:")
        }
        for (text, item) in zip(strings, try loadWithPyYAML(document)) {
            XCTAssertSameScalars(item[0] as? String, text, "PyYAML:")
            XCTAssertEqual(item[1] as? Bool, true, describe(text))
        }
    }

    func testKeysArePlainOnlyWhenTheyReadBackAsTheSameString() throws {
        let plain = ["job_id", "AEFExecutorFunction", "x1", "a_b_c"]
        let quoted = ["null", "Null", "true", "False", "yes", "NO", "on", "Off", "y", "n", "nan", "inf", "1", "1e3", "_x", "x-y", "x y", "é"]
        for key in plain { XCTAssertEqual(YAMLLiteral.key(key), key) }
        for key in quoted { XCTAssertEqual(YAMLLiteral.key(key), YAMLLiteral.string(key)) }
        let keys = plain + quoted + HostileStrings.all(randomCount: 60)
        // Block keys as `YAMLBlock` writes them, flow keys as `YAMLLiteral.value` does; both switch
        // to the explicit `? KEY` form for a key too long to be implicit.
        var block = ""
        YAMLBlock.list(keys.map { .map([(YAMLLiteral.key($0), .scalar("0"))]) }).render(into: &block)
        let flow = keys.map { "- " + YAMLLiteral.value(.mapping([.init(key: $0, value: .integer(0))])) + "\n" }.joined()
        for document in [block, flow] {
            for (key, node) in zip(keys, try loadWithJobc(document)) {
                guard case .mapping(let entries) = node.content, entries.count == 1 else { XCTFail(describe(key)); continue }
                XCTAssertSameScalars(entries[0].key, key, "jobc's loader:")
            }
            let items = try loadWithPyYAML(document)
            XCTAssertEqual(items.count, keys.count)
            for (key, item) in zip(keys, items) {
                let entry = try XCTUnwrap(item.first as? [Any])
                XCTAssertSameScalars(entry[0] as? String, key, "PyYAML:")
                XCTAssertEqual(entry[1] as? Bool, true, describe(key))
            }
        }
    }

    /// Workflows strings are YAML strings; one holding `${` becomes an expression that decodes its base64.
    func testWorkflowsStringsDecodeToThemselvesOrToTheirBase64() throws {
        let strings = HostileStrings.all()
        let document = strings.map { "- " + WorkflowsLiteral.string($0) + "\n" }.joined()
        for (text, item) in zip(strings, try loadWithPyYAML(document)) {
            let decoded = try XCTUnwrap(item[0] as? String)
            guard decoded.utf8.contains(UInt8(ascii: "$")), decoded.hasPrefix("${text.decode(base64.decode(\"") else {
                XCTAssertSameScalars(decoded, text)
                continue
            }
            let base64 = decoded.dropFirst("${text.decode(base64.decode(\"".count).dropLast("\"))}".count)
            XCTAssertEqual(decoded, "${text.decode(base64.decode(\"\(base64)\"))}")
            XCTAssertSameScalars(Data(base64Encoded: String(base64)).map { String(decoding: $0, as: UTF8.self) }, text)
        }
    }

    func testFloatsAndValuesReadBackTyped() throws {
        let numbers = [0.5, 1e-05, 1e20, -2.5e-300, 123456789.125, 0.1]
        let document = numbers.map { "- " + YAMLLiteral.float($0) + "\n" }.joined()
        for (number, item) in zip(numbers, try loadWithPyYAML(document)) {
            XCTAssertEqual((item[0] as? NSNumber)?.doubleValue, number)
        }
        let value = ParameterValue.mapping([
            .init(key: "${k}", value: .list([.string("#x"), .integer(-3), .bool(false), .null, .float(1e-05)])),
        ])
        XCTAssertEqual(YAMLLiteral.value(value), ##"{"${k}": ["#x", -3, false, null, 1.0e-05]}"##)
        XCTAssertEqual(WorkflowsLiteral.value(value), ##"{"${text.decode(base64.decode(\"JHtrfQ==\"))}": ["#x", -3, false, null, 1.0e-05]}"##)
    }

    private func loadWithJobc(_ document: String) throws -> [YAMLNode] {
        let result = YAMLLoader().load(SourceFile(displayPath: "encoded.yaml", text: document))
        XCTAssertTrue(result.diagnostics.isEmpty, result.diagnostics.map(\.message).joined(separator: "\n"))
        guard case .sequence(let items)? = result.root?.content else { throw ExternalDecoder.Failure(description: "not a list") }
        return items
    }

    private func loadWithPyYAML(_ document: String) throws -> [[Any]] {
        return try XCTUnwrap(ExternalDecoder.python(Self.pyYAML, input: document) as? [[Any]])
    }
}
