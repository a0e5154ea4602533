import JobcCore

/// The in-tree targets. Adding one: a folder beside Airflow/ with a type conforming to `Emitter`,
/// and one line here.
public enum BuiltinEmitters {
    public static let all: [any Emitter] = [
        AirflowEmitter(),
        CloudWorkflowsEmitter(),
        DagsterEmitter(),
    ]
}
