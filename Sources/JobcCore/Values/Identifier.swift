/// The one naming rule for job ids, task keys and task ids, chosen so the same name is valid on every
/// engine jobc targets: lowercase snake_case of at most 63 characters that is also a Python
/// identifier in generated code. Names a particular target keeps for itself are that target's to
/// declare (`Emitter.reservedIdentifiers`, applied through `TargetNames`).
public enum Identifier {
    public static let maxLength = 63

    /// Why `text` is not a portable identifier, or nil when it is.
    public static func problem(with text: String) -> String? {
        // Every rule of every job asks this of every name, and nearly every name is fine: decide that
        // from the bytes (each allowed character is one byte) before the checks that word a problem.
        // On the contiguous bytes (native and small strings have them): a tight loop, not the
        // generic UTF-8 view's iteration.
        let utf8 = text.utf8
        if utf8.withContiguousStorageIfAvailable(isPlainIdentifier) == true,
           utf8.count > longestPythonKeyword || !pythonKeywords.contains(text) {
            return nil
        }
        guard !text.isEmpty else { return "an id cannot be empty" }
        guard text.count <= maxLength else { return "'\(text)' is \(text.count) characters long; ids are at most \(maxLength)" }
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) else {
            return "'\(text)' must start with a lowercase letter a-z"
        }
        if let bad = text.unicodeScalars.first(where: { !isAllowed($0) }) {
            return "'\(text)' contains '\(bad)'; ids use only lowercase letters a-z, digits and '_'"
        }
        if text.hasSuffix("_") { return "'\(text)' ends with '_'; workflow engines want ids that end with a letter or digit" }
        if pythonKeywords.contains(text) { return "'\(text)' is a Python keyword, which generated code cannot use as a name" }
        return nil
    }

    /// A portable spelling close to `text`, offered as a suggestion.
    public static func suggestion(for text: String) -> String? {
        var result = ""
        for scalar in text.lowercased().unicodeScalars {
            result.unicodeScalars.append(isAllowed(scalar) ? scalar : "_")
        }
        while result.hasSuffix("_") { result.removeLast() }
        if let first = result.unicodeScalars.first, !("a"..."z").contains(first) { result = "job_" + result }
        result = String(result.prefix(maxLength))
        return problem(with: result) == nil && result != text ? result : nil
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }

    /// A lowercase letter, then lowercase letters, digits and '_', not ending in '_', at most
    /// `maxLength` bytes: the bytes of a valid identifier, keywords aside.
    private static func isPlainIdentifier(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, bytes.count <= maxLength, isLowercaseLetter(first), bytes.last != UInt8(ascii: "_") else { return false }
        for byte in bytes where !isAllowed(byte) { return false }
        return true
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        isLowercaseLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }

    private static func isLowercaseLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    private static let pythonKeywords: Set<String> = [
        "false", "none", "true", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
        "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]
    /// A name longer than this is no keyword: no need to hash it.
    private static let longestPythonKeyword = pythonKeywords.map(\.utf8.count).max()!
}

/// Secret names address a file in the mock store and a Secret Manager secret id: letters, digits, '_'
/// and '-', so a name can never be a path.
public enum SecretName {
    public static func problem(with text: String) -> String? {
        // Each allowed character is one byte: a name of allowed bytes is valid without counting characters.
        let utf8 = text.utf8
        if !utf8.isEmpty, utf8.count <= 255, utf8.allSatisfy(isAllowed) { return nil }
        guard !text.isEmpty, text.count <= 255 else { return "a secret name has 1 to 255 characters" }
        let allowed = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        return allowed ? nil : "'\(text)' is not a secret name: use letters, digits, '_' and '-' only"
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}
