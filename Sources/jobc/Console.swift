import Foundation

/// Standard output and standard error as jobc writes them: write(2) until every byte is out, retrying
/// on EINTR, and a failure thrown, never trapped (FileHandle.write) nor dropped (print's buffer), so
/// `main` can end a run whose output was lost with a non-zero status.
enum Console {
    enum Stream: Sendable {
        case standardOutput, standardError

        var descriptor: Int32 { self == .standardOutput ? STDOUT_FILENO : STDERR_FILENO }
        var name: String { self == .standardOutput ? "standard output" : "standard error" }
    }

    /// A write to one of the streams failed: the output is incomplete.
    struct WriteFailure: Error, CustomStringConvertible {
        var stream: Stream
        var code: Int32

        var description: String { "cannot write to \(stream.name): \(String(cString: strerror(code)))" }
    }

    /// Called first by `main`. SIGPIPE is ignored so a closed pipe is the EPIPE error of a write
    /// (reported) instead of a silent death. A stream closed before jobc started gets /dev/null on
    /// its number, so no file jobc opens later takes it over, and is remembered as broken.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        for stream in [Stream.standardOutput, .standardError] where fcntl(stream.descriptor, F_GETFD) == -1 {
            let placeholder = open("/dev/null", O_WRONLY)
            if placeholder >= 0, placeholder != stream.descriptor {
                dup2(placeholder, stream.descriptor)
                close(placeholder)
            }
            state.withLock { $0[stream] = EBADF }
        }
    }

    static func out(_ text: String) throws(WriteFailure) {
        try write(text, to: .standardOutput)
    }

    static func error(_ text: String) throws(WriteFailure) {
        try write(text, to: .standardError)
    }

    /// The first failure on each stream; a broken stream is not written to again.
    private static let state = Locked<[Stream: Int32]>([:])

    static func write(_ text: String, to stream: Stream) throws(WriteFailure) {
        if let code = state.withLock({ $0[stream] }) { throw WriteFailure(stream: stream, code: code) }
        let bytes = Array(text.utf8)
        let failure: Int32 = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(stream.descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
        guard failure == 0 else {
            state.withLock { $0[stream] = failure }
            throw WriteFailure(stream: stream, code: failure)
        }
    }

    /// Says that output was lost on whichever stream still works; nothing more can be done if none does.
    static func reportLost(_ failure: WriteFailure) {
        let other: Stream = failure.stream == .standardError ? .standardOutput : .standardError
        try? write("jobc: error: \(failure); the output is incomplete\n", to: other)
    }
}

/// A value behind a lock (the Synchronization module's Mutex needs a newer macOS than jobc targets).
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
