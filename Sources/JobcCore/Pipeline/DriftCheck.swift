import Foundation

/// `jobc compile --check`: does the output folder hold exactly what jobc would write now? Meant for
/// CI, where generated files are committed next to the jobs they come from.
public enum DriftCheck {
    public struct Report: Sendable {
        /// Files whose committed text differs, with a unified diff (committed → would write).
        public var changed: [(path: String, diff: String)] = []
        /// Files jobc would write that are not there.
        public var missing: [String] = []
        /// Files in the folder that no job generates any more (e.g. the job was deleted).
        public var stale: [String] = []

        public var isClean: Bool { changed.isEmpty && missing.isEmpty && stale.isEmpty }
    }

    /// Compares `artifacts` with `outputDirectory`. The folder is expected to hold only generated
    /// files: any other (non-hidden) file is reported as stale.
    public static func compare(_ artifacts: [Artifact], outputDirectory: String) -> Report {
        var report = Report()
        for artifact in artifacts.sorted(by: { $0.relativePath < $1.relativePath }) {
            let path = outputDirectory + "/" + artifact.relativePath
            guard let data = FileManager.default.contents(atPath: path) else {
                report.missing.append(artifact.relativePath)
                continue
            }
            let committed = String(decoding: data, as: UTF8.self)
            if let diff = UnifiedDiff.render(
                old: committed, new: artifact.contents,
                oldName: "a/\(artifact.relativePath)", newName: "b/\(artifact.relativePath)") {
                report.changed.append((artifact.relativePath, diff))
            }
        }
        let expected = Set(artifacts.map(\.relativePath))
        report.stale = existingFiles(in: outputDirectory).filter { !expected.contains($0) }
        return report
    }

    private static func existingFiles(in directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        for case let relative as String in enumerator {
            let hidden = relative.split(separator: "/").contains { $0.hasPrefix(".") }
            if !hidden, FileSystem.isRegularFile(directory + "/" + relative) { files.append(relative) }
        }
        return files.sorted()
    }
}
