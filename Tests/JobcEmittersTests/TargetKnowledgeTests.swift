import JobcCore
import JobcEmitters
import XCTest

/// What the built-in targets declare about themselves, and that the core applies it: the names and
/// modules each keeps, so a job valid for one built-in target is valid for all.
final class TargetKnowledgeTests: XCTestCase {
    private let names = TargetNames(targets: BuiltinEmitters.all)

    func testDagsterKeepsItsReservedWordsForEveryKindOfName() {
        for word in ["config", "context", "input", "output", "type"] {
            for scope in ReservedIdentifier.Scope.allCases {
                XCTAssertEqual(names.problem(with: word, as: scope), "'\(word)' is reserved by Dagster for its own job, op and input names", word)
            }
        }
        XCTAssertNil(TargetNames(targets: [AirflowEmitter()]).problem(with: "config", as: .task), "Airflow reserves no such word")
    }

    func testTheRunOutcomeTaskNameIsReservedForTasksAndGroupsOnly() {
        XCTAssertNotNil(names.problem(with: "jobc_run_outcome", as: .task))
        XCTAssertNotNil(names.problem(with: "jobc_run_outcome", as: .group))
        XCTAssertNil(names.problem(with: "jobc_run_outcome", as: .job))
        XCTAssertNil(TargetNames(targets: [CloudWorkflowsEmitter()]).problem(with: "jobc_run_outcome", as: .task))
    }

    func testAJobIDMayNotShadowAModuleAPythonTargetImports() {
        let expected = [
            "datetime": "'datetime.py' would shadow Python's standard module 'datetime'",
            "airflow": "'airflow.py' would shadow the module 'airflow' that generated code imports",
            "jobc_dagster": "'jobc_dagster.py' would shadow the module 'jobc_dagster' that generated code imports",
            "jobc_runtime": "'jobc_runtime.py' would shadow the module 'jobc_runtime' that generated code imports",
            "echo_function": "'echo_function.py' would shadow the project's function module 'echo_function'",
        ]
        for (id, message) in expected {
            XCTAssertEqual(names.moduleShadowProblem(withJobID: id, projectModules: ["echo_function"]), message, id)
        }
        // Cloud Workflows writes YAML programs: a job id there is no module name.
        XCTAssertNil(TargetNames(targets: [CloudWorkflowsEmitter()]).moduleShadowProblem(withJobID: "json", projectModules: []))
    }

    func testEveryBuiltinTargetDeclaresItsOptionsWithHelp() {
        for target in BuiltinEmitters.all {
            for option in target.options {
                XCTAssertFalse(option.help.isEmpty, "\(target.name) \(option.name)")
                if let value = option.defaultValue { XCTAssertNil(option.problem(with: value), "\(target.name) \(option.name): its own default is valid") }
            }
        }
    }
}
