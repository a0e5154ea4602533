import Foundation
@testable import JobcCore
import XCTest

/// `OnceMemo`: however many threads ask for a key at once, its answer is computed once (a SQL file
/// is parsed once a run even when every core's first job names it).
final class OnceMemoTests: XCTestCase {
    func testConcurrentAsksComputeEachKeyOnce() {
        let memo = OnceMemo<Int, Int>()
        let computations = Counter()
        DispatchQueue.concurrentPerform(iterations: 400) { index in
            let value = memo.value(for: index % 4) { key in
                computations.increment()
                Thread.sleep(forTimeInterval: 0.01)  // long enough for the other threads to ask meanwhile
                return key * 10
            }
            XCTAssertEqual(value, (index % 4) * 10)
        }
        XCTAssertEqual(computations.value, 4)
    }

    /// Asked for many keys at once, a thread computes the ones no other thread is computing (each
    /// still once), then waits for the rest; answers come back in the order asked, repeats included.
    func testManyKeysAtOnceComputeEachOnceAndKeepTheOrder() {
        let memo = OnceMemo<Int, Int>()
        let computations = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let keys = (0..<12).map { ($0 * (index + 1)) % 12 } + [3, 3]
            let values = memo.values(for: keys) { key in
                computations.increment()
                Thread.sleep(forTimeInterval: 0.005)
                return key * 10
            }
            XCTAssertEqual(values, keys.map { $0 * 10 })
        }
        XCTAssertEqual(computations.value, 12)
        XCTAssertEqual(memo.values(for: [], { _ in XCTFail("nothing to compute"); return 0 }), [])
    }

    private final class Counter: @unchecked Sendable {
        private var count = 0
        private let lock = NSLock()
        func increment() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}
