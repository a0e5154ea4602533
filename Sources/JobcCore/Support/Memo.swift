import Foundation

/// Answers computed once per key and kept for the run, safe to share between threads: for questions
/// to the disk that every job of a project asks again (does this SQL file exist, this secret).
final class Memo<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private var values: [Key: Value] = [:]
    private let lock = NSLock()

    /// The kept answer for `key`, computing it with `compute` the first time (outside the lock: two
    /// threads may both compute a missing answer, and the answers are the same).
    func value(for key: Key, _ compute: (Key) -> Value) -> Value {
        lock.lock()
        let known = values[key]
        lock.unlock()
        if let known { return known }
        let value = compute(key)
        lock.lock()
        values[key] = value
        lock.unlock()
        return value
    }
}
