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

extension Array where Element: Sendable {
    /// Applies `change` to every element in place, on every core. For releasing what a run no longer
    /// needs (each job's IR once emitted): freeing a thousand trees one after another is a serial
    /// tail at the end of the run.
    mutating func concurrentlyUpdateEach(_ change: @Sendable (inout Element) -> Void) {
        guard !isEmpty else { return }
        let count = self.count
        withUnsafeMutableBufferPointer { buffer in
            let slots = Slots(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: count) { index in
                slots.update(index, with: change)
            }
        }
    }
}

/// The buffer of `concurrentMap` and `concurrentlyUpdateEach`: each iteration initialises or changes
/// its own slot and no other, so sharing the pointer between threads is safe.
private struct Slots<Value>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Value>

    func initialize(_ index: Int, to value: Value) {
        (base + index).initialize(to: value)
    }

    func update(_ index: Int, with change: (inout Value) -> Void) {
        change(&base[index])
    }
}
