import Foundation

/// Reads a test file (`JobTest`) from its YAML: shape and values, every problem at once, located.
/// What needs the job (task keys, run parameters) is `JobTestCheck`'s.
public enum JobTestDecoder {
    static let topKeys = ["job", "scenarios"]
    static let scenarioKeys = ["logical_date", "params", "stubs", "expect"]
    static let expectKeys = ["tasks", "sql"]
    static let taskExpectationKeys = ["state", "attempts"]
    static let stubKeys = ["fail", "fail_times", "sleep"]
    static let sqlKeys = ["query", "secret", "rows"]
    static let stubForms = "a stub is 'succeed', 'fail', or a mapping of fail_times: N (fail N attempts, then succeed), sleep: SECONDS, fail: true"

    /// The test at `path` (read from disk) with the problems found in it: nil when the job it tests
    /// is unknown, otherwise what could be read (the scenarios without their bad parts), so the
    /// tasks it names can still be checked against the job.
    public static func load(path: String) -> (JobTest?, [Diagnostic]) {
        guard let bytes = try? FileSystem.read(path) else {
            return (nil, [.error(.invalidTest, "cannot read the test file", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        return decode(SourceFile(displayPath: path, bytes: bytes), jobExists: FileSystem.isRegularFile)
    }

    /// The test in `source`; `jobExists` says whether a job path is a file.
    public static func decode(_ source: SourceFile, jobExists: (String) -> Bool) -> (JobTest?, [Diagnostic]) {
        let path = source.displayPath
        let loaded = YAMLLoader().load(source)
        var diagnostics = DiagnosticCollector()
        diagnostics.emit(contentsOf: loaded.diagnostics)
        guard let root = loaded.root else {
            if !loaded.diagnostics.containsErrors {
                diagnostics.error(.invalidTest, "the test file is empty; it needs 'scenarios:'", at: SourceLocation(file: path, line: 1, column: 1))
            }
            return (nil, diagnostics.diagnostics)
        }
        guard let file = MappingReader(root, context: "the test file", diagnostics: &diagnostics) else { return (nil, diagnostics.diagnostics) }
        file.reportUnknownKeys(allowed: topKeys, diagnostics: &diagnostics)

        let folder = (path as NSString).deletingLastPathComponent
        func inFolder(_ name: String) -> String { folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name) }
        var jobPath: String?
        if let node = file.value("job"), let job = MappingReader.string(node, "'job'", diagnostics: &diagnostics) {
            let candidate = job.value.hasPrefix("/") ? job.value : inFolder(job.value)
            if jobExists(candidate) {
                jobPath = candidate
            } else {
                diagnostics.error(.invalidTest, "the job this test is for, \(candidate), does not exist", at: job.location,
                                  suggestion: "name the job file relative to the test file's folder")
            }
        } else if file.value("job") == nil {
            let name = (path as NSString).lastPathComponent
            let stem = JobTest.suffixes.first(where: name.hasSuffix).map { String(name.dropLast($0.count)) } ?? name
            let candidates = [stem + ".yaml", stem + ".yml"].map(inFolder)
            if let found = candidates.first(where: jobExists) {
                jobPath = found
            } else {
                diagnostics.error(.invalidTest, "no job for this test: \(candidates[0]) does not exist", at: root.location,
                                  suggestion: "name the job with 'job: FILE.yaml' (relative to the test file's folder)")
            }
        }

        var scenarios: [JobTestScenario] = []
        if let node = file.require("scenarios", diagnostics: &diagnostics),
           let reader = MappingReader(node, context: "'scenarios'", diagnostics: &diagnostics) {
            if reader.entries.isEmpty {
                diagnostics.error(.invalidTest, "'scenarios' is empty; a test needs at least one", at: node.location)
            }
            for entry in reader.entries {
                if let scenario = decodeScenario(entry, diagnostics: &diagnostics) { scenarios.append(scenario) }
            }
        }
        guard let jobPath else { return (nil, diagnostics.diagnostics) }
        return (JobTest(path: path, jobPath: jobPath, scenarios: scenarios), diagnostics.diagnostics)
    }

    private static func decodeScenario(_ entry: YAMLMappingEntry, diagnostics: inout DiagnosticCollector) -> JobTestScenario? {
        let context = "scenario '\(entry.key)'"
        var scenario = JobTestScenario(name: Located(entry.key, at: entry.keyLocation), logicalDate: nil, params: [], stubs: [], tasks: [], sql: [])
        if case .scalar(let scalar) = entry.value.content, scalar.resolved == .null { return scenario }
        guard let reader = MappingReader(entry.value, context: context, diagnostics: &diagnostics) else { return nil }
        reader.reportUnknownKeys(allowed: scenarioKeys, diagnostics: &diagnostics)
        if let node = reader.value("logical_date") {
            scenario.logicalDate = scalarText(node, "'logical_date' of \(context)", diagnostics: &diagnostics)
        }
        if let node = reader.value("params"), let params = MappingReader(node, context: "'params' of \(context)", diagnostics: &diagnostics) {
            for param in params.entries {
                if let value = scalarText(param.value, "run parameter '\(param.key)'", diagnostics: &diagnostics) {
                    scenario.params.append((Located(param.key, at: param.keyLocation), value.value))
                }
            }
        }
        if let node = reader.value("stubs"), let stubs = MappingReader(node, context: "'stubs' of \(context)", diagnostics: &diagnostics) {
            for stub in stubs.entries {
                if let decoded = decodeStub(stub.value, task: stub.key, diagnostics: &diagnostics) {
                    scenario.stubs.append(.init(task: Located(stub.key, at: stub.keyLocation), stub: decoded))
                }
            }
        }
        if let node = reader.value("expect"), let expect = MappingReader(node, context: "'expect' of \(context)", diagnostics: &diagnostics) {
            expect.reportUnknownKeys(allowed: expectKeys, diagnostics: &diagnostics)
            if let tasksNode = expect.value("tasks"),
               let tasks = MappingReader(tasksNode, context: "'expect.tasks' of \(context)", diagnostics: &diagnostics) {
                for task in tasks.entries {
                    if let expectation = decodeTaskExpectation(task, diagnostics: &diagnostics) { scenario.tasks.append(expectation) }
                }
            }
            if let sqlNode = expect.value("sql"), let items = MappingReader.sequence(sqlNode, "'expect.sql' of \(context)", diagnostics: &diagnostics) {
                scenario.sql = items.compactMap { decodeSQL($0, context: context, diagnostics: &diagnostics) }
            }
        }
        return scenario
    }

    private static func decodeStub(_ node: YAMLNode, task: String, diagnostics: inout DiagnosticCollector) -> TaskStub? {
        if let scalar = node.scalar {
            switch scalar.resolved {
            case .string("succeed"): return TaskStub()
            case .string("fail"): return TaskStub(fail: true)
            default:
                let word: String? = if case .string(let text) = scalar.resolved { text } else { nil }
                diagnostics.error(.invalidTest, "bad stub for task '\(task)': \(word.map { "'\($0)'" } ?? scalar.resolved.kindDescription)", at: node.location,
                                  suggestion: word.flatMap { Suggestions.didYouMean($0, in: ["succeed", "fail"]) } ?? stubForms)
                return nil
            }
        }
        guard case .mapping = node.content, let reader = MappingReader(node, context: "the stub of task '\(task)'", diagnostics: &diagnostics) else {
            diagnostics.error(.invalidTest, "bad stub for task '\(task)': \(node.kindDescription)", at: node.location, suggestion: stubForms)
            return nil
        }
        let before = diagnostics.diagnostics.count
        reader.reportUnknownKeys(allowed: stubKeys, diagnostics: &diagnostics)
        var stub = TaskStub()
        if let value = reader.value("fail").flatMap({ MappingReader.bool($0, "'fail'", diagnostics: &diagnostics) }) { stub.fail = value.value }
        if let value = reader.value("fail_times").flatMap({ MappingReader.integer($0, "'fail_times'", range: 0...1_000, diagnostics: &diagnostics) }) {
            stub.failTimes = value.value
        }
        if let node = reader.value("sleep") {
            switch node.scalar?.resolved {
            case .integer(let seconds) where seconds >= 0: stub.sleepSeconds = Double(seconds)
            case .float(let seconds) where seconds >= 0 && seconds.isFinite: stub.sleepSeconds = seconds
            default:
                diagnostics.error(.invalidTest, "'sleep' must be a number of seconds, at least 0, found \(node.scalar?.text ?? node.kindDescription)", at: node.location)
            }
        }
        if reader.entries.isEmpty {
            diagnostics.error(.invalidTest, "the stub of task '\(task)' is an empty mapping", at: node.location, suggestion: stubForms)
        }
        return diagnostics.diagnostics.count == before ? stub : nil
    }

    private static func decodeTaskExpectation(_ entry: YAMLMappingEntry, diagnostics: inout DiagnosticCollector) -> JobTestScenario.TaskExpectation? {
        let context = "the expectation of task '\(entry.key)'"
        var expectation = JobTestScenario.TaskExpectation(task: Located(entry.key, at: entry.keyLocation))
        if let scalar = entry.value.scalar, case .string = scalar.resolved {
            // `task: success` is short for `task: {state: success}`.
            expectation.state = state(entry.value, diagnostics: &diagnostics)
            return expectation.state == nil ? nil : expectation
        }
        guard let reader = MappingReader(entry.value, context: context, diagnostics: &diagnostics) else { return nil }
        reader.reportUnknownKeys(allowed: taskExpectationKeys, diagnostics: &diagnostics)
        expectation.state = reader.value("state").flatMap { state($0, diagnostics: &diagnostics) }
        expectation.attempts = reader.value("attempts").flatMap { MappingReader.integer($0, "'attempts'", range: 0...1_000, diagnostics: &diagnostics) }
        if reader.entries.isEmpty {
            diagnostics.error(.invalidTest, "\(context) expects nothing", at: entry.value.location, suggestion: "give 'state:', 'attempts:' or both")
        }
        return expectation
    }

    private static func state(_ node: YAMLNode, diagnostics: inout DiagnosticCollector) -> Located<String>? {
        guard let state = MappingReader.string(node, "'state'", diagnostics: &diagnostics) else { return nil }
        guard JobTestScenario.states.contains(state.value) else {
            diagnostics.error(.invalidTest, "unknown task state '\(state.value)'", at: state.location,
                              suggestion: Suggestions.didYouMean(state.value, in: JobTestScenario.states)
                                  ?? "a task's state is one of: \(JobTestScenario.states.joined(separator: ", "))")
            return nil
        }
        return state
    }

    private static func decodeSQL(_ node: YAMLNode, context: String, diagnostics: inout DiagnosticCollector) -> JobTestScenario.SQLExpectation? {
        guard let reader = MappingReader(node, context: "an 'expect.sql' item of \(context)", diagnostics: &diagnostics) else { return nil }
        reader.reportUnknownKeys(allowed: sqlKeys, diagnostics: &diagnostics)
        let query = reader.require("query", diagnostics: &diagnostics).flatMap { MappingReader.string($0, "'query'", diagnostics: &diagnostics) }
        let secret = reader.require("secret", diagnostics: &diagnostics).flatMap { MappingReader.string($0, "'secret'", diagnostics: &diagnostics) }
        var rows: [[String]]? = nil
        if let rowsNode = reader.require("rows", diagnostics: &diagnostics),
           let items = MappingReader.sequence(rowsNode, "'rows'", diagnostics: &diagnostics) {
            rows = []
            for item in items {
                guard let values = MappingReader.sequence(item, "each row of 'rows'", diagnostics: &diagnostics) else { rows = nil; break }
                let texts = values.compactMap { scalarText($0, "each value of a row", diagnostics: &diagnostics)?.value }
                guard texts.count == values.count else { rows = nil; break }
                rows?.append(texts)
            }
            if let value = rows { return query.flatMap { query in secret.map { .init(query: query, secret: $0, rows: Located(value, at: rowsNode.location)) } } }
        }
        return nil
    }

    /// A scalar's text as written (a number, a date, a word); null is `null`.
    private static func scalarText(_ node: YAMLNode, _ what: String, diagnostics: inout DiagnosticCollector) -> Located<String>? {
        guard let scalar = node.scalar else {
            diagnostics.error(.wrongType, "\(what) must be a single value, found \(node.kindDescription)", at: node.location)
            return nil
        }
        if scalar.resolved == .null { return Located("null", at: node.location) }
        return Located(scalar.text, at: node.location)
    }
}

extension JobTestDecoder: RuleDeclaring {
    public static let rules: [RuleID] = [.invalidTest, .testExpectation]
}

extension RuleID {
    public static let invalidTest = RuleID(
        "invalid-test", summary: "A job's test file (*.test.yaml) is malformed: unknown key, task, state or stub, or no job to test.")
    public static let testExpectation = RuleID(
        "test-expectation", summary: "A `jobc test` scenario ended otherwise than its test file expects.")
}
