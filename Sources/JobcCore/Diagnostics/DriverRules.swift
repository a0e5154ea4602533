/// The rules of the plugin machinery (the jobc config and external emitters). Declared here until
/// the plugin protocol's rework (issue #14) lands, then beside `JobcConfig` and `ExternalEmitter`.
enum DriverRules: RuleDeclaring {
    static let rules: [RuleID] = [.invalidConfig, .pluginFailed]
}

extension RuleID {
    public static let invalidConfig = RuleID(
        "invalid-config", summary: "The project's jobc.yaml is malformed (unknown key, bad plugin name, missing command).")
    public static let pluginFailed = RuleID(
        "plugin-failed",
        summary: "An external emitter crashed, timed out, or answered outside the plugin protocol (docs/plugins.md).")
}
