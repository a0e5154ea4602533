import JobcCore

/// Python source written line by line into one growing string, indented block by block. A generated
/// module is hundreds of short lines per job; appending them (and every literal) in place makes no
/// string per line and no array of lines to join.
struct PythonSourceWriter {
    private(set) var text = ""
    /// Four spaces per enclosing block.
    private var indentation = ""

    init(reservingCapacity capacity: Int = 0) {
        text.reserveCapacity(capacity)
    }

    /// A whole line at the current indentation.
    mutating func line(_ content: String) {
        startLine()
        text += content
        endLine()
    }

    /// A line that never carries indentation, so blank lines have no trailing spaces.
    mutating func blankLine() {
        text += "\n"
    }

    /// Starts a line written piece by piece (`append`, `appendString`, `appendValue`); `endLine` or
    /// `endLineWithComma` ends it.
    mutating func startLine() {
        text += indentation
    }

    mutating func append(_ piece: String) {
        text += piece
    }

    /// `value` as `PythonLiteral.string` writes it.
    mutating func appendString(_ value: String) {
        text.appendDoubleQuotedWithSharedEscapes(value)
    }

    /// `value` as `PythonLiteral.value` writes it.
    mutating func appendValue(_ value: ParameterValue) {
        PythonLiteral.write(value, to: &text)
    }

    mutating func endLine() {
        text += "\n"
    }

    /// Ends the line of an argument or an item: its comma and the line break in one append.
    mutating func endLineWithComma() {
        text += ",\n"
    }

    /// The lines `body` writes, one block deeper.
    mutating func indented(_ body: (inout PythonSourceWriter) -> Void) {
        // Restored whole afterwards: removing four characters from a String walks them one by one.
        let outer = indentation
        indentation += "    "
        body(&self)
        indentation = outer
    }
}
