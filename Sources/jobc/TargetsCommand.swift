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
            print("\(emitter.name)  \(emitter.summary)  (built-in)")
            printDescription(of: emitter)
        }
        let plugins = catalog.plugins()
        var broken = 0
        for plugin in plugins.usable {
            do {
                let emitter = try ExternalEmitter.load(plugin)
                print("\(emitter.name)  \(emitter.summary)  (plugin \(plugin.executable), from \(plugin.origin))")
                printDescription(of: emitter)
            } catch {
                broken += 1
                print("\(plugin.name)  BROKEN  (plugin \(plugin.executable), from \(plugin.origin))")
                print("  \(error.description.replacingOccurrences(of: "\n", with: "\n  "))")
            }
        }
        for plugin in plugins.shadowed {
            print("note: plugin \(plugin.executable) is ignored: '\(plugin.name)' is a built-in target")
        }
        if broken > 0 { throw ExitCode(1) }
    }

    /// Capabilities, then the options the target takes (`--option NAME=VALUE`).
    private func printDescription(of emitter: any Emitter) {
        for feature in TargetCapabilities.Feature.allCases {
            let note = emitter.capabilities.supported[feature].map { "yes: \($0)" } ?? "no"
            print("  \(feature.rawValue): \(note)")
        }
        if emitter.acceptsUndeclaredOptions {
            print("  options: not declared (a protocol version 1 plugin gets every --option unchecked)")
        }
        for option in emitter.options {
            let defaultValue = option.defaultValue.map { ", default \($0)" } ?? ""
            print("  option \(option.name) (\(option.type.rawValue)\(defaultValue)): \(option.help)")
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
            print(rule.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + rule.summary)
        }
    }
}
