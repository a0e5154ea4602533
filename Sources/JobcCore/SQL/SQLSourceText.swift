/// The bytes of one SQL file with a line-start table, turning byte offsets into positions without
/// ever indexing a String.
struct SQLSourceText {
    let bytes: [UInt8]
    /// 3 when the file starts with a UTF-8 byte order mark, which takes no column.
    let bodyStart: Int
    private let lineStarts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.bodyStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    /// The position of the byte at `offset` (clamped to the file; the end of the file is one past
    /// its last character).
    func position(ofByte offset: Int) -> SQLPosition {
        let offset = min(max(offset, 0), bytes.count)
        var low = 0
        var high = lineStarts.count - 1
        while low < high {  // the last line start at or before offset
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        var column = 1
        var index = max(lineStarts[low], low == 0 ? bodyStart : 0)
        while index < offset {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return SQLPosition(line: low + 1, column: column)
    }

    /// The positions of many offsets in one pass over the file (one at a time, a long line with
    /// many parameters would be scanned once per parameter).
    func positions(ofBytes offsets: [Int]) -> [Int: SQLPosition] {
        var positions: [Int: SQLPosition] = [:]
        var line = 0
        var index = bodyStart
        var column = 1
        for offset in Set(offsets).sorted() {
            let target = min(max(offset, 0), bytes.count)
            while line + 1 < lineStarts.count, lineStarts[line + 1] <= target {
                line += 1
                index = lineStarts[line]
                column = 1
            }
            while index < target {
                if bytes[index] & 0xC0 != 0x80 { column += 1 }
                index += 1
            }
            positions[offset] = SQLPosition(line: line + 1, column: column)
        }
        return positions
    }

    /// The first problem that makes the bytes not UTF-8 text: a NUL (binary data, reported even
    /// after an earlier bad byte), UTF-16, or an invalid sequence.
    func encodingProblem() -> SQLProblem? {
        if bytes.allSatisfy({ $0 != 0 && $0 < 0x80 }) { return nil }
        if let byteOrder = EncodingCheck.utf16ByteOrder(bytes) {
            return SQLProblem(
                kind: .encoding, message: "the file is UTF-16 (\(byteOrder)) text; SQL files must be UTF-8",
                position: SQLPosition(line: 1, column: 1), help: "re-save the file as UTF-8")
        }
        if let nul = bytes.firstIndex(of: 0) {
            return SQLProblem(kind: .encoding, message: "binary file: NUL byte", position: position(ofByte: nul))
        }
        if let bad = Self.firstInvalidUTF8(bytes) {
            return SQLProblem(
                kind: .encoding, message: "invalid UTF-8 byte sequence: SQL files must be UTF-8 text",
                position: position(ofByte: bad), help: "re-save the file as UTF-8")
        }
        return nil
    }

    /// The offset of the first byte that starts no valid UTF-8 sequence (overlong forms, surrogates
    /// and code points past U+10FFFF are invalid).
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return index }
            for continuation in bytes[(index + 2)..<(index + length)] where continuation & 0xC0 != 0x80 {
                return index
            }
            index += length
        }
        return nil
    }
}
