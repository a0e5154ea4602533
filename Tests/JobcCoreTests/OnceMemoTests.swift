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

    private final class Counter: @unchecked Sendable {
        private var count = 0
        private let lock = NSLock()
        func increment() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}
