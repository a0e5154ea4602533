import Foundation
import XCTest
@testable import JobcCore

final class OutputWriterTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "jobc-writer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func contents(_ relative: String) -> String? {
        FileManager.default.contents(atPath: folder + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    func testWritesNestedFilesAndLeavesNoTemporaries() throws {
        let writer = OutputWriter(outputDirectory: folder)
        try writer.write([Artifact(relativePath: "a.py", contents: "one\n"), Artifact(relativePath: "sub/b.yaml", contents: "two\n")])
        XCTAssertEqual(contents("a.py"), "one\n")
        XCTAssertEqual(contents("sub/b.yaml"), "two\n")
        let all = try FileManager.default.subpathsOfDirectory(atPath: folder).sorted()
        XCTAssertEqual(all, ["a.py", "sub", "sub/b.yaml"])
    }

    /// FileManager's "The operation could not be completed. (NSCocoaErrorDomain error 512.)" leaked
    /// into write errors: say what failed.
    func testAFolderThatCannotBeMadeIsNamedWithItsReason() throws {
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/sub"))
        let writer = OutputWriter(outputDirectory: folder)
        XCTAssertThrowsError(try writer.write([Artifact(relativePath: "sub/deeper/b.yaml", contents: "two\n")])) { error in
            XCTAssertEqual("\(error)", "cannot write \(folder!)/sub: a file is in the way of a folder there")
        }
        XCTAssertThrowsError(try OutputWriter(outputDirectory: folder + "/sub/out").write([Artifact(relativePath: "a.py", contents: "x")])) { error in
            XCTAssertFalse("\(error)".contains("NSCocoaErrorDomain"), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("a file is in the way of a folder there"), "\(error)")
        }
    }

    func testUnsafePathsWriteNothing() {
        let writer = OutputWriter(outputDirectory: folder)
        for bad in ["../escape.py", "/abs.py", "a/../../b.py", "", "a//b.py", "./a.py", "a\\b.py"] {
            XCTAssertThrowsError(try writer.write([Artifact(relativePath: "ok.py", contents: "x"), Artifact(relativePath: bad, contents: "x")]), bad)
        }
        XCTAssertNil(contents("ok.py"), "a rejected artifact list must write no file at all")
    }

    /// A file and a folder of one name, a path twice, or jobc's temporary-file name: refused as a
    /// whole before the first file is written (#17: `a/b.txt` used to be written before `a` failed).
    func testAnImpossibleLayoutWritesNothing() {
        let writer = OutputWriter(outputDirectory: folder)
        let layouts: [([String], String)] = [
            (["a/b.txt", "a"], #""a" is both a file and the folder of "a/b.txt""#),
            (["a", "a/b/c.txt"], #""a" is both a file and the folder of "a/b/c.txt""#),
            (["x.py", "x.py"], #""x.py" is listed twice"#),
            (["ok.py", "sub/.x.py.jobc-tmp-42"], "is named like jobc's temporary files"),
        ]
        for (paths, expected) in layouts {
            XCTAssertThrowsError(try writer.write(paths.map { Artifact(relativePath: $0, contents: "x") })) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [], "nothing was written")
        XCTAssertNil(OutputWriter.layoutProblem(["a.txt", "ab/c.txt", "a.b/c.txt"]))
    }

    func testSymbolicLinkLeadingOutOfTheFolderWritesNothing() throws {
        let outside = folder + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/linked", withDestinationPath: outside)
        try FileManager.default.createDirectory(atPath: outside + "/deeper", withIntermediateDirectories: true)
        let writer = OutputWriter(outputDirectory: folder)
        for leaking in ["linked/x.py", "linked/deeper/x.py", "linked/new/x.py"] {
            XCTAssertThrowsError(try writer.write([Artifact(relativePath: "ok.py", contents: "x"), Artifact(relativePath: leaking, contents: "x")]), leaking)
        }
        XCTAssertNil(contents("ok.py"), "a rejected artifact list must write no file at all")
        XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: outside), ["deeper"])
    }

    func testStaleTemporariesFromAKilledRunAreRemoved() throws {
        try "half".write(toFile: folder + "/.a.py.jobc-tmp-2147483646", atomically: false, encoding: .utf8)
        try "staged".write(toFile: folder + "/.c.py.jobc-tmp-2147483646.12", atomically: false, encoding: .utf8)
        try "keep".write(toFile: folder + "/.hidden-but-mine", atomically: false, encoding: .utf8)
        // A live process (here: this one) may be writing right now: its temporaries stay.
        try "live".write(toFile: folder + "/.b.py.jobc-tmp-\(getpid())", atomically: false, encoding: .utf8)
        OutputWriter(outputDirectory: folder).removeStaleTemporaryFiles()
        XCTAssertNil(contents(".a.py.jobc-tmp-2147483646"))
        XCTAssertNil(contents(".c.py.jobc-tmp-2147483646.12"))
        XCTAssertEqual(contents(".hidden-but-mine"), "keep")
        XCTAssertEqual(contents(".b.py.jobc-tmp-\(getpid())"), "live")
    }

    func testStagedFilesAreInvisibleUntilCommittedAndDiscardLeavesNothing() throws {
        let writer = OutputWriter(outputDirectory: folder)
        try writer.write([Artifact(relativePath: "a.py", contents: "old")])
        let staged = try writer.stage([Artifact(relativePath: "a.py", contents: "new"), Artifact(relativePath: "sub/b.py", contents: "b")])
        XCTAssertEqual(contents("a.py"), "old", "staging must not touch the file in place")
        XCTAssertNil(contents("sub/b.py"))
        try writer.commit(staged)
        XCTAssertEqual(contents("a.py"), "new")
        XCTAssertEqual(contents("sub/b.py"), "b")

        writer.discard(try writer.stage([Artifact(relativePath: "a.py", contents: "newer"), Artifact(relativePath: "c.py", contents: "c")]))
        XCTAssertEqual(contents("a.py"), "new")
        XCTAssertNil(contents("c.py"))
        XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: folder).sorted(), ["a.py", "sub", "sub/b.py"], "no temporary file left")
    }

    func testTwoStagingsOfOneFileDoNotCollide() throws {
        // Two jobs with one job_id stage the same file before the run decides which one owns it.
        let writer = OutputWriter(outputDirectory: folder)
        let first = try writer.stage([Artifact(relativePath: "a.py", contents: "first")])
        let second = try writer.stage([Artifact(relativePath: "a.py", contents: "second")])
        try writer.commit(first)
        writer.discard(second)
        XCTAssertEqual(contents("a.py"), "first")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["a.py"])
    }
}
