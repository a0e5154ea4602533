/// Hands out module-level and local Python names for generated code without collisions. Task keys
/// are valid Python names already (`Identifier`); they are used as they are unless they clash with a
/// name the generated module itself needs, in which case they get a suffix that clashes with nothing.
struct PythonNames {
    private var used: Set<String>
    /// The keys that had to take another name; every other key is its own name. Usually empty, so
    /// looking a name up costs no hashing.
    private var detours: [String: String] = [:]

    /// Names each task key, in order: `reserved` (the module's own names) stay untouched, and keys
    /// that are not reserved keep their spelling even when another key's detour would want it.
    init(keys: [String], reserved: Set<String>, detourSuffix: String) {
        used = reserved
        used.reserveCapacity(reserved.count + keys.count)
        var reservedKeys: [String] = []
        for key in keys {
            if reserved.contains(key) { reservedKeys.append(key) } else { used.insert(key) }
        }
        for key in reservedKeys {
            detours[key] = fresh(key + detourSuffix)
        }
    }

    subscript(key: String) -> String { detours.isEmpty ? key : detours[key] ?? key }

    /// A new name based on `preferred`, unique among everything handed out so far.
    mutating func fresh(_ preferred: String) -> String {
        var candidate = preferred
        var counter = 2
        while used.contains(candidate) {
            candidate = preferred + String(counter)
            counter += 1
        }
        used.insert(candidate)
        return candidate
    }
}
