import XCTest
@testable import JobcCore

final class ValueParserTests: XCTestCase {
    func testCronPresetsAndExpressions() throws {
        XCTAssertEqual(try CronExpression.parse("@daily").get(), CronExpression(expression: "0 0 * * *", preset: "@daily"))
        XCTAssertEqual(try CronExpression.parse("*/15  9-17 * JAN-MAR mon,fri").get().expression, "*/15 9-17 * JAN-MAR mon,fri")
        XCTAssertNoThrow(try CronExpression.parse("0 0 1,15 */2 0-6").get())
    }

    func testCronErrorsPointAtTheField() {
        func failure(_ text: String) -> CronExpression.ParseError? {
            if case .failure(let error) = CronExpression.parse(text) { return error }
            return nil
        }
        XCTAssertEqual(failure("0 25 * * *")?.offset, 2)
        XCTAssertEqual(failure("0 0 * * 7")?.offset, 8)
        XCTAssertEqual(failure("0 0 0 * *")?.offset, 4)
        XCTAssertEqual(failure("5-1 * * * *")?.message.contains("backwards"), true)
        XCTAssertEqual(failure("*/0 * * * *")?.offset, 0)
        XCTAssertEqual(failure("* * * *")?.message.contains("has 4"), true)
        XCTAssertEqual(failure("@dayly")?.suggestion, "did you mean '@daily'?")
        XCTAssertEqual(failure("@once")?.suggestion?.contains("schedule: null"), true)
    }

    /// croniter raises on a day that no listed month has; such a job would never run anywhere.
    func testCronThatCanNeverFireIsRefusedAtTheDayOfMonth() throws {
        func failure(_ text: String) -> CronExpression.ParseError? {
            if case .failure(let error) = CronExpression.parse(text) { return error }
            return nil
        }
        for never in ["0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30-31 FEB *", "0 0 31 apr-jun/2 *", "0 0 31/5 2 *"] {
            let error = try XCTUnwrap(failure(never), never)
            XCTAssertEqual(error.offset, 4, never)
            XCTAssertTrue(error.message.contains("never fires"), error.message)
        }
        XCTAssertEqual(failure("0 0 31 2 *")?.message, "cron day-of-month field '31' never falls in February (at most 29 days): the schedule never fires")
        XCTAssertEqual(failure("0 0 31 4,6 *")?.suggestion, "pick a day from 1 to 30, or a month that has day 31")
        // Leap days come; either day field may match when both are restricted; one good month is enough.
        for fires in ["0 0 29 2 *", "0 0 31 2 1", "0 0 31 2 */2", "0 0 31 1-3 *", "0 0 30,31 4 *", "0 0 */10 2 *", "0 0 31 */2 *", "0 0 31 * *"] {
            XCTAssertNoThrow(try CronExpression.parse(fires).get(), fires)
        }
    }

    func testStartDates() throws {
        XCTAssertEqual(try StartDate.parse("2024-01-01").get().iso8601, "2024-01-01T00:00:00+00:00")
        XCTAssertEqual(try StartDate.parse("2024-02-29T13:45").get().iso8601, "2024-02-29T13:45:00+00:00")
        XCTAssertEqual(try StartDate.parse("2024-06-01 08:00:30+02:00").get().utcOffsetMinutes, 120)
        XCTAssertEqual(try StartDate.parse("2024-06-01T08:00:00Z").get().iso8601, "2024-06-01T08:00:00+00:00")
        for bad in ["2024-02-30", "2023-02-29", "2024-13-01", "2024-1-1", "24-01-01", "2024-01-01T25:00", "2024-01-01T10:00+5", "2024-01-01x"] {
            XCTAssertThrowsError(try StartDate.parse(bad).get(), bad)
        }
        XCTAssertNoThrow(try StartDate.parse("2000-02-29").get())
        // The moment must exist in UTC too: Python's astimezone(utc) raises past 9999-12-31.
        XCTAssertEqual(StartDate.parse("9999-12-31T23:59:59-14:00"),
                       .failure(.init(message: "'9999-12-31T23:59:59-14:00' is in the year 10000 in UTC; the latest start is 9999-12-31T23:59:59Z")))
        XCTAssertThrowsError(try StartDate.parse("9999-12-31T23:00-01:00").get())
        XCTAssertThrowsError(try StartDate.parse("9999-12-31T12:00-12:00").get())
        for fits in ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59+14:00", "9999-12-31T11:59-12:00", "9999-12-31", "1900-01-01T00:00+14:00"] {
            XCTAssertNoThrow(try StartDate.parse(fits).get(), fits)
        }
        XCTAssertThrowsError(try StartDate.parse("1900-02-29").get())
    }

    func testDurations() throws {
        XCTAssertEqual(try Duration.parse("30s").get().seconds, 30)
        XCTAssertEqual(try Duration.parse("1h30m").get().seconds, 5400)
        XCTAssertEqual(try Duration.parse("2d").get().seconds, 172_800)
        XCTAssertEqual(try Duration.parse("45").get().seconds, 45)
        XCTAssertEqual(Duration(seconds: 5400).description, "1h30m")
        XCTAssertEqual(try Duration.parse("1d2h3m4s").get().seconds, 93_784)
        XCTAssertEqual(try Duration.parse("007m").get().seconds, 420)
        for bad in ["", "5x", "m5", "30s5m", "1h1h", "1.5h", "-5s", "1h30", "5 m", "5m ", "\u{FF15}m", "1\u{301}s", "s"] {
            XCTAssertEqual(Duration.parse(bad), .failure(.malformed), bad)
        }
        XCTAssertEqual(Duration.parse("999999999d"), .failure(.tooLarge))
        XCTAssertEqual(Duration.parse("99999999999999999999999s"), .failure(.tooLarge), "digits beyond Int, then a unit")
        XCTAssertEqual(Duration.parse("99999999999999999999999"), .failure(.tooLarge), "a bare number beyond Int")
        XCTAssertEqual(Duration.parse("1h99999999999999999999999"), .failure(.malformed), "trailing digits, however many")
        XCTAssertEqual(Duration.parse(String(Duration.maximumSeconds)), .success(Duration(seconds: Duration.maximumSeconds)))
        XCTAssertEqual(Duration.parse(String(Duration.maximumSeconds + 1)), .failure(.tooLarge))
    }

    func testIdentifierRule() {
        XCTAssertNil(Identifier.problem(with: "derived_dataset_materialize_sink"))
        for bad in ["", "Job", "1job", "my-job", "job_", "class", "j\u{00E9}b", String(repeating: "a", count: 64)] {
            XCTAssertNotNil(Identifier.problem(with: bad), bad)
        }
        XCTAssertEqual(Identifier.suggestion(for: "My-Job"), "my_job")
        XCTAssertNil(SecretName.problem(with: "postgres-credentials_2"))
        XCTAssertNotNil(SecretName.problem(with: "../etc/passwd"))
    }

    func testSuggestions() {
        XCTAssertEqual(Suggestions.closest(to: "schedul", in: JobFormat.Table.job.keys.names), "schedule")
        XCTAssertEqual(Suggestions.closest(to: "dependecies", in: JobFormat.Table.job.keys.names), "dependencies")
        XCTAssertNil(Suggestions.closest(to: "banana", in: JobFormat.Table.job.keys.names))
    }
}
