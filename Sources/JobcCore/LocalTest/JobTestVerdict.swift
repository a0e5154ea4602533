/// Whether a scenario's run ended as its test file expects: each mismatch a diagnostic located at
/// the expectation it contradicts (`test-expectation`).
public enum JobTestVerdict {
    public static func mismatches(of scenario: JobTestScenario, in report: LocalRunEvent.Report) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let records = Dictionary(report.tasks.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for expectation in scenario.tasks {
            let name = expectation.task.value
            guard let record = records[name] else {
                diagnostics.append(.error(.testExpectation, "task '\(name)' did not take part in the run", at: expectation.task.location))
                continue
            }
            if let state = expectation.state, state.value != record.state {
                let error = record.error.map { " (\($0))" } ?? ""
                diagnostics.append(.error(.testExpectation, "task '\(name)' ended \(record.state)\(error), expected \(state.value)", at: state.location))
            }
            if let attempts = expectation.attempts, attempts.value != record.attempts {
                diagnostics.append(.error(
                    .testExpectation, "task '\(name)' made \(record.attempts) attempt\(record.attempts == 1 ? "" : "s"), expected \(attempts.value)",
                    at: attempts.location))
            }
        }
        for (index, expectation) in scenario.sql.enumerated() {
            guard let results = report.queries, index < results.count else {
                diagnostics.append(.error(.testExpectation, "the query was not run (the run was interrupted)", at: expectation.query.location))
                continue
            }
            let result = results[index]
            guard let rows = result.rows else {
                diagnostics.append(.error(.testExpectation, "the query failed: \(result.error ?? "no rows")", at: expectation.query.location))
                continue
            }
            if !matches(rows, expectation.rows.value) {
                diagnostics.append(.error(
                    .testExpectation, "the query returned \(render(rows.map { $0.map(\.text) })), expected \(render(expectation.rows.value))",
                    at: expectation.rows.location))
            }
        }
        return diagnostics
    }

    /// Values compare as text, and numbers as numbers (`4` matches `4.0`, `80.5` matches `80.50`).
    static func matches(_ actual: [[LocalRunEvent.Cell]], _ expected: [[String]]) -> Bool {
        guard actual.count == expected.count else { return false }
        return zip(actual, expected).allSatisfy { row, wanted in
            row.count == wanted.count && zip(row, wanted).allSatisfy { cell, text in
                if cell.text == text { return true }
                guard let left = Double(cell.text), let right = Double(text) else { return false }
                return left == right
            }
        }
    }

    static func render(_ rows: [[String]]) -> String {
        "[" + rows.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
    }
}
