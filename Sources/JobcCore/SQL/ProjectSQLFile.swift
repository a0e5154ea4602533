/// A SQL file of the project as the checks and the IR builder use it: its analysis, plus what every
/// task that runs it needs, derived once a run rather than once a task (10,000 jobs share 120 files).
/// A class: every task that runs the file holds it, and a reference copies for one retain.
public final class ProjectSQLFile: Sendable {
    /// Root-relative, as `Project.resolveProjectFile` returned it.
    public let path: String
    /// How diagnostics name it.
    public let displayPath: String
    public let analysis: SQLAnalysis
    /// Each `%(name)s` name once, at its first use, in file order.
    public let firstParameterUses: [SQLParameterUse]
    public let parameterNames: Set<String>
    /// The tables read and written, located in this file (sorted by table, as the analysis gives them).
    public let reads: [TableAccess]
    public let writes: [TableAccess]
    /// False when the bytes are no text jobc looked into (not UTF-8, too large): nothing is known
    /// about its parameters.
    public let isScanned: Bool

    init(path: String, displayPath: String, analysis: SQLAnalysis) {
        self.path = path
        self.displayPath = displayPath
        self.analysis = analysis
        var seen: Set<String> = []
        firstParameterUses = analysis.parameters.filter { seen.insert($0.name).inserted }
        parameterNames = seen
        func located(_ uses: [SQLTableUse]) -> [TableAccess] {
            uses.map { TableAccess(table: $0.table.description, location: SourceLocation(file: displayPath, line: $0.position.line, column: $0.position.column)) }
        }
        reads = located(analysis.reads)
        writes = located(analysis.writes)
        isScanned = !analysis.problems.contains { $0.kind == .encoding || $0.kind == .tooLarge }
    }

    public func location(_ position: SQLPosition) -> SourceLocation {
        SourceLocation(file: displayPath, line: position.line, column: position.column)
    }
}
