import JobcCore
import JobcEmitters
import XCTest

/// The DAG → series/parallel algorithm of the cloud-workflows target: every dependency kept, exact
/// on series-parallel graphs, never worse than level-by-level scheduling.
final class StructuredScheduleTests: XCTestCase {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    func testADiamondIsExact() {
        var scheduler = StructuredScheduler(count: 4, edges: [(0, 1), (0, 2), (1, 3), (2, 3)])
        let plan = scheduler.schedule()
        XCTAssertEqual(plan, .series([.task(0), .parallel([.task(1), .task(2)]), .task(3)]))
        XCTAssertEqual(scheduler.addedOrderings(plan), 0)
    }

    func testTheNGraphKeepsEveryDependencyAndBeatsLevelByLevel() {
        // a→c, b→c, b→d: the smallest graph that is not series-parallel.
        var scheduler = StructuredScheduler(count: 4, edges: [(0, 2), (1, 2), (1, 3)])
        let plan = scheduler.schedule()
        XCTAssertTrue(scheduler.respectsEveryDependency(plan))
        XCTAssertEqual(plan.makespan([1, 1, 1, 1]), 2)
        XCTAssertEqual(scheduler.addedOrderings(plan), 1)  // a→d, unavoidable
        XCTAssertEqual(scheduler.addedOrderings(scheduler.levelByLevel()), 1)
    }

    func testSeriesParallelGraphsAreReproducedExactly() {
        var random = Random(state: 7)
        for _ in 0..<300 {
            let (count, edges) = Self.randomSeriesParallel(&random, size: 2 + random.below(14))
            var scheduler = StructuredScheduler(count: count, edges: edges)
            let plan = scheduler.schedule()
            XCTAssertTrue(scheduler.respectsEveryDependency(plan))
            XCTAssertEqual(scheduler.addedOrderings(plan), 0, "edges \(edges)")
            let durations = (0..<count).map { _ in Double(1 + random.below(20)) }
            XCTAssertEqual(plan.makespan(durations), scheduler.criticalPath(durations), "edges \(edges)")
        }
    }

    func testRandomDAGsNeverLoseToLevelByLevel() {
        var random = Random(state: 42)
        for _ in 0..<300 {
            let count = 2 + random.below(18)
            var edges: [(Int, Int)] = []
            for a in 0..<count { for b in (a + 1)..<max(a + 1, count) where random.below(100) < 20 { edges.append((a, b)) } }
            var scheduler = StructuredScheduler(count: count, edges: edges)
            let plan = scheduler.schedule()
            let naive = scheduler.levelByLevel()
            XCTAssertTrue(scheduler.respectsEveryDependency(plan), "edges \(edges)")
            let unit = Array(repeating: 1.0, count: count)
            XCTAssertEqual(plan.makespan(unit), scheduler.criticalPath(unit))
            XCTAssertLessThanOrEqual(scheduler.addedOrderings(plan), scheduler.addedOrderings(naive))
            for _ in 0..<5 {
                let durations = (0..<count).map { _ in Double(1 + random.below(50)) }
                XCTAssertLessThanOrEqual(plan.makespan(durations), naive.makespan(durations), "edges \(edges)")
                XCTAssertGreaterThanOrEqual(plan.makespan(durations), scheduler.criticalPath(durations))
            }
        }
    }

    /// A random series-parallel DAG: nodes composed in series (every sink of the first part before
    /// every source of the second) or in parallel.
    static func randomSeriesParallel(_ random: inout Random, size: Int) -> (Int, [(Int, Int)]) {
        var edges: [(Int, Int)] = []
        var next = 0
        func build(_ size: Int) -> (nodes: [Int], sources: [Int], sinks: [Int]) {
            if size == 1 { defer { next += 1 }; return ([next], [next], [next]) }
            let left = 1 + random.below(size - 1)
            let a = build(left), b = build(size - left)
            if random.below(2) == 0 {
                for x in a.sinks { for y in b.sources { edges.append((x, y)) } }
                return (a.nodes + b.nodes, a.sources, b.sinks)
            }
            return (a.nodes + b.nodes, a.sources + b.sources, a.sinks + b.sinks)
        }
        _ = build(size)
        return (next, edges)
    }
}
