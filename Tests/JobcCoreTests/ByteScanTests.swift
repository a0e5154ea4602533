import Testing

@testable import JobcCore

/// The eight-bytes-at-a-time scans answer as the byte-by-byte loops they replace.
@Suite struct ByteScanTests {
    private static func isPrintable(_ bytes: [UInt8], excluding excluded: (UInt8, UInt8)) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != excluded.0 && $0 != excluded.1 }
    }

    private static func isPlainText(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    private static func endOfJSONStringRun(_ bytes: [UInt8], from start: Int) -> Int {
        bytes[start...].firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 } ?? bytes.count
    }

    /// Every byte value at every position of buffers of 0 to 19 plain bytes (so in every lane of a
    /// word and in the tail), and random buffers of mostly plain bytes.
    @Test func agreesWithTheByteLoops() {
        let excluded = (UInt8(ascii: "\""), UInt8(ascii: "\\"))
        var buffers: [[UInt8]] = []
        for length in 0..<20 {
            let plain = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            buffers.append(plain)
            for position in 0..<length {
                for byte in UInt8.min...UInt8.max {
                    var buffer = plain
                    buffer[position] = byte
                    buffers.append(buffer)
                }
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            buffers.append((0..<Int.random(in: 0..<40, using: &generator)).map { _ in
                Int.random(in: 0..<10, using: &generator) == 0 ? UInt8.random(in: 0...255, using: &generator) : UInt8.random(in: 0x20...0x7E, using: &generator)
            })
        }
        for bytes in buffers {
            bytes.withUnsafeBufferPointer { buffer in
                #expect(ByteScan.isPrintableASCII(buffer, excluding: excluded) == Self.isPrintable(bytes, excluding: excluded), "\(bytes)")
                #expect(ByteScan.isPlainText(buffer) == Self.isPlainText(bytes), "\(bytes)")
                for start in [0, 1, 3].filter({ $0 <= bytes.count }) {
                    #expect(ByteScan.endOfJSONStringRun(buffer, from: start) == Self.endOfJSONStringRun(bytes, from: start), "\(bytes) from \(start)")
                }
            }
        }
    }
}
