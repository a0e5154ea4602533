import JobcCore

/// The one walk behind `WorkflowsLimits`: what each figure counts, and where each limit is passed.
///
/// A program is a list of steps (then it is `main`) or a mapping whose entries with a `steps` list
/// are subworkflows. Each subworkflow is walked once, when first called or in document order,
/// and what it costs is kept (`SubworkflowFigures`), so a call costs a look-up: the walk is linear
/// in the program's size. What is counted, step by step:
/// - a step is 1, plus its nested `steps`, the largest condition of its `switch`, each iteration
///   of its `for`, each branch of its `parallel` (a branch is a step), its `try` and `except`
///   bodies, and the steps of each subworkflow it calls (`call: NAME`, and a `retry` predicate
///   `${NAME}`); a condition or `try` that acts inline (`assign`, `call`, `raise`, `return`) is 1
///   more. A loop runs once per item of a literal `in` list or integer `range`, once when its list
///   is an expression (its length is unknown before the run).
/// - parallel nesting: 1 + the deepest parallel step inside a parallel step's branches or loop,
///   following calls; call depth: 1 + the callee's, a call back into a subworkflow on the stack
///   is recursion.
/// - variable memory, an estimate from the text alone (results of expressions and calls are
///   unknown): the bytes of every assign value and every literal loop list as written (scalars'
///   UTF-8 text, mapping keys included), all taken as live at once, plus the largest `args`.
/// - call depth and parallel nesting take every subworkflow as an entry; steps take `main`
///   (every subworkflow when there is no `main`); a recursive call adds its own step only.
struct WorkflowsProgramWalk {
    /// What a piece of program costs when it runs.
    private struct Flow {
        var steps = 0
        var parallelDepth = 0
        var callDepth = 0

        /// `other` runs after this.
        mutating func then(_ other: Flow) {
            steps = Self.add(steps, other.steps)
            parallelDepth = max(parallelDepth, other.parallelDepth)
            callDepth = max(callDepth, other.callDepth)
        }

        /// Either this or `other` runs (a switch's conditions).
        mutating func or(_ other: Flow) {
            steps = max(steps, other.steps)
            parallelDepth = max(parallelDepth, other.parallelDepth)
            callDepth = max(callDepth, other.callDepth)
        }

        static func add(_ a: Int, _ b: Int) -> Int {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? WorkflowsLimits.unbounded : sum
        }

        static func multiply(_ a: Int, _ b: Int) -> Int {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? WorkflowsLimits.unbounded : product
        }
    }

    /// The deepest parallel nesting and call chain seen in one subworkflow, and where each starts.
    private struct Witnesses {
        var parallelDepth = 0
        var parallelPath = ""
        var callDepth = 0
        var callPath = ""
        var callee = ""
    }

    private struct Subworkflow {
        let name: String
        let steps: YAMLNode
        let path: [String]
    }

    private struct SubworkflowFigures {
        var flow: Flow
        var witnesses: Witnesses
    }

    /// Keys a condition or `try` body acts with inline, making it one step more.
    private static let inlineActions: Set<String> = ["assign", "call", "raise", "return"]

    private var figures: WorkflowsProgramFigures
    private var subworkflows: [Subworkflow] = []
    private var indexByName: [String: Int] = [:]
    private var walked: [SubworkflowFigures?] = []
    /// Subworkflows being walked, outermost first, with what each has seen so far.
    private var stack: [(index: Int, witnesses: Witnesses)] = []
    /// Segments of the current path: ".key" or "[index]".
    private var path: [String] = []
    /// Per-step violations, by subworkflow, in document order within each.
    private var stepViolations: [[WorkflowsLimitViolation]] = []
    private var expressionViolations: [WorkflowsLimitViolation] = []
    private var recursions: [WorkflowsLimitViolation] = []
    private var assignedBytes = 0
    private var largestArguments = 0
    private var largestValue = (bytes: 0, path: "")

    init(sourceBytes: Int) {
        figures = WorkflowsProgramFigures(sourceBytes: sourceBytes)
    }

    mutating func walk(_ root: YAMLNode) {
        var expressions = WorkflowsExpressionScan()
        expressions.scan(root)
        figures.longestExpression = expressions.longest
        expressionViolations = expressions.violations
        switch root.content {
        case .sequence:
            subworkflows = [Subworkflow(name: "main", steps: root, path: [])]
        case .mapping(let entries):
            for entry in entries {
                if let steps = Self.value(of: "steps", in: entry.value), case .sequence = steps.content {
                    subworkflows.append(Subworkflow(name: entry.key, steps: steps, path: ["." + entry.key, ".steps"]))
                }
            }
        case .scalar:
            return
        }
        indexByName = Dictionary(subworkflows.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
        walked = Array(repeating: nil, count: subworkflows.count)
        stepViolations = Array(repeating: [], count: subworkflows.count)
        for index in subworkflows.indices { _ = walkSubworkflow(index) }

        let all = walked.compactMap { $0 }
        let entries = indexByName["main"].map { [all[$0]] } ?? all
        figures.stepsUpperBound = entries.map(\.flow.steps).max() ?? 0
        figures.parallelDepth = all.map(\.flow.parallelDepth).max() ?? 0
        figures.callDepth = recursions.isEmpty ? all.map(\.flow.callDepth).max() ?? 0 : WorkflowsLimits.unbounded
        figures.variableMemoryBytes = Flow.add(assignedBytes, largestArguments)
    }

    func report() -> WorkflowsLimitsReport {
        var violations: [WorkflowsLimitViolation] = []
        if figures.sourceBytes > WorkflowsLimits.maximumSourceBytes {
            violations.append(.init(limit: .sourceSize, actual: figures.sourceBytes, path: ""))
        }
        violations += expressionViolations
        let perStep = stepViolations.joined()
        for limit in [WorkflowsLimitViolation.Limit.assignmentsPerStep, .conditionsPerSwitch, .branchesPerParallel] {
            violations += perStep.filter { $0.limit == limit }
        }
        let all = walked.compactMap { $0 }
        if figures.parallelDepth > WorkflowsLimits.maximumParallelNesting,
           let deepest = all.first(where: { $0.flow.parallelDepth == figures.parallelDepth }) {
            violations.append(.init(limit: .parallelNesting, actual: figures.parallelDepth, path: deepest.witnesses.parallelPath))
        }
        if !recursions.isEmpty {
            violations += recursions
        } else if figures.callDepth > WorkflowsLimits.maximumSubworkflowCallDepth,
                  let start = all.firstIndex(where: { $0.flow.callDepth == figures.callDepth }) {
            violations.append(.init(
                limit: .subworkflowCallDepth, actual: figures.callDepth, path: all[start].witnesses.callPath,
                detail: callChain(from: start)))
        }
        if figures.stepsUpperBound > WorkflowsLimits.maximumStepsPerExecution,
           let entry = indexByName["main"] ?? all.firstIndex(where: { $0.flow.steps == figures.stepsUpperBound }) {
            violations.append(.init(limit: .stepsPerExecution, actual: figures.stepsUpperBound, path: Self.render(subworkflows[entry].path)))
        }
        if figures.variableMemoryBytes > WorkflowsLimits.maximumVariableMemoryBytes {
            violations.append(.init(limit: .variableMemory, actual: figures.variableMemoryBytes, path: largestValue.path))
        }
        return WorkflowsLimitsReport(figures: figures, violations: violations)
    }

    /// "main → a → b": the deepest chain from `start`, following each subworkflow's deepest call.
    private func callChain(from start: Int) -> String {
        var names = [subworkflows[start].name]
        var current = walked[start]
        while let figures = current, !figures.witnesses.callee.isEmpty, let next = indexByName[figures.witnesses.callee] {
            names.append(figures.witnesses.callee)
            current = walked[next]
        }
        return names.joined(separator: " → ")
    }

    // MARK: subworkflows and steps

    private mutating func walkSubworkflow(_ index: Int) -> SubworkflowFigures {
        if let known = walked[index] { return known }
        let saved = path
        path = subworkflows[index].path
        stack.append((index, Witnesses()))
        let flow = stepList(subworkflows[index].steps)
        let figures = SubworkflowFigures(flow: flow, witnesses: stack.removeLast().witnesses)
        path = saved
        walked[index] = figures
        return figures
    }

    private mutating func stepList(_ node: YAMLNode) -> Flow {
        guard case .sequence(let items) = node.content else { return Flow() }
        var flow = Flow()
        for (offset, item) in items.enumerated() {
            path.append("[\(offset)]")
            var step = Flow(steps: 1)
            if case .mapping(let entries) = item.content, let named = entries.first {
                path.append("." + named.key)
                step.then(body(named.value))
                path.removeLast()
            }
            flow.then(step)
            path.removeLast()
        }
        return flow
    }

    /// What a step's body (or a condition's, a branch's, an `except`'s) adds to the step itself.
    private mutating func body(_ node: YAMLNode) -> Flow {
        guard case .mapping(let entries) = node.content else { return Flow() }
        var flow = Flow()
        for entry in entries {
            path.append("." + entry.key)
            let value = entry.value
            switch entry.key {
            case "assign": assign(value)
            case "args": arguments(value)
            case "call": if let name = value.scalar?.text { flow.then(call(name)) }
            case "steps": flow.then(stepList(value))
            case "switch": flow.then(switchConditions(value))
            case "for": flow.then(loop(value))
            case "parallel": flow.then(parallel(value))
            case "try": flow.then(block(value))
            case "except": flow.then(body(value))
            case "retry": flow.then(retryPredicate(value))
            default: break
            }
            path.removeLast()
        }
        return flow
    }

    /// A condition or a `try` body: steps, or one inline action.
    private mutating func block(_ node: YAMLNode) -> Flow {
        var flow = body(node)
        if case .mapping(let entries) = node.content, entries.contains(where: { Self.inlineActions.contains($0.key) }) {
            flow.then(Flow(steps: 1))
        }
        return flow
    }

    private mutating func switchConditions(_ node: YAMLNode) -> Flow {
        guard case .sequence(let conditions) = node.content else { return Flow() }
        record(.conditionsPerSwitch, conditions.count)
        var flow = Flow()
        for (offset, condition) in conditions.enumerated() {
            path.append("[\(offset)]")
            flow.or(block(condition))
            path.removeLast()
        }
        return flow
    }

    private mutating func loop(_ node: YAMLNode) -> Flow {
        var iterations = 1
        if let list = Self.value(of: "in", in: node), case .sequence(let items) = list.content {
            iterations = items.count
            path.append(".in")
            live(Self.bytes(list))
            path.removeLast()
        } else if let range = Self.value(of: "range", in: node), case .sequence(let bounds) = range.content, bounds.count == 2,
                  let first = bounds[0].scalar.flatMap({ Self.integer($0.text) }),
                  let last = bounds[1].scalar.flatMap({ Self.integer($0.text) }) {
            let (span, overflow) = last.subtractingReportingOverflow(first)
            iterations = overflow ? WorkflowsLimits.unbounded : max(0, Flow.add(span, 1))
        }
        var flow = Flow()
        if let steps = Self.value(of: "steps", in: node) {
            path.append(".steps")
            flow = stepList(steps)
            path.removeLast()
        }
        flow.steps = Flow.multiply(flow.steps, iterations)
        return flow
    }

    private mutating func parallel(_ node: YAMLNode) -> Flow {
        var flow = Flow()
        if let branches = Self.value(of: "branches", in: node) {
            path.append(".branches")
            if case .sequence(let items) = branches.content {
                record(.branchesPerParallel, items.count)
            }
            flow.then(stepList(branches))
            path.removeLast()
        }
        if let loop = Self.value(of: "for", in: node) {
            path.append(".for")
            flow.then(self.loop(loop))
            path.removeLast()
        }
        flow.parallelDepth += 1
        if flow.parallelDepth > stack[stack.count - 1].witnesses.parallelDepth {
            stack[stack.count - 1].witnesses.parallelDepth = flow.parallelDepth
            stack[stack.count - 1].witnesses.parallelPath = Self.render(path)
        }
        return flow
    }

    /// `retry: {predicate: ${NAME}}` calls subworkflow NAME after each failed attempt.
    private mutating func retryPredicate(_ node: YAMLNode) -> Flow {
        guard let text = Self.value(of: "predicate", in: node)?.scalar?.text else { return Flow() }
        let scalars = text.unicodeScalars
        guard scalars.starts(with: "${".unicodeScalars), scalars.last == "}" else { return Flow() }
        let inside = scalars.dropFirst(2).dropLast().drop { $0 == " " }
        let name = String(String.UnicodeScalarView(inside.reversed().drop { $0 == " " }.reversed()))
        path.append(".predicate")
        defer { path.removeLast() }
        return call(name)
    }

    /// A call costs the callee's steps; calls to anything but a subworkflow of the program cost nothing more.
    private mutating func call(_ name: String) -> Flow {
        guard let index = indexByName[name] else { return Flow() }
        if let open = stack.firstIndex(where: { $0.index == index }) {
            let cycle = stack[open...].map { subworkflows[$0.index].name } + [name]
            recursions.append(.init(
                limit: .subworkflowCallDepth, actual: WorkflowsLimits.unbounded, path: Self.render(path),
                detail: cycle.joined(separator: " → ")))
            return Flow(callDepth: 1)
        }
        let callee = walkSubworkflow(index).flow
        let flow = Flow(steps: callee.steps, parallelDepth: callee.parallelDepth, callDepth: Flow.add(callee.callDepth, 1))
        var seen = stack[stack.count - 1].witnesses
        if flow.parallelDepth > seen.parallelDepth {
            seen.parallelDepth = flow.parallelDepth
            seen.parallelPath = Self.render(path)
        }
        if flow.callDepth > seen.callDepth {
            seen.callDepth = flow.callDepth
            seen.callPath = Self.render(path)
            seen.callee = name
        }
        stack[stack.count - 1].witnesses = seen
        return flow
    }

    // MARK: per-step limits and memory

    private mutating func assign(_ node: YAMLNode) {
        guard case .sequence(let items) = node.content else { return }
        record(.assignmentsPerStep, items.count)
        for (offset, item) in items.enumerated() {
            path.append("[\(offset)]")
            if case .mapping(let entries) = item.content {
                for entry in entries {
                    path.append("." + entry.key)
                    live(Self.bytes(entry.value))
                    path.removeLast()
                }
            } else {
                live(Self.bytes(item))
            }
            path.removeLast()
        }
    }

    private mutating func arguments(_ node: YAMLNode) {
        let bytes = Self.bytes(node)
        largestArguments = max(largestArguments, bytes)
        noteLargest(bytes)
    }

    /// A value taken as live for the whole execution.
    private mutating func live(_ bytes: Int) {
        assignedBytes = Flow.add(assignedBytes, bytes)
        noteLargest(bytes)
    }

    private mutating func noteLargest(_ bytes: Int) {
        if bytes > largestValue.bytes { largestValue = (bytes, Self.render(path)) }
    }

    /// A per-step count: its figure, and a violation in the subworkflow being walked.
    private mutating func record(_ limit: WorkflowsLimitViolation.Limit, _ count: Int) {
        switch limit {
        case .assignmentsPerStep: figures.maxAssignments = max(figures.maxAssignments, count)
        case .conditionsPerSwitch: figures.maxConditions = max(figures.maxConditions, count)
        default: figures.maxBranches = max(figures.maxBranches, count)
        }
        if count > limit.maximum, let current = stack.last {
            stepViolations[current.index].append(.init(limit: limit, actual: count, path: Self.render(path)))
        }
    }

    // MARK: helpers

    private static func value(of key: String, in node: YAMLNode) -> YAMLNode? {
        guard case .mapping(let entries) = node.content else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// UTF-8 bytes of a value as written: its scalars' text and its mapping keys.
    private static func bytes(_ node: YAMLNode) -> Int {
        switch node.content {
        case .scalar(let scalar):
            return scalar.text.utf8.count
        case .sequence(let items):
            return items.reduce(0) { Flow.add($0, bytes($1)) }
        case .mapping(let entries):
            return entries.reduce(0) { Flow.add($0, Flow.add($1.key.utf8.count, bytes($1.value))) }
        }
    }

    /// A decimal integer as a `range` bound is written (`[-+]?[0-9]+`); nil for anything else.
    private static func integer(_ text: String) -> Int? {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    static func render(_ segments: [String]) -> String {
        let joined = segments.joined()
        return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
    }
}
