import Foundation

/// `jobc test --junit FILE`: JUnit XML for CI, one `testsuite` per test file, one `testcase` per
/// scenario, a `failure` per failed scenario (its mismatches as the message and text), an `error`
/// for a test file that could not run.
public struct JUnitReport: Sendable {
    public struct Case: Sendable {
        public var name: String
        public var seconds: Double
        /// Nil when the scenario passed.
        public var failure: String?
        /// The scenario could not run (a malformed test file, a refused run).
        public var isError: Bool

        public init(name: String, seconds: Double, failure: String?, isError: Bool = false) {
            self.name = name
            self.seconds = seconds
            self.failure = failure
            self.isError = isError
        }
    }

    public struct Suite: Sendable {
        public var name: String
        public var cases: [Case]

        public init(name: String, cases: [Case]) {
            self.name = name
            self.cases = cases
        }
    }

    public var suites: [Suite]

    public init(suites: [Suite]) {
        self.suites = suites
    }

    public var xml: String {
        func count(_ cases: [Case], _ include: (Case) -> Bool) -> Int { cases.filter(include).count }
        let all = suites.flatMap(\.cases)
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        text += "<testsuites name=\"jobc test\" tests=\"\(all.count)\" failures=\"\(count(all) { $0.failure != nil && !$0.isError })\" "
            + "errors=\"\(count(all) { $0.isError })\" time=\"\(seconds(all.map(\.seconds).reduce(0, +)))\">\n"
        for suite in suites {
            text += "  <testsuite name=\"\(Self.escape(suite.name))\" tests=\"\(suite.cases.count)\" "
                + "failures=\"\(count(suite.cases) { $0.failure != nil && !$0.isError })\" errors=\"\(count(suite.cases) { $0.isError })\" "
                + "time=\"\(seconds(suite.cases.map(\.seconds).reduce(0, +)))\">\n"
            for test in suite.cases {
                let opening = "    <testcase classname=\"\(Self.escape(suite.name))\" name=\"\(Self.escape(test.name))\" time=\"\(seconds(test.seconds))\""
                guard let failure = test.failure else {
                    text += opening + "/>\n"
                    continue
                }
                let element = test.isError ? "error" : "failure"
                let firstLine = failure.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? failure
                text += opening + ">\n"
                text += "      <\(element) message=\"\(Self.escape(firstLine))\" type=\"\(test.isError ? "error" : "mismatch")\">"
                    + Self.escape(failure, attribute: false) + "</\(element)>\n"
                text += "    </testcase>\n"
            }
            text += "  </testsuite>\n"
        }
        return text + "</testsuites>\n"
    }

    private func seconds(_ value: Double) -> String {
        String(format: "%.3f", value)
    }

    /// Text for an XML attribute or element: the five special characters escaped, and characters
    /// XML 1.0 cannot hold at all (controls other than tab, newline, carriage return) replaced.
    /// In an attribute, tab and line breaks are character references too (a parser would fold them).
    public static func escape(_ text: String, attribute: Bool = true) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\t", "\n", "\r": escaped += attribute ? "&#\(scalar.value);" : String(Character(scalar))
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: escaped += "\u{FFFD}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
