/// The targets jobc knows, by name. Built-in emitters are registered by the JobcEmitters module.
public struct EmitterRegistry: Sendable {
    public private(set) var emitters: [any Emitter]

    public init(_ emitters: [any Emitter]) {
        self.emitters = emitters.sorted { $0.name < $1.name }
    }

    public func emitter(named name: String) -> (any Emitter)? {
        emitters.first { $0.name == name }
    }

    public var names: [String] { emitters.map(\.name) }
}
