import Foundation
import XCTest

/// The YAML bounds protect against bombs without refusing (or choking on) large honest documents.
/// The limits are jobc's defaults: file ≤ 8 MiB, depth ≤ 128, ≤ 250,000 nodes after alias expansion.
final class InputLimitsTests: JobcCLITestCase {
    /// 60 chains of 100 nested one-element lists: about 6,000 nodes, no alias anywhere, depth 106.
    /// Well inside every limit, so it must lint clean.
    func testDeepButSmallDocumentIsNotMistakenForABomb() throws {
        let project = try copyOfFixtureProject()
        let chain = String(repeating: "[", count: 100) + "x" + String(repeating: "]", count: 100)
        let payload = Array(repeating: chain, count: 60).joined(separator: ", ")
        try write("""
            job_id: nested_payload
            tasks:
              echo:
                function: EchoFunction
                kwargs:
                  message: nested
                  payload: [\(payload)]
            """, to: project.appendingPathComponent("jobs/nested_payload.yaml"))
        let run = try jobc(["lint", "jobs/nested_payload.yaml"], in: project)
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.stderr, "0 errors, 0 warnings in 1 file\n", run.summary)
    }

    /// A 600 KB job with 60,000 tags: far below the size and node limits, so it lints clean. (The
    /// loader once copied the list on every append; the watchdog turns such a blow-up into a failure.
    /// Speed itself is a benchmark's business, not a test's.)
    func testLargeFlatListIsAccepted() throws {
        let project = try copyOfFixtureProject()
        var text = "job_id: many_tags\ntags:\n"
        for index in 0..<60_000 { text += "  - tag_\(index)\n" }
        text += "tasks:\n  echo:\n    function: EchoFunction\n    kwargs: {message: hi}\n"
        try write(text, to: project.appendingPathComponent("jobs/many_tags.yaml"))
        let run = try jobc(["lint", "jobs/many_tags.yaml"], in: project)
        XCTAssertFalse(run.timedOut, "a 60,000-item list took longer than \(Self.watchdogSeconds) s")
        XCTAssertEqual(run.status, 0, run.summary)
        XCTAssertEqual(run.stderr, "0 errors, 0 warnings in 1 file\n", run.summary)
    }

    /// The size limit is checked before parsing: an oversized file is refused at once, at 1:1.
    func testOversizedFileIsRefused() throws {
        let project = try copyOfFixtureProject()
        let line = "# " + String(repeating: "x", count: 1_021) + "\n"  // 1 KiB per line
        try write("job_id: huge\n" + String(repeating: line, count: 8 * 1_024 + 1), to: project.appendingPathComponent("jobs/huge.yaml"))
        let run = try jobc(["lint", "jobs/huge.yaml"], in: project)
        XCTAssertEqual(run.status, 1, run.summary)
        XCTAssertEqual(run.errors.map { "\($0.file):\($0.line):\($0.column) \($0.rule)" }, ["jobs/huge.yaml:1:1 yaml-limits"], run.summary)
    }
}
