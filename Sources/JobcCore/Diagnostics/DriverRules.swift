/// The rules of the compile driver, the target checks and the plugins. Declared together here, not
/// beside their checks, while Pipeline/, Plugins/ and PortabilityCheck are reworked (issue #14);
/// each moves next to its check with that work.
enum DriverRules: RuleDeclaring {
    static let rules: [RuleID] = [.duplicateJobID, .targetUnsupported, .outputWrite, .invalidConfig, .pluginFailed]
}

extension RuleID {
    public static let duplicateJobID = RuleID(
        "duplicate-job-id", summary: "Two compiled jobs share a job_id, so they would write the same files.")
    public static let targetUnsupported = RuleID(
        "target-unsupported", summary: "The job uses something the chosen target cannot express.")
    public static let outputWrite = RuleID(
        "output-write", summary: "A generated file could not be written.")
    public static let invalidConfig = RuleID(
        "invalid-config", summary: "The project's jobc.yaml is malformed (unknown key, bad plugin name, missing command).")
    public static let pluginFailed = RuleID(
        "plugin-failed",
        summary: "An external emitter crashed, timed out, or answered outside the plugin protocol (docs/plugins.md).")
}
