import Foundation

/// Answers computed once per key and kept for the run, safe to share between threads: for questions
/// to the disk that every job of a project asks again (does this SQL file exist, this secret).
final class Memo<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private var values: [Key: Value] = [:]
    private let lock = ReadWriteLock()  // lookups outnumber answers by the number of jobs

    /// The kept answer for `key`, computing it with `compute` the first time (outside the lock: two
    /// threads may both compute a missing answer, and the answers are the same).
    func value(for key: Key, _ compute: (Key) -> Value) -> Value {
        if let known = lock.reading({ values[key] }) { return known }
        let value = compute(key)
        lock.writing { values[key] = value }
        return value
    }
}

/// Like `Memo`, but each answer is computed exactly once: a thread asking for a key another thread
/// is computing waits for that answer. For work too costly to do twice (parsing a SQL file that
/// every job of a 10,000-job run names, when the first jobs on every core ask for it at once).
final class OnceMemo<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    /// Read under `valuesLock` (shared), written under it (exclusive) and under `condition`: a
    /// request whose values are all known, the common case once the first jobs ran, takes the
    /// shared lock only, and two threads reading do not queue on each other.
    private var values: [Key: Value] = [:]
    private let valuesLock = ReadWriteLock()
    /// Keys some thread is computing; guarded by `condition`, which waiters sleep on.
    private var computing: Set<Key> = []
    private let condition = NSCondition()

    func value(for key: Key, _ compute: (Key) -> Value) -> Value {
        values(for: [key], compute)[0]
    }

    /// `value(for:)` of each key, in the order of `keys`. While another thread computes one of
    /// them, this one computes the next missing key rather than wait: the first jobs on every core
    /// need the same files at once, and asked one by one the threads would take turns idling.
    func values(for keys: [Key], _ compute: (Key) -> Value) -> [Value] {
        let known: [Value]? = valuesLock.reading {
            var known: [Value] = []
            known.reserveCapacity(keys.count)
            for key in keys {
                guard let value = values[key] else { return nil }
                known.append(value)
            }
            return known
        }
        if let known { return known }
        var found = [Value?](repeating: nil, count: keys.count)
        var pending = Array(keys.indices)
        condition.lock()
        defer { condition.unlock() }
        while !pending.isEmpty {
            var claimed: Int?
            pending.removeAll { index in
                if let known = valuesLock.reading({ values[keys[index]] }) {
                    found[index] = known
                    return true
                }
                if claimed == nil, !computing.contains(keys[index]) {
                    claimed = index
                    computing.insert(keys[index])
                }
                return false
            }
            guard let claimed else {
                if !pending.isEmpty { condition.wait() }  // every missing key is another thread's
                continue
            }
            condition.unlock()
            let value = compute(keys[claimed])
            condition.lock()
            valuesLock.writing { values[keys[claimed]] = value }
            computing.remove(keys[claimed])
            condition.broadcast()
        }
        return found.map { $0! }
    }
}
