import ArgumentParser
import JobcCore

struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List the targets jobc can compile for (built-in and plugins), and what each can express.",
        discussion: """
            Plugins are executables named jobc-emit-NAME on PATH, or listed in the project's jobc.yaml
            (see docs/plugins.md). A plugin that cannot report its capabilities is listed as broken,
            and the exit status is 1.

            Example:
              jobc targets
            """
    )

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let catalog = try Targets(project: project).catalog
        for emitter in catalog.builtins {
            try Console.out("\(emitter.name)  \(emitter.summary)  (built-in)\n")
            try printDescription(of: emitter)
        }
        let plugins = catalog.plugins()
        var broken = 0
        for plugin in plugins.usable {
            let emitter: ExternalEmitter
            do {
                emitter = try ExternalEmitter.load(plugin)
            } catch {
                broken += 1
                try Console.out("\(plugin.name)  BROKEN  (plugin \(plugin.executable), from \(plugin.origin))\n")
                try Console.out("  \(error.description.replacingOccurrences(of: "\n", with: "\n  "))\n")
                continue
            }
            try Console.out("\(emitter.name)  \(emitter.summary)  (plugin \(plugin.executable), from \(plugin.origin))\n")
            try printDescription(of: emitter)
        }
        for plugin in plugins.shadowed {
            try Console.out("note: plugin \(plugin.executable) is ignored: '\(plugin.name)' is a built-in target\n")
        }
        if broken > 0 { throw ExitCode(1) }
    }

    /// Capabilities, then the options the target takes (`--option NAME=VALUE`).
    private func printDescription(of emitter: any Emitter) throws(Console.WriteFailure) {
        for feature in TargetCapabilities.Feature.allCases {
            let note = emitter.capabilities.supported[feature].map { "yes: \($0)" } ?? "no"
            try Console.out("  \(feature.rawValue): \(note)\n")
        }
        if emitter.acceptsUndeclaredOptions {
            print("  options: not declared (a protocol version 1 plugin gets every --option unchecked)")
        }
        for option in emitter.options {
            let defaultValue = option.defaultValue.map { ", default \($0)" } ?? ""
            try Console.out("  option \(option.name) (\(option.type.rawValue)\(defaultValue)): \(option.help)\n")
        }
    }
}

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List every diagnostic rule id with what it checks.",
        discussion: "Example:\n  jobc rules"
    )

    func run() throws {
        let width = RuleID.catalog.map(\.name.count).max() ?? 0
        for rule in RuleID.catalog {
            try Console.out(rule.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + rule.summary + "\n")
        }
    }
}
