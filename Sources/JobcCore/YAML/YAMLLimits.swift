/// Bounds that keep hostile or accidental inputs (YAML bombs, deep nesting, huge files) from exhausting
/// time, memory or the stack. Generous for any real job; tests lower them to exercise the paths.
public struct YAMLLimits: Sendable {
    public var maxFileBytes: Int
    public var maxDepth: Int
    /// Nodes after alias expansion: a billion-laughs document trips this long before memory runs out.
    public var maxExpandedNodes: Int

    public init(maxFileBytes: Int = 8 << 20, maxDepth: Int = 128, maxExpandedNodes: Int = 250_000) {
        self.maxFileBytes = maxFileBytes
        self.maxDepth = maxDepth
        self.maxExpandedNodes = maxExpandedNodes
    }
}
