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

    /// Line `number` (1-based) without its line break, decoded leniently; nil past the end. Found by
    /// scanning: only a diagnostic quotes a line, while every job file of a run is loaded (an index
    /// of line starts made for each would cost every clean file a pass over its bytes).
    public func line(_ number: Int) -> String? {
        guard number >= 1 else { return nil }
        var start = 0
        var line = 1
        while line < number {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            start = newline + 1
            line += 1
        }
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        return Self.decode(bytes[start..<end])
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
