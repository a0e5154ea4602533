/// A calendar date with an optional time and UTC offset, as ISO 8601 writes it, validated for real
/// (no 2024-02-30). Without an offset the time is UTC: a job must mean the same moment on every target.
public struct StartDate: Hashable, Sendable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int
    /// Offset from UTC in minutes (+02:00 → 120).
    public var utcOffsetMinutes: Int

    public struct ParseError: Error, Equatable {
        public var message: String
    }

    /// `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM[:SS]`, and `Z` or `±HH:MM`.
    public static func parse(_ text: String) -> Result<StartDate, ParseError> {
        let chars = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= chars.count else { return nil }
            var value = 0
            for byte in chars[start..<start + count] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        func at(_ index: Int, _ ascii: Character) -> Bool {
            index < chars.count && chars[index] == ascii.asciiValue!
        }
        let expected = "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]"
        guard let year = digits(0, 4), at(4, "-"), let month = digits(5, 2), at(7, "-"), let day = digits(8, 2) else {
            return .failure(ParseError(message: "'\(text)' is not an ISO date; \(expected)"))
        }
        guard (1...12).contains(month) else { return .failure(ParseError(message: "'\(text)': month \(month) does not exist")) }
        guard year >= 1900 && year <= 9999 else { return .failure(ParseError(message: "'\(text)': year \(year) is out of range 1900-9999")) }
        let monthLength = daysIn(month: month, year: year)
        guard (1...monthLength).contains(day) else {
            return .failure(ParseError(message: "'\(text)': day \(day) does not exist in \(year)-\(zeroPadded(month, width: 2)) (it has \(monthLength) days)"))
        }
        var result = StartDate(year: year, month: month, day: day, hour: 0, minute: 0, second: 0, utcOffsetMinutes: 0)
        var index = 10
        guard index < chars.count else { return .success(result) }
        guard at(index, "T") || at(index, " "), let hour = digits(index + 1, 2), at(index + 3, ":"),
              let minute = digits(index + 4, 2) else {
            return .failure(ParseError(message: "'\(text)' is not an ISO date-time; \(expected)"))
        }
        index += 6
        var second = 0
        if at(index, ":") {
            guard let value = digits(index + 1, 2) else { return .failure(ParseError(message: "'\(text)': bad seconds; \(expected)")) }
            second = value
            index += 3
        }
        guard hour <= 23, minute <= 59, second <= 59 else {
            return .failure(ParseError(message: "'\(text)': time \(zeroPadded(hour, width: 2)):\(zeroPadded(minute, width: 2)):\(zeroPadded(second, width: 2)) does not exist"))
        }
        result.hour = hour
        result.minute = minute
        result.second = second
        if index == chars.count { return .success(result) }
        if at(index, "Z"), index + 1 == chars.count { return .success(result) }
        guard at(index, "+") || at(index, "-"), let offsetHours = digits(index + 1, 2), at(index + 3, ":"),
              let offsetMinutes = digits(index + 4, 2), index + 6 == chars.count,
              offsetHours <= 14, offsetMinutes <= 59 else {
            return .failure(ParseError(message: "'\(text)': bad time zone offset; \(expected)"))
        }
        result.utcOffsetMinutes = (at(index, "-") ? -1 : 1) * (offsetHours * 60 + offsetMinutes)
        // Every target turns the date into UTC (Python's astimezone raises past 9999-12-31): the
        // moment, not only the local date, must fit.
        if year == 9999, month == 12, day == 31, hour * 60 + minute - result.utcOffsetMinutes >= 24 * 60 {
            return .failure(ParseError(message: "'\(text)' is in the year 10000 in UTC; the latest start is 9999-12-31T23:59:59Z"))
        }
        return .success(result)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// RFC 3339 form, e.g. `2024-01-01T00:00:00+00:00`: one spelling for every emitter and the IR.
    public var iso8601: String {
        let sign = utcOffsetMinutes < 0 ? "-" : "+"
        let offset = abs(utcOffsetMinutes)
        return "\(zeroPadded(year, width: 4))-\(zeroPadded(month, width: 2))-\(zeroPadded(day, width: 2))T"
            + "\(zeroPadded(hour, width: 2)):\(zeroPadded(minute, width: 2)):\(zeroPadded(second, width: 2))"
            + "\(sign)\(zeroPadded(offset / 60, width: 2)):\(zeroPadded(offset % 60, width: 2))"
    }
}

/// Zero-padded decimal, for the fixed-width fields of dates.
func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
