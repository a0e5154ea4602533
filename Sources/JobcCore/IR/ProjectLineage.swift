/// A project's data graph: which task of which job reads and writes which table, from the IR of
/// each job (`TaskNode.lineage`). Tables one job writes and another reads are the jobs' cross-job
/// dependencies — the order a scheduler has to respect between jobs, which no job file states.
/// `jobc lineage` prints it as JSON, DOT or Mermaid; every id and label goes through the encoders.
public struct ProjectLineage: Sendable {
    public struct TaskReference: Sendable, Hashable, Comparable {
        public var job: String
        public var task: String
        public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.job, lhs.task) < (rhs.job, rhs.task) }
    }

    public struct Job: Sendable {
        public var id: String
        /// The job file relative to its project root.
        public var file: String
        public var tasks: [Task]
    }

    public struct Task: Sendable {
        public var key: String
        public var reads: [String]
        public var writes: [String]
    }

    public struct Table: Sendable {
        public var name: String
        public var writtenBy: [TaskReference]
        public var readBy: [TaskReference]
    }

    /// `reader`'s job should run after `writer`'s: a table crosses jobs.
    public struct CrossJobDependency: Sendable {
        public var table: String
        public var writer: TaskReference
        public var reader: TaskReference
    }

    /// The version of the JSON form; additions are not a new version.
    public static let version = 1

    /// Jobs sorted by id, then file; tasks in the job's topological order.
    public let jobs: [Job]
    /// Every table some task reads or writes, sorted by name.
    public let tables: [Table]
    public let crossJobDependencies: [CrossJobDependency]

    public init(_ graphs: [JobGraph]) {
        jobs = graphs.map { graph in
            Job(id: graph.job.id, file: graph.job.sourcePath, tasks: graph.tasks.map {
                Task(key: $0.key, reads: $0.lineage.reads.map(\.table), writes: $0.lineage.writes.map(\.table))
            })
        }.sorted { ($0.id, $0.file) < ($1.id, $1.file) }
        var writers: [String: Set<TaskReference>] = [:], readers: [String: Set<TaskReference>] = [:]
        for job in jobs {
            for task in job.tasks {
                let reference = TaskReference(job: job.id, task: task.key)
                for table in task.writes { writers[table, default: []].insert(reference) }
                for table in task.reads { readers[table, default: []].insert(reference) }
            }
        }
        tables = Set(writers.keys).union(readers.keys).sorted().map {
            Table(name: $0, writtenBy: (writers[$0] ?? []).sorted(), readBy: (readers[$0] ?? []).sorted())
        }
        crossJobDependencies = tables.flatMap { table in
            table.writtenBy.flatMap { writer in
                table.readBy.filter { $0.job != writer.job }.map { CrossJobDependency(table: table.name, writer: writer, reader: $0) }
            }
        }
    }

    public var json: JSONValue {
        func reference(_ task: TaskReference) -> JSONValue { .object([("job", .string(task.job)), ("task", .string(task.task))]) }
        func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        return .object([
            ("lineageVersion", .integer(Self.version)),
            ("jobs", .array(jobs.map { job in
                .object([
                    ("id", .string(job.id)), ("file", .string(job.file)),
                    ("tasks", .array(job.tasks.map { .object([("key", .string($0.key)), ("reads", strings($0.reads)), ("writes", strings($0.writes))]) })),
                ])
            })),
            ("tables", .array(tables.map { table in
                .object([("name", .string(table.name)), ("writtenBy", .array(table.writtenBy.map(reference))), ("readBy", .array(table.readBy.map(reference)))])
            })),
            ("crossJobDependencies", .array(crossJobDependencies.map { dependency in
                .object([("table", .string(dependency.table)), ("writer", reference(dependency.writer)), ("reader", reference(dependency.reader))])
            })),
        ])
    }

    // MARK: Pictures

    /// Jobs as boxes holding the tasks that touch tables; tables as cylinders; an arrow from each
    /// writer to its table and from each table to its readers. Nodes are numbered (`job0`, `table3`)
    /// because table names may hold any character.
    public var dot: String {
        var lines = ["digraph lineage {", "    rankdir=LR;", "    node [shape=box, style=rounded];"]
        for (jobIndex, job) in drawnJobs {
            lines.append("    subgraph cluster_job\(jobIndex) {")
            lines.append("        label=\(DOTLiteral.string(job.id));")
            for (taskIndex, task) in job.tasks.enumerated() where !task.reads.isEmpty || !task.writes.isEmpty {
                lines.append("        job\(jobIndex)_task\(taskIndex) [label=\(DOTLiteral.string(task.key))];")
            }
            lines.append("    }")
        }
        for (index, table) in tables.enumerated() {
            lines.append("    table\(index) [label=\(DOTLiteral.string(table.name)), shape=cylinder, style=\"\"];")
        }
        for edge in edges {
            lines.append(edge.writes ? "    \(edge.task) -> table\(edge.table);" : "    table\(edge.table) -> \(edge.task);")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    public var mermaid: String {
        var lines = ["flowchart LR"]
        for (jobIndex, job) in drawnJobs {
            lines.append("    subgraph job\(jobIndex)[\(MermaidLiteral.label(job.id))]")
            for (taskIndex, task) in job.tasks.enumerated() where !task.reads.isEmpty || !task.writes.isEmpty {
                lines.append("        job\(jobIndex)_task\(taskIndex)[\(MermaidLiteral.label(task.key))]")
            }
            lines.append("    end")
        }
        for (index, table) in tables.enumerated() {
            lines.append("    table\(index)[(\(MermaidLiteral.label(table.name)))]")
        }
        for edge in edges {
            lines.append(edge.writes ? "    \(edge.task) --> table\(edge.table)" : "    table\(edge.table) --> \(edge.task)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Jobs with at least one task that touches a table, with their index in `jobs`.
    private var drawnJobs: [(Int, Job)] {
        jobs.enumerated().filter { $0.element.tasks.contains { !$0.reads.isEmpty || !$0.writes.isEmpty } }.map { ($0.offset, $0.element) }
    }

    private var edges: [(task: String, table: Int, writes: Bool)] {
        let tableIndex = Dictionary(uniqueKeysWithValues: tables.enumerated().map { ($0.element.name, $0.offset) })
        return jobs.enumerated().flatMap { jobIndex, job in
            job.tasks.enumerated().flatMap { taskIndex, task in
                let node = "job\(jobIndex)_task\(taskIndex)"
                return task.writes.map { (node, tableIndex[$0]!, true) } + task.reads.map { (node, tableIndex[$0]!, false) }
            }
        }
    }
}
