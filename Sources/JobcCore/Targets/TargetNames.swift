/// The names the targets of a run keep for themselves, merged: identifiers a job, task, group or run
/// parameter may not take, and module names a job id may not shadow. Built from what each target
/// declares (`Emitter.reservedIdentifiers`, `Emitter.jobModule`); the core knows no target's names.
public struct TargetNames: Sendable {
    private var identifiers: [String: [(target: String, reserved: ReservedIdentifier)]] = [:]
    /// In target order: the first target's message wins when several would refuse the same id.
    private var modules: [(target: String, naming: JobModuleNaming)] = []

    /// No target: only the portable identifier rule (`Identifier`) applies.
    public static let none = TargetNames(targets: [])

    public init(targets: [any Emitter]) {
        for target in targets {
            for reserved in target.reservedIdentifiers {
                identifiers[reserved.name, default: []].append((target.name, reserved))
            }
            if let naming = target.jobModule { modules.append((target.name, naming)) }
        }
    }

    /// Why `name` may not be used as a `scope` name on these targets, or nil.
    public func problem(with name: String, as scope: ReservedIdentifier.Scope) -> String? {
        guard let entry = identifiers[name]?.first(where: { $0.reserved.scopes.contains(scope) }) else { return nil }
        return "'\(name)' is reserved \(entry.reserved.reason)"
    }

    /// Why `id` cannot name a job although it is a valid identifier: a target's generated `<id>` module
    /// would shadow a module (the standard library, what generated code imports, or one of the
    /// project's function modules).
    public func moduleShadowProblem(withJobID id: String, projectModules: Set<String>) -> String? {
        for (_, naming) in modules {
            let file = id + naming.fileExtension
            if naming.standardLibrary.contains(id) { return "'\(file)' would shadow \(naming.language)'s standard module '\(id)'" }
            if naming.importedModules.contains(id) { return "'\(file)' would shadow the module '\(id)' that generated code imports" }
            if projectModules.contains(id) { return "'\(file)' would shadow the project's function module '\(id)'" }
        }
        return nil
    }

    /// Every name reserved for `scope`, for tools that make up names (`jobc import`).
    public func reserved(for scope: ReservedIdentifier.Scope) -> Set<String> {
        Set(identifiers.filter { $0.value.contains { $0.reserved.scopes.contains(scope) } }.keys)
    }

    /// Whether `name` is free for `scope`: a portable identifier that no target reserves.
    public func isUsable(_ name: String, as scope: ReservedIdentifier.Scope) -> Bool {
        Identifier.problem(with: name) == nil && problem(with: name, as: scope) == nil
    }
}
