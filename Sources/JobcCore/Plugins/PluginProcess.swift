import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a plugin executable once: bytes on stdin, stdout and stderr collected, within a deadline and
/// an output limit (`run`; or `start` now, `send` the input as it is made and `finish`). The child
/// leads its own process group, so a timeout kills whatever it started too.
///
/// Foundation's `Process` is not used because it cannot put the child in a new process group, and its
/// pipes are inherited by children started concurrently on other threads (jobc compiles in parallel).
struct PluginProcess {
    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case outputTooLarge
    }

    struct Result {
        var termination: Termination
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    var executable: String
    var arguments: [String]
    var extraEnvironment: [String: String]
    var timeoutSeconds: Double
    var outputLimit: Int

    func run(stdin input: [UInt8]) throws(LaunchError) -> Result {
        try start().finish(stdin: input, timeoutSeconds: timeoutSeconds, outputLimit: outputLimit)
    }

    /// Starts the plugin and returns at once: it may load its interpreter and modules while jobc is
    /// still making the request. Its deadline runs from `finish`, when it gets the request.
    func start() throws(LaunchError) -> Started {
        Self.ignoreSIGPIPE
        // Pipes are created and marked close-on-exec under one lock with the spawn, so a plugin
        // started at the same moment on another thread cannot inherit this call's pipe ends.
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        let pipes = try (0..<3).map { _ throws(LaunchError) in try Self.makePipe() }
        let (stdinPipe, stdoutPipe, stderrPipe) = (pipes[0], pipes[1], pipes[2])
        let pid: pid_t
        do {
            pid = try spawn(stdin: stdinPipe.read, stdout: stdoutPipe.write, stderr: stderrPipe.write)
        } catch {
            for pipe in pipes { close(pipe.read); close(pipe.write) }
            throw error
        }
        close(stdinPipe.read)
        close(stdoutPipe.write)
        close(stderrPipe.write)
        #if os(Linux)
        // F_SETPIPE_SZ (not exported to Swift): a 1 MiB pipe instead of 64 KiB takes a run's jobs as
        // they are sent, and the plugin reads them in fewer, larger pieces. Best effort: the
        // default size works, only in more pieces.
        _ = fcntl(stdinPipe.write, 1031, Int32(1 << 20))
        #endif
        return Started(pid: pid, stdin: stdinPipe.write, stdout: stdoutPipe.read, stderr: stderrPipe.read)
    }

    /// A running plugin process. Its input can be given in pieces (`send`) while jobc still makes
    /// the rest, so the plugin reads and works at the same time; `finish` then writes what the
    /// pipe has not taken yet, collects the output and waits. Exactly one of `finish` and `stop`
    /// must be called: each reaps the process and closes its pipes.
    final class Started: @unchecked Sendable {
        private let pid: pid_t
        private let stdout: Int32
        private let stderr: Int32
        private let lock = NSLock()
        /// Nil once the plugin stopped reading (EPIPE): its answer, or its exit status, says why.
        private var stdin: Int32?
        /// Bytes sent; those before `written` are in the pipe.
        private var sent: [UInt8] = []
        private var written = 0

        fileprivate init(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) {
            (self.pid, self.stdin, self.stdout, self.stderr) = (pid, stdin, stdout, stderr)
            // Writes from `send` must never block the compiling thread that calls it.
            _ = fcntl(stdin, F_SETFL, fcntl(stdin, F_GETFL) | O_NONBLOCK)
        }

        /// Appends `bytes` to the plugin's input and writes as much of what is waiting as the pipe
        /// takes now; the rest goes with the next `send` or with `finish`. Safe from any thread.
        func send(_ bytes: [UInt8]) {
            lock.withLock {
                guard stdin != nil else { return }  // it stopped reading: nothing more is kept for it
                if written == sent.count {
                    (sent, written) = ([], 0)
                } else if written > 1 << 20 && written > sent.count / 2 {
                    (sent, written) = (Array(sent[written...]), 0)  // what the pipe took, dropped in bulk
                }
                sent.append(contentsOf: bytes)
                guard let fd = stdin else { return }
                let count = sent.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
                if count > 0 {
                    written += count
                } else if count < 0 && errno != EAGAIN && errno != EINTR {
                    close(fd)
                    stdin = nil
                }
            }
        }

        /// Writes `input` to the plugin's stdin while collecting its stdout and stderr, then waits
        /// for it to exit, within `timeoutSeconds` from now and `outputLimit` bytes of output.
        func finish(stdin input: [UInt8], timeoutSeconds: Double, outputLimit: Int) -> Result {
            send(input)
            return finish(timeoutSeconds: timeoutSeconds, outputLimit: outputLimit)
        }

        /// Ends the input (after what `send` gave and the pipe has not taken yet), collects stdout
        /// and stderr, and waits for the plugin to exit, within `timeoutSeconds` from now and
        /// `outputLimit` bytes of output.
        func finish(timeoutSeconds: Double, outputLimit: Int) -> Result {
            let (input, stdin) = lock.withLock { (Array(sent[written...]), self.stdin) }
            var exchange = Exchange(
                stdin: stdin, stdout: stdout, stderr: stderr, input: input,
                deadline: PluginProcess.now() + timeoutSeconds, outputLimit: outputLimit)
            let ended = exchange.pump()
            let termination = Self.reap(pid, pipesEnded: ended, deadline: exchange.deadline)
            return Result(termination: termination, stdout: exchange.stdoutBytes, stderr: exchange.stderrBytes)
        }

        /// Ends a plugin that was started but is not needed after all (no job reached the emitter).
        func stop() {
            // Killed before its stdin closes: a plugin never reads an end of input that looks like
            // an empty request.
            _ = Self.killGroup(pid, reporting: .exited(0))
            for fd in [lock.withLock({ stdin }), stdout, stderr].compactMap({ $0 }) { close(fd) }
        }

        /// Waits for the child once its pipes are done (or kills its group when time or output ran out).
        private static func reap(_ pid: pid_t, pipesEnded: Exchange.Ending, deadline: Double) -> Termination {
            switch pipesEnded {
            case .timedOut: return killGroup(pid, reporting: .timedOut)
            case .outputTooLarge: return killGroup(pid, reporting: .outputTooLarge)
            case .closed: break
            }
            var status: Int32 = 0
            // The plugin closed its output but may still be running: poll until the deadline.
            while true {
                let waited = waitpid(pid, &status, WNOHANG)
                if waited == pid { break }
                if waited < 0 && errno != EINTR { return .exited(-1) }
                if PluginProcess.now() >= deadline { return killGroup(pid, reporting: .timedOut) }
                usleep(1_000)
            }
            // Children it left behind in its group must not outlive the call.
            kill(-pid, SIGKILL)
            if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
            return .signalled(status & 0x7f)
        }

        private static func killGroup(_ pid: pid_t, reporting termination: Termination) -> Termination {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return termination
        }
    }

    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) throws(LaunchError) -> pid_t {
        let streams = ChildProcess.Streams(stdin: stdin, stdout: stdout, stderr: stderr)
        switch ChildProcess.spawn(executable, arguments: arguments, streams: streams, extraEnvironment: extraEnvironment) {
        case .success(let pid): return pid
        case .failure(let error): throw LaunchError(description: error.description)
        }
    }

    private static func makePipe() throws(LaunchError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw LaunchError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private static let spawnLock = NSLock()

    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN); return () }()

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// One output pipe of the plugin and what has been read from it.
private struct OutputPipe {
    var fd: Int32?
    var bytes: [UInt8] = []

    mutating func drain() {
        guard let descriptor = fd else { return }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        if count > 0 {
            bytes.append(contentsOf: chunk[0..<count])
        } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
            close()
        }
    }

    mutating func close() {
        if let fd { _ = Glibc.close(fd) }
        fd = nil
    }
}

/// Feeds stdin and drains stdout and stderr at the same time, so neither side blocks on a full pipe.
private struct Exchange {
    enum Ending { case closed, timedOut, outputTooLarge }

    var stdin: Int32?
    var stdout: OutputPipe
    var stderr: OutputPipe
    let input: [UInt8]
    let deadline: Double
    let outputLimit: Int
    var written = 0

    var stdoutBytes: [UInt8] { stdout.bytes }
    var stderrBytes: [UInt8] { stderr.bytes }

    /// `stdin`: nil when the plugin already stopped reading.
    init(stdin: Int32?, stdout: Int32, stderr: Int32, input: [UInt8], deadline: Double, outputLimit: Int) {
        self.stdin = stdin
        self.stdout = OutputPipe(fd: stdout)
        self.stderr = OutputPipe(fd: stderr)
        self.input = input
        self.deadline = deadline
        self.outputLimit = outputLimit
        for fd in [stdin, stdout, stderr].compactMap({ $0 }) { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        if input.isEmpty { closeStdin() }
    }

    mutating func pump() -> Ending {
        defer { closeAll() }
        while stdin != nil || stdout.fd != nil || stderr.fd != nil {
            let remaining = deadline - PluginProcess.now()
            guard remaining > 0 else { return .timedOut }
            var fds: [pollfd] = []
            if let stdin { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
            if let fd = stdout.fd { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if let fd = stderr.fd { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000 + 1, 1_000)))
            if ready < 0 && errno != EINTR { return .closed }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdin { feedStdin() }
                if entry.fd == stdout.fd { stdout.drain() }
                if entry.fd == stderr.fd { stderr.drain() }
            }
            if stdout.bytes.count + stderr.bytes.count > outputLimit { return .outputTooLarge }
        }
        return .closed
    }

    private mutating func feedStdin() {
        guard let fd = stdin else { return }
        let count = input.withUnsafeBytes { buffer in
            write(fd, buffer.baseAddress! + written, input.count - written)
        }
        if count > 0 {
            written += count
            if written == input.count { closeStdin() }
        } else if count < 0 && errno != EAGAIN && errno != EINTR {
            closeStdin()  // the plugin stopped reading (EPIPE): its answer, or its exit status, tells why
        }
    }

    private mutating func closeStdin() {
        if let stdin { close(stdin) }
        stdin = nil
    }

    private mutating func closeAll() {
        closeStdin()
        stdout.close()
        stderr.close()
    }
}
