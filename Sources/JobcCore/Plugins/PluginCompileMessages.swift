import Foundation

extension PluginProtocol {
    /// What a plugin answered for one job: its files, and diagnostics by task key.
    public struct JobAnswer: Sendable {
        public var files: [Artifact]
        public var diagnostics: [ReportedDiagnostic]
    }

    /// A diagnostic as a plugin reports it: by task key, not by file position.
    public struct ReportedDiagnostic: Sendable, Equatable {
        public var severity: Diagnostic.Severity
        public var message: String
        public var taskKey: String?
        public var suggestion: String?
    }

    /// The version 2 compile request, `{"protocolVersion":2,"options":{…},"jobs":[IR,…]}`, in the
    /// pieces jobc writes as a run goes: each job's IR (exactly what `jobc ir` prints, compact) once
    /// the job is checked, in the run's order, the head before the first, and the tail when the
    /// run's last job is checked. A plugin may read it whole or job by job.
    enum CompileRequest {
        static func head(options: [(String, JSONValue)]) -> [UInt8] {
            Array((#"{"protocolVersion":\#(version),"options":"# + JSONValue.object(options).rendered(indent: nil) + #","jobs":["#).utf8)
        }

        static func job(_ graph: JobGraph) -> [UInt8] {
            Array(graph.json.rendered(indent: nil).utf8)
        }

        /// Between two jobs.
        static let separator: [UInt8] = Array(",".utf8)
        static let tail: [UInt8] = Array("]}\n".utf8)
    }

    /// Version 1: the whole stdout is the answer for the one job.
    public static func decodeVersion1Answer(_ bytes: [UInt8]) throws(Violation) -> JobAnswer {
        try jobAnswer(topLevelObject(bytes, expecting: 1).object, at: "", jobID: nil)
    }

    /// Version 2: one answer per job of `jobIDs`, in that order. A problem with the output as a whole
    /// (not JSON, another version, another number of answers) throws: no answer can be trusted. A
    /// problem inside one job's answer fails that job alone.
    public static func decodeAnswers(_ bytes: [UInt8], jobIDs: [String]) throws(Violation) -> [Result<JobAnswer, Violation>] {
        let object = try topLevelObject(bytes, expecting: 2).object
        guard let jobs = object["jobs"]?.array else { throw Violation("'jobs' must be a list") }
        guard jobs.count == jobIDs.count else {
            throw Violation("'jobs' holds \(jobs.count) answer\(jobs.count == 1 ? "" : "s") for \(jobIDs.count) job\(jobIDs.count == 1 ? "" : "s") (one answer per job, in the order of the request)")
        }
        return zip(jobs, jobIDs).enumerated().map { index, pair in
            Result { () throws(Violation) in
                try jobAnswer(jsonObject(pair.0, at: "jobs[\(index)]"), at: "jobs[\(index)].", jobID: pair.1)
            }
        }
    }

    /// `{"files", "diagnostics"}` (and in version 2 an optional `job`, the id it answers for).
    private static func jobAnswer(_ object: LocatedJSON, at prefix: String, jobID: String?) throws(Violation) -> JobAnswer {
        if let jobID, let named = try optionalString(object, "job", at: prefix), named != jobID {
            throw Violation("'\(prefix)job' is \(quoted(named)), but that answer is for job \(quoted(jobID)) (answers come in the order of the request)")
        }
        guard let files = object["files"]?.array else { throw Violation("'\(prefix)files' must be a list") }
        var artifacts: [Artifact] = []
        var seen: Set<String> = []
        for (index, entry) in files.enumerated() {
            let field = "\(prefix)files[\(index)]"
            let file = try jsonObject(entry, at: field)
            let path = try requiredString(file, "path", at: field + ".")
            let content = try requiredString(file, "content", at: field + ".")
            guard OutputWriter.isSafe(path) else {
                throw Violation("'\(field).path' \(quoted(path)) is not a safe relative path (no absolute path, '.', '..', empty segment, backslash or NUL)")
            }
            guard seen.insert(path).inserted else { throw Violation("'\(prefix)files' lists \(quoted(path)) twice") }
            artifacts.append(Artifact(relativePath: path, contents: content))
        }
        // Checked here, before anything is written, so the job fails as a whole.
        if let problem = OutputWriter.layoutProblem(artifacts.map(\.relativePath)) { throw Violation("'\(prefix)files': \(problem)") }
        let diagnostics = try optionalList(object, "diagnostics", at: prefix).enumerated().map { index, entry throws(Violation) in
            try diagnostic(entry, at: "\(prefix)diagnostics[\(index)]")
        }
        return JobAnswer(files: artifacts, diagnostics: diagnostics)
    }

    private static func diagnostic(_ entry: LocatedJSON, at field: String) throws(Violation) -> ReportedDiagnostic {
        let object = try jsonObject(entry, at: field)
        let severityName = try requiredString(object, "severity", at: field + ".")
        guard let severity = Diagnostic.Severity(rawValue: severityName) else {
            throw Violation("'\(field).severity' must be \"error\" or \"warning\", got \(quoted(severityName))")
        }
        return ReportedDiagnostic(
            severity: severity, message: try requiredString(object, "message", at: field + "."),
            taskKey: try optionalString(object, "task", at: field + "."),
            suggestion: try optionalString(object, "suggestion", at: field + "."))
    }
}
