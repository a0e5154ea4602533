import ArgumentParser
import Foundation
import JobcCore

/// `jobc test`: each scenario of each test file (`NAME.test.yaml` beside `NAME.yaml`) is a local run
/// (the executor of `jobc run`) with some tasks stubbed, whose outcome is compared with what the
/// file expects; every mismatch points at the expectation it contradicts.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a job's test scenarios locally (some tasks stubbed) and check each task's state, attempts and SQL results.",
        discussion: """
            A test file NAME.test.yaml sits beside the job NAME.yaml (or names it with 'job:') and holds scenarios: the logical date and run parameters of a run, the tasks to stub (succeed, fail, {fail_times: N}, {sleep: SECONDS}) and what to expect (each task's state and attempts, rows of SQL queries run afterwards against a secret's database). Runs go through the executor of jobc run, with its retries, timeouts, trigger rules and alerts; stubs replace only the task's function.

            Exit status: 0 when every scenario passed, 1 when one failed or a test file or its job has errors, 2 for usage errors or a missing runtime, 130 when interrupted.

            Examples:
              jobc test                                            # every *.test.yaml in the project's jobs folder
              jobc test orchestration/job/sales_diamond.test.yaml
              jobc test orchestration/job --junit test-results.xml
            """
    )

    @Argument(help: "Test files (*.test.yaml), or folders searched recursively for them. Default: the jobs folder of the project around the working directory.")
    var paths: [String] = []

    @Option(help: ArgumentHelp("Also write the results as JUnit XML to this file.", valueName: "FILE"))
    var junit: String?

    @Option(name: .customLong("max-parallel"), help: "At most this many attempts at a time in each run. Default: the number of CPUs.")
    var maxParallel: Int?

    @Option(help: ArgumentHelp("The Python that runs the jobs (needs jobc-runtime and jobc-local). Default: $JOBC_PYTHON, else python3.", valueName: "PY"))
    var python: String?

    @OptionGroup var project: ProjectOptions

    func validate() throws {
        if let maxParallel, maxParallel < 1 { throw ValidationError("--max-parallel must be at least 1, got \(maxParallel)") }
    }

    func run() throws {
        let searched = try project.jobPaths(paths)
        let files: [String]
        do {
            files = try InputDiscovery.testFiles(in: searched)
        } catch {
            throw UsageError("no such file or folder: \(error.path)")
        }
        for file in files where !JobTest.isTestFile((file as NSString).lastPathComponent) {
            throw UsageError("\(file) is not a test file: test files are named NAME.test.yaml (beside the job NAME.yaml)")
        }
        guard !files.isEmpty else { throw UsageError("no test files (*.test.yaml) in \(searched.joined(separator: ", "))") }

        var reporter = Reporter(noColor: project.noColor)
        var suites: [JUnitReport.Suite] = []
        var counts = (passed: 0, failed: 0)
        for file in files {
            let cases = try runTestFile(file, reporter: &reporter)
            for test in cases { if test.failure == nil { counts.passed += 1 } else { counts.failed += 1 } }
            suites.append(JUnitReport.Suite(name: file, cases: cases))
        }
        if let junit {
            do {
                try Data(JUnitReport(suites: suites).xml.utf8).write(to: URL(fileURLWithPath: RunCommand.absolute(junit)), options: .atomic)
            } catch {
                try Console.error("jobc: error: cannot write the JUnit report \(junit): \(error.localizedDescription)\n")
                throw ExitCode(1)
            }
        }
        func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        try Console.out("\(plural(counts.passed + counts.failed, "scenario")): \(counts.passed) passed, \(counts.failed) failed (\(plural(files.count, "test file")))\n")
        if counts.failed > 0 { throw ExitCode(1) }
    }

    /// The scenarios of one test file, run and judged; a file that cannot run is one failed case.
    private func runTestFile(_ file: String, reporter: inout Reporter) throws -> [JUnitReport.Case] {
        func broken(_ diagnostics: [Diagnostic]) throws -> [JUnitReport.Case] {
            try Console.out("ERROR \(file): the test cannot run (\(diagnostics.filter { $0.severity == .error }.count) errors)\n")
            return [JUnitReport.Case(name: "(test file)", seconds: 0, failure: Self.text(of: diagnostics.filter { $0.severity == .error }), isError: true)]
        }
        // Every problem at once: the file's, the job's, and the names the file gives the job's tasks.
        let (loaded, problems) = JobTestDecoder.load(path: file)
        guard let test = loaded else {
            try reporter.report(problems)
            return try broken(problems)
        }
        let targets = try Targets(project: project, jobPaths: [test.jobPath])
        let compilation = Workspace(rootOverride: project.root, pipeline: Pipeline(targets: targets.builtins)).compileJob(at: test.jobPath)
        let checked = problems + compilation.allDiagnostics + (compilation.graph.map { JobTestCheck.check(test, against: $0) } ?? [])
        try reporter.report(checked)
        guard let graph = compilation.graph, !checked.containsErrors else { return try broken(checked) }

        let root = URL(fileURLWithPath: project.root ?? Project.findRoot(forJobAt: test.jobPath) ?? ".").resolvingSymlinksInPath().path
        var cases: [JUnitReport.Case] = []
        for scenario in test.scenarios {
            cases.append(try runScenario(scenario, of: test, graph: graph, root: root, renderer: reporter.renderer))
        }
        return cases
    }

    private func runScenario(_ scenario: JobTestScenario, of test: JobTest, graph: JobGraph, root: String,
                             renderer: DiagnosticRenderer) throws -> JUnitReport.Case {
        let started = Date()
        var plan = LocalRunPlan(
            graph: graph, runID: "test__" + RunCommand.stamp(started), logicalDate: scenario.logicalDate?.value ?? RunCommand.today(started),
            params: scenario.params.map { (name: $0.name.value, value: $0.value) }, selectedTasks: nil,
            maxParallel: maxParallel ?? ProcessInfo.processInfo.activeProcessorCount,
            runFolder: try RunCommand.runFolder(root: root, jobID: graph.job.id, started: started), reportPath: nil, projectRoot: root)
        plan.stubs = scenario.stubs.map { (task: $0.task.value, stub: $0.stub) }
        plan.queries = scenario.sql.map { (query: $0.query.value, secret: $0.secret.value) }
        let session = RunSession(plan: plan, python: pythonCommand, quiet: true)
        var diagnostics: [Diagnostic]
        do {
            _ = try session.execute()
            if session.interrupted { throw ExitCode(130) }
            if !plan.stubs.isEmpty && session.stubbedTasks == nil {
                throw UsageError("the jobc_local of '\(pythonCommand)' cannot stub tasks; \(RunSession.installHint(python: pythonCommand))")
            }
            if let report = session.report {
                diagnostics = JobTestVerdict.mismatches(of: scenario, in: report)
            } else {
                diagnostics = [.error(.testExpectation, "the run of scenario '\(scenario.name.value)' did not finish", at: scenario.name.location)]
            }
        } catch let error as UsageError where session.refusal?.event == .runRejected {
            diagnostics = [.error(.testExpectation, "scenario '\(scenario.name.value)' cannot run: \(error.message)", at: scenario.name.location)]
        }
        let seconds = Date().timeIntervalSince(started)
        let label = "\(test.path): \(scenario.name.value) (\(String(format: "%.1f", seconds)) s)"
        guard !diagnostics.isEmpty else {
            try Console.out("PASS \(label)\n")
            return JUnitReport.Case(name: scenario.name.value, seconds: seconds, failure: nil)
        }
        try Console.out("FAIL \(label)\n" + diagnostics.sortedByLocation().map(renderer.render).joined())
        return JUnitReport.Case(name: scenario.name.value, seconds: seconds, failure: Self.text(of: diagnostics))
    }

    private var pythonCommand: String {
        python ?? ProcessInfo.processInfo.environment["JOBC_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    }

    /// Diagnostics as `file:line:column: message` lines, for JUnit.
    static func text(of diagnostics: [Diagnostic]) -> String {
        diagnostics.sortedByLocation().map { diagnostic in
            let location = diagnostic.location.map { "\($0.file):\($0.line):\($0.column): " } ?? ""
            return location + diagnostic.message + (diagnostic.suggestion.map { " (\($0))" } ?? "")
        }.joined(separator: "\n")
    }
}
