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
