/// When a job runs: on a cron schedule (possibly written as a preset), or only when triggered.
public enum Schedule: Hashable, Sendable {
    case manual
    case cron(CronExpression)
}

/// A validated 5-field cron expression (minute hour day-of-month month day-of-week), kept as written
/// after whitespace normalisation, plus the `@` preset it came from, if any.
public struct CronExpression: Hashable, Sendable {
    public let expression: String
    public let preset: String?

    /// The presets every target can express as cron; `@once` and `@continuous` are Airflow-only ideas.
    public static let presets: [(name: String, cron: String)] = [
        ("@hourly", "0 * * * *"),
        ("@daily", "0 0 * * *"),
        ("@weekly", "0 0 * * 0"),
        ("@monthly", "0 0 1 * *"),
        ("@quarterly", "0 0 1 */3 *"),
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
    ]

    /// A problem with a schedule string, and where in the string it is (0-based scalar offset).
    public struct ParseError: Error, Equatable {
        public var message: String
        public var offset: Int
        public var suggestion: String?
    }

    public static func parse(_ text: String) -> Result<CronExpression, ParseError> {
        if text.hasPrefix("@") {
            if let preset = presets.first(where: { $0.name == text }) {
                return .success(CronExpression(expression: preset.cron, preset: preset.name))
            }
            let hint: String?
            if text == "@once" {
                hint = "use 'schedule: null' and trigger the run by hand; not every target can run a job exactly once"
            } else {
                hint = Suggestions.didYouMean(text, in: presets.map(\.name))
                    ?? "use one of \(presets.map(\.name).joined(separator: ", ")) or a cron expression"
            }
            return .failure(ParseError(message: "unknown schedule preset '\(text)'", offset: 0, suggestion: hint))
        }
        let fields = fieldsWithOffsets(text)
        guard fields.count == 5 else {
            return .failure(ParseError(
                message: "a cron expression has 5 fields (minute hour day-of-month month day-of-week); '\(text)' has \(fields.count)",
                offset: 0, suggestion: "e.g. '30 2 * * *' runs daily at 02:30"))
        }
        for (field, spec) in zip(fields, fieldSpecs) {
            if let error = validate(field.text, spec) {
                return .failure(ParseError(
                    message: "cron \(spec.name) field '\(field.text)': \(error)", offset: field.offset,
                    suggestion: "\(spec.name) takes \(spec.range.lowerBound)-\(spec.range.upperBound)\(spec.names.isEmpty ? "" : " or names like \(spec.names[0])"), '*', lists 'a,b', ranges 'a-b' and steps '*/n'"))
            }
        }
        if let never = neverFires(fields) { return .failure(never) }
        return .success(CronExpression(expression: fields.map(\.text).joined(separator: " "), preset: nil))
    }

    /// A day of month that none of the months has (`0 0 31 2 *`, `0 0 31 4,6,9,11 *`): the job would
    /// never run, and Airflow's croniter refuses the expression. Only when day-of-week is `*`: when
    /// both day fields are restricted, cron runs on a day matching either, so the job does run.
    private static func neverFires(_ fields: [(text: String, offset: Int)]) -> ParseError? {
        guard fields[4].text == "*" else { return nil }
        let days = values(of: fields[2].text, fieldSpecs[2])
        let months = values(of: fields[3].text, fieldSpecs[3])
        let longest = months.map { StartDate.daysIn(month: $0, year: 2000) }.max() ?? 31  // Feb 29 does come
        guard let first = days.first, first > longest else { return nil }
        let names = months.map { monthNames[$0 - 1] }
        let listed = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
        return ParseError(
            message: "cron day-of-month field '\(fields[2].text)' never falls in \(listed) (at most \(longest) days): the schedule never fires",
            offset: fields[2].offset,
            suggestion: "pick a day from 1 to \(longest), or a month that has day \(first)")
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// Every value a validated field matches, ascending: `*`, `v`, `a-b`, each optionally `/step`
    /// (`v/step` runs from v to the end of the range, as in Vixie cron and croniter). One bit per
    /// value (every field's range lies within 0...59): a set of integers hashed each of them.
    private static func values(of field: String, _ spec: FieldSpec) -> [Int] {
        var matched: UInt64 = 0
        for item in field.split(separator: ",") {
            let parts = item.split(separator: "/")
            let step = parts.count == 2 ? Int(parts[1]) ?? 1 : 1
            let bounds = parts[0].split(separator: "-")
            var low = spec.range.lowerBound, high = spec.range.upperBound
            if parts[0] != "*" {
                low = number(bounds[0], spec) ?? low
                high = bounds.count == 2 ? number(bounds[1], spec) ?? high : parts.count == 2 ? high : low
            }
            for value in stride(from: low, through: high, by: step) where (0..<64).contains(value) { matched |= 1 << UInt64(value) }
        }
        return (0..<64).filter { matched & (1 << UInt64($0)) != 0 }
    }

    private struct FieldSpec {
        let name: String
        let range: ClosedRange<Int>
        let names: [String]
    }

    private static let fieldSpecs = [
        FieldSpec(name: "minute", range: 0...59, names: []),
        FieldSpec(name: "hour", range: 0...23, names: []),
        FieldSpec(name: "day-of-month", range: 1...31, names: []),
        FieldSpec(name: "month", range: 1...12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        FieldSpec(name: "day-of-week", range: 0...6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ]

    private static func fieldsWithOffsets(_ text: String) -> [(text: String, offset: Int)] {
        var fields: [(String, Int)] = []
        var current = ""
        var start = 0
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if scalar == " " || scalar == "\t" {
                if !current.isEmpty { fields.append((current, start)) }
                current = ""
            } else {
                if current.isEmpty { start = offset }
                current.unicodeScalars.append(scalar)
            }
        }
        if !current.isEmpty { fields.append((current, start)) }
        return fields
    }

    /// Checks one field: a comma list of `*`, `v`, `a-b`, each optionally `/step`.
    private static func validate(_ field: String, _ spec: FieldSpec) -> String? {
        for item in field.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return "'\(item)' has more than one '/'" }
            if parts.count == 2 {
                guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let step = Int(parts[1]), step >= 1,
                      step <= spec.range.upperBound else {
                    return "step '\(parts[1])' must be a number from 1 to \(spec.range.upperBound)"
                }
            }
            let base = parts[0]
            if base == "*" { continue }
            let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2 else { return "'\(base)' is not a value or a range a-b" }
            var values: [Int] = []
            for bound in bounds {
                guard let value = number(bound, spec) else {
                    return bound.isEmpty ? "empty value in '\(item)'" : "'\(bound)' is not in \(spec.range.lowerBound)-\(spec.range.upperBound)"
                }
                values.append(value)
            }
            if values.count == 2, values[0] > values[1] { return "range '\(base)' runs backwards" }
        }
        return nil
    }

    private static func number(_ text: Substring, _ spec: FieldSpec) -> Int? {
        if let index = spec.names.firstIndex(of: text.uppercased()) {
            return spec.range.lowerBound + index
        }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text),
              spec.range.contains(value) else { return nil }
        return value
    }
}
