import Foundation

/// A day of the Gregorian calendar in UTC: the day of a run, for the checks that depend on it (a
/// start_date still to come). The core never reads the clock: the command line gives it today, and
/// generated files never depend on it, only diagnostics do.
public struct CalendarDay: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var year: Int, month: Int, day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC day of `moment`: how the command line turns its clock reading into today.
    /// gmtime(3), not Foundation's Calendar: setting one up costs a millisecond of every compile's
    /// start, before any job can be checked.
    public init(_ moment: Date) {
        var seconds = time_t(moment.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        self.init(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        "\(zeroPadded(year, width: 4))-\(zeroPadded(month, width: 2))-\(zeroPadded(day, width: 2))"
    }

    /// The day before or after (`days` is -1 or 1: an offset from UTC moves a moment by less than a day).
    func adding(days: Int) -> CalendarDay {
        var next = self
        next.day += days
        if next.day < 1 {
            next.month -= 1
            if next.month < 1 { next.month = 12; next.year -= 1 }
            next.day = StartDate.daysIn(month: next.month, year: next.year)
        } else if next.day > StartDate.daysIn(month: next.month, year: next.year) {
            next.day = 1
            next.month += 1
            if next.month > 12 { next.month = 1; next.year += 1 }
        }
        return next
    }
}

extension StartDate {
    /// The UTC day on which the start falls, its offset applied (`2024-03-01T00:30+02:00` starts on
    /// 2024-02-29 in UTC).
    public var utcDay: CalendarDay {
        let minutes = hour * 60 + minute - utcOffsetMinutes
        let date = CalendarDay(year: year, month: month, day: day)
        if minutes < 0 { return date.adding(days: -1) }
        if minutes >= 24 * 60 { return date.adding(days: 1) }
        return date
    }
}
