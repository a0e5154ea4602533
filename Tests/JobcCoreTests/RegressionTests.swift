import Foundation
import XCTest
@testable import JobcCore

/// Inputs that once slipped through or misled (from code review), each pinned down.
final class RegressionTests: XCTestCase {
    private var project: TestProject!

    override func setUpWithError() throws {
        project = try TestProject()
    }

    override func tearDown() {
        project.remove()
    }

    func testJobIDsThatWouldShadowAPythonModuleAreRefused() throws {
        for id in ["datetime", "json", "airflow", "jobc_dagster", "echo_function", "config"] {
            let result = try project.compile("job_id: \(id)\ntasks:\n  a: {function: EchoFunction, kwargs: {message: a}}\n")
            XCTAssertEqual(result.summary, ["1:9 reserved-name"], id)
            // Module names and reserved words are the targets' to declare: with none, the id is fine.
            XCTAssertEqual(try project.compile("job_id: \(id)\ntasks:\n  a: {function: EchoFunction, kwargs: {message: a}}\n", targets: []).summary, [], id)
        }
    }

    func testAContractWithErrorsFailsOnlyTheTasksThatUseIt() throws {
        try project.write("orchestration/function/broken.py", "")
        try project.write("orchestration/function/broken.contract.yaml", "name: Broken\nmodule: broken\nclass: \"X\\\"); import os\"\n")
        let (opened, contractDiagnostics) = Project.open(root: project.root)
        XCTAssertEqual(contractDiagnostics.map(\.rule), [.invalidContract])
        XCTAssertNil(opened.functions["Broken"])
        let uses = Pipeline().frontEnd(SourceFile(displayPath: "j.yaml", text: "job_id: j\ntasks:\n  a: {function: Broken}\n"), project: opened, sourcePath: "j.yaml")
        XCTAssertEqual(uses.diagnostics.map(\.rule), [.invalidContract])
        let avoids = Pipeline().frontEnd(SourceFile(displayPath: "k.yaml", text: "job_id: k\ntasks:\n  a: {function: EchoFunction, kwargs: {message: a}}\n"), project: opened, sourcePath: "k.yaml")
        XCTAssertNotNil(avoids.graph)
    }

    func testControlCharactersInAPathAreRefused() throws {
        let result = try project.compile("job_id: j\ntasks:\n  a: {function: EchoFunction, kwargs: {message: a, script: \"orchestration/sql/ok.sql\\0junk\"}}\n")
        XCTAssertEqual(result.summary, ["3:60 path-escape"])
    }

    /// A FIFO passed as a file (the task would block reading it at run time), and a folder.
    func testOnlyRegularFilesPassAsPathParameters() throws {
        XCTAssertEqual(mkfifo(project.root + "/orchestration/sql/pipe.sql", 0o600), 0)
        try project.write("orchestration/sql/folder.sql/x", "")
        try FileManager.default.createSymbolicLink(atPath: project.root + "/orchestration/sql/link.sql", withDestinationPath: "pipe.sql")
        for (name, kind) in [("pipe.sql", "a named pipe (FIFO)"), ("link.sql", "a named pipe (FIFO)"), ("folder.sql", "a folder")] {
            let result = try project.compile("job_id: j\ntasks:\n  a: {function: EchoFunction, kwargs: {message: a, script: orchestration/sql/\(name)}}\n")
            XCTAssertEqual(result.summary, ["3:60 missing-file"], name)
            XCTAssertEqual(result.diagnostics.first?.message, "'orchestration/sql/\(name)' (parameter 'script') is \(kind), not a regular file")
        }
    }

    /// A folder or a dangling link at secret/NAME.json was "not in the secret store … did you mean
    /// 'NAME'?": the same name suggested back. Say what the entry is; suggest only real secrets.
    func testASecretEntryThatIsNoFileIsNamedForWhatItIs() throws {
        try FileManager.default.createDirectory(atPath: project.root + "/secret/d.json", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: project.root + "/secret/gone.json", withDestinationPath: "nowhere.json")
        for (name, kind) in [("d", "a folder"), ("gone", "a symbolic link to a missing file")] {
            let result = try project.compile("job_id: j\ntasks:\n  a: {function: EchoFunction, secret_key: \(name), kwargs: {message: a}}\n")
            XCTAssertEqual(result.summary, ["3:43 missing-secret"], name)
            let diagnostic = try XCTUnwrap(result.diagnostics.first)
            XCTAssertEqual(diagnostic.message, "secret '\(name)' is in the secret store, but secret/\(name).json is \(kind), not a file")
            XCTAssertFalse(diagnostic.suggestion?.contains("did you mean") ?? false, "\(diagnostic)")
        }
        let typo = try project.compile("job_id: j\ntasks:\n  a: {function: EchoFunction, secret_key: dd, kwargs: {message: a}}\n")
        XCTAssertEqual(typo.diagnostics.first?.suggestion, "did you mean 'db'?")
    }

    /// A path parameter could name a secret's file and hand it to the function as a file.
    func testAPathParameterCannotReachIntoTheSecretStore() throws {
        try FileManager.default.createSymbolicLink(atPath: project.root + "/orchestration/sql/db.sql", withDestinationPath: "../../secret/db.json")
        for path in ["secret/db.json", "orchestration/../secret/db.json", "orchestration/sql/db.sql"] {
            let result = try project.compile("job_id: j\ntasks:\n  a: {function: EchoFunction, kwargs: {message: a, script: \(path)}}\n")
            XCTAssertEqual(result.summary, ["3:60 path-escape"], path)
            XCTAssertEqual(result.diagnostics.first?.message, "'\(path)' (parameter 'script') is in the secret store; a secret is never passed as a file")
        }
    }

    func testIntegersTooLargeForSixtyFourBitsAreRefusedNotRounded() throws {
        let result = try project.compile("job_id: j\ntasks:\n  a: {function: EchoFunction, kwargs: {message: a, times: 12345678901234567891}}\n")
        XCTAssertEqual(result.summary, ["3:59 invalid-value"])
    }

    func testSignsAreNotDigits() {
        XCTAssertEqual(ScalarValue(plain: "0x-5"), .string("0x-5"))
        XCTAssertEqual(ScalarValue(plain: "0o+17"), .string("0o+17"))
        XCTAssertEqual(ScalarValue(plain: "0x1f"), .integer(31))
        XCTAssertThrowsError(try CronExpression.parse("*/+5 * * * *").get())
    }

    func testSymlinkedFoldersAreNotWalkedAndFilesAreFoundOnce() throws {
        try project.write("jobs/sub/a.yaml", "job_id: a\n")
        try FileManager.default.createSymbolicLink(atPath: project.root + "/jobs/sub/up", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: project.root + "/jobs/again", withDestinationPath: "sub")
        let files = try InputDiscovery.jobFiles(in: [project.root + "/jobs", project.root + "/jobs/sub/a.yaml"])
        XCTAssertEqual(files, [project.root + "/jobs/sub/a.yaml"])
    }

    /// The folder walk knows a plain file's real path from its folder's; a linked file, a folder
    /// reached through a link and a path with `..` are resolved, and each file still comes once.
    func testAFileReachedByTwoPathsIsFoundOnce() throws {
        try project.write("jobs/b.yaml", "job_id: b\n")
        try project.write("jobs/sub/c.yaml", "job_id: c\n")
        try FileManager.default.createSymbolicLink(atPath: project.root + "/jobs/alias.yaml", withDestinationPath: "b.yaml")
        try FileManager.default.createSymbolicLink(atPath: project.root + "/linked-jobs", withDestinationPath: "jobs")
        let files = try InputDiscovery.jobFiles(in: [
            project.root + "/linked-jobs", project.root + "/jobs/", project.root + "/jobs/sub/../b.yaml", project.root + "/jobs/sub",
        ])
        XCTAssertEqual(files, [project.root + "/linked-jobs/alias.yaml", project.root + "/linked-jobs/sub/c.yaml"])
    }

    func testMessagesCannotDriveTheTerminalOrForgeLines() {
        let renderer = DiagnosticRenderer { _, _ in nil }
        let text = renderer.render(.error(.unknownKey, "unknown key '\u{1B}[31mRED\nfake.yaml:1:1: error: forged'", at: nil))
        XCTAssertFalse(text.contains("\u{1B}"))
        XCTAssertEqual(text.split(separator: "\n").count, 1, text)
    }

    /// A zero-width space or a right-to-left override was printed raw: invisible, or reordering the
    /// line on screen. Shown by number in messages and quoted lines, the caret still under its column.
    func testInvisibleAndBidiCharactersAreShownByNumber() {
        let line = "job_id: a\u{202E}b\u{200B}c: x"
        let renderer = DiagnosticRenderer { _, _ in line }
        let text = renderer.render(.error(.unknownKey, "unknown key 'a\u{202E}b\u{200B}c'", at: SourceLocation(file: "j.yaml", line: 1, column: 14)))
        let shownBeforeColon = "job_id: a<U+202E>b<U+200B>c"
        XCTAssertEqual(text, """
            j.yaml:1:14: error: unknown key 'a<U+202E>b<U+200B>c' [unknown-key]
             1 | \(shownBeforeColon): x
               | \(String(repeating: " ", count: shownBeforeColon.count))^

            """)
        XCTAssertFalse(text.unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x200B })
        // Ordinary non-ASCII text stays as it is.
        XCTAssertTrue(renderer.render(.error(.unknownKey, "clé 日本", at: nil)).contains("clé 日本"))
    }

    func testUnifiedDiffMatchesDiffDashU() {
        let diff = UnifiedDiff.render(old: "a\nb\nc\n", new: "a\nB\nc\nd\n", oldName: "o", newName: "n")
        XCTAssertEqual(diff, "--- o\n+++ n\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n")
        let old = (1...30).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 3\n", with: "LINE 3\n").replacingOccurrences(of: "line 28\n", with: "")
        XCTAssertEqual(UnifiedDiff.render(old: old, new: new, oldName: "o", newName: "n"), """
            --- o
            +++ n
            @@ -1,6 +1,6 @@
             line 1
             line 2
            -line 3
            +LINE 3
             line 4
             line 5
             line 6
            @@ -25,6 +25,5 @@
             line 25
             line 26
             line 27
            -line 28
             line 29
             line 30

            """)
        XCTAssertNil(UnifiedDiff.render(old: "same", new: "same", oldName: "o", newName: "n"))
    }

    func testHugeDiffsFallBackToAWholesaleReplacementInsteadOfExhaustingMemory() {
        let old = (1...5_000).map { "a\($0)" }.joined(separator: "\n")
        let new = (1...5_000).map { "b\($0)" }.joined(separator: "\n")
        let diff = UnifiedDiff.render(old: old, new: new, oldName: "o", newName: "n")
        XCTAssertEqual(diff?.split(separator: "\n").filter { $0.hasPrefix("-a") }.count, 5_000)
    }

    /// `,` `:` `%` followed by a combining mark form one grapheme cluster with it, which
    /// `replacingOccurrences` does not match: the runner, reading code points, would split the
    /// property list at that `,`.
    func testGitHubAnnotationsEscapeSeparatorsThatACombiningMarkFollows() {
        let diagnostic = Diagnostic.error(.invalidValue, "50%\u{301} done\r\n", at: SourceLocation(file: "a,\u{301}b:\u{301}.yaml", line: 1, column: 2))
        let rendered = GitHubAnnotations.render(DiagnosticReport(diagnostics: [diagnostic], filesChecked: 1))
        XCTAssertTrue(rendered.hasPrefix("::error file=a%2C\u{301}b%3A\u{301}.yaml,line=1,col=2,"), rendered)
        XCTAssertTrue(rendered.hasSuffix("::50%25\u{301} done%0D%0A\n"), rendered)
    }
}
