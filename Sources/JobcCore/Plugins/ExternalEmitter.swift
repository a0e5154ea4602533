import Foundation

/// A target served by an external executable speaking the plugin protocol (docs/plugins.md): the
/// same `Emitter` interface as the built-in targets, so the rest of jobc cannot tell them apart.
/// What the plugin declares in its capabilities (reserved names, job module, options) is applied by
/// the core exactly as a built-in target's declarations are.
public struct ExternalEmitter: Emitter {
    public let reference: PluginReference
    /// The protocol version the plugin chose: 2 compiles a run's jobs in one process, 1 one job per process.
    public let protocolVersion: Int
    public let summary: String
    public let capabilities: TargetCapabilities
    public let reservedIdentifiers: [ReservedIdentifier]
    public let jobModule: JobModuleNaming?
    public let options: [TargetOption]
    /// The compile process started beside the `--capabilities` call (`load(_:startingACompile:)`),
    /// until a batch takes it.
    private let startedAhead = StartedAhead()

    public var name: String { reference.name }

    /// A version 1 plugin cannot declare its options: each `--option` reaches it unchecked.
    public var acceptsUndeclaredOptions: Bool { protocolVersion < 2 }

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Asks the plugin for its capabilities; a plugin that cannot answer cannot be used.
    /// `startingACompile`: the run will compile, so the compile process is started at once, beside
    /// the `--capabilities` call, expecting the newest version: its interpreter and modules load while
    /// jobc waits for the capabilities and reads the jobs. A plugin that chooses version 1 has it stopped.
    public static func load(_ reference: PluginReference, startingACompile: Bool = false) throws(LoadError) -> ExternalEmitter {
        let ahead = startingACompile ? try? compileProcess(reference, version: PluginProtocol.version).start() : nil
        let allowance = PluginAllowance(jobs: nil, timeoutSeconds: reference.timeoutSeconds)
        let result: PluginProcess.Result
        do {
            result = try process(reference, arguments: ["--capabilities"], version: PluginProtocol.version, allowance: allowance).run(stdin: [])
        } catch {
            ahead?.stop()
            throw LoadError(description: "plugin \(reference.executable) cannot start: \(error)")
        }
        if let failure = allowance.failure(of: result) {
            ahead?.stop()
            throw LoadError(description: "plugin \(reference.executable) --capabilities \(failure)" + stderrTail(result).map { "\n  " + $0 }.joined())
        }
        let answer: PluginProtocol.Capabilities
        do {
            answer = try PluginProtocol.decodeCapabilities(result.stdout)
        } catch {
            ahead?.stop()
            throw LoadError(description: "plugin \(reference.executable) --capabilities answered outside the protocol: \(error)")
        }
        let emitter = ExternalEmitter(
            reference: reference, protocolVersion: answer.protocolVersion, summary: answer.summary,
            capabilities: answer.capabilities, reservedIdentifiers: answer.reservedIdentifiers,
            jobModule: answer.jobModule, options: answer.options)
        if answer.protocolVersion == PluginProtocol.version {
            emitter.startedAhead.keep(ahead)
        } else {
            ahead?.stop()
        }
        return emitter
    }

    /// Version 2: a batch of one job. Version 1: a process for the job.
    public func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
        protocolVersion >= 2 ? emit([graph], context: context)[0] : emitInItsOwnProcess(graph, context: context)
    }

    /// Version 2: one process for every job of the run, started with the run and sent each job as
    /// soon as it is checked. Version 1: nil, so each job is emitted in a process of its own.
    public func startBatch(context: EmitContext) -> (any EmitBatch)? {
        guard protocolVersion >= 2 else { return nil }
        return PluginBatch(plugin: self, started: startedAhead.take(), options: optionValues(context.options))
    }

    /// The process of a version 2 batch; its deadline and output limit are set when the request is
    /// complete (`PluginProcess.Started.finish`).
    fileprivate static func compileProcess(_ reference: PluginReference, version: Int) -> PluginProcess {
        process(reference, arguments: [], version: version, allowance: PluginAllowance(jobs: nil, timeoutSeconds: reference.timeoutSeconds))
    }

    /// The answers of a version 2 process for `graphs`, checked job by job, so a job whose answer
    /// breaks the protocol writes nothing while the others stand.
    fileprivate func outputs(of result: PluginProcess.Result, for graphs: [JobGraph], allowance: PluginAllowance) -> [EmitterOutput] {
        if let failure = allowance.failure(of: result) {
            return graphs.map { failed($0, failure, result: result) }
        }
        let answers: [Result<PluginProtocol.JobAnswer, PluginProtocol.Violation>]
        do {
            answers = try PluginProtocol.decodeAnswers(result.stdout, jobIDs: graphs.map(\.job.id))
        } catch {
            return graphs.map { failed($0, "answered outside the protocol: \(error)", result: result) }
        }
        return zip(graphs, answers).map { graph, answer in
            switch answer {
            case .success(let answer): return output(answer, for: graph)
            case .failure(let violation): return failed(graph, "answered outside the protocol for this job: \(violation)", result: nil)
            }
        }
    }

    private func emitInItsOwnProcess(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
        let arguments = context.options.given.keys.sorted().flatMap { ["--option", "\($0)=\(context.options.given[$0]!)"] }
        let allowance = PluginAllowance(jobs: nil, timeoutSeconds: reference.timeoutSeconds)
        let result: PluginProcess.Result
        do {
            result = try Self.process(reference, arguments: arguments, version: 1, allowance: allowance).run(stdin: Array(graph.json.rendered().utf8))
        } catch {
            return failed(graph, "cannot start: \(error)", result: nil)
        }
        if let failure = allowance.failure(of: result) {
            return failed(graph, failure, result: result)
        }
        do {
            return output(try PluginProtocol.decodeVersion1Answer(result.stdout), for: graph)
        } catch {
            return failed(graph, "answered outside the protocol: \(error)", result: result)
        }
    }

    /// The run's option values (defaults filled in), typed as declared, by name.
    private func optionValues(_ values: TargetOptionValues) -> [(String, JSONValue)] {
        options.sorted { $0.name < $1.name }.compactMap { option in
            values[option.name].map { value in
                switch option.type {
                case .string: return (option.name, .string(value))
                case .integer: return (option.name, Int(value).map(JSONValue.integer) ?? .string(value))
                case .boolean: return (option.name, .bool(value == "true"))
                }
            }
        }
    }

    private func output(_ answer: PluginProtocol.JobAnswer, for graph: JobGraph) -> EmitterOutput {
        EmitterOutput(artifacts: answer.files, diagnostics: answer.diagnostics.map { locate($0, in: graph) })
    }

    /// A plugin names tasks by key; jobc turns the key into the task's place in the job file.
    private func locate(_ reported: PluginProtocol.ReportedDiagnostic, in graph: JobGraph) -> Diagnostic {
        let task = reported.taskKey.flatMap { key in graph.tasks.first { $0.key == key } }
        let location = task?.sources.key ?? jobLocation(graph)
        var notes: [Diagnostic.Note] = []
        if let key = reported.taskKey, task == nil {
            notes.append(Diagnostic.Note("the plugin named task \(PluginProtocol.quoted(key)), which this job does not have"))
        }
        return Diagnostic(
            reported.severity, .targetUnsupported, "\(name): \(reported.message)", at: location,
            notes: notes, suggestion: reported.suggestion)
    }

    fileprivate func failed(_ graph: JobGraph, _ reason: String, result: PluginProcess.Result?) -> EmitterOutput {
        let notes = result.map { Self.stderrTail($0).map { Diagnostic.Note("plugin stderr: \($0)") } } ?? []
        return EmitterOutput(artifacts: [], diagnostics: [.error(
            .pluginFailed, "target '\(name)': plugin \(reference.executable) \(reason)", at: jobLocation(graph),
            notes: notes, suggestion: "nothing was written for this job; see docs/plugins.md for the protocol")])
    }

    private func jobLocation(_ graph: JobGraph) -> SourceLocation {
        graph.job.sources.fileStart
    }

    private static func process(_ reference: PluginReference, arguments: [String], version: Int, allowance: PluginAllowance) -> PluginProcess {
        PluginProcess(
            executable: reference.executable, arguments: arguments,
            extraEnvironment: [
                "JOBC_PLUGIN_PROTOCOL": String(version), "JOBC_VERSION": JobcVersion.current,
                // The feature names this jobc knows: a plugin declares no other (jobc refuses an
                // unknown one), so a plugin newer than jobc keeps working.
                "JOBC_FEATURES": TargetCapabilities.Feature.allCases.map(\.rawValue).joined(separator: ","),
            ],
            timeoutSeconds: Double(allowance.seconds), outputLimit: allowance.outputLimit)
    }

    /// The last lines the plugin wrote to stderr: usually its traceback or error message.
    static func stderrTail(_ result: PluginProcess.Result, lines: Int = 10) -> [String] {
        let text = String(decoding: result.stderr, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).map(String.init)
    }
}

/// How long one plugin process may run and how much it may print: a call's `timeout_seconds` and
/// 64 MiB, and for a version 2 batch one more second and 64 MiB per job (at most 2 GiB in all), so
/// a large run is not cut short while a plugin printing garbage in a loop cannot exhaust memory.
struct PluginAllowance {
    static let secondsPerJob = 1
    static let outputPerJob = 64 << 20
    static let outputPerRun = 2 << 30

    /// The jobs of a version 2 batch; nil for a process that answers for one job or for itself.
    let jobs: Int?
    let timeoutSeconds: Int

    var seconds: Int { timeoutSeconds + (jobs ?? 0) * Self.secondsPerJob }
    var outputLimit: Int { min(max(jobs ?? 1, 1) * Self.outputPerJob, Self.outputPerRun) }

    func failure(of result: PluginProcess.Result) -> String? {
        switch result.termination {
        case .exited(0): return nil
        case .exited(let status): return "exited with status \(status)"
        case .signalled(let signal): return "was killed by signal \(signal)\(signal == 9 ? " (SIGKILL)" : signal == 11 ? " (SIGSEGV)" : "")"
        case .timedOut:
            let budget = jobs.map { " (timeout_seconds \(timeoutSeconds), plus \(Self.secondsPerJob) s for each of its \($0) job\($0 == 1 ? "" : "s"))" } ?? ""
            return "did not finish within \(seconds) s\(budget) and was killed (set timeout_seconds in jobc.yaml if it needs longer)"
        case .outputTooLarge: return "printed more than \(outputLimit >> 20) MiB and was killed"
        }
    }
}

extension ExternalEmitter: RuleDeclaring {
    public static let rules: [RuleID] = [.pluginFailed]
}

extension RuleID {
    public static let pluginFailed = RuleID(
        "plugin-failed",
        summary: "An external emitter crashed, timed out, or answered outside the plugin protocol (docs/plugins.md).")
}

/// A version 2 run: the plugin's process starts with the batch, so its interpreter and modules load
/// while jobc checks the jobs, and it is sent the request as the run goes (`PluginProtocol.
/// CompileRequest`): each job's IR rendered on the thread that checked it, written in the run's order.
private final class PluginBatch: EmitBatch, @unchecked Sendable {
    private let plugin: ExternalEmitter
    private let process: Result<PluginProcess.Started, PluginProcess.LaunchError>
    private let lock = NSLock()
    /// Jobs that came while a job ahead of them had not: their IR and its request text (nil: the
    /// position has no job for the target).
    private var waiting: [Int: (graph: JobGraph, text: [UInt8])?] = [:]
    private var nextPosition = 0
    /// The jobs sent, in order: the answers are theirs.
    private var sent: [JobGraph] = []
    /// The request's start, sent with the first job: a run with no job for the plugin sends nothing.
    private let head: [UInt8]

    /// `started`: the process, when one was started ahead of the run.
    init(plugin: ExternalEmitter, started: PluginProcess.Started?, options: [(String, JSONValue)]) {
        self.plugin = plugin
        if let started {
            process = .success(started)
        } else {
            process = Result { () throws(PluginProcess.LaunchError) in
                try ExternalEmitter.compileProcess(plugin.reference, version: plugin.protocolVersion).start()
            }
        }
        head = PluginProtocol.CompileRequest.head(options: options)
    }

    func add(_ graph: JobGraph?, at position: Int) {
        let job = graph.map { ($0, PluginProtocol.CompileRequest.job($0)) }
        lock.withLock {
            waiting[position] = .some(job)
            while let next = waiting.removeValue(forKey: nextPosition) {
                nextPosition += 1
                guard let (graph, text) = next else { continue }
                if case .success(let started) = process {
                    started.send((sent.isEmpty ? head : PluginProtocol.CompileRequest.separator) + text)
                }
                sent.append(graph)
            }
        }
    }

    func finish() -> [EmitterOutput] {
        let (graphs, complete) = lock.withLock { (sent, waiting.isEmpty) }
        precondition(complete, "a position was not added")
        let started: PluginProcess.Started
        switch process {
        case .success(let process): started = process
        case .failure(let error): return graphs.map { plugin.failed($0, "cannot start: \(error)", result: nil) }
        }
        guard !graphs.isEmpty else {
            started.stop()
            return []
        }
        let allowance = PluginAllowance(jobs: graphs.count, timeoutSeconds: plugin.reference.timeoutSeconds)
        started.send(PluginProtocol.CompileRequest.tail)
        let result = started.finish(timeoutSeconds: Double(allowance.seconds), outputLimit: allowance.outputLimit)
        return plugin.outputs(of: result, for: graphs, allowance: allowance)
    }
}

/// A process started before it is needed, kept until taken; one never taken is stopped when the
/// last copy of its emitter goes (a run that ends before it compiles, on a usage error say).
private final class StartedAhead: @unchecked Sendable {
    private let lock = NSLock()
    private var started: PluginProcess.Started?

    func keep(_ process: PluginProcess.Started?) {
        lock.withLock { started = process }
    }

    func take() -> PluginProcess.Started? {
        lock.withLock {
            defer { started = nil }
            return started
        }
    }

    deinit {
        started?.stop()
    }
}
