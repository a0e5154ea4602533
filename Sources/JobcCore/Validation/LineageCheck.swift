/// Races between the tasks of one job, from the tables their SQL reads and writes (the IR's
/// lineage): a task that reads a table another task writes, with no dependency path between the
/// two, reads whatever state the table is in when the engine happens to start it — it works on
/// quiet days and corrupts data when the order flips. Two unordered writers of one table race too
/// (a warning: the last to finish wins, which may be intended). `allow_unordered: [table]` on either
/// task silences a reviewed case.
///
/// It runs on the IR, not the spec: dependency paths need the group edges expanded to tasks.
public enum LineageCheck: RuleDeclaring {
    public static let rules: [RuleID] = [.missingDependency, .conflictingWrites]

    public static func check(_ graph: JobGraph) -> [Diagnostic] {
        let tasks = graph.tasks
        // Tables touched by two or more tasks: the only ones that can race.
        // Sized up front: grown from empty, each dictionary was rehashed five times a job.
        var writeCount = 0, readCount = 0
        for index in tasks.indices {
            writeCount += tasks[index].lineage.writes.count
            readCount += tasks[index].lineage.reads.count
        }
        var writers = [String: [Int]](minimumCapacity: writeCount), readers = [String: [Int]](minimumCapacity: readCount)
        for index in tasks.indices {
            let lineage = tasks[index].lineage  // by index: a task is a large value to copy
            for access in lineage.writes { writers[access.table, default: []].append(index) }
            for access in lineage.reads { readers[access.table, default: []].append(index) }
        }
        // Most jobs have no table two of their tasks touch: nothing to order, no reachability to build.
        let shared = writers.contains { table, tableWriters in
            tableWriters.count > 1 || readers[table]?.contains { $0 != tableWriters[0] } == true
        }
        guard shared else { return [] }
        let ordered = Reachability(graph)
        func mayRace(_ a: Int, _ b: Int, _ table: String) -> Bool {
            a != b && !ordered.hasPath(a, b) && !ordered.hasPath(b, a)
                && !tasks[a].lineage.allowUnordered.contains(table) && !tasks[b].lineage.allowUnordered.contains(table)
        }
        // One diagnostic per pair of tasks, naming every table they race on.
        var readRaces: [Pair: [String]] = [:], writeRaces: [Pair: [String]] = [:]
        for (table, tableWriters) in writers {
            for writer in tableWriters {
                for reader in readers[table] ?? [] where mayRace(reader, writer, table) {
                    readRaces[Pair(first: reader, second: writer), default: []].append(table)
                }
                for other in tableWriters where other > writer && mayRace(writer, other, table) {
                    writeRaces[Pair(first: writer, second: other), default: []].append(table)
                }
            }
        }
        var diagnostics: [Diagnostic] = []
        for (pair, tables) in readRaces.sorted(by: { $0.key < $1.key }) {
            let reader = tasks[pair.first], writer = tasks[pair.second]
            let names = tables.sorted()
            diagnostics.append(.error(
                .missingDependency,
                "task '\(reader.key)' reads \(listed(names)), which task '\(writer.key)' writes, but neither task depends on the other",
                at: reader.sources.key ?? graph.job.sources.fileStart,
                notes: names.flatMap { table in
                    [Diagnostic.Note("'\(reader.key)' reads \(table) here", at: reader.lineage.reads.first { $0.table == table }?.location),
                     Diagnostic.Note("'\(writer.key)' writes \(table) here", at: writer.lineage.writes.first { $0.table == table }?.location)]
                },
                suggestion: "add depends_on: [\(writer.key)] to task '\(reader.key)' (or, if it must read the table before '\(writer.key)' writes it, "
                    + "depends_on: [\(reader.key)] to '\(writer.key)'); a reviewed race: allow_unordered: [\(names.joined(separator: ", "))]"))
        }
        for (pair, tables) in writeRaces.sorted(by: { $0.key < $1.key }) {
            let first = tasks[pair.first], second = tasks[pair.second]
            let names = tables.sorted()
            diagnostics.append(.warning(
                .conflictingWrites,
                "tasks '\(first.key)' and '\(second.key)' both write \(listed(names)) with no dependency between them: the last to finish wins",
                at: second.sources.key ?? graph.job.sources.fileStart,
                notes: names.map { table in
                    Diagnostic.Note("'\(first.key)' writes \(table) here", at: first.lineage.writes.first { $0.table == table }?.location)
                },
                suggestion: "order them (depends_on: [\(first.key)] on '\(second.key)'), or mark a reviewed case with allow_unordered: [\(names.joined(separator: ", "))]"))
        }
        return diagnostics
    }

    private static func listed(_ tables: [String]) -> String {
        tables.count == 1 ? "table \(tables[0])" : "tables \(tables.joined(separator: ", "))"
    }

    private struct Pair: Hashable, Comparable {
        var first: Int
        var second: Int
        static func < (lhs: Pair, rhs: Pair) -> Bool { (lhs.first, lhs.second) < (rhs.first, rhs.second) }
    }
}

/// Which tasks come before which: every task's ancestors as a bit set over the topological order,
/// so a question is one bit test (n²/64 words for n tasks, built once a job).
struct Reachability {
    private let ancestors: [[UInt64]]

    init(_ graph: JobGraph) {
        let count = graph.tasks.count
        let index = Dictionary(uniqueKeysWithValues: graph.tasks.enumerated().map { ($0.element.key, $0.offset) })
        var predecessors = [[Int]](repeating: [], count: count)
        for edge in graph.edges {
            guard let source = index[edge.source], let target = index[edge.target] else { continue }
            predecessors[target].append(source)
        }
        let words = (count + 63) / 64
        var ancestors = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: count)
        // Tasks are in topological order, so every predecessor's set is complete before it is read.
        for task in 0..<count {
            for predecessor in predecessors[task] {
                ancestors[task][predecessor / 64] |= 1 << UInt64(predecessor % 64)
                for word in 0..<words { ancestors[task][word] |= ancestors[predecessor][word] }
            }
        }
        self.ancestors = ancestors
    }

    /// Whether `later` waits, directly or not, for `earlier`.
    func hasPath(_ earlier: Int, _ later: Int) -> Bool {
        ancestors[later][earlier / 64] & (1 << UInt64(earlier % 64)) != 0
    }
}

extension RuleID {
    public static let missingDependency = RuleID(
        "missing-dependency",
        summary: "A task reads a table that another task of the job writes, and no dependency path orders the two.")
    public static let conflictingWrites = RuleID(
        "conflicting-writes", summary: "Two tasks of a job write the same table and no dependency path orders them (warning).")
}
