/// The identity of one check: the stable id shown with every diagnostic it produces and a one-line
/// summary of what it checks. Each check declares its own (a `static let` beside the code that
/// reports it); `RuleID.catalog` collects them, so `jobc rules`, SARIF and the docs never list rules
/// by hand.
public struct RuleID: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let summary: String

    public init(_ name: String, summary: String) {
        self.name = name
        self.summary = summary
    }

    public var description: String { name }

    public static func == (lhs: RuleID, rhs: RuleID) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// A part of jobc that reports diagnostics: it lists the rules it declares, in the order a reader
/// meets them. Rules it reports but another part declares are not repeated here.
public protocol RuleDeclaring {
    static var rules: [RuleID] { get }
}

extension RuleID {
    /// The parts that declare rules, in the order a job meets them: reading, shape, meaning, output,
    /// then importing. The one registry of rules; adding a check means adding its declarer here (a
    /// test fails for any `RuleID(` declaration in Sources that the catalogue misses).
    static var declarers: [any RuleDeclaring.Type] {
        [SourceFile.self, YAMLLoader.self, JobSpecDecoder.self]
            + JobRules.all.map { type(of: $0) as any RuleDeclaring.Type }
            + [TargetNameRule.self, LineageCheck.self, FunctionContractDecoder.self, PortabilityCheck.self, BatchCompiler.self, JobcConfig.self, ExternalEmitter.self, AEFImporter.self, JobTestDecoder.self]
    }

    /// Every rule with its summary, in the order a reader meets them (`jobc rules`, SARIF, docs).
    public static let catalog: [RuleID] = declarers.flatMap { $0.rules }
}
