/// Lowers a job spec that passed every rule into the IR: resolves functions and policies, dedupes
/// edges, and fixes the one topological order every emitter uses.
public struct JobGraphBuilder: Sendable {
    public init() {}

    /// Precondition: `JobRules.check` reported no error for the job (unknown functions, cycles and
    /// missing keys would otherwise have nothing sensible to lower to). The group structure and the
    /// contracts come from the check, not worked out again.
    public func build(_ job: JobContext, sourcePath: String) -> JobGraph {
        let (spec, project, structure) = (job.job, job.project, job.structure)
        // Tasks by their index in the job until the end: keys are only looked up in the structure.
        let declared = structure.taskKeys
        let taskEdges = structure.taskEdges()
        let order = Self.topologicalOrder(taskCount: declared.count, taskEdges)
        var position = [Int](repeating: 0, count: declared.count)
        for (offset, task) in order.enumerated() { position[task] = offset }
        let edges = taskEdges
            .sorted { (position[$0.source], position[$0.target]) < (position[$1.source], position[$1.target]) }
            .map { Edge(source: declared[$0.source], target: declared[$0.target]) }
        let tasks = order.map { index in
            lower(spec.tasks[index], contract: job.contracts[index]!, sqlFiles: job.sqlFiles[index], spec: spec)
        }
        var metadata = JobMetadata(
            id: spec.jobID?.value ?? "",
            description: spec.description?.value,
            schedule: spec.schedule?.value ?? .manual,
            startDate: spec.startDate?.value,
            catchup: spec.catchup?.value ?? false,
            tags: spec.tags.map(\.value),
            sourcePath: sourcePath,
            params: spec.params.map { param in
                RunParameter(
                    name: param.name.value, type: param.type!.value, defaultValue: param.defaultValue!.value,
                    description: param.description?.value, location: param.name.location)
            },
            sources: Self.sources(of: spec))
        metadata.runtimeFolders = RuntimeFolders(functions: project.layout.functions, secrets: project.layout.secrets)
        return JobGraph(job: metadata, tasks: tasks, edges: edges, groups: Self.parentsFirst(spec.groups))
    }

    /// Declaration order, except that a group comes after its parent.
    static func parentsFirst(_ groups: [GroupSpec]) -> [TaskGroup] {
        var placed = Set<String>()
        var result: [TaskGroup] = []
        func place(_ group: GroupSpec) {
            guard !placed.contains(group.key.value) else { return }
            if let parent = group.parent?.value, let parentSpec = groups.first(where: { $0.key.value == parent }) { place(parentSpec) }
            placed.insert(group.key.value)
            result.append(TaskGroup(
                key: group.key.value, parent: group.parent?.value, description: group.description?.value,
                sourceLine: group.key.location.line, sourceColumn: group.key.location.column, location: group.key.location))
        }
        groups.forEach(place)
        return result
    }

    static func sources(of spec: JobSpec) -> JobSources {
        var sources = JobSources(file: spec.file)
        sources.jobID = spec.jobID?.location
        sources.schedule = spec.schedule?.location
        sources.startDate = spec.startDate?.location
        sources.catchup = spec.catchup?.location
        sources.tags = spec.tags.first?.location
        sources.onFailure = spec.onFailure?.location
        sources.defaultRetries = spec.defaults.retries?.location
        sources.defaultRetryDelay = spec.defaults.retryDelay?.location
        sources.defaultTimeout = spec.defaults.timeout?.location
        return sources
    }

    static func sources(of task: TaskSpec, defaults: TaskPolicySpec) -> TaskSources {
        var sources = TaskSources()
        sources.key = task.key.location
        sources.taskID = task.effectiveTaskID.location
        sources.function = task.function?.location
        sources.secret = task.secretKey?.location
        sources.retries = (task.policy.retries ?? defaults.retries)?.location
        sources.retryDelay = (task.policy.retryDelay ?? defaults.retryDelay)?.location
        sources.timeout = (task.policy.timeout ?? defaults.timeout)?.location
        sources.triggerRule = task.triggerRule?.location
        sources.onFailure = task.onFailure?.location
        sources.forEach = task.forEach?.location
        return sources
    }

    /// The job's alerts followed by the task's own, each address once.
    static func alerts(_ job: AlertsSpec?, _ task: AlertsSpec?) -> FailureAlerts {
        if job == nil && task == nil { return FailureAlerts(webhooks: [], emails: []) }  // most tasks: no sets to build
        func unique(_ values: [Located<String>]) -> [String] {
            var seen = Set<String>()
            return values.map(\.value).filter { seen.insert($0).inserted }
        }
        return FailureAlerts(
            webhooks: unique((job?.webhooks ?? []) + (task?.webhooks ?? [])),
            emails: unique((job?.emails ?? []) + (task?.emails ?? [])))
    }

    private func lower(_ task: TaskSpec, contract: FunctionContract, sqlFiles: TaskSQLFiles?, spec: JobSpec) -> TaskNode {
        let defaults = spec.defaults
        let parameters = task.kwargs.map {
            ParameterValue.MappingEntry(key: $0.name.value, value: Self.asChecked($0.value!.value, parameter: $0.name.value, contract))
        }
        let fanOut = task.forEach.map { forEach in
            FanOut(parameter: forEach.parameter.value, items: forEach.items.map { Self.asChecked($0.value, parameter: forEach.parameter.value, contract) })
        }
        // A fan-out over a path parameter refers to one file per item, in item order.
        let fanOutEntries = fanOut.map { fanOut in fanOut.items.map { ParameterValue.MappingEntry(key: fanOut.parameter, value: $0) } } ?? []
        let fileReferences: [FileReference] = (fanOutEntries.isEmpty ? parameters : parameters + fanOutEntries).compactMap { entry in
            guard contract.parameter(named: entry.key)?.type == .path, case .string(let path) = entry.value else { return nil }
            return FileReference(parameter: entry.key, path: path)
        }
        let retries = task.policy.retries?.value ?? defaults.retries?.value ?? 0
        let delay = task.policy.retryDelay?.value ?? defaults.retryDelay?.value ?? RetryPolicy.defaultDelay
        var node = TaskNode(
            key: task.key.value,
            taskID: task.effectiveTaskID.value,
            function: FunctionReference(name: contract.name, module: contract.module, className: contract.className),
            parameters: parameters,
            fileReferences: fileReferences,
            secretName: task.secretKey?.value,
            retry: RetryPolicy(retries: retries, delay: delay),
            timeout: task.policy.timeout?.value ?? defaults.timeout?.value,
            sourceLine: task.key.location.line,
            sourceColumn: task.key.location.column,
            group: task.group?.value,
            triggerRule: task.triggerRule?.value ?? .allSuccess,
            onFailure: Self.alerts(spec.onFailure, task.onFailure),
            forEach: fanOut,
            sources: Self.sources(of: task, defaults: defaults))
        node.lineage = Self.lineage(of: task, files: sqlFiles)
        return node
    }

    /// The tables the task's SQL files (as the check found them) read and write, merged over its
    /// files (one per fan-out item), each table located at its first use in the first file naming it.
    static func lineage(of task: TaskSpec, files: TaskSQLFiles?) -> TableLineage {
        let allowUnordered = task.allowUnordered.isEmpty ? [] : Array(Set(task.allowUnordered.map(\.value))).sorted()
        guard let files else {
            return allowUnordered.isEmpty ? .none : TableLineage(allowUnordered: allowUnordered)
        }
        let fileSet = SQLFileSet(dialect: files.contract.dialect, paths: files.uses.map(\.path), parsed: files.contract.isParsed)
        guard files.contract.isParsed else { return TableLineage(allowUnordered: allowUnordered, sqlFiles: fileSet) }
        let sqlFiles = files.uses.compactMap(\.parsed)
        if sqlFiles.count == 1 {
            return TableLineage(reads: sqlFiles[0].reads, writes: sqlFiles[0].writes, allowUnordered: allowUnordered, sqlFiles: fileSet)
        }
        // One file per fan-out item: each table once, at its first use in the first file naming it.
        func merged(_ accesses: [[TableAccess]]) -> [TableAccess] {
            var seen: Set<String> = []
            return accesses.joined().filter { seen.insert($0.table).inserted }.sorted { $0.table < $1.table }
        }
        return TableLineage(
            reads: merged(sqlFiles.map(\.reads)), writes: merged(sqlFiles.map(\.writes)), allowUnordered: allowUnordered, sqlFiles: fileSet)
    }

    /// A path parameter's value as the contract rule checked it on disk: its normalised spelling, which
    /// every target then passes to the function. The written one could name another file or none at
    /// run time: open(2) refuses `a.sql/` (NotADirectoryError) and resolves `gone/../a.sql` through a
    /// folder that must exist, while the check normalised both to `a.sql` before looking.
    static func asChecked(_ value: ParameterValue, parameter: String, _ contract: FunctionContract) -> ParameterValue {
        guard contract.parameter(named: parameter)?.type == .path, case .string(let path) = value,
              case .success(let normalized) = Project.normalizeProjectPath(path) else { return value }
        return .string(normalized)
    }

    /// Kahn's algorithm, always taking the ready task declared first: the same graph gives the same
    /// order on every run and machine, and a chain reads in the order the author wrote it.
    static func topologicalOrder(taskCount: Int, _ edges: [(source: Int, target: Int)]) -> [Int] {
        var indegree = [Int](repeating: 0, count: taskCount)
        var successors = [[Int]](repeating: [], count: taskCount)
        for edge in edges {
            successors[edge.source].append(edge.target)
            indegree[edge.target] += 1
        }
        var ready = MinHeap(indegree.indices.filter { indegree[$0] == 0 })
        var order: [Int] = []
        order.reserveCapacity(taskCount)
        while let next = ready.popMin() {
            order.append(next)
            for successor in successors[next] {
                indegree[successor] -= 1
                if indegree[successor] == 0 { ready.insert(successor) }
            }
        }
        return order
    }
}

/// A binary min-heap of declaration indices.
struct MinHeap {
    private var items: [Int] = []

    init(_ initial: [Int]) {
        for item in initial { insert(item) }
    }

    mutating func insert(_ item: Int) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Int? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let minimum = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return minimum
    }
}
