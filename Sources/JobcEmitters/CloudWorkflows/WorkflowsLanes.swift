import JobcCore

/// A job's tasks split into at most fifteen lanes (ten with fan-out tasks), run at once by the
/// program's `parallel` step, each a fixed sequence of tasks run one after the other.
///
/// A task's call waits in the executor until its upstream tasks (on any lane) have ended, so the
/// lanes only decide which tasks may run at the same time, never whether a dependency holds. Two
/// properties make that safe and fast:
/// - **No deadlock.** Tasks are placed in one topological order (the order of a simulated run) and
///   each lane keeps that order, so every wait (for the lane's previous task, or for an upstream
///   task) is for a task earlier in that order: the earliest unfinished task never waits. All lanes
///   run at once (≤ 10 branches, within Google's 20 concurrent branches per execution), so no
///   branch is queued behind a waiter.
/// - **Little lost parallelism.** Placement is list scheduling (highest level first, HLFET) of a
///   run with unit task times: whenever lanes are idle, the ready tasks with the longest chain of
///   tasks after them start first. A task takes an idle lane whose last task it depends on,
///   directly or through others (the lane then adds no ordering the job does not have), else a lane
///   not used yet (beyond ten only in a job of 30 tasks or more, see `tasksForEagerNestedLanes`),
///   else the lane idle longest, else (all busy) one more lane. A job whose tasks fit the lanes that way runs as soon
///   as its dependencies allow, whatever the task durations; a wider one gets orderings beyond its
///   own only where all lanes are busy.
///
/// Near-linear: one simulated step per task at most, plus one bit per pair of tasks (which task
/// depends on which, for the lane choice); no search over plans, so a 5,000-task job places at once.
struct WorkflowsLanes: Equatable {
    /// Google's limit on branches in one `parallel` step.
    static let maximumBranches = 10
    /// Lanes for a job without fan-out tasks: ten branches of which five hold two lanes in a nested
    /// parallel step, so branches and lanes together stay within Google's 20 concurrent branches
    /// per execution (none is ever queued behind a waiting one). A fan-out task's loop is itself a
    /// parallel step, so a job with one gets ten lanes (nesting at most 2).
    static let maximumLanes = 15

    /// The most lanes `graph` may use.
    static func maximumLanes(for graph: JobGraph) -> Int {
        graph.tasks.contains { $0.forEach != nil } ? maximumBranches : maximumLanes
    }

    /// Task indices (into `graph.tasks`) per lane, in the order the lane runs them.
    let lanes: [[Int]]
    /// Finish time of the last task with every task taking one unit: the program's critical path.
    let unitMakespan: Int
    /// The job's own critical path in tasks (the longest dependency chain).
    let unitCriticalPath: Int

    init(graph: JobGraph) {
        self.init(graph: graph, maximumLanes: Self.maximumLanes(for: graph))
    }

    init(graph: JobGraph, maximumLanes: Int) {
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
        var tail = Array(repeating: 0, count: count)
        for task in (0..<count).reversed() {
            tail[task] = successors[task].map { tail[$0] + 1 }.max() ?? 0
        }
        var level = Array(repeating: 0, count: count)
        for task in 0..<count {
            level[task] = predecessors[task].map { level[$0] + 1 }.max() ?? 0
        }
        let ancestors = Ancestors(count: count, predecessors: predecessors)

        var lanes: [[Int]] = []
        var laneFree: [Int] = []
        var finish = Array(repeating: 0, count: count)
        var waitingFor = predecessors.map(\.count)
        // Ready tasks, the one to start first last: the longest chain after it, then job order.
        let startsLater = { (a: Int, b: Int) in (tail[a], -a) < (tail[b], -b) }
        var ready = (0..<count).filter { waitingFor[$0] == 0 }.sorted(by: startsLater)
        var endingAt: [Int: [Int]] = [:]
        var time = 0
        var placed = 0
        while placed < count {
            var idle = lanes.indices.filter { laneFree[$0] <= time }
            var started: [Int] = []
            while let task = ready.last, !idle.isEmpty || lanes.count < maximumLanes {
                ready.removeLast()
                let lane = Self.lane(for: task, taskCount: count, idle: idle, lanes: lanes, laneFree: laneFree, finish: finish,
                                     directlyAfter: Set(predecessors[task]), maximumLanes: maximumLanes) { ancestors.contains(task, $0) }
                if lane == lanes.count {
                    lanes.append([])
                    laneFree.append(0)
                } else {
                    idle.removeAll { $0 == lane }
                }
                lanes[lane].append(task)
                finish[task] = time + 1
                laneFree[lane] = time + 1
                started.append(task)
            }
            placed += started.count
            endingAt[time + 1, default: []] += started
            time += 1
            for task in endingAt.removeValue(forKey: time) ?? [] {
                for next in successors[task] {
                    waitingFor[next] -= 1
                    if waitingFor[next] == 0 {
                        let position = ready.partitioningIndex { startsLater(next, $0) }
                        ready.insert(next, at: position)
                    }
                }
            }
        }
        self.lanes = lanes
        unitMakespan = finish.max() ?? 0
        unitCriticalPath = count == 0 ? 0 : (0..<count).map { level[$0] + 1 }.max()!
    }

    /// Jobs with at least this many tasks open lanes beyond ten while others are idle (their 3 billed
    /// steps each are then at most 0.1 a task); smaller jobs only when every lane is busy.
    static let tasksForEagerNestedLanes = 30

    private static func lane(for task: Int, taskCount: Int, idle: [Int], lanes: [[Int]], laneFree: [Int], finish: [Int],
                             directlyAfter: Set<Int>, maximumLanes: Int, dependsOn: (Int) -> Bool) -> Int {
        // 1. An idle lane whose last task this one depends on: a direct upstream task first, then the latest-ending.
        let continued = idle
            .filter { dependsOn(lanes[$0].last!) }
            .max { lhs, rhs in
                let (a, b) = (lanes[lhs].last!, lanes[rhs].last!)
                return (directlyAfter.contains(a) ? 1 : 0, finish[a], -lhs) < (directlyAfter.contains(b) ? 1 : 0, finish[b], -rhs)
            }
        if let lane = continued { return lane }
        // 2. A lane not used yet: up to one per branch of the parallel step; beyond that (each
        //    such lane costs 3 billed steps, in a nested parallel step) only in a job large enough
        //    to spread them, or when every lane is busy.
        let eager = lanes.count < maximumBranches || taskCount >= Self.tasksForEagerNestedLanes
        if lanes.count < maximumLanes && (eager || idle.isEmpty) { return lanes.count }
        return idle.min { (laneFree[$0], $0) < (laneFree[$1], $1) }!
    }
}

/// Which task depends on which, directly or through others: one bit per pair.
private struct Ancestors {
    private let words: Int
    private var bits: [UInt64]

    /// `predecessors` indexed by task, tasks in topological order.
    init(count: Int, predecessors: [[Int]]) {
        words = (count + 63) / 64
        bits = Array(repeating: 0, count: count * words)
        for task in 0..<count {
            for upstream in predecessors[task] {
                bits[task * words + upstream / 64] |= 1 << UInt64(upstream % 64)
                for word in 0..<words { bits[task * words + word] |= bits[upstream * words + word] }
            }
        }
    }

    /// Whether `task` depends on `other`.
    func contains(_ task: Int, _ other: Int) -> Bool {
        bits[task * words + other / 64] & (1 << UInt64(other % 64)) != 0
    }
}

private extension Array {
    /// The first index whose element satisfies `belongs` (the elements that do are all at the end).
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
