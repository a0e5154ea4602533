import JobcCore
@testable import JobcEmitters
import XCTest

final class PythonLiteralTests: XCTestCase {
    func testStringsAreEscapedExactly() {
        XCTAssertEqual(PythonLiteral.string("plain"), "\"plain\"")
        XCTAssertEqual(PythonLiteral.string("a\"b\\c"), "\"a\\\"b\\\\c\"")
        XCTAssertEqual(PythonLiteral.string("line\nbreak\r\ttab"), "\"line\\nbreak\\r\\ttab\"")
        XCTAssertEqual(PythonLiteral.string("\u{0}\u{7}\u{1B}\u{7F}"), "\"\\x00\\x07\\x1b\\x7f\"")
        XCTAssertEqual(PythonLiteral.string("\u{202E}evil\u{2028}\u{A0}"), "\"\\u202eevil\\u2028\\xa0\"")
        XCTAssertEqual(PythonLiteral.string("\u{E000}\u{10FFFF}"), "\"\\ue000\\U0010ffff\"")
        XCTAssertEqual(PythonLiteral.string("ünï 🚀 {{ ds }} %(x)s '''"), "\"ünï 🚀 {{ ds }} %(x)s '''\"")
    }

    func testValues() {
        let value = ParameterValue.mapping([
            .init(key: "list", value: .list([.integer(-1), .float(0.1), .float(2), .bool(true), .null])),
            .init(key: "k\"", value: .string("v")),
        ])
        XCTAssertEqual(PythonLiteral.value(value), "{\"list\": [-1, 0.1, 2.0, True, None], \"k\\\"\": \"v\"}")
        XCTAssertEqual(PythonLiteral.value(.float(1e-7)), "1e-07")
        XCTAssertEqual(PythonLiteral.value(.integer(Int.min)), "-9223372036854775808")
    }
}

/// Every literal `PythonLiteral` writes is read back by Python itself (`ast.literal_eval`, one
/// process for the whole batch) as exactly the value it was made from.
final class PythonLiteralRoundTripTests: XCTestCase {
    /// Decodes one literal per line and prints the values as ASCII JSON.
    private static let decoder = """
        import ast, json, sys
        lines = sys.stdin.buffer.read().decode("utf-8").split("\\n")[:-1]
        print(json.dumps([ast.literal_eval(line) for line in lines], ensure_ascii=True))
        """

    override func setUpWithError() throws {
    }

    func testHostileStringsDecodeToThemselves() throws {
        let strings = HostileStrings.all()
        let literals = strings.map(PythonLiteral.string)
        for (text, literal) in zip(strings, literals) {
            XCTAssertFalse(literal.unicodeScalars.contains { $0.isHiddenFromReaders }, "\(describe(text)) left a hidden scalar")
        }
        let decoded = try XCTUnwrap(ExternalDecoder.python(Self.decoder, input: literals.map { $0 + "\n" }.joined()) as? [Any])
        XCTAssertEqual(decoded.count, strings.count)
        for (text, value) in zip(strings, decoded) {
            XCTAssertSameScalars(value as? String, text)
        }
    }

    func testValuesHoldingHostileStringsDecodeToThemselves() throws {
        let strings = HostileStrings.all(randomCount: 40)
        let values: [ParameterValue] = strings.enumerated().map { index, text in
            .mapping([
                .init(key: text, value: .list([.string(text), .integer(index), .float(Double(index) / 8), .bool(index % 2 == 0), .null])),
                .init(key: "nested", value: .mapping([.init(key: "\(index)" + text, value: .string(text))])),
            ])
        }
        let decoded = try XCTUnwrap(ExternalDecoder.python(Self.decoder, input: values.map { PythonLiteral.value($0) + "\n" }.joined()) as? [Any])
        XCTAssertEqual(decoded.count, values.count)
        for (value, python) in zip(values, decoded) {
            XCTAssertTrue(sameValue(value, python), "\(PythonLiteral.value(value).prefix(200)) read back as \(String(describing: python).prefix(200))")
        }
    }
}

/// Whether a value decoded from JSON (via Python or Foundation) is `value`, strings compared scalar by scalar.
func sameValue(_ value: ParameterValue, _ decoded: Any) -> Bool {
    switch value {
    case .null: return decoded is NSNull
    case .bool(let flag): return (decoded as? Bool) == flag
    case .integer(let number): return (decoded as? NSNumber)?.intValue == number
    case .float(let number): return (decoded as? NSNumber)?.doubleValue == number
    case .string(let text): return (decoded as? String).map { Array($0.unicodeScalars) == Array(text.unicodeScalars) } ?? false
    case .list(let items):
        guard let array = decoded as? [Any], array.count == items.count else { return false }
        return zip(items, array).allSatisfy { sameValue($0, $1) }
    case .mapping(let entries):
        guard let object = decoded as? [String: Any], object.count == entries.count else { return false }
        return entries.allSatisfy { entry in
            object.contains { Array($0.key.unicodeScalars) == Array(entry.key.unicodeScalars) && sameValue(entry.value, $0.value) }
        }
    }
}
