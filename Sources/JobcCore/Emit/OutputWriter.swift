import Foundation

/// Writes a job's artifacts under the output folder, each atomically (temp file in the same folder,
/// then rename), so a reader — or an interrupted run — only ever sees the old or the new file.
public struct OutputWriter: Sendable {
    public let outputDirectory: String

    public init(outputDirectory: String) {
        self.outputDirectory = outputDirectory
    }

    public enum WriteError: Error, CustomStringConvertible {
        case unsafePath(String)
        case io(path: String, reason: String)

        public var description: String {
            switch self {
            case .unsafePath(let path): return "refusing to write '\(path)': artifact paths must stay inside the output folder (no '..', no absolute path, no symbolic link leading out)"
            case .io(let path, let reason): return "cannot write \(path): \(reason)"
            }
        }
    }

    /// Checks every path before writing any file, so a bad artifact list writes nothing.
    public func write(_ artifacts: [Artifact]) throws(WriteError) {
        for artifact in artifacts where !Self.isSafe(artifact.relativePath) || leadsOutside(artifact.relativePath) {
            throw .unsafePath(artifact.relativePath)
        }
        for artifact in artifacts {
            try writeAtomically(artifact)
        }
    }

    /// Temporary files a killed earlier run left behind (it died between write and rename). Only
    /// names this writer produces are touched, and only when their process is gone: another jobc
    /// writing into the same folder right now keeps its files.
    public func removeStaleTemporaryFiles() {
        guard let enumerator = FileManager.default.enumerator(atPath: outputDirectory) else { return }
        for case let relative as String in enumerator {
            let name = (relative as NSString).lastPathComponent
            guard name.hasPrefix("."), let marker = name.range(of: Self.temporaryMarker),
                  let pid = pid_t(name[marker.upperBound...]) else { continue }
            let alive = pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
            if !alive { try? FileManager.default.removeItem(atPath: outputDirectory + "/" + relative) }
        }
    }

    static let temporaryMarker = ".jobc-tmp-"

    /// True when a symbolic link inside the output folder would carry the file outside it: the
    /// deepest folder of the path that already exists must resolve to a place inside the folder.
    private func leadsOutside(_ relativePath: String) -> Bool {
        guard let realOutput = FileSystem.realPath(outputDirectory) else { return false }  // created fresh: no links
        var folder = (outputDirectory + "/" + relativePath as NSString).deletingLastPathComponent
        while !FileManager.default.fileExists(atPath: folder) {
            folder = (folder as NSString).deletingLastPathComponent
        }
        guard let realFolder = FileSystem.realPath(folder) else { return true }
        return realFolder != realOutput && !realFolder.hasPrefix(realOutput.hasSuffix("/") ? realOutput : realOutput + "/")
    }

    static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    private func writeAtomically(_ artifact: Artifact) throws(WriteError) {
        let destination = outputDirectory + "/" + artifact.relativePath
        let directory = (destination as NSString).deletingLastPathComponent
        let data = Data(artifact.contents.utf8)
        if FileManager.default.contents(atPath: destination) == data { return }  // unchanged: keep mtime
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory, reason: error.localizedDescription)
        }
        let name = (destination as NSString).lastPathComponent
        let temporary = directory + "/.\(name)\(Self.temporaryMarker)\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw .io(path: temporary, reason: "cannot create file")
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: destination, reason: reason)
        }
    }
}
