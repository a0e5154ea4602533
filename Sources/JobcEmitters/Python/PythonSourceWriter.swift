import JobcCore

/// Python source written line by line into one growing UTF-8 buffer, indented block by block. A
/// generated module is hundreds of short lines per job; appending them (and every literal) in place
/// makes no string per line and no array of lines to join, and appending bytes costs a fraction of
/// appending to a String.
struct PythonSourceWriter {
    private var output: UTF8Text
    /// Four spaces per enclosing block.
    private var indentation = ""

    init(reservingCapacity capacity: Int = 0) {
        output = UTF8Text(reservingCapacity: capacity)
    }

    /// What was written, as one String.
    var text: String { output.text }

    /// A whole line at the current indentation.
    mutating func line(_ content: String) {
        startLine()
        output.append(content)
        endLine()
    }

    /// A line that never carries indentation, so blank lines have no trailing spaces.
    mutating func blankLine() {
        output.append("\n")
    }

    /// Starts a line written piece by piece (`append`, `appendString`, `appendValue`); `endLine` or
    /// `endLineWithComma` ends it.
    mutating func startLine() {
        output.append(indentation)
    }

    mutating func append(_ piece: String) {
        output.append(piece)
    }

    /// `value` as `PythonLiteral.string` writes it.
    mutating func appendString(_ value: String) {
        output.appendDoubleQuotedWithSharedEscapes(value)
    }

    /// `value` as `PythonLiteral.value` writes it.
    mutating func appendValue(_ value: ParameterValue) {
        PythonLiteral.write(value, to: &output)
    }

    mutating func endLine() {
        output.append("\n")
    }

    /// Ends the line of an argument or an item: its comma and the line break in one append.
    mutating func endLineWithComma() {
        output.append(",\n")
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
