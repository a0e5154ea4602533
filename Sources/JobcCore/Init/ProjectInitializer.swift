import Foundation

/// What `jobc init` does to a folder: in one with no job, a working project (a sample job, its SQL,
/// the standard functions, a secret with placeholder values, `jobc.yaml`, pre-commit and CI
/// examples); in an existing repository, `jobc.yaml` naming the folders `LayoutDetector` found and
/// the standard functions the jobs use but the project lacks. Never overwrites a file.
public struct ProjectInitializer {
    /// One file `init` would write, relative to the root, and why.
    public struct PlannedFile: Sendable, Equatable {
        public var path: String
        public var text: String
        public var reason: String
    }

    public struct Plan: Sendable {
        public var layout: ProjectLayout
        /// True when the folder held job files already.
        public var existingProject: Bool
        public var write: [PlannedFile]
        /// Files init would have written that are there already, left as they are.
        public var kept: [PlannedFile]
    }

    public let root: String

    public init(root: String) {
        self.root = FileSystem.realPath(root) ?? FileSystem.absolute(root)
    }

    public func plan() -> Plan {
        var files: [PlannedFile] = []
        let layout: ProjectLayout
        let existing: Bool
        if let findings = LayoutDetector(root: root).detect() {
            existing = true
            layout = findings.layout
            files.append(PlannedFile(path: JobcConfig.fileName, text: Self.config(layout), reason: "where this repository keeps jobs, SQL, functions and secrets"))
            for name in findings.functions {
                guard let standard = StandardFunctions.named(name) else { continue }
                files += functionFiles(standard, layout, reason: "\(name), used by the jobs")
            }
        } else {
            existing = false
            layout = .standard
            files.append(PlannedFile(path: JobcConfig.fileName, text: Self.config(layout), reason: "the project's folders"))
            files.append(PlannedFile(path: layout.jobs + "/" + Self.sampleJobID + ".yaml", text: Self.sampleJob(layout), reason: "a sample job"))
            files.append(PlannedFile(path: layout.sql + "/" + Self.sampleJobID + ".sql", text: Self.sampleSQL, reason: "the sample job's SQL"))
            for standard in StandardFunctions.all {
                files += functionFiles(standard, layout, reason: "\(standard.name), a function jobc ships")
            }
            files.append(PlannedFile(
                path: layout.secrets + "/postgres_credentials.json", text: Self.placeholderSecret(for: "PostgreSQLFunction"),
                reason: "the sample job's secret, placeholder values to replace"))
            files.append(PlannedFile(path: ".pre-commit-config.yaml", text: Self.preCommit, reason: "a pre-commit hook running jobc lint"))
            files.append(PlannedFile(path: ".github/workflows/jobc.yml", text: Self.continuousIntegration, reason: "a GitHub Actions workflow running jobc lint"))
        }
        var seen = Set<String>()
        files = files.filter { seen.insert($0.path).inserted }
        let kept = files.filter { FileSystem.exists(root + "/" + $0.path) || FileSystem.isSymbolicLink(root + "/" + $0.path) }
        let keptPaths = Set(kept.map(\.path))
        return Plan(layout: layout, existingProject: existing, write: files.filter { !keptPaths.contains($0.path) }, kept: kept)
    }

    /// Writes each planned file, creating its folders; a file that appeared since the plan is left
    /// alone (never overwritten) and returned.
    public func write(_ plan: Plan) throws -> (written: [PlannedFile], kept: [PlannedFile]) {
        var written: [PlannedFile] = []
        var kept: [PlannedFile] = []
        for file in plan.write {
            let path = root + "/" + file.path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // O_EXCL: never replace what is there, even a file made a moment ago.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            guard descriptor >= 0 else {
                if errno == EEXIST { kept.append(file); continue }
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            let bytes = Array(file.text.utf8)
            let count = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            guard count == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
            written.append(file)
        }
        return (written, kept)
    }

    private func functionFiles(_ function: StandardFunction, _ layout: ProjectLayout, reason: String) -> [PlannedFile] {
        function.files.map { file in
            let what = file == StandardFunctions.base ? "the base class every function derives from" : reason
            return PlannedFile(path: layout.functions + "/" + file.fileName, text: file.text, reason: what)
        }
    }

    static let sampleJobID = "example_daily_copy"

    static func config(_ layout: ProjectLayout) -> String {
        var text = "# jobc's project configuration (README.md: jobc.yaml). Paths are relative to this folder.\npaths:\n"
        for key in ProjectLayout.keys { text += "  \(key): \(layout[key])\n" }
        return text
    }

    static func sampleJob(_ layout: ProjectLayout) -> String {
        """
        job_id: \(sampleJobID)
        description: "A sample job: copies yesterday's rows from one table into another, once a day"
        schedule: "@daily"
        start_date: "2024-01-01"
        catchup: false
        tags:
          - example

        tasks:
          copy_rows:
            function: PostgreSQLFunction
            task_id: copy_rows
            secret_key: postgres_credentials
            kwargs:
              sql_file_path: \(layout.sql)/\(sampleJobID).sql

        """
    }

    static let sampleSQL = """
        -- The sample job's SQL: %(execution_date)s is the run's date (YYYY-MM-DD).
        CREATE TABLE IF NOT EXISTS example_source (id SERIAL PRIMARY KEY, name TEXT NOT NULL, created_at DATE NOT NULL);
        CREATE TABLE IF NOT EXISTS example_sink (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at DATE NOT NULL);
        INSERT INTO example_sink (id, name, created_at)
        SELECT id, name, created_at FROM example_source WHERE created_at <= %(execution_date)s
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;

        """

    /// A JSON object with the keys the function's contract needs (the first name of a one-of), each
    /// a placeholder.
    static func placeholderSecret(for functionName: String) -> String {
        let keys = StandardFunctions.named(functionName).flatMap(Self.secretKeys(of:)) ?? []
        let members = keys.map { key in "  \"\(key)\": \"\(key == "host" ? "localhost" : "REPLACE_ME")\"" }
        return "{\n" + members.joined(separator: ",\n") + "\n}\n"
    }

    /// The secret keys a standard function's contract declares, the first name of a one-of.
    static func secretKeys(of function: StandardFunction) -> [String]? {
        function.decodedContract?.secretKeys.compactMap { requirement in
            switch requirement {
            case .key(let name): name
            case .oneOf(let names): names.first
            }
        }
    }

    static let preCommit = """
        # pre-commit (https://pre-commit.com): `pre-commit install` runs jobc lint before each commit.
        repos:
          - repo: local
            hooks:
              - id: jobc-lint
                name: jobc lint
                entry: jobc lint
                language: system
                pass_filenames: false
                files: \\.(ya?ml|sql|py|json)$

        """

    static let continuousIntegration = """
        # Lints every job on each push and pull request; findings appear as annotations.
        name: jobc
        on: [push, pull_request]
        jobs:
          lint:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              # Put jobc on PATH first (a release binary, or `swift build -c release` of jobc).
              - run: jobc lint --format github

        """
}
