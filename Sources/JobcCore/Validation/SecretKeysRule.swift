/// A task's secret holds the keys its function's contract declares (`secret_keys:`), so a wrong
/// secret fails at lint, not at run time. Messages name keys and files, never a value.
struct SecretKeysRule: JobRule {
    static let rules: [RuleID] = [.secretKeys]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        let tasks = context.job.tasks
        // The secrets and functions found to fit: a job's tasks share a few of each, and asking the
        // store again costs more than comparing names with a handful.
        var fits: [(secret: String, function: String)] = []
        for index in tasks.indices {
            guard let secret = tasks[index].secretKey, let contract = context.contracts[index], !contract.secretKeys.isEmpty
            else { continue }
            if fits.contains(where: { $0.secret == secret.value && $0.function == contract.name }) { continue }
            guard context.project.secretStore.entry(secret.value) == .secret else { continue }  // a missing secret is the secret rule's
            // Most secrets hold their keys: the messages are worded only for one that does not.
            let contents = context.project.secretStore.contents(secret.value)
            if case .keys(let keys) = contents, contract.secretKeys.allSatisfy({ $0.isMet(by: keys) }) {
                fits.append((secret.value, contract.name))
                continue
            }
            let project = context.project
            let file = project.secretStore.relativePath(of: secret.value)
            let contractNote = Diagnostic.Note("\(contract.name) declares its secret's keys in \(contract.contractPath)")
            let declared = contract.secretKeys.map(\.description).joined(separator: ", ")
            switch contents {
            case .notAnObject(let what):
                diagnostics.error(
                    .secretKeys, "\(file) is \(what), not a JSON object; \(contract.name) needs an object with the keys \(declared)",
                    at: secret.location, notes: [contractNote])
            case .keys(let keys):
                let missing = contract.secretKeys.filter { !$0.isMet(by: keys) }
                guard !missing.isEmpty else { continue }
                let names = missing.map(\.description).joined(separator: ", ")
                diagnostics.error(
                    .secretKeys,
                    "\(file) lacks \(missing.count > 1 ? "keys" : "a key") required by \(contract.name): \(names)",
                    at: secret.location, notes: [contractNote], suggestion: suggestion(missing, keys, file))
            }
        }
    }

    /// A near miss among the keys the secret holds (names only), else what to add.
    private func suggestion(_ missing: [SecretKeyRequirement], _ keys: Set<String>, _ file: String) -> String {
        for case .key(let name) in missing {
            if let near = Suggestions.closest(to: name, in: keys.sorted()) { return "\(file) has '\(near)': rename it to '\(name)'?" }
        }
        return "add the key\(missing.count > 1 ? "s" : "") to \(file)"
    }
}

extension RuleID {
    public static let secretKeys = RuleID(
        "secret-keys", summary: "A task's secret is no JSON object, or lacks a key its function's contract declares in secret_keys.")
}
