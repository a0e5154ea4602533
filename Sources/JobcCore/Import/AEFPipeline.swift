import Foundation

/// An Analytics Engineering Framework (AEF) pipeline definition as written: levels run in sequence,
/// the threads of a level in parallel, the steps of a thread in sequence. Every AEF value is a
/// string; the decoder has already turned the numeric ones into integers.
public struct AEFPipeline: Sendable {
    public var engine: Located<String>?
    /// True for the original form, a bare array of levels (AEF's generator read it until the
    /// `{"engine", "definition"}` wrapper arrived; it always meant Cloud Workflows).
    public var isBareArray = false
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
        /// The Composer engine's form: the executor named by COMPOSER_STEP (see `AEFComposerSteps`).
        public var composerStep: Located<String>?
        /// NEXT: the JOB_ID of the step to run after this one.
        public var next: Located<String>?
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
        "READ_INPUT_FROM": "the executor reads its input as configured on its side",
    ]

    private var diagnostics = DiagnosticCollector()
    private var unmappedComposerSteps: [Located<String>] = []

    public static func decode(_ document: LocatedJSON) -> (pipeline: AEFPipeline?, diagnostics: [Diagnostic]) {
        var decoder = AEFPipelineDecoder()
        let pipeline = decoder.decodePipeline(document)
        decoder.reportUnmappedComposerSteps()
        let diagnostics = decoder.diagnostics.diagnostics
        return (diagnostics.containsErrors ? nil : pipeline, diagnostics)
    }

    private mutating func decodePipeline(_ document: LocatedJSON) -> AEFPipeline? {
        var pipeline = AEFPipeline(engine: nil, levels: [])
        if document.array != nil {
            pipeline.isBareArray = true
            return decodeLevels(document, into: pipeline)
        }
        guard let members = object(document, path: "the definition file") else { return nil }
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
            diagnostics.error(.missingKey, "missing key 'definition' (the list of levels)", at: document.location,
                              notes: [.init("an AEF definition is {\"engine\": ..., \"definition\": [levels]} or, in its original form, the bare array of levels")])
            return nil
        }
        return decodeLevels(definition, into: pipeline)
    }

    /// `definition`: the array of levels, in the wrapper or bare.
    private mutating func decodeLevels(_ definition: LocatedJSON, into pipeline: AEFPipeline) -> AEFPipeline? {
        var pipeline = pipeline
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
        checkNext(pipeline.levels)
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
            warnIfRepeated(jobIDOf: stepNode, path: stepPath, among: &jobIDs)
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
        if let composer = values["COMPOSER_STEP"] {
            // Composer's DAG generator never reads TYPE: every executor template waits for its job.
            return decodeComposerStep(node, path: path, values: values, composer: composer, jobID: jobID, jobName: jobName,
                                      type: values["TYPE"]?.value.string.flatMap(AEFPipeline.StepType.init(rawValue:)))
        }
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
        step.next = text("NEXT")
        if let last = text("LAST_STEP") { checkLastStep(last, path: "\(path).LAST_STEP") }
        used.formUnion(["TIMEOUT_SECONDS", "STEP_PROPERTIES", "NEXT", "LAST_STEP"])

        for (key, _) in members where !used.contains(key.value) {
            notCarriedOver(key, path: "\(path).\(key.value)", reason: Self.droppedStepKeys[key.value] ?? "jobc does not know this AEF step key")
        }
        guard jobID != nil, jobName != nil, type != nil, executor != nil else { return nil }
        return step
    }

    /// The Composer engine's step: JOB_ID, JOB_NAME, TYPE and COMPOSER_STEP, the executor its DAG
    /// generator expands. Mapped through `AEFComposerSteps`; the ones without a mapping are reported
    /// together, once per file, by `reportUnmappedComposerSteps`.
    private mutating func decodeComposerStep(
        _ node: LocatedJSON, path: String, values: [String: (key: Located<String>, value: LocatedJSON)],
        composer: (key: Located<String>, value: LocatedJSON), jobID: Located<String>?, jobName: Located<String>?, type: AEFPipeline.StepType?
    ) -> AEFPipeline.Step? {
        guard let name = string(composer.value, path: "\(path).COMPOSER_STEP") else { return nil }
        let located = Located(name, at: composer.value.location)
        guard nonEmpty(located, path: "\(path).COMPOSER_STEP") else { return nil }
        for key in ["FUNCTION_ID_NAME", "FUNCTION_NAME"] where values[key] != nil {
            diagnostics.error(.invalidValue, "\(path) has both COMPOSER_STEP and \(key); keep one", at: values[key]!.key.location)
        }
        let used: Set<String> = ["JOB_ID", "JOB_NAME", "TYPE", "COMPOSER_STEP", "FUNCTION_ID_NAME", "FUNCTION_NAME", "LAST_STEP", "NEXT"]
        var step = AEFPipeline.Step(
            path: path, jobID: jobID ?? Located("", at: node.location), jobName: jobName ?? Located("", at: node.location),
            type: .async, executorFunction: name, composerStep: located)
        if let next = values["NEXT"], let text = string(next.value, path: "\(path).NEXT") { step.next = Located(text, at: next.value.location) }
        if let last = values["LAST_STEP"], let text = string(last.value, path: "\(path).LAST_STEP") {
            checkLastStep(Located(text, at: last.value.location), path: "\(path).LAST_STEP")
        }
        if let mapping = AEFComposerSteps.mapping(for: name) {
            step.statusFunction = mapping.statusFunction
            step.waitTimeSeconds = mapping.waitTimeSeconds
            step.asyncTimeoutMinutes = mapping.asyncTimeoutMinutes
            if type == .sync {
                diagnostics.warning(
                    .importNotCarriedOver, "\(path).TYPE \"sync\" is not carried over: AEF's Composer DAG ran \(name) as an async job whatever TYPE said",
                    at: values["TYPE"]?.value.location)
            }
        } else {
            unmappedComposerSteps.append(located)
        }
        for (key, _) in node.members ?? [] where !used.contains(key.value) {
            notCarriedOver(key, path: "\(path).\(key.value)", reason: "AEF's Composer DAG generator reads only JOB_ID, JOB_NAME and COMPOSER_STEP")
        }
        guard jobID != nil, jobName != nil else { return nil }
        return step
    }

    /// One error for the file, at the first COMPOSER_STEP that has no mapping, naming all of them.
    private mutating func reportUnmappedComposerSteps() {
        guard let first = unmappedComposerSteps.first else { return }
        let names = unmappedComposerSteps.map(\.value).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        diagnostics.error(
            .importUnsupported,
            "COMPOSER_STEP \"\(first.value)\" has no jobc equivalent"
                + (names.count > 1 ? " (nor \(names.dropFirst().map { "\"\($0)\"" }.joined(separator: ", ")))" : "")
                + ": AEF's Composer DAG ran it with operators of its own, and no AEF executor function does the same work",
            at: first.location,
            notes: unmappedComposerSteps.dropFirst().map { .init("also used here", at: $0.location) }
                + [.init("COMPOSER_STEP values jobc maps to AEF executor functions: \(AEFComposerSteps.known.joined(separator: ", "))")],
            suggestion: "deploy an AEF executor Cloud Function for it and write the step in AEF's executor-function form "
                + "(TYPE, FUNCTION_ID_NAME, FUNCTION_STATUS_NAME, WAIT_TIME_SECONDS), or write the task in the job with a jobc function")
    }

    /// LAST_STEP ("True"/"False"): read by AEF's first generators and sent nowhere by its Cloud
    /// Workflows templates, so it changes nothing; only its value is checked.
    private mutating func checkLastStep(_ value: Located<String>, path: String) {
        guard !["true", "false"].contains(value.value.lowercased()) else { return }
        diagnostics.error(.invalidValue, "\(path) must be \"True\" or \"False\", found \"\(value.value)\"", at: value.location)
    }

    /// NEXT names (by JOB_ID) the step AEF's generator jumps to after this one. Jumping to the step
    /// that comes next in the thread anyway is what every step does; any other jump changes which
    /// steps run, which a job's dependencies cannot say.
    private mutating func checkNext(_ levels: [AEFPipeline.Level]) {
        let allIDs = Set(levels.flatMap { $0.threads.flatMap { $0.steps.map(\.jobID.value) } })
        for level in levels {
            for thread in level.threads {
                for (index, step) in thread.steps.enumerated() {
                    guard let next = step.next else { continue }
                    let following = index + 1 < thread.steps.count ? thread.steps[index + 1] : nil
                    if following?.jobID.value == next.value { continue }
                    if !allIDs.contains(next.value) {
                        diagnostics.error(.invalidValue, "\(step.path).NEXT \"\(next.value)\" is no JOB_ID of this definition", at: next.location,
                                          suggestion: "name the JOB_ID of the step that follows, or remove NEXT")
                        continue
                    }
                    diagnostics.error(
                        .importUnsupported,
                        "\(step.path).NEXT \"\(next.value)\" jumps to a step other than the one that follows it in its thread "
                            + (following.map { "(\"\($0.jobID.value)\")" } ?? "(it is the thread's last step)")
                            + "; a jobc job runs every step, in the order of its dependencies",
                        at: next.location,
                        suggestion: "reorder the steps so that NEXT names the step that follows, then remove NEXT; steps AEF skipped can be deleted")
                }
            }
        }
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

    /// A JOB_ID used twice: AEF's generators named a step <JOB_ID>_<JOB_NAME>, later <JOB_NAME>,
    /// and used JOB_ID only as the id sent to the executor, so they kept both steps; so does jobc.
    private mutating func warnIfRepeated(jobIDOf node: LocatedJSON, path: String, among seen: inout [String: SourceLocation]) {
        guard let member = node.members?.first(where: { $0.key.value == "JOB_ID" }), let id = member.value.string, !id.isEmpty else { return }
        guard let first = seen[id] else {
            seen[id] = member.value.location
            return
        }
        diagnostics.warning(
            .importDuplicateID,
            "\(path).JOB_ID \"\(id)\" is used twice: both steps are kept, as AEF's generator kept them (it named steps <JOB_ID>_<JOB_NAME>, later <JOB_NAME>), "
                + "and both executors receive aef_job_id \"\(id)\"",
            at: member.value.location, notes: [.init("first used here", at: first)],
            suggestion: "give each step its own JOB_ID")
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
        summary: "An imported definition uses the same LEVEL_ID or THREAD_ID (within a level) twice (an error), or the same JOB_ID (a warning: both steps are kept).")
    public static let importUnsupported = RuleID(
        "import-unsupported",
        summary: "A form of the imported definition that jobc cannot run as AEF did (a COMPOSER_STEP without a mapping, a NEXT that jumps).")
}
