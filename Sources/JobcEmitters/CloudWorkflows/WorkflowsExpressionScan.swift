import JobcCore

/// The expression-length limit over every scalar of a program, mapping keys included, in document
/// order: an expression is wherever Workflows would read one, whatever step holds it.
struct WorkflowsExpressionScan {
    /// Characters of the longest `${…}` seen.
    private(set) var longest = 0
    private(set) var violations: [WorkflowsLimitViolation] = []
    private var path: [String] = []

    mutating func scan(_ node: YAMLNode) {
        switch node.content {
        case .scalar(let scalar):
            measure(scalar.text)
        case .sequence(let items):
            for (offset, item) in items.enumerated() {
                path.append("[\(offset)]")
                scan(item)
                path.removeLast()
            }
        case .mapping(let entries):
            for entry in entries {
                path.append("." + entry.key)
                measure(entry.key)
                scan(entry.value)
                path.removeLast()
            }
        }
    }

    private mutating func measure(_ text: String) {
        let length = Self.longestExpression(in: text)
        longest = max(longest, length)
        if length > WorkflowsLimits.maximumExpressionLength {
            violations.append(.init(limit: .expressionLength, actual: length, path: WorkflowsProgramWalk.render(path)))
        }
    }

    /// Characters (Unicode scalars, as Workflows counts them) of the longest `${…}` in `text`: from
    /// `${` to the `}` that closes it, braces inside double-quoted string literals not counting; to
    /// the end of the text when none closes it.
    static func longestExpression(in text: String) -> Int {
        var longest = 0
        var length = 0
        var depth = 0
        var inString = false
        var escaped = false
        var previous: Unicode.Scalar = "\0"
        for scalar in text.unicodeScalars {
            if depth > 0 {
                length += 1
                if inString {
                    if escaped { escaped = false } else if scalar == "\\" { escaped = true } else if scalar == "\"" { inString = false }
                } else if scalar == "\"" {
                    inString = true
                } else if scalar == "{" {
                    depth += 1
                } else if scalar == "}" {
                    depth -= 1
                    if depth == 0 { longest = max(longest, length) }
                }
            } else if previous == "$" && scalar == "{" {
                (length, depth, inString, escaped) = (2, 1, false, false)
            }
            previous = scalar
        }
        return depth > 0 ? max(longest, length) : longest
    }
}
