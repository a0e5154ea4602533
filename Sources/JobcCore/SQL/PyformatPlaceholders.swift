/// psycopg2's `%` handling when `execute` gets a dict of parameters (`_mogrify`, then its own
/// bytes formatting): it knows no SQL, so a `%` in a string literal or a comment counts too.
/// `%%` is a percent sign, `%(name)s` a parameter; anything else raises at run time.
struct PyformatPlaceholders {
    var parameters: [(name: String, offset: Int)] = []
    var problems: [(offset: Int, message: String, help: String)] = []
    /// The text PostgreSQL's parser sees: every byte offset unchanged, each parameter a `$1`,
    /// `%%` a single `%`, and whatever psycopg2 rejects blanked out.
    var masked: [UInt8]

    init(scanning bytes: [UInt8], from start: Int) {
        masked = bytes
        for index in 0..<start { masked[index] = UInt8(ascii: " ") }
        let percent = UInt8(ascii: "%")
        let count = bytes.count
        var index = start
        while index < count {
            guard bytes[index] == percent else {
                index += 1
                continue
            }
            let next = index + 1 < count ? bytes[index + 1] : nil
            switch next {
            case percent:
                masked[index + 1] = UInt8(ascii: " ")
                index += 2
            case UInt8(ascii: "("):
                index = scanNamed(bytes, at: index)
            case UInt8(ascii: "s"):
                problem(
                    at: index, length: 2, "positional placeholder %s in a file run with named parameters",
                    help: "name the parameter: %(name)s")
                index += 2
            default:
                problem(at: index, length: 1, "lone '%' that psycopg2 rejects at run time", help: "write %% for a literal percent sign")
                index += 1
            }
        }
    }

    /// `%(` at `start`: psycopg2 takes the name up to the first `)`, and gives up at a `%` or the end.
    private mutating func scanNamed(_ bytes: [UInt8], at start: Int) -> Int {
        var close = start + 2
        while close < bytes.count, bytes[close] != UInt8(ascii: ")"), bytes[close] != UInt8(ascii: "%") {
            close += 1
        }
        guard close < bytes.count, bytes[close] == UInt8(ascii: ")") else {
            problem(
                at: start, length: 2, "incomplete placeholder: '%(' without ')'",
                help: "write %(name)s for a parameter, or %% for a literal percent sign")
            return start + 2
        }
        let nameBytes = bytes[(start + 2)..<close]
        let name = String(decoding: nameBytes, as: UTF8.self)
        let shown = Self.abbreviated(name)
        if nameBytes.contains(UInt8(ascii: "(")) {
            // _mogrify stops the name at the first ')', the formatting pass balances parentheses:
            // the two disagree and the lookup fails.
            problem(
                at: start, length: close + 1 - start, "placeholder name '\(shown)' contains '(', which psycopg2 cannot look up",
                help: "name parameters with letters, digits and underscores")
            return close + 1
        }
        guard close + 1 < bytes.count, bytes[close + 1] == UInt8(ascii: "s") else {
            let after = close + 1 < bytes.count ? "'\(Self.abbreviated(String(decoding: [bytes[close + 1]], as: UTF8.self)))'" : "the end of the file"
            problem(
                at: start, length: close + 1 - start, "placeholder %(\(shown)) is followed by \(after), not 's'",
                help: "write %(\(shown))s: psycopg2 passes every parameter with %s, whatever its type")
            return close + 1
        }
        parameters.append((name, start))
        // A space first, so the parameter cannot join a word or a `$` before it; "%()s" is 4 bytes.
        masked[start] = UInt8(ascii: " ")
        masked[start + 1] = UInt8(ascii: "$")
        masked[start + 2] = UInt8(ascii: "1")
        for index in (start + 3)...(close + 1) { masked[index] = UInt8(ascii: " ") }
        return close + 2
    }

    private mutating func problem(at offset: Int, length: Int, _ message: String, help: String) {
        problems.append((offset, message, help))
        for index in offset..<min(offset + length, masked.count) where masked[index] != UInt8(ascii: "\n") {
            masked[index] = UInt8(ascii: " ")
        }
    }

    /// At most 30 characters of a name, on one line.
    static func abbreviated(_ text: String) -> String {
        let oneLine = String(text.map { $0.isNewline ? " " : $0 })
        return oneLine.count <= 30 ? oneLine : String(oneLine.prefix(29)) + "…"
    }
}
