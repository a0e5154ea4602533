/// A value's fields in one shared object, copied when a holder writes while another holds it too:
/// values that every stage passes around by the thousand (a job's tasks, before and after lowering)
/// then copy as one retain instead of one per string and array they hold.
struct CopyOnWrite<Fields>: @unchecked Sendable {  // the object is mutated only while uniquely held
    private final class Box {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    init(_ fields: Fields) { box = Box(fields) }

    /// Read in place; written in place once the object is this holder's own. `_read`/`_modify`
    /// rather than get/set: a set would copy every field to change one.
    var fields: Fields {
        _read { yield box.fields }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
            yield &box.fields
        }
    }

    /// Whether two holders share one object (then their fields are equal without comparing them).
    func isShared(with other: CopyOnWrite) -> Bool { box === other.box }
}

extension CopyOnWrite: Equatable where Fields: Equatable {
    static func == (lhs: CopyOnWrite, rhs: CopyOnWrite) -> Bool { lhs.isShared(with: rhs) || lhs.fields == rhs.fields }
}
