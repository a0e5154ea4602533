import CPgQuery
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PostgreSQL's own grammar through libpg_query: the raw parse tree, as JSON.
enum PostgreSQLParser {
    enum Outcome {
        /// libpg_query's JSON parse tree, and the `stmts` in it.
        case statements(ParseTreeJSON, [ParseTreeJSON.Index])
        /// PostgreSQL's message, and where it points: a 1-based character (not byte) position in the
        /// query, 0 when the error has none.
        case error(message: String, characterPosition: Int)
        /// libpg_query wrote something that is not its JSON.
        case unreadable
        /// No thread with a stack large enough for this input could be started.
        case outOfMemory
    }

    /// libpg_query writes its JSON by recursion over the tree, about 125 bytes of stack a level, and
    /// a chain such as `1+1+1…` adds a level every 2 bytes of input: a 100,000-term sum overflows an
    /// 8 MiB stack. So each parse runs on its own thread, with room for the worst case the input
    /// could be, instead of the caller's (often 512 KiB) stack.
    static func stackSize(forQueryOfLength length: Int) -> Int {
        16 << 20 + 128 * length
    }

    static func parse(_ query: [UInt8]) -> Outcome {
        let job = ParseJob(query: query)
        let size = stackSize(forQueryOfLength: query.count)
        let ran = size <= ParserThreads.shared.stackSize ? ParserThreads.shared.run(job) : runOnLargeStack(size: size, job)
        guard ran else { return .outOfMemory }
        return job.outcome ?? .outOfMemory
    }

    /// Threads with a stack for any query up to 384 KiB, kept for the run: a parse hands its job to
    /// an idle one and waits, where starting (and tearing down) a thread with a 16 MiB stack for each
    /// of a project's SQL files cost more than parsing most of them. A longer query gets a thread of
    /// its own, sized for it.
    private final class ParserThreads: @unchecked Sendable {
        static let shared = ParserThreads()
        let stackSize = 64 << 20
        private let lock = NSLock()
        private var idle: [ParserThread] = []

        /// False when no thread could be started.
        func run(_ job: ParseJob) -> Bool {
            guard let thread = lock.withLock({ idle.popLast() }) ?? ParserThread(stackSize: stackSize) else { return false }
            thread.run(job)
            lock.withLock { idle.append(thread) }
            return true
        }
    }

    /// One kept thread: it waits for a job, runs it, says so, and waits again until the process ends.
    private final class ParserThread: @unchecked Sendable {
        private let jobReady = DispatchSemaphore(value: 0)
        private let jobDone = DispatchSemaphore(value: 0)
        private var job: ParseJob?

        init?(stackSize: Int) {
            // The thread holds this object for as long as the process runs.
            guard PostgreSQLParser.startThread(stackSize: stackSize, detached: true, { [self] in
                while true {
                    jobReady.wait()
                    job?.run()
                    job = nil
                    jobDone.signal()
                }
            }) != nil else { return nil }
        }

        /// Runs `job` on this thread and returns when it is done (the semaphores order the accesses to `job`).
        func run(_ job: ParseJob) {
            self.job = job
            jobReady.signal()
            jobDone.wait()
        }
    }

    private final class ParseJob: @unchecked Sendable {
        let query: [UInt8]
        var outcome: Outcome?

        init(query: [UInt8]) {
            self.query = query
        }

        func run() {
            let terminated = query + [0]
            let result = terminated.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { pg_query_parse($0.baseAddress!) }
            }
            defer { pg_query_free_parse_result(result) }
            if let error = result.error {
                let message = error.pointee.message.map { String(cString: $0) } ?? "syntax error"
                outcome = .error(message: message, characterPosition: Int(error.pointee.cursorpos))
                return
            }
            guard let text = result.parse_tree else {
                outcome = .unreadable
                return
            }
            let bytes = UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
            guard let tree = ParseTreeJSON(UnsafeBufferPointer(start: bytes, count: strlen(text))) else {
                outcome = .unreadable
                return
            }
            outcome = .statements(tree, Array(tree.elements(of: tree.member("stmts", of: 0))))
        }
    }

    private static func runOnLargeStack(size: Int, _ job: ParseJob) -> Bool {
        guard let thread = startThread(stackSize: size, detached: false, { job.run() }) else { return false }
        pthread_join(thread, nil)
        return true
    }

    /// Starts a thread running `body` on a stack of `stackSize` bytes (rounded up to whole pages);
    /// nil when it cannot be started. Joinable unless `detached`.
    private static func startThread(stackSize: Int, detached: Bool, _ body: @escaping @Sendable () -> Void) -> pthread_t? {
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return nil }
        defer { pthread_attr_destroy(&attributes) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard pthread_attr_setstacksize(&attributes, (stackSize + page - 1) / page * page) == 0,
              !detached || pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) == 0 else { return nil }
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let created = pthread_create(&thread, &attributes, { context in
            Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    /// A thread's work, handed to pthread_create through its context pointer.
    private final class ThreadBody: Sendable {
        let body: @Sendable () -> Void

        init(_ body: @escaping @Sendable () -> Void) {
            self.body = body
        }
    }
}
