/// Refuses binary data, invalid UTF-8 and the characters YAML forbids before libyaml sees them, with
/// the exact position (libyaml's own reader errors only know a byte offset).
enum EncodingCheck {
    /// YAML 1.1's printable set: tab, line breaks, and everything but C0/C1 controls and non-characters.
    static func isAllowedInYAML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x85: return true
        case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF: return false
        default: return true
        }
    }

    /// "little-endian" or "big-endian" when the bytes look like UTF-16: a byte order mark, or text
    /// that starts with two ASCII characters each paired with a NUL (what an editor saving as
    /// "Unicode" writes), which would otherwise read as a binary file.
    static func utf16ByteOrder(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 2 else { return nil }
        if bytes[0] == 0xFF, bytes[1] == 0xFE { return "little-endian" }
        if bytes[0] == 0xFE, bytes[1] == 0xFF { return "big-endian" }
        guard bytes.count >= 4 else { return nil }
        if bytes[0] != 0, bytes[1] == 0, bytes[2] != 0, bytes[3] == 0 { return "little-endian" }
        if bytes[0] == 0, bytes[1] != 0, bytes[2] == 0, bytes[3] != 0 { return "big-endian" }
        return nil
    }

    static func firstProblem(in bytes: [UInt8], path: String) -> Diagnostic? {
        // Printable ASCII, tabs and line breaks are always allowed, and most files hold nothing else:
        // one pass over the bytes instead of decoding them scalar by scalar.
        if bytes.withUnsafeBufferPointer(ByteScan.isPlainText) { return nil }
        if let byteOrder = utf16ByteOrder(bytes) {
            return .error(
                .yamlEncoding, "the file is UTF-16 (\(byteOrder)) text; job files must be UTF-8",
                at: SourceLocation(file: path, line: 1, column: 1), suggestion: "re-save the file as UTF-8")
        }
        // A NUL anywhere means binary data: say so at the NUL, not at an earlier odd byte.
        let isBinary = bytes.contains(0)
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var line = 1
        var column = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar.value == 0 {
                    return .error(
                        .yamlEncoding, "the file contains a NUL byte: it looks like a binary file, not YAML text",
                        at: SourceLocation(file: path, line: line, column: column))
                }
                if !isBinary, [0x85, 0x2028, 0x2029].contains(scalar.value) {
                    // libyaml counts these as line breaks and editors mostly do not: positions would drift.
                    return .error(
                        .yamlEncoding, "raw Unicode line separator U+\(String(scalar.value, radix: 16, uppercase: true)) in the file",
                        at: SourceLocation(file: path, line: line, column: column),
                        suggestion: "inside a double-quoted string write it as an escape (\\N, \\L or \\P); elsewhere remove it")
                }
                if !isBinary, !isAllowedInYAML(scalar) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    return .error(
                        .yamlEncoding, "control character U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex) is not allowed in YAML text",
                        at: SourceLocation(file: path, line: line, column: column),
                        suggestion: "inside a double-quoted string, write it as an escape such as \\x07")
                }
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                return nil
            case .error where !isBinary:
                return .error(
                    .yamlEncoding, "invalid UTF-8 byte sequence: job files must be UTF-8 text",
                    at: SourceLocation(file: path, line: line, column: column),
                    suggestion: "re-save the file as UTF-8")
            case .error:
                column += 1  // binary: keep looking for the NUL
            }
        }
    }
}
