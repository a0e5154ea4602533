import Foundation

/// The bytes of one input file and the name diagnostics use for it (relative to the working directory
/// when the user gave a relative path, so messages are clickable in a terminal).
public struct SourceFile: Sendable {
    public let displayPath: String
    public let bytes: [UInt8]

    public init(displayPath: String, bytes: [UInt8]) {
        self.displayPath = displayPath
        self.bytes = bytes
    }

    public init(displayPath: String, text: String) {
        self.init(displayPath: displayPath, bytes: Array(text.utf8))
    }

    /// Line `number` (1-based) without its line break, decoded leniently; nil past the end.
    public func line(_ number: Int) -> String? {
        guard number >= 1 else { return nil }
        var current = 1
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                if current == number { return Self.decode(bytes[start..<index]) }
                current += 1
                start = index + 1
            }
            index += 1
        }
        return current == number && start <= bytes.count ? Self.decode(bytes[start..<bytes.count]) : nil
    }

    private static func decode(_ slice: ArraySlice<UInt8>) -> String {
        var text = String(decoding: slice, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
