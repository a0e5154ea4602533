import JobcCore

/// The steps of a structured plan: series as consecutive steps, parallel compositions as `parallel`
/// steps, task groups as named nested `steps` blocks where the plan keeps a group's tasks together.
///
/// Every variable a branch writes exists before the parallel step and is listed in its `shared`
/// (Workflows requires it; workflows-emulator 1.10.0 also crashes when a branch adds a variable
/// while another branch evaluates an expression). A parallel step or a fan-out inside a branch runs
/// in a subworkflow of its own, which gets the run's values and the task states and returns the
/// states: the emulator gives a nested parallel step a copy of the branch's variables and writes
/// them back when it ends, which would undo what sibling branches recorded in the meantime; a
/// subworkflow's variables are its own, and Cloud Workflows runs the same program alike.
struct WorkflowsPlanSteps {
    let graph: JobGraph
    let options: CloudWorkflowsOptions
    private let tasks: WorkflowsTaskSteps
    private let groupTasks: [String: Set<Int>]

    /// Named subworkflows, in the order they were created.
    private(set) var subworkflows: [(String, YAMLBlock)] = []
    /// Variables `main` declares in `init` (beyond run id, logical date, states).
    private(set) var mainScopeVariables: [(String, YAMLBlock)] = []
    /// Steps run when every task succeeds at its first attempt (see the program header).
    private(set) var successSteps = 0
    /// One line per group the plan does not keep together (the program header shows them).
    private(set) var groupNotes: [String] = []

    private var scopeVariables: [(String, YAMLBlock)] = []
    private var parallelSteps = 0
    private var branches = 0
    private var wrappedGroups: Set<String> = []

    init(graph: JobGraph, options: CloudWorkflowsOptions) {
        self.graph = graph
        self.options = options
        tasks = WorkflowsTaskSteps(graph: graph, options: options)
        let index = Dictionary(uniqueKeysWithValues: graph.tasks.enumerated().map { ($0.element.key, $0.offset) })
        var groupTasks: [String: Set<Int>] = [:]
        for group in graph.groups {
            let members = graph.groupAndDescendants(group.key)
            groupTasks[group.key] = Set(graph.tasks.filter { $0.group.map(members.contains) == true }.map { index[$0.key]! })
        }
        self.groupTasks = groupTasks
    }

    mutating func mainSteps(_ plan: StructuredSchedule) -> [YAMLBlock] {
        let steps = render(plan, open: [], inBranch: false)
        mainScopeVariables = scopeVariables
        for group in graph.groups where !wrappedGroups.contains(group.key) {
            let members = graph.tasks.enumerated().filter { groupTasks[group.key]!.contains($0.offset) }.map(\.element.key)
            groupNotes.append("Group \(group.key) (tasks \(members.joined(separator: ", "))): not one part of this program's plan, so not a nested steps block.")
        }
        return steps
    }

    // MARK: plan

    private mutating func render(_ plan: StructuredSchedule, open: Set<String>, inBranch: Bool) -> [YAMLBlock] {
        if let group = coveringGroup(Set(plan.tasks), open: open) {
            wrappedGroups.insert(group.key)
            successSteps += 1
            let inner = render(plan, open: open.union([group.key]), inBranch: inBranch)
            return [YAMLBlock.named("group_" + group.key, .map([("steps", .list(inner))]))]
        }
        switch plan {
        case .task(let index):
            let task = graph.tasks[index]
            if task.forEach != nil && inBranch {
                return inSubworkflow(named: "fan_out_" + task.key, [index]) { builder in builder.taskSteps(task) }
            }
            return taskSteps(task)
        case .series(let parts):
            return seriesSteps(parts, open: open, inBranch: inBranch)
        case .parallel(let parts):
            if inBranch {
                parallelSteps += 1
                let name = "parallel_\(parallelSteps)"
                return inSubworkflow(named: name, plan.tasks) { builder in [builder.parallelStep(name, parts, open: open)] }
            }
            parallelSteps += 1
            return [parallelStep("parallel_\(parallelSteps)", parts, open: open)]
        }
    }

    /// Consecutive parts holding exactly one group's tasks become that group's block.
    private mutating func seriesSteps(_ parts: [StructuredSchedule], open: Set<String>, inBranch: Bool) -> [YAMLBlock] {
        var steps: [YAMLBlock] = []
        var start = 0
        while start < parts.count {
            var end = start + 1
            for candidate in stride(from: parts.count, to: start + 1, by: -1) where !(start == 0 && candidate == parts.count) {
                if coveringGroup(Set(parts[start..<candidate].flatMap(\.tasks)), open: open) != nil {
                    end = candidate
                    break
                }
            }
            let part = end == start + 1 ? parts[start] : .series(Array(parts[start..<end]))
            steps += render(part, open: open, inBranch: inBranch)
            start = end
        }
        return steps
    }

    /// The outermost group not yet open whose tasks are exactly `tasks`.
    private func coveringGroup(_ tasks: Set<Int>, open: Set<String>) -> TaskGroup? {
        graph.groups.first { !open.contains($0.key) && groupTasks[$0.key] == tasks }
    }

    /// More than ten branches are grouped into at most ten nested parallel compositions.
    private mutating func parallelStep(_ name: String, _ parts: [StructuredSchedule], open: Set<String>) -> YAMLBlock {
        let groups: [StructuredSchedule]
        if parts.count <= WorkflowsProgramFile.maximumBranches {
            groups = parts
        } else {
            let size = (parts.count + WorkflowsProgramFile.maximumBranches - 1) / WorkflowsProgramFile.maximumBranches
            groups = stride(from: 0, to: parts.count, by: size).map { start in
                let slice = Array(parts[start..<min(start + size, parts.count)])
                return slice.count == 1 ? slice[0] : .parallel(slice)
            }
        }
        let variablesBefore = scopeVariables.count
        var branchSteps: [YAMLBlock] = []
        successSteps += 1 + groups.count
        for group in groups {
            branches += 1
            branchSteps.append(YAMLBlock.named("branch_\(branches)", .map([("steps", .list(render(group, open: open, inBranch: true)))])))
        }
        let shared = ["states"] + scopeVariables[variablesBefore...].map(\.0)
        return YAMLBlock.named(name, .map([("parallel", .map([
            ("exception_policy", .scalar("continueAll")),
            ("shared", .scalar("[" + shared.joined(separator: ", ") + "]")),
            ("branches", .list(branchSteps)),
        ]))]))
    }

    // MARK: subworkflows

    /// Runs `body` in a new subworkflow `name` and returns the steps that call it from a branch and
    /// record the states of `taskIndices` it returns.
    private mutating func inSubworkflow(named name: String, _ taskIndices: [Int], _ body: (inout WorkflowsPlanSteps) -> [YAMLBlock]) -> [YAMLBlock] {
        let outerVariables = scopeVariables
        scopeVariables = []
        let inner = body(&self)
        let locals = scopeVariables
        scopeVariables = outerVariables
        var steps = WorkflowsProgramFile.assignSteps(named: "init_" + name, locals)
        steps += inner
        steps.append(YAMLBlock.named("return_" + name, .map([("return", .scalar(WorkflowsLiteral.expression("states")))])))
        var parameters = ["run_id", "logical_date", "states"]
        if !graph.job.params.isEmpty { parameters.insert("params", at: 2) }
        subworkflows.append((name, .map([
            ("params", .scalar("[" + parameters.joined(separator: ", ") + "]")),
            ("steps", .list(steps)),
        ])))
        successSteps += 3 + (locals.count + WorkflowsProgramFile.maximumAssignments - 1) / WorkflowsProgramFile.maximumAssignments

        let result = "states_" + name
        declare(result, .scalar("null"))
        let call = YAMLBlock.named("run_" + name, .map([
            ("call", .scalar(name)),
            ("args", .map(parameters.map { ($0, .scalar(WorkflowsLiteral.expression($0))) })),
            ("result", .scalar(result)),
        ]))
        let merges = taskIndices.map { index in
            let key = graph.tasks[index].key
            return (WorkflowsTaskSteps.stateTarget(key), YAMLBlock.scalar(WorkflowsLiteral.expression(result + "[" + WorkflowsLiteral.expressionString(key) + "]")))
        }
        return [call] + WorkflowsProgramFile.assignSteps(named: "record_" + name, merges)
    }

    // MARK: tasks

    private mutating func taskSteps(_ task: TaskNode) -> [YAMLBlock] {
        let rendered = tasks.steps(for: task)
        for (name, value) in rendered.variables { declare(name, value) }
        successSteps += rendered.successSteps
        return rendered.steps
    }

    private mutating func declare(_ name: String, _ value: YAMLBlock) {
        scopeVariables.append((name, value))
    }

}
