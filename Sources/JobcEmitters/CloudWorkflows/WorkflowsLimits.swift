import JobcCore

/// Google's resource limits for one Cloud Workflows program, checked on the text jobc writes, so
/// that a job Cloud Workflows would refuse to deploy or would stop mid-run is refused at compile time.
///
/// The values are those of "Resource limits" on the Workflows quotas page,
/// https://cloud.google.com/workflows/quotas. The text is read back with jobc's own YAML loader:
/// what is checked is exactly what is written. One walk computes the figures (`WorkflowsProgramFigures`,
/// also what a program header can print) and where each limit is passed, linear in the program's
/// size: each subworkflow is walked once however often it is called. What each figure counts:
/// `WorkflowsProgramWalk`, and `WorkflowsExpressionScan` for expressions.
/// `Tests/integration/workflows_limits.py` re-implements it over PyYAML; both read the same
/// fixtures and must agree.
enum WorkflowsLimits {
    /// "Source code size": a program's text, in bytes (128 KB).
    static let maximumSourceBytes = 131_072
    /// "Expression length": characters in one `${…}`, the braces included.
    static let maximumExpressionLength = 400
    /// "Assignments": items of one `assign` step.
    static let maximumAssignmentsPerStep = 50
    /// "Conditions": conditions of one `switch` step.
    static let maximumConditionsPerSwitch = 50
    /// "Branches": branches of one `parallel` step.
    static let maximumBranchesPerParallel = 10
    /// "Parallel nesting depth": a parallel step inside a branch or iteration of another is depth 2.
    static let maximumParallelNesting = 2
    /// "Call stack depth": nested subworkflow calls (main calling A is 1).
    static let maximumSubworkflowCallDepth = 20
    /// "Steps": steps one execution runs.
    static let maximumStepsPerExecution = 100_000
    /// "Variable memory": variables, arguments and events held at once (512 KB).
    static let maximumVariableMemoryBytes = 524_288

    /// Figures of unbounded quantities (recursive calls, steps past `Int.max`) are `Int.max`.
    static let unbounded = Int.max

    /// Every limit the program passes: source size, then the per-step limits in document order, then
    /// those of the whole program. Empty for a program within every limit, and for text that is not
    /// YAML within the loader's bounds (only its size is checked then).
    static func check(program text: String) -> [WorkflowsLimitViolation] {
        measure(program: text).violations
    }

    /// The figures and the violations of one program, from one walk.
    static func measure(program text: String) -> WorkflowsLimitsReport {
        let source = SourceFile(displayPath: "program", text: text)
        // Generated text has no aliases, so the node bound only has to keep up with the text's size;
        // an alias-heavy text still stays linear in its length.
        let limits = YAMLLimits(maxFileBytes: Int.max, maxExpandedNodes: max(250_000, 4 * source.bytes.count))
        let root = YAMLLoader(limits: limits).load(source).root
        var walk = WorkflowsProgramWalk(sourceBytes: source.bytes.count)
        if let root { walk.walk(root) }
        return walk.report()
    }
}

/// One limit a program passes, where, and by how much.
struct WorkflowsLimitViolation: Equatable, Sendable {
    /// The limits of Google's "Resource limits" that a program's text decides.
    enum Limit: String, CaseIterable, Sendable {
        case sourceSize, expressionLength, assignmentsPerStep, conditionsPerSwitch, branchesPerParallel
        case parallelNesting, subworkflowCallDepth, stepsPerExecution, variableMemory

        var maximum: Int {
            switch self {
            case .sourceSize: return WorkflowsLimits.maximumSourceBytes
            case .expressionLength: return WorkflowsLimits.maximumExpressionLength
            case .assignmentsPerStep: return WorkflowsLimits.maximumAssignmentsPerStep
            case .conditionsPerSwitch: return WorkflowsLimits.maximumConditionsPerSwitch
            case .branchesPerParallel: return WorkflowsLimits.maximumBranchesPerParallel
            case .parallelNesting: return WorkflowsLimits.maximumParallelNesting
            case .subworkflowCallDepth: return WorkflowsLimits.maximumSubworkflowCallDepth
            case .stepsPerExecution: return WorkflowsLimits.maximumStepsPerExecution
            case .variableMemory: return WorkflowsLimits.maximumVariableMemoryBytes
            }
        }
    }

    let limit: Limit
    /// `WorkflowsLimits.unbounded` for recursion and for step counts past `Int.max`.
    let actual: Int
    let maximum: Int
    /// Where, as keys and indices from the document's root ("main.steps[3].run_lanes.parallel.branches");
    /// empty for the whole program.
    let path: String
    /// For call depth: the chain of subworkflows ("main → a → a", a cycle when recursive).
    let detail: String

    init(limit: Limit, actual: Int, path: String, detail: String = "") {
        self.limit = limit
        self.actual = actual
        self.maximum = limit.maximum
        self.path = path
        self.detail = detail
    }

    /// The limit, actual against maximum, and what to change.
    var message: String {
        let place = path.isEmpty ? "the program" : path
        let shown = actual == WorkflowsLimits.unbounded ? "unbounded" : String(actual)
        switch limit {
        case .sourceSize:
            return "the program is \(actual) bytes; Cloud Workflows deploys programs up to \(maximum) bytes (128 KB): "
                + "split the job into smaller jobs"
        case .expressionLength:
            return "an expression at \(place) is \(actual) characters; Cloud Workflows takes expressions up to \(maximum): "
                + "compute the value over several assign steps"
        case .assignmentsPerStep:
            return "the assign step at \(place) makes \(actual) assignments; Cloud Workflows allows \(maximum) per step: "
                + "split it into consecutive assign steps"
        case .conditionsPerSwitch:
            return "the switch at \(place) has \(actual) conditions; Cloud Workflows allows \(maximum) per switch: "
                + "split it into consecutive switch steps"
        case .branchesPerParallel:
            return "the parallel step at \(place) has \(actual) branches; Cloud Workflows allows \(maximum): "
                + "run the others in another parallel step, or as a parallel for loop"
        case .parallelNesting:
            return "parallel steps nest \(actual) deep from \(place) (through the subworkflows their branches call); "
                + "Cloud Workflows allows \(maximum): run the inner parallel steps' branches in the outer step"
        case .subworkflowCallDepth where actual == WorkflowsLimits.unbounded:
            return "the call at \(place) is recursive (\(detail)), so calls nest without bound; Cloud Workflows stops "
                + "at \(maximum) nested calls: replace the recursion by a loop"
        case .subworkflowCallDepth:
            return "subworkflow calls nest \(actual) deep from \(place) (\(detail)); Cloud Workflows allows \(maximum): "
                + "inline some of the subworkflows"
        case .stepsPerExecution:
            return "an execution of \(place) can run \(shown) steps (every step once, each loop for every item, each "
                + "subworkflow at every call); Cloud Workflows stops an execution at \(maximum): split the job"
        case .variableMemory:
            return "the program's values take up to \(actual) bytes of variables (every assign value and loop list, plus "
                + "the largest call arguments; the largest at \(place)); Cloud Workflows holds \(maximum) bytes (512 KB): "
                + "pass large values by reference, such as a file path"
        }
    }
}

/// A program's figures against Google's resource limits, as one walk measured them.
struct WorkflowsProgramFigures: Equatable, Sendable {
    /// UTF-8 bytes of the text.
    var sourceBytes = 0
    /// Characters (Unicode scalars) of the longest `${…}`.
    var longestExpression = 0
    var maxAssignments = 0
    var maxConditions = 0
    var maxBranches = 0
    /// Deepest nesting of parallel steps, following calls; 1 for a parallel step in no other.
    var parallelDepth = 0
    /// Deepest nesting of subworkflow calls; `WorkflowsLimits.unbounded` when a call is recursive.
    var callDepth = 0
    /// Steps of `main` when every step runs once, loops for every item and subworkflows at every call.
    var stepsUpperBound = 0
    /// Bytes of every assign value and literal loop list, plus the largest call arguments.
    var variableMemoryBytes = 0
}

/// What `WorkflowsLimits.measure` returns: the figures, and the violations derived from them.
struct WorkflowsLimitsReport: Sendable {
    var figures: WorkflowsProgramFigures
    var violations: [WorkflowsLimitViolation]
}
