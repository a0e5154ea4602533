import Foundation
import XCTest

/// One file of `Fixtures/project/jobs/bad/` and what `jobc lint` must say about it.
struct BadInput {
    var file: String
    var exitStatus: Int32
    /// Position of the main diagnostic: the first one printed (diagnostics are sorted by position).
    var line: Int
    /// Nil where the exact column is an implementation detail (where a size limit happens to trip).
    var column: Int?
    var rule: String
    /// How many errors the file must produce in total (no cascades of follow-up errors).
    var errorCount = 1
    /// Text the main diagnostic (message, help or notes) must contain, e.g. a did-you-mean.
    var mentions: String?

    init(_ file: String, _ exitStatus: Int32, _ line: Int, _ column: Int?, _ rule: String,
         errors: Int = 1, mentions: String? = nil) {
        self.file = file
        self.exitStatus = exitStatus
        self.line = line
        self.column = column
        self.rule = rule
        self.errorCount = errors
        self.mentions = mentions
    }
}

final class BadInputCorpusTests: JobcCLITestCase {
    /// The bad-input corpus: every file in jobs/bad/ except many_problems.yaml (see
    /// testOneFileWithManyProblemsReportsThemAll). `generated` files are written by `prepareCorpus`.
    static let corpus: [BadInput] = [
        // file                               exit line col  rule
        // Reading the file
        .init("yaml_syntax.yaml",                1,  3,   6, "yaml-syntax", mentions: "while parsing a flow sequence"),
        .init("duplicate_key.yaml",              1,  7,   7, "yaml-duplicate-key", mentions: "first defined here"),
        .init("two_documents.yaml",              1,  6,   1, "yaml-multiple-documents"),
        .init("alias_bomb.yaml",                 1,  7, nil, "yaml-limits"),
        .init("deep_nesting.yaml",               1,  2, nil, "yaml-limits"),                 // generated: 20,000 × '['
        .init("invalid_utf8.yaml",               1,  2,  24, "yaml-encoding"),
        .init("binary_file.yaml",                1,  2,   1, "yaml-encoding", mentions: "NUL byte"),
        .init("utf16_le_bom.yaml",               1,  1,   1, "yaml-encoding", mentions: "UTF-16 (little-endian)"),
        .init("utf16_be.yaml",                   1,  1,   1, "yaml-encoding", mentions: "re-save the file as UTF-8"),
        .init("control_character.yaml",          1,  2,  19, "yaml-encoding", mentions: "U+0007"),
        .init("empty.yaml",                      1,  1,   1, "yaml-empty"),
        .init("comments_only.yaml",              1,  1,   1, "yaml-empty"),
        .init("top_level_list.yaml",             1,  1,   1, "wrong-type", mentions: "must be a mapping, found a list"),
        .init("tab_indentation.yaml",            1,  3,   1, "yaml-syntax"),
        .init("bom_prefix.yaml",                 1,  2,   1, "unknown-key", mentions: "did you mean 'schedule'?"),
        .init("crlf_line_endings.yaml",          1,  2,  14, "invalid-schedule"),
        .init("recursive_alias.yaml",            1,  3,   6, "yaml-syntax", mentions: "recursive"),
        .init("undefined_alias.yaml",            1,  5,  23, "yaml-syntax", mentions: "*greeting"),
        .init("merge_key.yaml",                  1,  8,   5, "yaml-unsupported", mentions: "merge keys"),
        .init("custom_tag.yaml",                 1,  6,  16, "yaml-unsupported", mentions: "!python/object"),
        .init("python_tag_double_bang.yaml",     1,  6,  16, "yaml-unsupported"),
        .init("complex_key.yaml",                1,  3,   5, "yaml-unsupported"),
        .init("yaml_1_1_directive.yaml",         0,  1,   1, "yaml-version", errors: 0, mentions: "read as YAML 1.2"),
        // The job's shape
        .init("unknown_key.yaml",                1,  2,   1, "unknown-key", mentions: "did you mean 'schedule'?"),
        .init("missing_job_id.yaml",             1,  1,   1, "missing-key", mentions: "'job_id'"),
        .init("missing_tasks.yaml",              1,  1,   1, "missing-key", mentions: "'tasks'"),
        .init("empty_tasks.yaml",                1,  2,   8, "missing-key", mentions: "at least one task"),
        .init("wrong_type.yaml",                 1,  2,  10, "wrong-type", mentions: "true or false"),
        .init("name_and_job_id.yaml",            1,  2,   1, "unknown-key", mentions: "remove 'name'"),
        .init("name_alias_deprecated.yaml",      0,  2,   1, "deprecated-key", errors: 0),
        .init("bad_cron_field.yaml",             1,  2,  14, "invalid-schedule", mentions: "hour field '25'"),
        .init("unknown_preset.yaml",             1,  2,  12, "invalid-schedule", mentions: "did you mean '@daily'?"),
        .init("once_preset.yaml",                1,  2,  12, "invalid-schedule", mentions: "schedule: null"),
        .init("cron_never_fires.yaml",           1,  2,  16, "invalid-schedule", mentions: "never fires"),
        .init("scheduled_without_start_date.yaml", 1, 2,  1, "missing-key", mentions: "start_date"),
        .init("feb_30.yaml",                     1,  3,  13, "invalid-date", mentions: "day 30 does not exist"),
        .init("bad_timezone.yaml",               1,  3,  13, "invalid-date", mentions: "time zone"),
        .init("bad_duration.yaml",               1,  5,  18, "invalid-duration"),
        .init("retries_out_of_range.yaml",       1,  3,  12, "invalid-value", mentions: "between 0 and 100"),
        .init("retries_too_large.yaml",          1,  5,  14, "invalid-value", mentions: "between 0 and 100"),
        .init("identifier_uppercase.yaml",       1,  1,   9, "invalid-identifier", mentions: "try 'dailyreport'"),
        .init("identifier_dash.yaml",            1,  3,   3, "invalid-identifier", mentions: "try 'load_data'"),
        .init("identifier_keyword.yaml",         1,  5,  14, "invalid-identifier", mentions: "Python keyword"),
        .init("identifier_too_long.yaml",        1,  1,   9, "invalid-identifier", mentions: "at most 63"),
        // Meaning
        .init("unknown_function.yaml",           1,  4,  15, "unknown-function", mentions: "did you mean 'EchoFunction'?"),
        .init("missing_required_parameter.yaml", 1,  6,   7, "function-parameters", mentions: "'message'"),
        .init("required_parameter_null.yaml",    1,  7,  22, "function-parameters"),
        .init("unknown_parameter.yaml",          1,  7,   7, "function-parameters", mentions: "did you mean 'repeat'?"),
        .init("mistyped_parameter.yaml",         1,  7,  15, "function-parameters", mentions: "type integer"),
        .init("missing_secret_key.yaml",         1,  4,  15, "function-parameters", mentions: "needs a secret"),
        .init("missing_sql_file.yaml",           1,  7,  22, "missing-file"),
        .init("path_escape.yaml",                1,  7,  22, "path-escape", mentions: "leaves the project root"),
        .init("absolute_path.yaml",              1,  7,  22, "path-escape", mentions: "is absolute"),
        .init("symlink_escape.yaml",             1,  8,  22, "path-escape", mentions: "symlink"), // link generated
        .init("missing_secret.yaml",             1,  5,  17, "missing-secret", mentions: "did you mean 'postgres_credentials'?"),
        .init("bad_secret_name.yaml",            1,  5,  17, "invalid-secret-name", mentions: "not a secret name"),
        .init("secret_missing_keys.yaml",        1,  5,  17, "secret-keys", mentions: "lacks keys required by PostgreSQLFunction: 'user', 'database' or 'dbname'"), // secret generated
        .init("unknown_dependency.yaml",         1,  8,  18, "unknown-dependency", mentions: "did you mean 'extract'?"),
        .init("dependency_cycle.yaml",           1,  5,  17, "dependency-cycle", mentions: "a → b → c → a"),
        .init("self_dependency.yaml",            1,  7,  13, "dependency-cycle", mentions: "cannot depend on itself"),
        .init("duplicate_task_id.yaml",          1,  9,  14, "duplicate-task-id", mentions: "already used by task 'a'"),
    ]

    /// A scratch copy of the project with the generated inputs added: the deep nesting file, a
    /// symlink that leaves the project, and a secret without the keys its function's contract declares.
    private func prepareCorpus() throws -> URL {
        let project = try copyOfFixtureProject()
        let bad = project.appendingPathComponent("jobs/bad")
        let depth = 20_000
        try write("job_id: deep_nesting\ntasks: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n",
                  to: bad.appendingPathComponent("deep_nesting.yaml"))
        let outside = scratch.appendingPathComponent("outside/secret_query.sql")
        try write("SELECT 'outside the project';\n", to: outside)
        try FileManager.default.createSymbolicLink(
            at: project.appendingPathComponent("orchestration/sql/linked_outside.sql"), withDestinationURL: outside)
        try write(#"{"host": "db-host-q7x.invalid", "password": "not-a-real-password"}"#,
                  to: project.appendingPathComponent("secret/incomplete_credentials.json"))
        return project
    }

    func testCorpusCoversEveryBadFile() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.fixtureProject.appendingPathComponent("jobs/bad").path)
        let listed = Set(Self.corpus.map(\.file))
        XCTAssertEqual(Set(onDisk).subtracting(listed), ["many_problems.yaml"], "every corpus file needs a row in the table")
        XCTAssertEqual(listed.subtracting(onDisk), ["deep_nesting.yaml"], "rows without a file (only generated ones may)")
        XCTAssertEqual(listed.count, Self.corpus.count, "duplicate rows")
        XCTAssertGreaterThanOrEqual(Self.corpus.count, 30)
    }

    func testEveryBadInputReportsItsMainDiagnostic() throws {
        let project = try prepareCorpus()
        for case_ in Self.corpus {
            let path = "jobs/bad/" + case_.file
            let run = try jobc(["lint", "--no-color", path], in: project)
            let context = "\(case_.file)\n\(run.summary)"
            XCTAssertFalse(run.terminatedBySignal, context)
            XCTAssertEqual(run.status, case_.exitStatus, "exit status of \(context)")
            assertNoCrashOutput(run)

            let expectedPlace = "\(path):\(case_.line):" + (case_.column.map { "\($0):" } ?? "")
            XCTAssertTrue(run.stderr.contains(expectedPlace), "stderr should name \(expectedPlace)\n\(context)")
            guard let main = run.diagnostics.first else {
                XCTFail("no diagnostic at all for \(context)")
                continue
            }
            XCTAssertEqual(main.file, path, context)
            XCTAssertEqual(main.line, case_.line, "line of the main diagnostic of \(context)")
            if let column = case_.column {
                XCTAssertEqual(main.column, column, "column of the main diagnostic of \(context)")
            }
            XCTAssertEqual(main.rule, case_.rule, "rule of the main diagnostic of \(context)")
            XCTAssertEqual(run.errors.count, case_.errorCount, "number of errors for \(context)")
            XCTAssertTrue(run.stderr.contains("\(case_.errorCount) error"), "summary line of \(context)")
            if let mentions = case_.mentions {
                XCTAssertTrue(mainBlock(of: run).contains(mentions), "main diagnostic should mention \"\(mentions)\"\n\(context)")
            }
            XCTAssertTrue(run.stdout.isEmpty, "lint writes nothing to stdout\n\(context)")
        }
    }

    /// Header, snippet, help and notes of the first diagnostic: everything before the next header.
    private func mainBlock(of run: JobcRun) -> String {
        var lines: [Substring] = []
        for line in run.stderr.split(separator: "\n", omittingEmptySubsequences: false) {
            if !lines.isEmpty, RenderedDiagnostic(header: line) != nil { break }
            if lines.isEmpty, RenderedDiagnostic(header: line) == nil { continue }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    func testOneFileWithManyProblemsReportsThemAll() throws {
        let project = try copyOfFixtureProject()
        let path = "jobs/bad/many_problems.yaml"
        let run = try jobc(["lint", path], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        assertNoCrashOutput(run)
        let expected: [(line: Int, column: Int, rule: String)] = [
            (2, 9, "invalid-identifier"),     // job_id: Many-Problems
            (3, 1, "unknown-key"),            // schedul
            (4, 16, "invalid-schedule"),      // day-of-month 32
            (5, 13, "invalid-date"),          // 2023-02-29
            (6, 10, "wrong-type"),            // catchup: maybe
            (8, 12, "invalid-value"),         // retries: 101
            (12, 14, "invalid-duration"),     // timeout: soon
            (14, 7, "function-parameters"),   // 'message' missing
            (14, 15, "function-parameters"),  // repeat: "3"
            (15, 7, "yaml-duplicate-key"),    // repeat twice
            (17, 15, "unknown-function"),     // PostgresFunction
            (18, 27, "unknown-dependency"),   // transform
            (21, 17, "missing-secret"),       // no_such_secret
            (23, 22, "missing-file"),         // orchestration/sql/missing.sql
        ]
        let found = run.errors.map { "\($0.line):\($0.column) \($0.rule)" }
        XCTAssertEqual(found, expected.map { "\($0.line):\($0.column) \($0.rule)" }, run.summary)
        XCTAssertTrue(run.errors.allSatisfy { $0.file == path }, run.summary)
        XCTAssertTrue(run.stderr.hasSuffix("\(expected.count) errors, 0 warnings in 1 file\n"), run.summary)
    }

    /// Linting the whole corpus in one run: every file is reported, none stops the others.
    func testLintingTheWholeCorpusReportsEveryFile() throws {
        let project = try prepareCorpus()
        let run = try jobc(["lint", "jobs/bad"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        assertNoCrashOutput(run)
        let reported = Set(run.diagnostics.map(\.file))
        for case_ in Self.corpus {
            XCTAssertTrue(reported.contains("jobs/bad/" + case_.file), "\(case_.file) is missing from the batch report")
        }
        XCTAssertTrue(run.stderr.contains("in \(Self.corpus.count + 1) files\n"), "summary counts every file\n\(run.summary)")
    }
}
