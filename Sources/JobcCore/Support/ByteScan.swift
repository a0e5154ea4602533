/// Scans of byte buffers eight bytes at a time (SWAR: each test below answers for all eight bytes of
/// a word at once), for the checks that run over every byte of every job file and generated value.
/// The byte-by-byte loop they replace is the reference: `ByteScanTests` checks that both agree.
@usableFromInline
enum ByteScan {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `word` is below `limit` (≤ 128). Exact for "some byte", not for which.
    @inlinable static func hasByte(below limit: UInt8, in word: UInt64) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highBits != 0
    }

    /// Whether some byte of `word` equals `byte`.
    @inlinable static func hasByte(_ byte: UInt8, in word: UInt64) -> Bool {
        hasByte(below: 1, in: word ^ (ones &* UInt64(byte)))
    }

    /// Whether every byte is printable ASCII (0x20–0x7E) other than those in `excluded` (at most 2).
    /// The common case of a YAML value or a generated literal: nothing to escape, nothing to refuse.
    @inlinable static func isPrintableASCII(_ bytes: UnsafeBufferPointer<UInt8>, excluding excluded: (UInt8, UInt8)) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if word & highBits != 0 || hasByte(below: 0x20, in: word) || hasByte(0x7F, in: word)
                || hasByte(excluded.0, in: word) || hasByte(excluded.1, in: word) {
                return false
            }
            offset += 8
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte < 0x20 || byte >= 0x7F || byte == excluded.0 || byte == excluded.1 { return false }
            offset += 1
        }
        return true
    }

    /// Whether every byte is printable ASCII, a tab, a line feed or a carriage return: most YAML
    /// files hold nothing else. A word with a control byte is looked at byte by byte.
    static func isPlainText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        func isPlain(_ byte: UInt8) -> Bool { (byte >= 0x20 && byte < 0x7F) || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if word & highBits != 0 || hasByte(0x7F, in: word) { return false }
            if hasByte(below: 0x20, in: word), !(offset..<offset + 8).allSatisfy({ isPlain(bytes[$0]) }) { return false }
            offset += 8
        }
        return bytes[offset...].allSatisfy(isPlain)
    }

    /// The index of the first byte from `start` on that ends a run of plain JSON string content — a
    /// quote, a backslash or a control byte — or `bytes.count`.
    static func endOfJSONStringRun(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let raw = UnsafeRawPointer(base)
        var offset = start
        while offset + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            if hasByte(below: 0x20, in: word) || hasByte(0x22, in: word) || hasByte(0x5C, in: word) { break }
            offset += 8
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 { return offset }
            offset += 1
        }
        return offset
    }
}
