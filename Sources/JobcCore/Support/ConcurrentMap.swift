import Dispatch

extension Array where Element: Sendable {
    /// `map` on every core: `transform` runs concurrently, results come back in input order.
    func concurrentMap<Result: Sendable>(_ transform: @Sendable (Element) -> Result) -> [Result] {
        guard !isEmpty else { return [] }
        return [Result](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            let slots = Slots(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: count) { index in
                slots.initialize(index, to: transform(self[index]))
            }
            initializedCount = count
        }
    }
}

/// The buffer of `concurrentMap`: each iteration initialises its own slot and no other, so sharing
/// the pointer between threads is safe.
private struct Slots<Value>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Value>

    func initialize(_ index: Int, to value: Value) {
        (base + index).initialize(to: value)
    }
}
