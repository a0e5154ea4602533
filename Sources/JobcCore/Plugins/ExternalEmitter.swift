/// A target served by an external executable speaking the plugin protocol (docs/plugins.md): the
/// same `Emitter` interface as the built-in targets, so the rest of jobc cannot tell them apart.
public struct ExternalEmitter: Emitter {
    public let reference: PluginReference
    public let summary: String
    public let capabilities: TargetCapabilities

    /// Larger answers are refused: a plugin printing garbage in a loop must not exhaust memory.
    static let outputLimit = 64 << 20

    public var name: String { reference.name }

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Asks the plugin for its capabilities; a plugin that cannot answer cannot be used.
    public static func load(_ reference: PluginReference) throws(LoadError) -> ExternalEmitter {
        let result: PluginProcess.Result
        do {
            result = try process(reference, arguments: ["--capabilities"]).run(stdin: [])
        } catch {
            throw LoadError(description: "plugin \(reference.executable) cannot start: \(error)")
        }
        if let failure = failure(of: result, timeoutSeconds: reference.timeoutSeconds) {
            throw LoadError(description: "plugin \(reference.executable) --capabilities \(failure)" + stderrTail(result).map { "\n  " + $0 }.joined())
        }
        do {
            let answer = try PluginProtocol.decodeCapabilities(result.stdout)
            return ExternalEmitter(reference: reference, summary: answer.summary, capabilities: answer.capabilities)
        } catch {
            throw LoadError(description: "plugin \(reference.executable) --capabilities answered outside the protocol: \(error)")
        }
    }

    public func emit(_ graph: JobGraph, context: EmitContext) -> EmitterOutput {
        let arguments = context.options.given.keys.sorted().flatMap { ["--option", "\($0)=\(context.options.given[$0]!)"] }
        let input = Array(graph.json.rendered().utf8)
        let result: PluginProcess.Result
        do {
            result = try Self.process(reference, arguments: arguments).run(stdin: input)
        } catch {
            return failed(graph, "cannot start: \(error)", result: nil)
        }
        if let failure = Self.failure(of: result, timeoutSeconds: reference.timeoutSeconds) {
            return failed(graph, failure, result: result)
        }
        let response: PluginProtocol.Response
        do {
            response = try PluginProtocol.decodeResponse(result.stdout)
        } catch {
            return failed(graph, "answered outside the protocol: \(error)", result: result)
        }
        return EmitterOutput(artifacts: response.files, diagnostics: response.diagnostics.map { locate($0, in: graph) })
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

    private func failed(_ graph: JobGraph, _ reason: String, result: PluginProcess.Result?) -> EmitterOutput {
        let notes = result.map { Self.stderrTail($0).map { Diagnostic.Note("plugin stderr: \($0)") } } ?? []
        return EmitterOutput(artifacts: [], diagnostics: [.error(
            .pluginFailed, "target '\(name)': plugin \(reference.executable) \(reason)", at: jobLocation(graph),
            notes: notes, suggestion: "nothing was written for this job; see docs/plugins.md for the protocol")])
    }

    private func jobLocation(_ graph: JobGraph) -> SourceLocation {
        graph.job.sources.fileStart
    }

    private static func process(_ reference: PluginReference, arguments: [String]) -> PluginProcess {
        PluginProcess(
            executable: reference.executable, arguments: arguments,
            extraEnvironment: ["JOBC_PLUGIN_PROTOCOL": String(PluginProtocol.version), "JOBC_VERSION": JobcVersion.current],
            timeoutSeconds: Double(reference.timeoutSeconds), outputLimit: outputLimit)
    }

    private static func failure(of result: PluginProcess.Result, timeoutSeconds: Int) -> String? {
        switch result.termination {
        case .exited(0): return nil
        case .exited(let status): return "exited with status \(status)"
        case .signalled(let signal): return "was killed by signal \(signal)\(signal == 9 ? " (SIGKILL)" : signal == 11 ? " (SIGSEGV)" : "")"
        case .timedOut: return "did not finish within \(timeoutSeconds) s and was killed (set timeout_seconds in jobc.yaml if it needs longer)"
        case .outputTooLarge: return "printed more than \(outputLimit >> 20) MiB and was killed"
        }
    }

    /// The last lines the plugin wrote to stderr: usually its traceback or error message.
    static func stderrTail(_ result: PluginProcess.Result, lines: Int = 10) -> [String] {
        let text = String(decoding: result.stderr, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).map(String.init)
    }
}
