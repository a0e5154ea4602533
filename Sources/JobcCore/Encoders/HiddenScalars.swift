extension Unicode.Scalar {
    /// Whether a reader of generated code would not see this scalar as itself: ASCII controls and DEL,
    /// and every non-ASCII control, format (bidi controls, BOM), line/paragraph/space separator,
    /// private-use, surrogate or unassigned scalar. Literal encoders spell these as escapes, so no
    /// input can end a literal or hide text from a reviewer; other text stays readable.
    package var isHiddenFromReaders: Bool {
        if value < 0x20 || value == 0x7F { return true }
        if isASCII { return false }
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .privateUse, .surrogate, .unassigned:
            return true
        default:
            return false
        }
    }

    /// `\xNN`, `\uNNNN` or `\UNNNNNNNN` in lowercase hex: how both Python and YAML double-quoted
    /// strings spell a scalar by number.
    package var hexEscape: String {
        let hex = String(value, radix: 16)
        switch value {
        case ..<0x100: return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        case ..<0x10000: return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
        }
    }
}

extension String {
    /// The text as a double-quoted literal in the escape syntax Python and YAML share (`\\`, `\"`,
    /// `\n`, `\r`, `\t`, and `hexEscape` for every scalar hidden from readers): the two encoders
    /// that use it stay the only places their languages' literals are written.
    package var doubleQuotedWithSharedEscapes: String {
        var out = ""
        out.reserveCapacity(utf8.count + 2)
        out.appendDoubleQuotedWithSharedEscapes(self)
        return out
    }
}

/// Where the literal encoders append text: a String, or `UTF8Text`, the byte buffer a writer that
/// builds a whole file uses (appending bytes costs a fraction of appending to a String, which checks
/// capacity, uniqueness and its ASCII flag on every small piece).
package protocol TextOutput {
    mutating func append(_ text: String)
    mutating func append(_ scalar: Unicode.Scalar)
}

extension String: TextOutput {
    package mutating func append(_ scalar: Unicode.Scalar) {
        unicodeScalars.append(scalar)
    }
}

/// UTF-8 bytes appended piece by piece, turned into one String at the end. A reference, not a
/// value: one buffer per file being built, grown in place. A file is built of a few thousand short
/// pieces, and an Array's `append(contentsOf:)` (uniqueness, capacity and the generic sequence
/// copy on every piece) cost more than the bytes themselves.
package final class UTF8Text: TextOutput {
    /// Where the bytes are. Behind a `let` pointer, not in `var`s of the class: the appends are
    /// inlined into the emitters (another module; a call across it for each of a few thousand
    /// pieces a file cost more than copying them), and there a `var` of a class pays a dynamic
    /// exclusivity check (`swift_beginAccess`) on every access.
    @usableFromInline struct Buffer {
        @usableFromInline var start: UnsafeMutablePointer<UInt8>
        @usableFromInline var count: Int
        @usableFromInline var capacity: Int
    }

    @usableFromInline let buffer: UnsafeMutablePointer<Buffer>

    package init(reservingCapacity capacity: Int = 0) {
        let capacity = max(capacity, 64)
        buffer = .allocate(capacity: 1)
        buffer.initialize(to: Buffer(start: .allocate(capacity: capacity), count: 0, capacity: capacity))
    }

    deinit {
        buffer.pointee.start.deallocate()
        buffer.deinitialize(count: 1)
        buffer.deallocate()
    }

    @inlinable
    package func append(_ text: String) {
        // The contiguous bytes copied at once (native and small strings have them, without a copy of
        // the string); appending `text.utf8` goes through the generic sequence copy instead.
        if text.utf8.withContiguousStorageIfAvailable({ append($0) }) != nil { return }
        var text = text
        text.withUTF8 { append($0) }
    }

    @inlinable
    package func append(_ scalar: Unicode.Scalar) {
        if scalar.isASCII {
            append(byte: UInt8(truncatingIfNeeded: scalar.value))
        } else {
            for byte in UTF8.encode(scalar)! { append(byte: byte) }
        }
    }

    @inlinable
    package func append(byte: UInt8) {
        if buffer.pointee.count == buffer.pointee.capacity { grow(toHold: buffer.pointee.count + 1) }
        buffer.pointee.start[buffer.pointee.count] = byte
        buffer.pointee.count += 1
    }

    @inlinable
    func append(_ piece: UnsafeBufferPointer<UInt8>) {
        guard let source = piece.baseAddress else { return }
        let count = buffer.pointee.count
        if count + piece.count > buffer.pointee.capacity { grow(toHold: count + piece.count) }
        (buffer.pointee.start + count).initialize(from: source, count: piece.count)
        buffer.pointee.count = count + piece.count
    }

    /// Out of line: rare, and kept out of every inlined append.
    @usableFromInline
    func grow(toHold needed: Int) {
        let old = buffer.pointee
        let grown = max(needed, old.capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.initialize(from: old.start, count: old.count)
        old.start.deallocate()
        buffer.pointee = Buffer(start: moved, count: old.count, capacity: grown)
    }

    package var text: String { String(decoding: UnsafeBufferPointer(start: buffer.pointee.start, count: buffer.pointee.count), as: UTF8.self) }
}

extension UTF8Text {
    /// `TextOutput.appendDoubleQuotedWithSharedEscapes` for the byte buffer, its common case inlined
    /// into the emitters: most values need no escape and are copied whole between two quote bytes.
    @inlinable
    package func appendDoubleQuotedWithSharedEscapes(_ text: String) {
        guard text.needsNoSharedEscape else { return appendEscaping(text) }
        append(byte: UInt8(ascii: "\""))
        append(text)
        append(byte: UInt8(ascii: "\""))
    }

    @usableFromInline
    func appendEscaping(_ text: String) {
        var output = self
        output.appendDoubleQuotedWithSharedEscapes(text as String, escaping: ())
    }
}

extension TextOutput {
    /// Appends `text` as `doubleQuotedWithSharedEscapes` spells it, so a writer building a whole file
    /// makes no string per literal.
    package mutating func appendDoubleQuotedWithSharedEscapes(_ text: String) {
        if text.needsNoSharedEscape {
            append("\"")
            append(text)
            append("\"")
            return
        }
        appendDoubleQuotedWithSharedEscapes(text, escaping: ())
    }

    /// The escaping loop, for a text that needs it.
    fileprivate mutating func appendDoubleQuotedWithSharedEscapes(_ text: String, escaping: Void) {
        append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": append("\\\\")
            case "\"": append("\\\"")
            case "\n": append("\\n")
            case "\r": append("\\r")
            case "\t": append("\\t")
            case _ where scalar.isHiddenFromReaders: append(scalar.hexEscape)
            default: append(scalar)
            }
        }
        append("\"")
    }
}

extension String {
    /// Printable ASCII other than the quote and the backslash needs no escape: most values (ids,
    /// paths, SQL names) are copied whole instead of scalar by scalar. Checked on the contiguous
    /// UTF-8 bytes when the string has them (native and small strings do), a tight loop.
    @usableFromInline
    var needsNoSharedEscape: Bool {
        let escaped = (UInt8(ascii: "\""), UInt8(ascii: "\\"))
        if let plain = utf8.withContiguousStorageIfAvailable({ ByteScan.isPrintableASCII($0, excluding: escaped) }) { return plain }
        return utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != escaped.0 && $0 != escaped.1 }
    }
}
