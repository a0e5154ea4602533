/// "Did you mean …?" for misspelled keys and names.
public enum Suggestions {
    /// The candidate closest to `word` by edit distance, if it is close enough to be a plausible typo.
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let threshold = max(1, min(3, word.count / 3))
        var best: (candidate: String, distance: Int)?
        let length = word.unicodeScalars.count
        let lowercasedWord = word.lowercased()
        // The length difference bounds the edit distance from below: skip hopeless candidates cheaply.
        for candidate in candidates where abs(candidate.unicodeScalars.count - length) <= threshold {
            // Only a distance within the threshold and below the best so far changes the answer.
            let bound = min(threshold, (best?.distance ?? .max) - 1)
            if let distance = distance(from: lowercasedWord, toLowercased: candidate, atMost: bound) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    public static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String? {
        closest(to: word, in: candidates).map { "did you mean '\($0)'?" }
    }

    /// Levenshtein distance over Unicode scalars, two rows of memory.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The edit distance from `lowercasedWord` to `candidate.lowercased()` when it is at most
    /// `bound`, else nil. Most candidates are far from the word (the check runs on every extra kwarg
    /// of a valid job), so ASCII names are compared byte by byte, folding case on the fly rather than
    /// copying, and the comparison stops once the bound is out of reach.
    static func distance(from lowercasedWord: String, toLowercased candidate: String, atMost bound: Int) -> Int? {
        guard bound >= 0 else { return nil }
        guard lowercasedWord.utf8.allSatisfy({ $0 < 0x80 }), candidate.utf8.allSatisfy({ $0 < 0x80 }) else {
            // Beyond ASCII a byte is not a scalar, and lowercasing may change the length.
            let distance = editDistance(lowercasedWord, candidate.lowercased())
            return distance <= bound ? distance : nil
        }
        var word = lowercasedWord, candidate = candidate
        return word.withUTF8 { word in
            candidate.withUTF8 { candidate in asciiEditDistance(word, candidate, atMost: bound) }
        }
    }

    /// Levenshtein distance over ASCII bytes, letters compared lowercased, giving up beyond `bound`.
    private static func asciiEditDistance(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, atMost bound: Int) -> Int? {
        guard abs(a.count - b.count) <= bound, bagDistance(a, b) <= bound else { return nil }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (b.count + 1)) { rows in
            var previous = UnsafeMutableBufferPointer(rebasing: rows[0...b.count])
            var current = UnsafeMutableBufferPointer(rebasing: rows[(b.count + 1)...])
            for j in 0...b.count { previous[j] = j }
            for i in 1...a.count {
                current[0] = i
                var rowMinimum = i
                for j in 1...b.count {
                    let substitution = previous[j - 1] + (lowercased(a[i - 1]) == lowercased(b[j - 1]) ? 0 : 1)
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
                    rowMinimum = min(rowMinimum, current[j])
                }
                // Every later row's minimum is at least this one's: the distance cannot come back down.
                if rowMinimum > bound { return nil }
                swap(&previous, &current)
            }
            return previous[b.count] <= bound ? previous[b.count] : nil
        }
    }

    /// A lower bound of the edit distance found in one pass: each letter one name has more often
    /// than the other needs an edit of its own. It rules out most unrelated names without the table.
    private static func bagDistance(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { surplus in
            surplus.initialize(repeating: 0)
            for byte in a { surplus[Int(lowercased(byte))] += 1 }
            for byte in b { surplus[Int(lowercased(byte))] -= 1 }
            var onlyInA = 0, onlyInB = 0
            for count in surplus {
                if count > 0 { onlyInA += count } else { onlyInB -= count }
            }
            return max(onlyInA, onlyInB)
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
