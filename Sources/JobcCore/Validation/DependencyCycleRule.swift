/// Dependencies must form a DAG. Each cycle is reported once, as the path that closes it, and a
/// declared dependency closes at most one reported cycle (a group endpoint expands to many task
/// edges, each of which would otherwise repeat the error at the same place).
struct DependencyCycleRule: JobRule {
    static let rules: [RuleID] = [.dependencyCycle]

    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        let keys = job.tasks.map(\.key.value)
        var successors: [String: [(target: String, declaredAt: SourceLocation)]] = [:]
        // Group endpoints count as every task of the group.
        for edge in GroupStructure(job).fullEdges {
            successors[edge.source, default: []].append((edge.target, edge.declaration.source.location))
        }
        // Iterative three-colour depth-first search in declaration order: deterministic, no recursion.
        enum Colour { case white, grey, black }
        var colour = Dictionary(uniqueKeysWithValues: keys.map { ($0, Colour.white) })
        var reportedAt: Set<SourceLocation> = []
        for start in keys where colour[start] == .white {
            var path: [String] = [start]
            var nextChild: [Int] = [0]
            colour[start] = .grey
            while let node = path.last {
                let children = successors[node] ?? []
                let index = nextChild[nextChild.count - 1]
                guard index < children.count else {
                    colour[node] = .black
                    path.removeLast()
                    nextChild.removeLast()
                    continue
                }
                nextChild[nextChild.count - 1] += 1
                let child = children[index]
                switch colour[child.target] {
                case .grey? where reportedAt.insert(child.declaredAt).inserted:
                    let cycle = path[path.lastIndex(of: child.target)!...] + [child.target]
                    diagnostics.error(
                        .dependencyCycle, "dependency cycle: \(cycle.joined(separator: " → "))", at: child.declaredAt,
                        suggestion: cycle.count == 2 ? "a task cannot depend on itself" : "remove one dependency of the cycle")
                case .white?:
                    colour[child.target] = .grey
                    path.append(child.target)
                    nextChild.append(0)
                default:
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
