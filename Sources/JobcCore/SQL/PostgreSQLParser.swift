import CPgQuery

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
        guard runOnLargeStack(size: stackSize(forQueryOfLength: query.count), job) else { return .outOfMemory }
        return job.outcome ?? .outOfMemory
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
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return false }
        defer { pthread_attr_destroy(&attributes) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard pthread_attr_setstacksize(&attributes, (size + page - 1) / page * page) == 0 else { return false }
        let context = Unmanaged.passRetained(job).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let created = pthread_create(&thread, &attributes, { context in
            let job = Unmanaged<ParseJob>.fromOpaque(context!).takeRetainedValue()
            job.run()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<ParseJob>.fromOpaque(context).release()
            return false
        }
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        pthread_join(thread!, nil)
        #endif
        return true
    }
}
