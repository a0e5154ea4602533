import Foundation

/// The bytes of one input file and the name diagnostics use for it (relative to the working directory
/// when the user gave a relative path, so messages are clickable in a terminal).
public struct SourceFile: Sendable {
    public let displayPath: String
    public let bytes: [UInt8]
    /// Byte offset where each line starts, so quoting a line for a diagnostic is O(1).
    private let lineStarts: [Int]

    public init(displayPath: String, bytes: [UInt8]) {
        self.displayPath = displayPath
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    public init(displayPath: String, text: String) {
        self.init(displayPath: displayPath, bytes: Array(text.utf8))
    }

    /// Line `number` (1-based) without its line break, decoded leniently; nil past the end.
    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= lineStarts.count else { return nil }
        let start = lineStarts[number - 1]
        let end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
        return Self.decode(bytes[start..<max(start, end)])
    }

    private static func decode(_ slice: ArraySlice<UInt8>) -> String {
        var text = String(decoding: slice, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}

extension SourceFile: RuleDeclaring {
    public static let rules: [RuleID] = [.fileUnreadable]
}

extension RuleID {
    public static let fileUnreadable = RuleID(
        "file-unreadable", summary: "The job file cannot be read (missing, a folder, or permission denied).")
}
