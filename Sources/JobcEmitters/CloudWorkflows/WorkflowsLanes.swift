import JobcCore

/// A job's tasks split into at most ten lanes: the branches of the program's one `parallel` step,
/// each a fixed sequence of tasks run one after the other.
///
/// A task's call waits in the executor until its upstream tasks (on any lane) have ended, so the
/// lanes only decide which tasks may run at the same time, never whether a dependency holds. Two
/// properties make that safe and fast:
/// - **No deadlock.** Tasks are placed in one topological order and each lane keeps that order, so
///   every wait (for the lane's previous task, or for an upstream task) is for a task earlier in
///   that order: the earliest unfinished task never waits. All lanes run at once (≤ 10 branches,
///   within Google's 20 concurrent branches per execution), so no branch is queued behind a waiter.
/// - **Little lost parallelism.** Placement is list scheduling with unit task times: a task
///   continues a lane whose last task it depends on, directly or through others (so the lane adds
///   no ordering the job does not have), preferring a direct upstream task and then the one ending
///   last; else it opens a new lane while there are fewer than ten; else it takes the lane that is
///   free earliest. Where the job needs no more than ten lanes it runs as soon as its dependencies
///   allow, whatever the task durations; elsewhere orderings are added only where ten lanes are full.
///
/// Linear in tasks and edges plus one bit per pair of tasks (which task depends on which, for the
/// lane choice): no search over plans, so a 5,000-task job places at once.
struct WorkflowsLanes: Equatable {
    /// Google's limit on branches in one `parallel` step.
    static let maximumLanes = 10

    /// Task indices (into `graph.tasks`) per lane, in the order the lane runs them.
    let lanes: [[Int]]
    /// Finish time of the last task with every task taking one unit: the program's critical path.
    let unitMakespan: Int
    /// The job's own critical path in tasks (the longest dependency chain).
    let unitCriticalPath: Int

    init(graph: JobGraph, maximumLanes: Int = WorkflowsLanes.maximumLanes) {
        let count = graph.tasks.count
        let index = Dictionary(uniqueKeysWithValues: graph.tasks.enumerated().map { ($0.element.key, $0.offset) })
        var predecessors = Array(repeating: [Int](), count: count)
        var successors = Array(repeating: [Int](), count: count)
        for edge in graph.edges {
            guard let source = index[edge.source], let target = index[edge.target] else { continue }
            predecessors[target].append(source)
            successors[source].append(target)
        }
        // graph.tasks is in topological order (the IR guarantees it): one pass each way.
        var level = Array(repeating: 0, count: count)
        for task in 0..<count {
            level[task] = predecessors[task].map { level[$0] + 1 }.max() ?? 0
        }
        var tail = Array(repeating: 0, count: count)
        for task in (0..<count).reversed() {
            tail[task] = successors[task].map { tail[$0] + 1 }.max() ?? 0
        }
        // Earliest start first; among equals, the longest remaining chain first, then job order.
        let order = (0..<count).sorted { (level[$0], -tail[$0], $0) < (level[$1], -tail[$1], $1) }

        // ancestors[t]: the tasks t depends on, directly or not, one bit each.
        let words = (count + 63) / 64
        var ancestors = Array(repeating: UInt64(0), count: count * words)
        for task in 0..<count {
            for upstream in predecessors[task] {
                ancestors[task * words + upstream / 64] |= 1 << UInt64(upstream % 64)
                for word in 0..<words { ancestors[task * words + word] |= ancestors[upstream * words + word] }
            }
        }
        let dependsOn = { (task: Int, other: Int) in ancestors[task * words + other / 64] & (1 << UInt64(other % 64)) != 0 }

        var lanes: [[Int]] = []
        var laneFree: [Int] = []
            var finish = Array(repeating: 0, count: count)
        for task in order {
            let ready = predecessors[task].map { finish[$0] }.max() ?? 0
            let lane = Self.lane(for: task, predecessors: Set(predecessors[task]), lanes: lanes, laneFree: laneFree,
                                 finish: finish, maximumLanes: maximumLanes) { dependsOn(task, $0) }
            if lane == lanes.count {
                lanes.append([])
                laneFree.append(0)
            }
            lanes[lane].append(task)
            finish[task] = max(ready, laneFree[lane]) + 1
            laneFree[lane] = finish[task]
        }
        self.lanes = lanes
        unitMakespan = finish.max() ?? 0
        unitCriticalPath = count == 0 ? 0 : (0..<count).map { level[$0] + 1 }.max()!
    }

    private static func lane(for task: Int, predecessors: Set<Int>, lanes: [[Int]], laneFree: [Int], finish: [Int],
                             maximumLanes: Int, dependsOn: (Int) -> Bool) -> Int {
        // 1. A lane whose last task this one depends on: a direct upstream task first, then the latest-ending.
        let continued = lanes.indices
            .filter { dependsOn(lanes[$0].last!) }
            .max { lhs, rhs in
                let (a, b) = (lanes[lhs].last!, lanes[rhs].last!)
                return (predecessors.contains(a) ? 1 : 0, finish[a], -lhs) < (predecessors.contains(b) ? 1 : 0, finish[b], -rhs)
            }
        if let lane = continued { return lane }
        // 2. A new lane while there are fewer than the maximum.
        if lanes.count < maximumLanes { return lanes.count }
        // 3. The lane free earliest (first such lane on a tie).
        return laneFree.indices.min { (laneFree[$0], $0) < (laneFree[$1], $1) }!
    }
}
