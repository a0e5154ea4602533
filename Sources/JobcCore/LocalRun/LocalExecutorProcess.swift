import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local executor (`python -m jobc_local`, through a bootstrap that reports a missing runtime
/// as an event) as one child process: the plan goes to its stdin, which stays open for the run
/// (closing it stops the run), and its events come back as lines on its stdout. Its stderr is
/// jobc's. It leads its own process group, so a terminal's Ctrl-C reaches jobc only, which
/// forwards it (`interrupt`): one place decides how a run stops.
public final class LocalExecutorProcess: @unchecked Sendable {
    public struct LaunchError: Error, CustomStringConvertible {
        public var description: String
    }

    public enum Read: Equatable {
        case line([UInt8])
        case timedOut
        case ended
    }

    /// Imports the executor, or says what is missing as a `runtime_missing` event (exit 3).
    static let bootstrap = """
        import sys
        try:
            import jobc_runtime, jobc_local.executor
        except ImportError as error:
            import json
            sys.stdout.write(json.dumps({"event": "runtime_missing", "error": f"{type(error).__name__}: {error}", \
        "python": sys.executable}) + "\\n")
            sys.exit(3)
        sys.exit(jobc_local.executor.main())
        """

    public let pid: pid_t
    private var input: Int32?
    private let output: Int32
    private var buffer: [UInt8] = []
    private var outputEnded = false

    /// Starts `python` (a path, or a name looked up in PATH) with the environment plus `extraEnvironment`.
    public init(python: String, extraEnvironment: [String: String]) throws(LaunchError) {
        signal(SIGPIPE, SIG_IGN)
        var inputPipe: [Int32] = [0, 0]
        var outputPipe: [Int32] = [0, 0]
        guard pipe(&inputPipe) == 0, pipe(&outputPipe) == 0 else {
            throw LaunchError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for fd in inputPipe + outputPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        let spawned = ChildProcess.spawn(
            python, arguments: ["-c", Self.bootstrap], searchingPath: true,
            streams: ChildProcess.Streams(stdin: inputPipe[0], stdout: outputPipe[1], stderr: nil), extraEnvironment: extraEnvironment)
        close(inputPipe[0])
        close(outputPipe[1])
        let child: pid_t
        switch spawned {
        case .success(let started):
            child = started
        case .failure(let error):
            close(inputPipe[1])
            close(outputPipe[0])
            throw LaunchError(description: "cannot start '\(python)': \(error)")
        }
        pid = child
        input = inputPipe[1]
        output = outputPipe[0]
    }

    /// Writes all of `text` to the executor's stdin; false when it stopped reading.
    @discardableResult
    public func send(_ text: String) -> Bool {
        guard let fd = input else { return false }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// The next line of stdout (without its newline), waiting at most `timeout` seconds.
    public func readLine(timeout: Double) -> Read {
        let deadline = Self.now() + timeout
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return .line(line)
            }
            if outputEnded {
                guard !buffer.isEmpty else { return .ended }
                defer { buffer = [] }
                return .line(buffer)
            }
            let remaining = deadline - Self.now()
            guard remaining > 0 else { return .timedOut }
            var entry = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(remaining * 1000) + 1)
            if ready < 0 && errno != EINTR { outputEnded = true }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress!, $0.count) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
            } else if count == 0 || errno != EINTR {
                outputEnded = true
            }
        }
    }

    /// Asks the executor to stop the run: it stops the running attempts and reports them interrupted.
    public func interrupt() {
        kill(pid, SIGINT)
    }

    /// Closes stdin (the executor stops whatever still runs) and waits for the exit status.
    public func wait() -> Int32 {
        if let fd = input { close(fd) }
        input = nil
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(output)
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
