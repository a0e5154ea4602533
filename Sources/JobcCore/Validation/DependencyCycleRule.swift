/// Dependencies must form a DAG. Each cycle is reported once, as the path that closes it, and a
/// declared dependency closes at most one reported cycle (a group endpoint expands to many task
/// edges, each of which would otherwise repeat the error at the same place).
struct DependencyCycleRule: JobRule {
    static let rules: [RuleID] = [.dependencyCycle]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        let structure = context.structure
        let taskCount = structure.taskKeys.count
        // Tasks by index into the job's tasks; group endpoints count as every task of the group.
        var successors = [[GroupStructure.TaskEdge]](repeating: [], count: taskCount)
        for edge in structure.fullEdges {
            successors[edge.source].append(edge)
        }
        // Iterative three-colour depth-first search in declaration order: deterministic, no recursion.
        enum Colour { case white, grey, black }
        var colour = [Colour](repeating: .white, count: taskCount)
        var reportedAt: Set<SourceLocation> = []
        // The search's stacks, made once a job (not once a start task) and emptied between starts.
        var path: [Int] = [], nextChild: [Int] = []
        path.reserveCapacity(taskCount)
        nextChild.reserveCapacity(taskCount)
        for start in 0..<taskCount where colour[start] == .white {
            path.append(start)
            nextChild.append(0)
            colour[start] = .grey
            while let node = path.last {
                let index = nextChild[nextChild.count - 1]
                guard index < successors[node].count else {
                    colour[node] = .black
                    path.removeLast()
                    nextChild.removeLast()
                    continue
                }
                nextChild[nextChild.count - 1] += 1
                let child = successors[node][index]
                switch colour[child.target] {
                case .grey:
                    let declaredAt = context.job.dependencies[child.declaration].source.location
                    guard reportedAt.insert(declaredAt).inserted else { continue }
                    let cycle = (path[path.lastIndex(of: child.target)!...] + [child.target]).map { structure.taskKeys[$0] }
                    diagnostics.error(
                        .dependencyCycle, "dependency cycle: \(cycle.joined(separator: " → "))", at: declaredAt,
                        suggestion: cycle.count == 2 ? "a task cannot depend on itself" : "remove one dependency of the cycle")
                case .white:
                    colour[child.target] = .grey
                    path.append(child.target)
                    nextChild.append(0)
                case .black:
                    break
                }
            }
        }
    }
}

extension RuleID {
    public static let dependencyCycle = RuleID(
        "dependency-cycle", summary: "Dependencies form a cycle, so no task of it could ever start.")
}
