/// Which task reaches which in a DAG (a path a → … → b), as one bit per pair: the structured
/// scheduler asks this for every pair of tasks on both sides of every cut it tries.
struct Reachability {
    private let count: Int
    private let wordsPerRow: Int
    private var words: [UInt64]

    /// `order` is a topological order of the `count` tasks.
    init(count: Int, successors: [[Int]], order: [Int]) {
        self.count = count
        wordsPerRow = (count + 63) / 64
        words = Array(repeating: 0, count: count * wordsPerRow)
        for node in order.reversed() {
            for next in successors[node] {
                words[node * wordsPerRow + next / 64] |= 1 << UInt64(next % 64)
                for word in 0..<wordsPerRow {
                    words[node * wordsPerRow + word] |= words[next * wordsPerRow + word]
                }
            }
        }
    }

    func reaches(_ a: Int, _ b: Int) -> Bool {
        words[a * wordsPerRow + b / 64] & (1 << UInt64(b % 64)) != 0
    }
}
