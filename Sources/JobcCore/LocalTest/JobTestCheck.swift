/// A test file against the job it tests: the tasks its stubs and expectations name, and the run
/// parameters its scenarios set, must be the job's.
public enum JobTestCheck {
    public static func check(_ test: JobTest, against graph: JobGraph) -> [Diagnostic] {
        let tasks = graph.tasks.map(\.key)
        let params = graph.job.params.map(\.name)
        var diagnostics: [Diagnostic] = []
        func checkTask(_ name: Located<String>, _ role: String) {
            guard !tasks.contains(name.value) else { return }
            diagnostics.append(.error(
                .invalidTest, "\(role) names task '\(name.value)', which job '\(graph.job.id)' does not have", at: name.location,
                suggestion: Suggestions.didYouMean(name.value, in: tasks) ?? "its tasks: \(tasks.joined(separator: ", "))"))
        }
        for scenario in test.scenarios {
            for stub in scenario.stubs { checkTask(stub.task, "a stub of scenario '\(scenario.name.value)'") }
            for expectation in scenario.tasks { checkTask(expectation.task, "an expectation of scenario '\(scenario.name.value)'") }
            for param in scenario.params where !params.contains(param.name.value) {
                diagnostics.append(.error(
                    .invalidTest, "job '\(graph.job.id)' has no run parameter '\(param.name.value)'", at: param.name.location,
                    suggestion: Suggestions.didYouMean(param.name.value, in: params)
                        ?? (params.isEmpty ? "the job declares no params" : "its params: \(params.joined(separator: ", "))")))
            }
        }
        return diagnostics
    }
}
