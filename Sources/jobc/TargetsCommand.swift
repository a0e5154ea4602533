import ArgumentParser
import JobcCore

struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List the targets jobc can compile for, and what each can express.",
        discussion: "Example:\n  jobc targets"
    )

    func run() throws {
        for emitter in Jobc.registry.emitters {
            print("\(emitter.name)  \(emitter.summary)")
            for feature in TargetCapabilities.Feature.allCases {
                let note = emitter.capabilities.supported[feature].map { "yes: \($0)" } ?? "no"
                print("  \(feature.rawValue): \(note)")
            }
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
        let width = RuleID.catalog.map(\.rule.name.count).max() ?? 0
        for (rule, summary) in RuleID.catalog {
            print(rule.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + summary)
        }
    }
}
