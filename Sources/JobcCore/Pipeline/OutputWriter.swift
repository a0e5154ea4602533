import Foundation

/// Writes a job's artifacts under the output folder, each atomically (temp file in the same folder,
/// then rename), so a reader — or an interrupted run — only ever sees the old or the new file.
/// SIGINT and SIGTERM let the writes in flight finish and delete the files staged but not yet
/// renamed (`InterruptGate`), so they leave no temporary file; after SIGKILL, the next run removes
/// them.
public struct OutputWriter: Sendable {
    public let outputDirectory: String

    /// Shared by the copies of this writer that the compiling threads hold.
    private let folders = KnownFolders()

    public init(outputDirectory: String) {
        self.outputDirectory = outputDirectory
    }

    public enum WriteError: Error, CustomStringConvertible {
        case unsafePath(String)
        case layout(String)
        case io(path: String, reason: String)

        public var description: String {
            switch self {
            case .unsafePath(let path): return "refusing to write '\(path)': artifact paths must stay inside the output folder (no '..', no absolute path, no symbolic link leading out)"
            case .layout(let problem): return "refusing to write the job's files: \(problem)"
            case .io(let path, let reason): return "cannot write \(path): \(reason)"
            }
        }
    }

    /// Checks every path before writing any file, so a bad artifact list writes nothing.
    public func write(_ artifacts: [Artifact]) throws(WriteError) {
        try commit(stage(artifacts))
    }

    /// A job's files written under their temporary names, not yet in place: `commit` renames them,
    /// `discard` deletes them. A compile stages each job's files on the thread that emitted it, while
    /// the other jobs still compile, and commits once it knows the job owns its paths (file creation
    /// is most of the cost of writing on a disk, and overlaps the compiling that way).
    public struct StagedFiles: Sendable {
        fileprivate var files: [(temporary: String, destination: String)] = []
    }

    /// Checks every path, then writes each file that differs from what is in place to a temporary
    /// name beside it (an unchanged file is left alone, keeping its mtime). On failure nothing
    /// stays staged.
    public func stage(_ artifacts: [Artifact]) throws(WriteError) -> StagedFiles {
        if let problem = Self.layoutProblem(artifacts.map(\.relativePath)) { throw .layout(problem) }
        for artifact in artifacts where !Self.isSafe(artifact.relativePath) || leadsOutside(artifact.relativePath) {
            throw .unsafePath(artifact.relativePath)
        }
        var staged = StagedFiles()
        for artifact in artifacts {
            do {
                if let temporary = try writeTemporary(artifact) {
                    staged.files.append((temporary, outputDirectory + "/" + artifact.relativePath))
                }
            } catch {
                discard(staged)
                throw error
            }
        }
        return staged
    }

    /// Renames staged files into place; one that cannot be is deleted, the others still go in.
    public func commit(_ staged: StagedFiles) throws(WriteError) {
        var failure: WriteError?
        for file in staged.files {
            InterruptGate.shared.enter()
            if rename(file.temporary, file.destination) != 0 {
                let reason = String(cString: strerror(errno))
                unlink(file.temporary)
                failure = failure ?? .io(path: file.destination, reason: reason)
            }
            InterruptGate.shared.unregister(file.temporary)
            InterruptGate.shared.leave()
        }
        if let failure { throw failure }
    }

    /// Deletes staged files (a job that turned out not to own its paths).
    public func discard(_ staged: StagedFiles) {
        for file in staged.files {
            unlink(file.temporary)
            InterruptGate.shared.unregister(file.temporary)
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
                  let pid = pid_t(name[marker.upperBound...].prefix { $0.isASCII && $0.isNumber }) else { continue }
            let alive = pid == getpid() || kill(pid, 0) == 0 || errno == EPERM
            if !alive { try? FileManager.default.removeItem(atPath: outputDirectory + "/" + relative) }
        }
    }

    static let temporaryMarker = ".jobc-tmp-"
    /// In every temporary file's name: a later run deletes the file only once this process is gone.
    private static let processID = getpid()
    /// Also in every temporary name (after the pid and a dot), so two jobs of a run that would write
    /// the same file (a duplicate job_id: one of them is refused later) stage it under two names.
    private static let stagingCount = Counter()

    /// True when a symbolic link inside the output folder would carry the file outside it: the
    /// deepest folder of the path that already exists must resolve to a place inside the folder.
    private func leadsOutside(_ relativePath: String) -> Bool {
        // A file right in the output folder lands in it, wherever a link to the folder points (and
        // rename replaces a link at the file's own name rather than following it): only a folder
        // inside can lead out.
        guard relativePath.utf8.contains(UInt8(ascii: "/")) else { return false }
        guard let realOutput = FileSystem.realPath(outputDirectory) else { return false }  // created fresh: no links
        var folder = FileSystem.parent(of: outputDirectory + "/" + relativePath)
        while !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            folder = FileSystem.parent(of: folder)
        }
        guard let realFolder = FileSystem.realPath(folder) else { return true }
        return realFolder != realOutput && !realFolder.hasPrefix(realOutput.hasSuffix("/") ? realOutput : realOutput + "/")
    }

    /// Why one job's files cannot all be written side by side (nil when they can): the same path
    /// twice, a path that needs another one to be a folder (`a` and `a/b.txt`), or a name this writer
    /// keeps for its temporary files (which a later run would delete). Paths are assumed safe.
    public static func layoutProblem(_ paths: [String]) -> String? {
        var files = Set<String>()
        for path in paths {
            guard files.insert(path).inserted else { return "\(JSONLiteral.string(path)) is listed twice" }
            // The marker holds no '/': a component holds it exactly when the path does.
            if containsTemporaryMarker(path) {
                return "\(JSONLiteral.string(path)) is named like jobc's temporary files ('\(temporaryMarker)')"
            }
        }
        for path in paths {
            var folder = Substring(path)
            while let slash = folder.utf8.lastIndex(of: UInt8(ascii: "/")) {
                folder = folder[..<slash]
                if files.contains(String(folder)) {
                    return "\(JSONLiteral.string(String(folder))) is both a file and the folder of \(JSONLiteral.string(path))"
                }
            }
        }
        return nil
    }

    /// Relative, no backslash or NUL, and no empty, `.` or `..` component. Checked on the bytes (every
    /// artifact of a run comes through here; Foundation's `contains` and a Character split cost more
    /// than writing the file).
    static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.utf8.contains(UInt8(ascii: "\\")), !path.utf8.contains(0) else { return false }
        return path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy { component in
            !component.isEmpty && !component.elementsEqual(".".utf8) && !component.elementsEqual("..".utf8)
        }
    }

    private static func containsTemporaryMarker(_ path: String) -> Bool {
        let marker = Array(temporaryMarker.utf8), bytes = Array(path.utf8)
        guard bytes.count >= marker.count else { return false }
        return (0...(bytes.count - marker.count)).contains { start in bytes[start..<(start + marker.count)].elementsEqual(marker) }
    }

    /// A new file at `path` holding `data`. No fsync (FileManager's `createFile` does one per file,
    /// which made writing thousands of jobs wait on the disk): the rename that follows is what keeps
    /// readers and interrupted runs from seeing a partial file; like a compiler's output, generated
    /// files are not flushed against power loss. O_EXCL and O_NOFOLLOW: never write through a link
    /// someone left at the temporary name.
    private static func create(_ path: String, holding data: Data) throws(WriteError) {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var descriptor = open(path, flags, 0o666)
        if descriptor < 0 && errno == EEXIST {
            unlink(path)  // our own leftover from a killed run with the same pid
            descriptor = open(path, flags, 0o666)
        }
        guard descriptor >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        var failure: Int32 = 0
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        guard failure == 0 else {
            unlink(path)
            throw .io(path: path, reason: String(cString: strerror(failure)))
        }
    }

    /// `mkdir -p` with mkdir(2): its errno says what failed in plain words, where FileManager's
    /// error reads "The operation could not be completed. (NSCocoaErrorDomain error 512.)".
    private func createFolders(_ path: String) throws(WriteError) {
        if folders.exists(path) { return }
        if FileSystem.isDirectory(path) { return folders.found(path) }
        let parent = FileSystem.parent(of: path)
        if !parent.isEmpty, parent != path { try createFolders(parent) }
        guard mkdir(path, 0o777) != 0 else { return folders.made(path) }
        let code = errno
        if code == EEXIST, FileSystem.isDirectory(path) { return folders.found(path) }  // made by another writer meanwhile
        throw .io(path: path, reason: code == EEXIST ? "\(FileSystem.kind(of: path)) is in the way of a folder there" : String(cString: strerror(code)))
    }

    /// Writes `artifact` under a temporary name beside its destination and returns that name; nil
    /// when the destination already holds exactly these bytes.
    private func writeTemporary(_ artifact: Artifact) throws(WriteError) -> String? {
        let destination = outputDirectory + "/" + artifact.relativePath
        let directory = FileSystem.folder(of: destination), name = FileSystem.name(of: destination)
        let data = Data(artifact.contents.utf8)
        // Unchanged: keep its mtime. A folder this run made holds no earlier output to compare with.
        if !folders.wasMade(directory), FileSystem.fileHolds(destination, exactly: data) { return nil }
        try createFolders(directory)
        let temporary = directory + "/.\(name)\(Self.temporaryMarker)\(Self.processID).\(Self.stagingCount.next())"
        InterruptGate.shared.enter()
        defer { InterruptGate.shared.leave() }
        try Self.create(temporary, holding: data)
        InterruptGate.shared.register(temporary)
        return temporary
    }
}

/// The folders a writer knows exist, and which of them it made: a run writes a thousand files into
/// one folder and asks the disk about that folder once, not a thousand times.
private final class KnownFolders: @unchecked Sendable {
    private let lock = NSLock()
    private var existing: Set<String> = []
    private var madeByThisRun: Set<String> = []

    func exists(_ folder: String) -> Bool { lock.withLock { existing.contains(folder) } }
    func wasMade(_ folder: String) -> Bool { lock.withLock { madeByThisRun.contains(folder) } }
    func found(_ folder: String) { lock.withLock { _ = existing.insert(folder) } }

    func made(_ folder: String) {
        lock.withLock {
            existing.insert(folder)
            madeByThisRun.insert(folder)
        }
    }
}

/// A number that only grows, safe from any thread.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}

/// Holds SIGINT and SIGTERM until no file is half-written, deletes the files staged but not yet
/// renamed into place, then ends the process with the same signal. Installed by the first write:
/// before it, an interrupted run has no temporary file to leave. A write that would start after the
/// signal waits for the end instead.
final class InterruptGate: @unchecked Sendable {
    static let shared = InterruptGate()

    private let condition = NSCondition()
    private var writesInFlight = 0
    private var stopping = false
    /// Temporary files written and not yet renamed or deleted.
    private var staged = Set<String>()
    private var sources: [any DispatchSourceSignal] = []

    private init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)  // delivered to the source below instead of ending the process
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in self.stop(with: number) }
            source.resume()
            sources.append(source)
        }
    }

    func enter() {
        condition.lock()
        while stopping { condition.wait() }  // the process is ending: this write never starts
        writesInFlight += 1
        condition.unlock()
    }

    func register(_ temporary: String) {
        condition.lock()
        staged.insert(temporary)
        condition.unlock()
    }

    func unregister(_ temporary: String) {
        condition.lock()
        staged.remove(temporary)
        condition.unlock()
    }

    func leave() {
        condition.lock()
        writesInFlight -= 1
        condition.broadcast()
        condition.unlock()
    }

    private func stop(with number: Int32) {
        condition.lock()
        stopping = true
        while writesInFlight > 0 { condition.wait() }
        for temporary in staged { unlink(temporary) }
        // End as the signal would have: its default action, raised on this thread with the signal
        // unblocked (dispatch may keep it blocked on the threads it manages).
        signal(number, SIG_DFL)
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, number)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        raise(number)
        _exit(128 + number)
    }
}
