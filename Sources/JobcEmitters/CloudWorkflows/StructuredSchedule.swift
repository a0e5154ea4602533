import JobcCore

/// A job's dependency graph turned into structured parallelism: tasks composed in series (one after
/// the other) and in parallel (independent branches), the only shapes Cloud Workflows can express.
/// Every dependency of the graph is respected; the plan may add orderings the graph does not have
/// (a non-series-parallel graph cannot be expressed without them), never drop one.
public indirect enum StructuredSchedule: Equatable, Sendable {
    case task(Int)
    case series([StructuredSchedule])
    case parallel([StructuredSchedule])

    /// The finish time of the plan when task `i` takes `durations[i]` (series = sum, parallel = max).
    public func makespan(_ durations: [Double]) -> Double {
        switch self {
        case .task(let index): return durations[index]
        case .series(let parts): return parts.reduce(0) { $0 + $1.makespan(durations) }
        case .parallel(let parts): return parts.map { $0.makespan(durations) }.max() ?? 0
        }
    }

    /// Task indices in the order they appear in the plan.
    public var tasks: [Int] {
        switch self {
        case .task(let index): return [index]
        case .series(let parts), .parallel(let parts): return parts.flatMap(\.tasks)
        }
    }

    /// Pairs (a, b) the plan runs strictly one after the other: its precedence relation.
    public var orderedPairs: Set<[Int]> {
        switch self {
        case .task: return []
        case .parallel(let parts): return parts.reduce(into: Set()) { $0.formUnion($1.orderedPairs) }
        case .series(let parts):
            var pairs = parts.reduce(into: Set<[Int]>()) { $0.formUnion($1.orderedPairs) }
            for (offset, earlier) in parts.enumerated() {
                for later in parts[(offset + 1)...] {
                    for a in earlier.tasks { for b in later.tasks { pairs.insert([a, b]) } }
                }
            }
            return pairs
        }
    }
}

/// Builds a `StructuredSchedule` from a DAG and measures it.
///
/// The algorithm, recursively on a set of tasks that is closed under paths (every task on a path
/// between two members is a member):
/// 1. more than one weakly connected component → the components run as parallel branches;
/// 2. otherwise cut by longest-path level: tasks at level ≤ k, then the rest. All edges go from a
///    lower level to a higher one, so "first part, then second part" never breaks a dependency, and
///    both parts stay path-closed. Every k is tried (memoised) and the cut minimising, in order,
///    the unit-time makespan and the number of orderings the plan adds beyond the graph's own
///    (transitive) ones, wins.
///
/// Properties (asserted by StructuredScheduleTests): the unit-time makespan always equals the
/// graph's critical path (k = 0 achieves it); a series-parallel graph is reproduced exactly (its
/// series split is a level cut adding nothing, so the optimum adds nothing); and since each cut is a
/// level cut, the plan's precedence is a subset of level-by-level scheduling's, so for any task
/// durations it finishes no later than level-by-level.
public struct StructuredScheduler {
    public let count: Int
    public let edges: [(Int, Int)]
    private let successors: [[Int]]
    private let predecessors: [[Int]]
    /// Kahn's order, smallest ready index first; every pass over the graph follows it.
    private let order: [Int]
    private let reachability: Reachability
    private var memo: [[Int]: (plan: StructuredSchedule, cost: Cost)] = [:]

    struct Cost: Comparable {
        var makespan: Int
        var addedOrderings: Int
        static func < (lhs: Cost, rhs: Cost) -> Bool {
            (lhs.makespan, lhs.addedOrderings) < (rhs.makespan, rhs.addedOrderings)
        }
    }

    /// `edges` are (source, target) pairs of task indices in `0..<count`; the graph must be acyclic.
    public init(count: Int, edges: [(Int, Int)]) {
        self.count = count
        self.edges = edges
        var successors = Array(repeating: [Int](), count: count)
        var predecessors = Array(repeating: [Int](), count: count)
        for (source, target) in edges {
            successors[source].append(target)
            predecessors[target].append(source)
        }
        self.successors = successors
        self.predecessors = predecessors
        order = Self.topologicalOrder(count: count, successors: successors, predecessors: predecessors)
        reachability = Reachability(count: count, successors: successors, order: order)
    }

    public init(graph: JobGraph) {
        let index = Dictionary(uniqueKeysWithValues: graph.tasks.enumerated().map { ($0.element.key, $0.offset) })
        self.init(count: graph.tasks.count, edges: graph.edges.map { (index[$0.source]!, index[$0.target]!) })
    }

    public mutating func schedule() -> StructuredSchedule {
        count == 0 ? .series([]) : plan(Array(0..<count)).plan
    }

    /// The plan the naive scheduler builds: every longest-path level in series, each level's tasks in parallel.
    public func levelByLevel() -> StructuredSchedule {
        let levels = self.levels(of: Array(0..<count))
        let depth = (levels.max() ?? -1) + 1
        return .series((0..<depth).map { level in
            Self.group(.parallel, (0..<count).filter { levels[$0] == level }.map(StructuredSchedule.task))
        })
    }

    /// The graph's own critical path when task `i` takes `durations[i]`.
    public func criticalPath(_ durations: [Double]) -> Double {
        var finish = Array(repeating: 0.0, count: count)
        for node in order {
            finish[node] = (predecessors[node].map { finish[$0] }.max() ?? 0) + durations[node]
        }
        return finish.max() ?? 0
    }

    /// Orderings the plan imposes that the graph does not (directly or transitively) require.
    public func addedOrderings(_ plan: StructuredSchedule) -> Int {
        // Counted without building `orderedPairs`: each ordered pair comes from exactly one series
        // (the innermost one holding both tasks), so no pair is counted twice.
        switch plan {
        case .task: return 0
        case .parallel(let parts): return parts.map(addedOrderings).reduce(0, +)
        case .series(let parts):
            let tasks = parts.map(\.tasks)
            var added = parts.map(addedOrderings).reduce(0, +)
            for (offset, earlier) in tasks.enumerated() {
                for later in tasks[(offset + 1)...] {
                    for a in earlier { for b in later where !reachability.reaches(a, b) { added += 1 } }
                }
            }
            return added
        }
    }

    /// True when every dependency of the graph is an ordering of the plan.
    public func respectsEveryDependency(_ plan: StructuredSchedule) -> Bool {
        let pairs = plan.orderedPairs
        return edges.allSatisfy { pairs.contains([$0.0, $0.1]) } && Set(plan.tasks) == Set(0..<count) && plan.tasks.count == count
    }

    private mutating func plan(_ nodes: [Int]) -> (plan: StructuredSchedule, cost: Cost) {
        if let known = memo[nodes] { return known }
        let result: (plan: StructuredSchedule, cost: Cost)
        let components = self.components(of: nodes)
        if nodes.count == 1 {
            result = (.task(nodes[0]), Cost(makespan: 1, addedOrderings: 0))
        } else if components.count > 1 {
            let parts = components.map { plan($0) }
            result = (Self.group(.parallel, parts.map(\.plan)),
                      Cost(makespan: parts.map(\.cost.makespan).max()!, addedOrderings: parts.map(\.cost.addedOrderings).reduce(0, +)))
        } else {
            let levels = self.levels(of: nodes)
            let depth = nodes.map { levels[$0] }.max()!
            var best: (plan: StructuredSchedule, cost: Cost)?
            for cut in 0..<depth {
                let first = nodes.filter { levels[$0] <= cut }
                let second = nodes.filter { levels[$0] > cut }
                let (a, b) = (plan(first), plan(second))
                let missing = first.reduce(0) { total, x in total + second.filter { !reachability.reaches(x, $0) }.count }
                let cost = Cost(makespan: a.cost.makespan + b.cost.makespan,
                                addedOrderings: a.cost.addedOrderings + b.cost.addedOrderings + missing)
                if best == nil || cost < best!.cost {
                    best = (Self.group(.series, [a.plan, b.plan]), cost)
                }
            }
            result = best!
        }
        memo[nodes] = result
        return result
    }

    /// Weakly connected components of the subgraph induced by `nodes`, each sorted, ordered by first member.
    private func components(of nodes: [Int]) -> [[Int]] {
        let members = mask(nodes)
        var seen = Array(repeating: false, count: count)
        var result: [[Int]] = []
        for start in nodes where !seen[start] {
            var stack = [start]
            var component: [Int] = []
            seen[start] = true
            while let node = stack.popLast() {
                component.append(node)
                for neighbours in [successors[node], predecessors[node]] {
                    for next in neighbours where members[next] && !seen[next] {
                        seen[next] = true
                        stack.append(next)
                    }
                }
            }
            result.append(component.sorted())
        }
        return result
    }

    /// Longest-path level of each node within the subgraph induced by `nodes` (sources are level 0),
    /// indexed by node; -1 for nodes outside it.
    private func levels(of nodes: [Int]) -> [Int] {
        let members = mask(nodes)
        var level = Array(repeating: -1, count: count)
        for node in order where members[node] {
            level[node] = predecessors[node].lazy.filter { members[$0] }.map { level[$0] + 1 }.max() ?? 0
        }
        return level
    }

    /// `nodes` as a membership table indexed by node.
    private func mask(_ nodes: [Int]) -> [Bool] {
        var members = Array(repeating: false, count: count)
        for node in nodes { members[node] = true }
        return members
    }

    /// Kahn's algorithm, smallest ready index first (deterministic).
    private static func topologicalOrder(count: Int, successors: [[Int]], predecessors: [[Int]]) -> [Int] {
        var remaining = predecessors.map(\.count)
        var ready = (0..<count).filter { remaining[$0] == 0 }
        var order: [Int] = []
        while !ready.isEmpty {
            ready.sort(by: >)
            let node = ready.removeLast()
            order.append(node)
            for next in successors[node] {
                remaining[next] -= 1
                if remaining[next] == 0 { ready.append(next) }
            }
        }
        return order
    }

    private enum Shape { case series, parallel }

    /// Flattens nested compositions of the same kind and unwraps single members.
    private static func group(_ shape: Shape, _ parts: [StructuredSchedule]) -> StructuredSchedule {
        let flat = parts.flatMap { part -> [StructuredSchedule] in
            switch (shape, part) {
            case (.series, .series(let inner)), (.parallel, .parallel(let inner)): return inner
            default: return [part]
            }
        }
        if flat.count == 1 { return flat[0] }
        return shape == .series ? .series(flat) : .parallel(flat)
    }
}
