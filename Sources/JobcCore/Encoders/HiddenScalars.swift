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
