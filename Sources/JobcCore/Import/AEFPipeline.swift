import Foundation

/// An Analytics Engineering Framework (AEF) pipeline definition as written: levels run in sequence,
/// the threads of a level in parallel, the steps of a thread in sequence. Every AEF value is a
/// string; the decoder has already turned the numeric ones into integers.
public struct AEFPipeline: Sendable {
    public var engine: Located<String>?
    public var levels: [Level]

    public struct Level: Sendable {
        public var id: Located<String>
        /// `definition[N]`, for messages.
        public var path: String
        public var threads: [Thread]
    }

    public struct Thread: Sendable {
        public var id: Located<String>
        public var path: String
        public var steps: [Step]
    }

    public enum StepType: String, Sendable {
        /// The executor does the work and answers with its final status.
        case sync
        /// The executor starts a job and answers with its id; a status function is polled until it ends.
        case async
    }

    public struct Step: Sendable {
        public var path: String
        public var jobID: Located<String>
        public var jobName: Located<String>
        public var type: StepType
        /// The executor Cloud Function that starts (async) or does (sync) the work.
        public var executorFunction: String
        /// Async only: the function that reports the job's status.
        public var statusFunction: String?
        /// Async only: the wait between two status calls.
        public var waitTimeSeconds: Int?
        /// Async only: how long to poll before giving up; nil polls until the job ends.
        public var asyncTimeoutMinutes: Int?
        /// AEF's TIMEOUT_SECONDS: the longest the step may take.
        public var timeoutSeconds: Int?
        /// AEF's STEP_PROPERTIES: a JSON text AEF hands to the executor as `step_properties`.
        public var stepProperties: String?
    }
}

/// Reads an AEF definition from parsed JSON, reporting every problem (with its JSON path) at once.
/// Keys jobc cannot carry over are warnings, never silently dropped.
public struct AEFPipelineDecoder {
    public static let waitTimeRange = 1...86_400
    public static let asyncTimeoutRange = 1...525_600
    public static let timeoutRange = 1...31_536_000

    /// Step keys AEF's generator reads but a jobc job has no place for, with the reason.
    static let droppedStepKeys: [String: String] = [
        "CONTINUE_IF_FAIL": "AEF's own generator leaves it unimplemented; every step must succeed for its thread to go on",
        "NEXT": "steps run in file order; jobc does not jump between steps",
        "READ_INPUT_FROM": "the executor reads its input as configured on its side",
    ]

    private var diagnostics = DiagnosticCollector()

    public static func decode(_ document: LocatedJSON) -> (pipeline: AEFPipeline?, diagnostics: [Diagnostic]) {
        var decoder = AEFPipelineDecoder()
        let pipeline = decoder.decodePipeline(document)
        let diagnostics = decoder.diagnostics.diagnostics
        return (diagnostics.containsErrors ? nil : pipeline, diagnostics)
    }

    private mutating func decodePipeline(_ document: LocatedJSON) -> AEFPipeline? {
        guard let members = object(document, path: "the definition file") else { return nil }
        var pipeline = AEFPipeline(engine: nil, levels: [])
        var definition: LocatedJSON?
        for (key, value) in members {
            switch key.value {
            case "engine":
                guard let engine = string(value, path: "engine") else { continue }
                pipeline.engine = Located(engine, at: value.location)
                diagnostics.warning(
                    .importNotCarriedOver, "'engine' (\(engine)) is not carried over: a jobc job is engine-agnostic", at: key.location,
                    notes: [.init("the engine is chosen when the job is compiled: `jobc compile --target NAME` (`jobc targets` lists them)")])
            case "definition": definition = value
            default: notCarriedOver(key, path: "'\(key.value)'", reason: "AEF pipelines have only 'engine' and 'definition'")
            }
        }
        guard let definition else {
            diagnostics.error(.missingKey, "missing key 'definition' (the list of levels)", at: document.location)
            return nil
        }
        guard let levels = array(definition, path: "definition") else { return nil }
        if levels.isEmpty { diagnostics.error(.invalidValue, "definition has no level", at: definition.location) }
        var levelIDs: [String: SourceLocation] = [:]
        var jobIDs: [String: SourceLocation] = [:]
        for (index, node) in levels.enumerated() {
            let path = "definition[\(index)]"
            checkUnique("LEVEL_ID", of: node, path: path, among: &levelIDs)
            if let level = decodeLevel(node, path: path, jobIDs: &jobIDs) { pipeline.levels.append(level) }
        }
        warnIfLevelsAreOutOfOrder(pipeline.levels)
        return pipeline
    }

    private mutating func decodeLevel(
        _ node: LocatedJSON, path: String, jobIDs: inout [String: SourceLocation]
    ) -> AEFPipeline.Level? {
        guard let members = object(node, path: path) else { return nil }
        var id: Located<String>?
        var threadsNode: LocatedJSON?
        for (key, value) in members {
            switch key.value {
            case "LEVEL_ID": id = identifier(value, path: "\(path).LEVEL_ID")
            case "THREADS": threadsNode = value
            default: notCarriedOver(key, path: "\(path).\(key.value)", reason: "a level has only LEVEL_ID and THREADS")
            }
        }
        if !members.contains(where: { $0.key.value == "LEVEL_ID" }) { missing("LEVEL_ID", in: path, at: node.location) }
        guard let threadsNode else {
            missing("THREADS", in: path, at: node.location)
            return nil
        }
        guard let threadNodes = array(threadsNode, path: "\(path).THREADS") else { return nil }
        if threadNodes.isEmpty { diagnostics.error(.invalidValue, "\(path).THREADS is empty: a level needs at least one thread", at: threadsNode.location) }
        var threads: [AEFPipeline.Thread] = []
        var levelThreadIDs: [String: SourceLocation] = [:]
        for (index, threadNode) in threadNodes.enumerated() {
            let threadPath = "\(path).THREADS[\(index)]"
            // AEF names a thread Level_<L>_Thread_<T>, so a THREAD_ID must be unique within its level.
            checkUnique("THREAD_ID", of: threadNode, path: threadPath, among: &levelThreadIDs, scope: " in this level")
            if let thread = decodeThread(threadNode, path: threadPath, jobIDs: &jobIDs) { threads.append(thread) }
        }
        guard let id else { return nil }
        return AEFPipeline.Level(id: id, path: path, threads: threads)
    }

    private mutating func decodeThread(_ node: LocatedJSON, path: String, jobIDs: inout [String: SourceLocation]) -> AEFPipeline.Thread? {
        guard let members = object(node, path: path) else { return nil }
        var id: Located<String>?
        var stepsNode: LocatedJSON?
        for (key, value) in members {
            switch key.value {
            case "THREAD_ID": id = identifier(value, path: "\(path).THREAD_ID")
            case "STEPS": stepsNode = value
            default: notCarriedOver(key, path: "\(path).\(key.value)", reason: "a thread has only THREAD_ID and STEPS")
            }
        }
        if !members.contains(where: { $0.key.value == "THREAD_ID" }) { missing("THREAD_ID", in: path, at: node.location) }
        guard let stepsNode else {
            missing("STEPS", in: path, at: node.location)
            return nil
        }
        guard let stepNodes = array(stepsNode, path: "\(path).STEPS") else { return nil }
        if stepNodes.isEmpty { diagnostics.error(.invalidValue, "\(path).STEPS is empty: a thread needs at least one step", at: stepsNode.location) }
        var steps: [AEFPipeline.Step] = []
        for (index, stepNode) in stepNodes.enumerated() {
            let stepPath = "\(path).STEPS[\(index)]"
            checkUnique("JOB_ID", of: stepNode, path: stepPath, among: &jobIDs)
            if let step = decodeStep(stepNode, path: stepPath) { steps.append(step) }
        }
        guard let id else { return nil }
        return AEFPipeline.Thread(id: id, path: path, steps: steps)
    }

    private mutating func decodeStep(_ node: LocatedJSON, path: String) -> AEFPipeline.Step? {
        guard let members = object(node, path: path) else { return nil }
        var values: [String: (key: Located<String>, value: LocatedJSON)] = [:]
        for member in members { values[member.key.value] = member }
        func text(_ key: String) -> Located<String>? {
            guard let member = values[key], let text = string(member.value, path: "\(path).\(key)") else { return nil }
            return Located(text, at: member.value.location)
        }

        let jobID = identifier(values["JOB_ID"]?.value, key: "JOB_ID", in: path, at: node.location)
        let jobName = identifier(values["JOB_NAME"]?.value, key: "JOB_NAME", in: path, at: node.location)
        var type: AEFPipeline.StepType?
        if let raw = text("TYPE") {
            type = AEFPipeline.StepType(rawValue: raw.value)
            if type == nil {
                diagnostics.error(
                    .invalidValue, "\(path).TYPE must be \"sync\" or \"async\", found \"\(raw.value)\"", at: raw.location,
                    suggestion: Suggestions.didYouMean(raw.value, in: ["sync", "async"]))
            }
        } else if values["TYPE"] == nil {
            missing("TYPE", in: path, at: node.location)
        }

        // AEF's generator reads FUNCTION_NAME for sync steps and FUNCTION_ID_NAME for async ones.
        var executor = text("FUNCTION_ID_NAME")
        var used: Set<String> = ["JOB_ID", "JOB_NAME", "TYPE", "FUNCTION_ID_NAME"]
        if let alias = values["FUNCTION_NAME"] {
            used.insert("FUNCTION_NAME")
            if executor != nil {
                diagnostics.error(.invalidValue, "\(path) has both FUNCTION_ID_NAME and FUNCTION_NAME; keep one", at: alias.key.location)
            } else {
                executor = text("FUNCTION_NAME")
            }
        } else if values["FUNCTION_ID_NAME"] == nil {
            missing("FUNCTION_ID_NAME", in: path, at: node.location)
        }
        if let executor { nonEmpty(executor, path: "\(path).FUNCTION_ID_NAME") }

        var step = AEFPipeline.Step(
            path: path, jobID: jobID ?? Located("", at: node.location), jobName: jobName ?? Located("", at: node.location),
            type: type ?? .sync, executorFunction: executor?.value ?? "")

        let asyncKeys = ["FUNCTION_STATUS_NAME", "WAIT_TIME_SECONDS", "ASYNC_TIMEOUT_LOOP_IN_MINUTES"]
        if type == .async {
            used.formUnion(asyncKeys)
            if let status = text("FUNCTION_STATUS_NAME") {
                nonEmpty(status, path: "\(path).FUNCTION_STATUS_NAME")
                step.statusFunction = status.value
            } else if values["FUNCTION_STATUS_NAME"] == nil {
                missing("FUNCTION_STATUS_NAME", in: path, at: node.location, why: "an async step polls it for the job's status")
            }
            if let wait = text("WAIT_TIME_SECONDS") {
                step.waitTimeSeconds = integer(wait, path: "\(path).WAIT_TIME_SECONDS", range: Self.waitTimeRange, unit: "seconds")
            } else if values["WAIT_TIME_SECONDS"] == nil {
                missing("WAIT_TIME_SECONDS", in: path, at: node.location, why: "an async step waits this long between status calls")
            }
            if let timeout = text("ASYNC_TIMEOUT_LOOP_IN_MINUTES") {
                step.asyncTimeoutMinutes = integer(timeout, path: "\(path).ASYNC_TIMEOUT_LOOP_IN_MINUTES", range: Self.asyncTimeoutRange, unit: "minutes")
            }
        } else if type == .sync {
            for key in asyncKeys {
                guard let member = values[key] else { continue }
                used.insert(key)
                notCarriedOver(member.key, path: "\(path).\(key)", reason: "it only applies to async steps and this step is sync")
            }
        } else {
            used.formUnion(asyncKeys)  // the TYPE error is enough
        }
        if let timeout = text("TIMEOUT_SECONDS") {
            step.timeoutSeconds = integer(timeout, path: "\(path).TIMEOUT_SECONDS", range: Self.timeoutRange, unit: "seconds")
        }
        if let properties = text("STEP_PROPERTIES") { step.stepProperties = properties.value }
        used.formUnion(["TIMEOUT_SECONDS", "STEP_PROPERTIES"])

        for (key, _) in members where !used.contains(key.value) {
            notCarriedOver(key, path: "\(path).\(key.value)", reason: Self.droppedStepKeys[key.value] ?? "jobc does not know this AEF step key")
        }
        guard jobID != nil, jobName != nil, type != nil, executor != nil else { return nil }
        return step
    }

    // MARK: - Values

    private mutating func object(_ node: LocatedJSON, path: String) -> [(key: Located<String>, value: LocatedJSON)]? {
        guard let members = node.members else {
            diagnostics.error(.wrongType, "\(path) must be an object, found \(node.value.kindDescription)", at: node.location)
            return nil
        }
        return members
    }

    private mutating func array(_ node: LocatedJSON, path: String) -> [LocatedJSON]? {
        guard let items = node.array else {
            diagnostics.error(.wrongType, "\(path) must be an array, found \(node.value.kindDescription)", at: node.location)
            return nil
        }
        return items
    }

    /// AEF keeps every value in a string, numbers included.
    private mutating func string(_ node: LocatedJSON, path: String) -> String? {
        guard let text = node.string else {
            var suggestion: String?
            if case .number(let number) = node.value { suggestion = "AEF values are strings: write \"\(number)\"" }
            diagnostics.error(.wrongType, "\(path) must be a string, found \(node.value.kindDescription)", at: node.location, suggestion: suggestion)
            return nil
        }
        return text
    }

    private mutating func identifier(_ node: LocatedJSON, path: String) -> Located<String>? {
        guard let text = string(node, path: path) else { return nil }
        let located = Located(text, at: node.location)
        return nonEmpty(located, path: path) ? located : nil
    }

    private mutating func identifier(_ node: LocatedJSON?, key: String, in path: String, at location: SourceLocation) -> Located<String>? {
        guard let node else {
            missing(key, in: path, at: location)
            return nil
        }
        return identifier(node, path: "\(path).\(key)")
    }

    @discardableResult
    private mutating func nonEmpty(_ text: Located<String>, path: String) -> Bool {
        guard text.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return true }
        diagnostics.error(.invalidValue, "\(path) is empty", at: text.location)
        return false
    }

    /// Decimal digits only (AEF pastes these into generated code, so " 30" or "3e1" are not numbers).
    private mutating func integer(_ text: Located<String>, path: String, range: ClosedRange<Int>, unit: String) -> Int? {
        let digits = text.value
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            diagnostics.error(.invalidValue, "\(path) must be a whole number of \(unit) in a string, found \"\(digits)\"", at: text.location)
            return nil
        }
        guard digits.count <= 12, let value = Int(digits), range.contains(value) else {
            diagnostics.error(
                .invalidValue, "\(path) must be from \(range.lowerBound) to \(range.upperBound) \(unit), found \(digits)", at: text.location)
            return nil
        }
        return value
    }

    // MARK: - Reporting

    private mutating func missing(_ key: String, in path: String, at location: SourceLocation, why: String? = nil) {
        diagnostics.error(.missingKey, "\(path) is missing \(key)" + (why.map { ": \($0)" } ?? ""), at: location)
    }

    /// Checked on the raw node, so a duplicate is found even when the object has other errors.
    private mutating func checkUnique(
        _ key: String, of node: LocatedJSON, path: String, among seen: inout [String: SourceLocation], scope: String = ""
    ) {
        guard let member = node.members?.first(where: { $0.key.value == key }), let id = member.value.string, !id.isEmpty else { return }
        if let first = seen[id] {
            diagnostics.error(
                .importDuplicateID, "\(path).\(key) \"\(id)\" is used twice\(scope)", at: member.value.location,
                notes: [.init("first used here", at: first)])
        } else {
            seen[id] = member.value.location
        }
    }

    private mutating func notCarriedOver(_ key: Located<String>, path: String, reason: String) {
        diagnostics.warning(.importNotCarriedOver, "\(path) is not carried over: \(reason)", at: key.location)
    }

    /// AEF's generator finds the next level as LEVEL_ID + 1; jobc runs levels in file order, and says
    /// so when the two could differ.
    private mutating func warnIfLevelsAreOutOfOrder(_ levels: [AEFPipeline.Level]) {
        for (previous, level) in zip(levels, levels.dropFirst()) {
            guard let before = Int(previous.id.value), let after = Int(level.id.value) else { continue }
            if after < before {  // equal is a duplicate, an error already
                diagnostics.warning(
                    .invalidValue, "\(level.path).LEVEL_ID \"\(level.id.value)\" does not follow \"\(previous.id.value)\"; jobc runs levels in file order",
                    at: level.id.location, suggestion: "order the levels by LEVEL_ID if that is the order they should run in")
            }
        }
    }
}

extension RuleID {
    public static let importNotCarriedOver = RuleID(
        "import-not-carried-over",
        summary: "A value of the imported definition that the job cannot express; it is left out.")
    public static let importDuplicateID = RuleID(
        "import-duplicate-id",
        summary: "An imported definition uses the same LEVEL_ID, THREAD_ID (within a level) or JOB_ID twice.")
}
