/// A unified diff (`diff -u` style, three lines of context) between two texts, line by line.
public enum UnifiedDiff {
    public static let context = 3

    /// Nil when the texts are equal.
    public static func render(old: String, new: String, oldName: String, newName: String) -> String? {
        guard old != new else { return nil }
        let a = lines(old), b = lines(new)
        let script = editScript(a, b)
        var out = "--- \(oldName)\n+++ \(newName)\n"
        for hunk in hunks(script) {
            let oldStart = hunk.first { $0.oldLine != nil }?.oldLine ?? 0
            let newStart = hunk.first { $0.newLine != nil }?.newLine ?? 0
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for edit in hunk {
                let prefix = edit.kind == .keep ? " " : edit.kind == .delete ? "-" : "+"
                out += prefix + edit.text + "\n"
            }
        }
        return out
    }

    struct Edit {
        enum Kind { case keep, delete, insert }
        var kind: Kind
        var text: String
        var oldLine: Int?
        var newLine: Int?
    }

    private static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(count == 0 ? max(start - 1, 0) : start),\(count)"
    }

    /// Beyond this many table cells the middle is shown as replaced wholesale rather than aligned.
    static let maxTableCells = 4_000_000

    /// Common prefix and suffix are kept as they are; the differing middle is aligned by a longest
    /// common subsequence table when that table is small enough (generated files usually are).
    static func editScript(_ a: [String], _ b: [String]) -> [Edit] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let oldMiddle = Array(a[prefix..<(a.count - suffix)]), newMiddle = Array(b[prefix..<(b.count - suffix)])
        var edits = (0..<prefix).map { Edit(kind: .keep, text: a[$0], oldLine: $0 + 1, newLine: $0 + 1) }
        if oldMiddle.count * newMiddle.count <= maxTableCells {
            edits += alignedScript(oldMiddle, newMiddle).map { edit in
                var shifted = edit
                shifted.oldLine = edit.oldLine.map { $0 + prefix }
                shifted.newLine = edit.newLine.map { $0 + prefix }
                return shifted
            }
        } else {
            edits += oldMiddle.enumerated().map { Edit(kind: .delete, text: $0.element, oldLine: prefix + $0.offset + 1, newLine: nil) }
            edits += newMiddle.enumerated().map { Edit(kind: .insert, text: $0.element, oldLine: nil, newLine: prefix + $0.offset + 1) }
        }
        edits += (0..<suffix).map { offset in
            let old = a.count - suffix + offset, new = b.count - suffix + offset
            return Edit(kind: .keep, text: a[old], oldLine: old + 1, newLine: new + 1)
        }
        return edits
    }

    private static func alignedScript(_ a: [String], _ b: [String]) -> [Edit] {
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var edits: [Edit] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                edits.append(Edit(kind: .keep, text: a[i], oldLine: i + 1, newLine: j + 1))
                i += 1
                j += 1
            } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                edits.append(Edit(kind: .delete, text: a[i], oldLine: i + 1, newLine: nil))
                i += 1
            } else {
                edits.append(Edit(kind: .insert, text: b[j], oldLine: nil, newLine: j + 1))
                j += 1
            }
        }
        return edits
    }

    /// Groups changes with their context, merging groups whose context overlaps.
    private static func hunks(_ script: [Edit]) -> [[Edit]] {
        let changed = script.indices.filter { script[$0].kind != .keep }
        var groups: [ClosedRange<Int>] = []
        for index in changed {
            let range = max(0, index - context)...min(script.count - 1, index + context)
            if let last = groups.last, range.lowerBound <= last.upperBound + 1 {
                groups[groups.count - 1] = last.lowerBound...range.upperBound
            } else {
                groups.append(range)
            }
        }
        return groups.map { Array(script[$0]) }
    }
}
