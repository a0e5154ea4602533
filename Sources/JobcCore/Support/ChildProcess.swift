import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a child the way jobc starts every child it talks to (plugins, the local executor): in a
/// process group of its own, so a timeout or Ctrl-C can end the child and whatever it started; with
/// SIGPIPE, SIGINT and SIGTERM back at their default handling (jobc ignores SIGPIPE, and holds SIGINT
/// and SIGTERM while it writes files: see `InterruptGate`); and with jobc's environment plus
/// `extraEnvironment`. Foundation's `Process` can do neither the process group nor keep its pipes
/// from leaking into children other threads start meanwhile.
enum ChildProcess {
    /// The standard streams the child gets; nil: it shares jobc's.
    struct Streams {
        var stdin: Int32
        var stdout: Int32
        var stderr: Int32?
    }

    /// The child's pid, or the errno posix_spawn gave. `searchingPath`: `executable` may be a bare
    /// name looked up in PATH (posix_spawnp), as for the Python an executor runs under.
    static func spawn(
        _ executable: String, arguments: [String], searchingPath: Bool = false, streams: Streams, extraEnvironment: [String: String]
    ) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, streams.stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, streams.stdout, 1)
        if let stderr = streams.stderr { posix_spawn_file_actions_adddup2(&actions, stderr, 2) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaultSignals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))

        var environment = ProcessInfo.processInfo.environment
        environment.merge(extraEnvironment) { _, extra in extra }
        let argv = [executable] + arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = withCStrings(argv) { argvPointers in
            withCStrings(envp) { envpPointers in
                searchingPath
                    ? posix_spawnp(&pid, executable, &actions, &attributes, argvPointers, envpPointers)
                    : posix_spawn(&pid, executable, &actions, &attributes, argvPointers, envpPointers)
            }
        }
        return status == 0 ? .success(pid) : .failure(SpawnError(code: status))
    }

    struct SpawnError: Error, CustomStringConvertible {
        var code: Int32
        var description: String { String(cString: strerror(code)) }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
