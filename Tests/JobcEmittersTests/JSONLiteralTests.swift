import Foundation
import JobcCore
import XCTest

/// Every string and document `JSONLiteral` writes is read back by Foundation's `JSONDecoder` as
/// exactly what it was made from. Not `JSONSerialization`: it hands strings over as `NSString`, and
/// swift-corelibs-foundation drops U+FEFF when bridging one back to `String`.
final class JSONLiteralTests: XCTestCase {
    func testHostileStringsDecodeToThemselves() throws {
        for text in HostileStrings.all() {
            let literal = JSONLiteral.string(text)
            XCTAssertFalse(literal.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" || $0 == "\u{2029}" }, describe(text))
            XCTAssertSameScalars(try JSONDecoder().decode(String.self, from: Data(literal.utf8)), text)
        }
    }

    func testDocumentsWithHostileKeysAndValuesDecodeToThemselves() throws {
        let strings = HostileStrings.all(randomCount: 60)
        let document = JSONValue.array(strings.enumerated().map { index, text in
            .object([(text, .array([.string(text), .integer(index), .number(Double(index) / 8), .bool(index % 2 == 0), .null, .object([])]))])
        })
        for indent in [2, nil] {
            let decoded = try JSONDecoder().decode([[String: [Decoded]]].self, from: Data(JSONLiteral.document(document, indent: indent).utf8))
            XCTAssertEqual(decoded.count, strings.count)
            for ((index, text), object) in zip(strings.enumerated(), decoded) {
                let entry = try XCTUnwrap(object.first)
                XCTAssertSameScalars(entry.key, text, "key:")
                XCTAssertEqual(entry.value.count, 6)
                guard case .string(let value) = entry.value[0] else { XCTFail("not a string"); continue }
                XCTAssertSameScalars(value, text, "value:")
                XCTAssertEqual(Array(entry.value.dropFirst()), [.number(Double(index)), .number(Double(index) / 8), .bool(index % 2 == 0), .null, .object])
            }
        }
    }

    /// One JSON value, read the way `JSONDecoder` sees it.
    private enum Decoded: Decodable, Equatable {
        case string(String), number(Double), bool(Bool), null, object

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else if let text = try? container.decode(String.self) { self = .string(text) }
            else { _ = try container.decode([String: Int].self); self = .object }
        }
    }

    func testLayoutIsStable() {
        let value = JSONValue.object([("b", .array([.integer(1), .number(1e-05), .string("\u{0}\u{2028}")])), ("a", .object([])), ("c", .array([]))])
        XCTAssertEqual(JSONLiteral.document(value, indent: nil), #"{"b":[1,1e-05,"\u0000\u2028"],"a":{},"c":[]}"#)
        XCTAssertEqual(value.rendered(), "{\n  \"b\": [\n    1,\n    1e-05,\n    \"\\u0000\\u2028\"\n  ],\n  \"a\": {},\n  \"c\": []\n}\n")
    }
}
