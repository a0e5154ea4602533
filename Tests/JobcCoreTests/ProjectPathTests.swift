import Foundation
import Testing

@testable import JobcCore

/// `normalizeProjectPath` answers most paths from one pass over the bytes and leaves the others to
/// splitting and joining: both halves must agree on every path.
@Suite struct ProjectPathTests {
    @Test func spelledPathsNormalise() {
        let cases: [(String, String?)] = [
            ("orchestration/sql/a.sql", "orchestration/sql/a.sql"),
            ("./a.sql", "a.sql"),
            ("a//b.sql", "a/b.sql"),
            ("a/b/", "a/b"),
            ("a/./b", "a/b"),
            ("a/../b.sql", "b.sql"),
            ("a/..b/c", "a/..b/c"),
            ("...", "..."),
            (".hidden/x.sql", ".hidden/x.sql"),
            ("../x.sql", nil),
            ("/etc/passwd", nil),
            ("~/x.sql", nil),
            ("a/~b.sql", "a/~b.sql"),
            (".", nil),
            ("", nil),
            ("a/\u{7F}b", nil),
            ("a\nb", nil),
            ("dossier/é.sql", "dossier/é.sql"),
        ]
        for (written, expected) in cases {
            let normalized = try? Project.normalizeProjectPath(written).get()
            #expect(normalized == expected, "\(written.debugDescription)")
        }
    }

    @Test func theOnePassCheckAgreesWithSplitting() {
        // Every path of up to 4 characters over an alphabet of the characters that matter.
        let alphabet: [String] = ["a", ".", "/", "~", "\u{301}", "é", "\u{1}"]
        var paths: [String] = [""]
        for _ in 0..<4 { paths += paths.flatMap { path in alphabet.map { path + $0 } } }
        for path in Set(paths) {
            let split = Project.normalizeBySplitting(path)
            if Project.isNormalProjectPath(path) {
                #expect(split == .success(path), "\(path.debugDescription)")
            }
            #expect(Project.normalizeProjectPath(path) == split, "\(path.debugDescription)")
        }
    }

    @Test func folderAndNameSplitAsNSStringDoes() {
        // The paths they are for: no trailing slash, no doubled slash (NSString would normalise those).
        let alphabet: [String] = ["a", ".", "/", "é"]
        var paths: [String] = [""]
        for _ in 0..<4 { paths += paths.flatMap { path in alphabet.map { path + $0 } } }
        // Foundation (Swift 6.3) traps on a one-character path other than "/": a job file named
        // "a" given alone crashed `jobc compile a` while NSString split job paths.
        for path in ["a", ".", "é"] {
            #expect(FileSystem.folder(of: path) == "" && FileSystem.name(of: path) == path)
        }
        for path in Set(paths) where !path.contains("//") && !(path.hasSuffix("/") && path != "/") && (path.count != 1 || path == "/") {
            #expect(FileSystem.folder(of: path) == (path as NSString).deletingLastPathComponent, "\(path.debugDescription)")
            #expect(FileSystem.name(of: path) == (path as NSString).lastPathComponent || path == "/", "\(path.debugDescription)")
        }
        #expect(FileSystem.folder(of: "orchestration/job/a.yaml") == "orchestration/job")
        #expect(FileSystem.name(of: "orchestration/job/a.yaml") == "a.yaml")
    }

    /// `parent(of:)` takes any path a user can give (`--out o/`): trailing slashes ignored, as
    /// NSString does, but no trap on the one-character paths NSString dies on ("a", ".", "a/").
    @Test func parentAgreesWithNSStringWithoutItsTrap() {
        let alphabet: [String] = ["a", ".", "/", "é"]
        var paths: [String] = [""]
        for _ in 0..<4 { paths += paths.flatMap { path in alphabet.map { path + $0 } } }
        for path in ["a", ".", "é", "a/", "o//", "./"] {
            #expect(FileSystem.parent(of: path) == "", "\(path.debugDescription)")
        }
        #expect(FileSystem.parent(of: "/") == "/" && FileSystem.parent(of: "/a/") == "/" && FileSystem.parent(of: "out/a/") == "out")
        for path in Set(paths) where !path.contains("//") {
            var trimmed = path
            while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
            guard trimmed.count != 1 || trimmed == "/" else { continue }  // where NSString traps
            #expect(FileSystem.parent(of: path) == (path as NSString).deletingLastPathComponent, "\(path.debugDescription)")
        }
    }
}
