import Foundation

/// `jobc import aef`: an AEF pipeline definition (JSON) → an equivalent jobc job (YAML text).
///
/// Decisions, so the job runs what AEF would have run:
/// - One group per level (`level_<LEVEL_ID>`), one per thread nested in it
///   (`level_<LEVEL_ID>_thread_<THREAD_ID>`); each level group depends on the previous one, so a
///   level starts when every step of the level before has succeeded, as in AEF. Levels keep their
///   file order (AEF's generator chains LEVEL_ID + 1; a warning says when the two differ).
/// - The steps of a thread are chained with `depends_on`; threads of a level have no edges between
///   them, so they run in parallel.
/// - Each step becomes a task running `AEFExecutorFunction` with the secret `aef_executors` (the
///   executors' base URL and authentication), which calls the step's executor Cloud Function with
///   the body AEF's intermediate function sends and, for async steps, polls the status function
///   every WAIT_TIME_SECONDS for at most ASYNC_TIMEOUT_LOOP_IN_MINUTES.
/// - The task key is JOB_NAME made a valid identifier (deduplicated with `_2`, `_3`…; a warning when
///   it changes); the executor still receives the exact JOB_NAME. JOB_ID goes along as `aef_job_id`.
/// - Every form AEF's generators read is accepted (`AEFPipelineDecoder`): the bare array of levels,
///   Composer steps (`AEFComposerSteps`), a repeated JOB_ID (both steps kept), NEXT to the following
///   step, LAST_STEP. With platform parameters, a step without STEP_PROPERTIES gets the
///   `{"jobs_definitions_bucket": …}` AEF sent (`AEFPlatformParameters`).
/// - AEF has no schedule in the definition (its scheduling function holds it): the job is manual
///   (`schedule: null`). `engine`, keys of sync steps that only apply to async ones, and keys jobc
///   does not know are reported as not carried over.
public enum AEFImporter {
    public static let functionName = "AEFExecutorFunction"
    public static let secretKey = "aef_executors"
    /// The Python modules the imported job runs; its `<job_id>.py` must not shadow them.
    static let functionModules: Set<String> = ["aef_executor_function", "function_abstract"]

    public struct Result: Sendable {
        /// The job file's text; nil when there is any error.
        public var yaml: String?
        public var diagnostics: [Diagnostic]
    }

    /// Reads `source` (the definition's bytes) and builds the job. `jobID` nil: from the file name.
    /// Every name the job gets is free on the targets behind `names`.
    /// `parameters`: AEF's platform parameters, when given (see `AEFPlatformParameters`).
    public static func importDefinition(
        _ source: SourceFile, jobID requestedJobID: String? = nil, parameters: AEFPlatformParameters? = nil, names: TargetNames = .none
    ) -> Result {
        let document: LocatedJSON
        do {
            document = try LocatedJSONParser.parse(source)
        } catch {
            return Result(yaml: nil, diagnostics: [.error(.jsonSyntax, error.message, at: error.location)])
        }
        let (pipeline, decodeDiagnostics) = AEFPipelineDecoder.decode(document)
        var diagnostics = decodeDiagnostics
        let jobID: String
        if let requestedJobID {
            if let problem = Identifier.problem(with: requestedJobID) ?? names.problem(with: requestedJobID, as: .job)
                ?? names.moduleShadowProblem(withJobID: requestedJobID, projectModules: functionModules) {
                diagnostics.append(.error(.invalidIdentifier, "invalid --job-id: \(problem)", at: nil,
                                          suggestion: Identifier.suggestion(for: requestedJobID).map { "try --job-id \($0)" }))
            }
            jobID = requestedJobID
        } else {
            jobID = defaultJobID(forFile: source.displayPath, names: names)
            let stem = ((source.displayPath as NSString).lastPathComponent as NSString).deletingPathExtension
            if jobID != stem {
                diagnostics.append(.warning(
                    .importRenamed, "the file name \"\(stem)\" cannot be the job id as it is: the job is '\(jobID)'",
                    at: SourceLocation(file: source.displayPath, line: 1, column: 1),
                    suggestion: "rename the file, or choose the id with --job-id"))
            }
        }
        guard let pipeline, !diagnostics.containsErrors else { return Result(yaml: nil, diagnostics: diagnostics) }
        var builder = JobBuilder(names: IdentifierAllocator(names: names), defaultStepProperties: parameters?.defaultStepProperties)
        let job = builder.job(from: pipeline, jobID: jobID, fileName: (source.displayPath as NSString).lastPathComponent)
        diagnostics += builder.diagnostics.diagnostics
        return Result(yaml: job.yaml, diagnostics: diagnostics)
    }

    /// The file name without its extension, made a job id that is valid on every target and
    /// shadows no Python module (`json.json` → `json_job`).
    public static func defaultJobID(forFile path: String, names: TargetNames = .none) -> String {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var allocator = IdentifierAllocator(names: names, scope: .job)
        let id = allocator.allocate(stem, fallback: "aef_pipeline", prefix: "job", suffix: "_job")
        let shadows = names.moduleShadowProblem(withJobID: id, projectModules: functionModules) != nil
        return shadows ? IdentifierAllocator.fit(id, suffix: "_job") : id
    }

    /// Turns a decoded pipeline into the job, naming groups and tasks.
    private struct JobBuilder {
        var diagnostics = DiagnosticCollector()
        var names: IdentifierAllocator
        /// From the platform parameters: what AEF sent a step without STEP_PROPERTIES.
        var defaultStepProperties: String?

        mutating func job(from pipeline: AEFPipeline, jobID: String, fileName: String) -> ImportedJob {
            var groups: [ImportedJob.Group] = []
            var tasks: [ImportedJob.Task] = []
            var levelKeys: [String] = []
            var threadKeys: [[String]] = []
            // Groups first: they and tasks share one namespace, and group names follow the IDs.
            for (levelIndex, level) in pipeline.levels.enumerated() {
                let levelKey = groupKey("level_", level.id, index: levelIndex, what: "LEVEL_ID")
                levelKeys.append(levelKey)
                groups.append(ImportedJob.Group(
                    key: levelKey, description: "AEF level \(level.id.value)", parent: nil,
                    dependsOn: levelKeys.count > 1 ? [levelKeys[levelKeys.count - 2]] : []))
                var keys: [String] = []
                for (threadIndex, thread) in level.threads.enumerated() {
                    let threadKey = groupKey(levelKey + "_thread_", thread.id, index: threadIndex, what: "THREAD_ID")
                    keys.append(threadKey)
                    groups.append(ImportedJob.Group(
                        key: threadKey, description: "AEF level \(level.id.value), thread \(thread.id.value)", parent: levelKey, dependsOn: []))
                }
                threadKeys.append(keys)
            }
            for (levelIndex, level) in pipeline.levels.enumerated() {
                for (threadIndex, thread) in level.threads.enumerated() {
                    var previous: String?
                    for step in thread.steps {
                        let key = taskKey(for: step)
                        tasks.append(task(key: key, step: step, group: threadKeys[levelIndex][threadIndex], after: previous))
                        previous = key
                    }
                }
            }
            let counts = (levels: pipeline.levels.count, threads: pipeline.levels.reduce(0) { $0 + $1.threads.count }, steps: tasks.count)
            return ImportedJob(
                headerComment: [
                    "Imported by `jobc import aef` from an Analytics Engineering Framework pipeline definition:",
                    "\(plural(counts.levels, "level")), \(plural(counts.threads, "thread")), \(plural(counts.steps, "step")). Levels run in sequence, the threads of a",
                    "level in parallel, the steps of a thread in sequence. AEF keeps schedules outside the",
                    "definition, so this job runs only when triggered until a schedule is added.",
                ],
                jobID: jobID, description: "AEF pipeline \(fileName)", groups: groups, tasks: tasks)
        }

        private func plural(_ count: Int, _ word: String) -> String {
            "\(count) \(word)\(count == 1 ? "" : "s")"
        }

        private func task(key: String, step: AEFPipeline.Step, group: String, after previous: String?) -> ImportedJob.Task {
            var kwargs: [(name: String, value: ImportedJob.Value)] = [
                ("aef_job_id", .string(step.jobID.value)),
                ("job_name", .string(step.jobName.value)),
                ("step_type", .string(step.type.rawValue)),
                ("executor_function", .string(step.executorFunction)),
            ]
            if let status = step.statusFunction { kwargs.append(("status_function", .string(status))) }
            if let wait = step.waitTimeSeconds { kwargs.append(("wait_time_seconds", .integer(wait))) }
            if let timeout = step.asyncTimeoutMinutes { kwargs.append(("async_timeout_minutes", .integer(timeout))) }
            if let properties = step.stepProperties ?? defaultStepProperties { kwargs.append(("step_properties", .string(properties))) }
            return ImportedJob.Task(
                key: key, function: AEFImporter.functionName, secretKey: AEFImporter.secretKey, group: group,
                dependsOn: previous.map { [$0] } ?? [], timeoutSeconds: step.timeoutSeconds, kwargs: kwargs)
        }

        /// `prefix` + the AEF id, made an identifier; a warning when it is not that text exactly.
        private mutating func groupKey(_ prefix: String, _ id: Located<String>, index: Int, what: String) -> String {
            let key = names.allocate(
                prefix + IdentifierAllocator.fragment(id.value, fallback: String(index + 1)), fallback: "group", prefix: "group", suffix: "_group")
            if key != prefix + id.value {
                diagnostics.warning(.importRenamed, "\(what) \"\(id.value)\" is not a portable name: its group is '\(key)'", at: id.location)
            }
            return key
        }

        private mutating func taskKey(for step: AEFPipeline.Step) -> String {
            let name = step.jobName.value
            let key = names.allocate(name, fallback: "step", prefix: "step", suffix: "_step")
            if key != name {
                diagnostics.warning(
                    .importRenamed,
                    "\(step.path).JOB_NAME \"\(name)\" becomes task '\(key)': task keys are lowercase letters, digits and '_', "
                        + "at most \(Identifier.maxLength) characters, unique among tasks and groups; the executor still receives the exact name",
                    at: step.jobName.location)
            }
            return key
        }
    }
}

/// Makes portable identifiers (see `Identifier`) from arbitrary text, each one unique.
struct IdentifierAllocator {
    private let names: TargetNames
    /// Tasks and groups share one namespace: a name is free when neither scope reserves it.
    private let scopes: [ReservedIdentifier.Scope]
    private var taken: Set<String> = []

    init(names: TargetNames, scope: ReservedIdentifier.Scope? = nil) {
        self.names = names
        self.scopes = scope.map { [$0] } ?? [.task, .group]
    }

    private func isUsable(_ name: String) -> Bool {
        scopes.allSatisfy { names.isUsable(name, as: $0) }
    }

    /// `text` as a fresh identifier: sanitised, `prefix_` added when it does not start with a
    /// letter, `suffix` added when it is a reserved word, `_2`, `_3`… when already taken.
    mutating func allocate(_ text: String, fallback: String, prefix: String, suffix: String) -> String {
        var base = Self.fragment(text, fallback: fallback)
        if let first = base.unicodeScalars.first, !("a"..."z").contains(first) { base = prefix + "_" + base }
        base = Self.fit(base, suffix: "")
        if !isUsable(base) { base = Self.fit(base, suffix: suffix) }
        var candidate = base
        var counter = 2
        while taken.contains(candidate) || !isUsable(candidate) {
            candidate = Self.fit(base, suffix: "_\(counter)")
            counter += 1
        }
        taken.insert(candidate)
        return candidate
    }

    /// Lowercase letters and digits kept (accents dropped), every other run of characters one `_`, no `_` at either end.
    static func fragment(_ text: String, fallback: String) -> String {
        var out = ""
        // "Übersicht" → "ubersicht", not "bersicht".
        for scalar in text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, !out.hasSuffix("_") {
                out += "_"
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        return out.isEmpty ? fallback : out
    }

    /// `base` cut so that `base + suffix` fits `Identifier.maxLength` and does not end with `_`.
    static func fit(_ base: String, suffix: String) -> String {
        var cut = String(base.prefix(Identifier.maxLength - suffix.count))
        while cut.hasSuffix("_") { cut.removeLast() }
        return cut + suffix
    }
}

extension AEFImporter: RuleDeclaring {
    /// With the rules of `AEFPipelineDecoder`, which reads the definition for it.
    public static let rules: [RuleID] = [.jsonSyntax, .importNotCarriedOver, .importDuplicateID, .importUnsupported, .importRenamed]
}

extension RuleID {
    public static let jsonSyntax = RuleID(
        "json-syntax", summary: "An imported definition file is not valid JSON (position given).")
    public static let importRenamed = RuleID(
        "import-renamed", summary: "An imported name is not a portable identifier; the job uses the name shown.")
}
