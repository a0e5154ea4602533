/// The children of the YAML loader's open collections, innermost collection's last: a stack that
/// hands a closing collection its children by moving them into an array of their exact size.
///
/// An `Array` can only copy a tail out (retaining every child) and then destroy the originals
/// (releasing them again); a move leaves every reference count alone.
final class PendingChildren<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 64
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    func append(_ element: consuming Element) {
        if count == capacity { grow() }
        (storage + count).initialize(to: element)
        count += 1
    }

    subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "index out of range")
        return storage[index]
    }

    /// The index of the first child from `start` on that satisfies `predicate`; children are lent,
    /// not copied.
    func firstIndex(from start: Int, where predicate: (borrowing Element) -> Bool) -> Int? {
        for index in start..<count where predicate(storage[index]) {
            return index
        }
        return nil
    }

    /// Takes the children from `start` on off the stack, in order.
    func removeAll(from start: Int) -> [Element] {
        precondition(start >= 0 && start <= count, "index out of range")
        let moved = count - start
        guard moved > 0 else { return [] }
        count = start
        // Not Array(unsafeUninitializedCapacity:): its allocation is not specialized and looks up
        // the array's type metadata at run time, which costs more than appending to reserved room.
        var children: [Element] = []
        children.reserveCapacity(moved)
        for index in start..<(start + moved) {
            children.append((storage + index).move())
        }
        return children
    }

    private func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }
}
