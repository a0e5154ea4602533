import Foundation
import JobcCore
import JobcEmitters

/// What one fuzz input goes through: everything jobc does with a job file short of writing files.
/// A crash, a hang or a broken invariant (`require`) is a finding; diagnostics are the expected way
/// to refuse bad input.
struct FuzzHarness: Sendable {
    let project: FuzzProject
    let pipeline = Pipeline(targets: BuiltinEmitters.all)

    /// The input as a job file; inputs that mention `module` also as a function contract (see
    /// `compileContract`), so one corpus and one dictionary cover both file kinds.
    /// Returns what became of the input, for `jobc-fuzz FILE` to print.
    @discardableResult
    func run(_ bytes: [UInt8]) -> String {
        var summary = compileJob(bytes, in: project.jobProject, displayPath: "jobs/fuzz.yaml")
        if bytes.count < 4096, bytes.containsSubsequence(Array("module".utf8)) {
            summary += "; as a contract: " + compileContract(bytes)
        }
        return summary + "; as SQL: " + analyzeSQL(bytes)
    }

    /// The input as a SQL file a task runs: libpg_query on hostile bytes, and the positions and
    /// lineage it reports.
    private func analyzeSQL(_ bytes: [UInt8]) -> String {
        let analysis = SQLAnalyzer.analyzePostgreSQL(bytes)
        let lines = bytes.count(where: { $0 == UInt8(ascii: "\n") }) + 1
        let positions = analysis.problems.map(\.position) + analysis.parameters.map(\.position)
            + (analysis.reads + analysis.writes).map(\.position)
        for position in positions {
            require(position.line >= 1 && position.line <= lines && position.column >= 1, "SQL position \(position) outside the input")
        }
        for uses in [analysis.reads, analysis.writes] {
            let names = uses.map(\.table)
            require(names == names.sorted() && Set(names).count == names.count, "SQL tables not sorted and unique: \(names)")
        }
        return "\(analysis.statementCount) statements, \(analysis.problems.count) problems, \(analysis.reads.count) reads, \(analysis.writes.count) writes"
    }

    private func compileJob(_ bytes: [UInt8], in project: Project, displayPath: String) -> String {
        let source = SourceFile(displayPath: displayPath, bytes: bytes)
        let result = pipeline.frontEnd(source, project: project, sourcePath: displayPath)
        render(result.diagnostics, source: source)
        guard let graph = result.graph else {
            let errors = result.diagnostics.filter { $0.severity == .error }.sortedByLocation()
            return "\(errors.count) errors" + (errors.first.map { ", first: \($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message) [\($0.rule)]" } ?? "")
        }
        require(!result.diagnostics.containsErrors, "a graph was built despite errors: \(result.diagnostics)")
        render(pipeline.checkTargets(graph, BuiltinEmitters.all), source: source)
        require(Set(graph.tasks.map(\.key)).count == graph.tasks.count, "duplicate task keys in the IR")
        let position = Dictionary(uniqueKeysWithValues: graph.tasks.enumerated().map { ($1.key, $0) })
        for edge in graph.edges {
            guard let source = position[edge.source], let target = position[edge.target] else {
                require(false, "edge \(edge) names a task that is not in the IR")
                continue
            }
            require(source < target, "tasks are not in topological order: \(edge)")
        }
        var placedGroups = Set<String>()
        for group in graph.groups {
            require(group.parent.map(placedGroups.contains) ?? true, "group '\(group.key)' comes before its parent")
            placedGroups.insert(group.key)
        }
        for task in graph.tasks {
            require(task.group.map(placedGroups.contains) ?? true, "task '\(task.key)' is in an unknown group")
            if let forEach = task.forEach {
                require(!forEach.items.isEmpty, "fan-out of '\(task.key)' has no item")
                require(!task.parameters.contains { $0.key == forEach.parameter }, "fan-out parameter also in the kwargs of '\(task.key)'")
            }
        }
        _ = graph.json.rendered()
        _ = graph.dot
        _ = graph.mermaid
        var files = 0
        var outputs: [[Artifact]] = []
        for emitter in BuiltinEmitters.all {
            let output = emitter.emit(graph, context: EmitContext())
            outputs.append(output.artifacts)
            render(output.diagnostics, source: source)
            for artifact in output.artifacts {
                require(Self.isSafeRelativePath(artifact.relativePath), "\(emitter.name) artifact path '\(artifact.relativePath)'")
                require(!artifact.contents.isEmpty, "\(emitter.name) wrote an empty \(artifact.relativePath)")
            }
            if !output.diagnostics.containsErrors {
                require(!output.artifacts.isEmpty, "\(emitter.name) produced no files and no error")
            }
            files += output.artifacts.count
        }
        // `jobc compile --check` diffs committed files (any text) against generated ones.
        if let generated = outputs.first?.first {
            _ = UnifiedDiff.render(old: String(decoding: bytes, as: UTF8.self), new: generated.contents, oldName: "a", newName: "b")
        }
        // The same bytes named by another path from another working directory: the same IR and the
        // same files.
        let again = pipeline.frontEnd(SourceFile(displayPath: "../elsewhere/" + displayPath, bytes: bytes), project: project, sourcePath: displayPath)
        require(again.graph?.json.rendered() == graph.json.rendered(), "the IR depends on the path the job was named by")
        if let graph = again.graph {
            for (emitter, artifacts) in zip(BuiltinEmitters.all, outputs) {
                require(emitter.emit(graph, context: EmitContext()).artifacts == artifacts, "\(emitter.name) output is not deterministic")
            }
        }
        return "\(graph.tasks.count) tasks, \(files) files"
    }

    /// The input as the only contract of a project, then a job that calls each function it defines
    /// with one value of each declared parameter's type: contract decoding, then the contract
    /// rule and the emitters with whatever module and class names the contract got through with.
    private func compileContract(_ bytes: [UInt8]) -> String {
        let path = project.contractRoot + "/" + FuzzProject.contractFile
        require(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
        let (contractProject, diagnostics) = Project.open(root: project.contractRoot)
        render(diagnostics, source: SourceFile(displayPath: FuzzProject.contractFile, bytes: bytes))
        var summaries = ["\(diagnostics.filter { $0.severity == .error }.count) contract errors"]
        for name in contractProject.functions.names.prefix(4) {
            guard let contract = contractProject.functions[name] else { continue }
            let kwargs = contract.parameters.map { parameter in
                YAMLLiteral.string(parameter.name) + ": " + Self.sample(of: parameter.type)
            }
            let job = """
                job_id: contract_probe
                tasks:
                  probe:
                    function: \(YAMLLiteral.string(name))
                    \(contract.secret == .none ? "" : "secret_key: postgres_credentials")
                    kwargs: {\(kwargs.joined(separator: ", "))}
                """
            summaries.append(name + ": " + compileJob(Array(job.utf8), in: contractProject, displayPath: "jobs/contract_probe.yaml"))
        }
        return summaries.joined(separator: ", ")
    }

    private static func sample(of type: ParameterContract.ValueType) -> String {
        switch type {
        case .string: return "\"text\""
        case .integer: return "7"
        case .number: return "2.5"
        case .boolean: return "true"
        case .list: return "[1, \"two\", [3]]"
        case .mapping: return "{\"a\": {\"b\": null}}"
        case .any: return "null"
        case .path: return "\"\(FuzzProject.contractFile)\""
        }
    }

    /// Every format a diagnostic can be printed in, quoting lines of the input.
    private func render(_ diagnostics: [Diagnostic], source: SourceFile) {
        guard !diagnostics.isEmpty else { return }
        let renderer = DiagnosticRenderer(lineLookup: { _, line in source.line(line) })
        for diagnostic in diagnostics {
            require(!renderer.render(diagnostic).isEmpty, "empty rendering of \(diagnostic)")
        }
        let report = DiagnosticReport(diagnostics: diagnostics, filesChecked: 1)
        _ = JSONDiagnostics.render(report)
        _ = GitHubAnnotations.render(report)
        _ = SARIFLog.render(report)
    }

    private static func isSafeRelativePath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.contains("\\") && !path.contains("\0")
            && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// An invariant of jobc broken by this input: report it and abort, so libFuzzer saves the input.
    private func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        guard !condition() else { return }
        FileHandle.standardError.write(Data("jobc-fuzz: invariant broken: \(message())\n".utf8))
        abort()
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { start in self[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
