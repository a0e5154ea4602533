/// A task's `secret_key` names a secret that exists in the project's store (never read, only found).
struct SecretRule: JobRule {
    static let rules: [RuleID] = [.missingSecret, .invalidSecretName]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        let tasks = context.job.tasks
        // The names this job's tasks use that were found in the store: a job names a few secrets
        // many times, and comparing a name with a handful costs less than asking the store again.
        var found: [String] = []
        // Fields are read by index: a task copied whole retains a dozen strings and arrays.
        for index in tasks.indices {
            guard let secret = tasks[index].secretKey, !found.contains(secret.value) else { continue }
            if let problem = SecretName.problem(with: secret.value) {
                diagnostics.error(.invalidSecretName, problem, at: secret.location)
                continue
            }
            let entry = context.project.secretStore.entry(secret.value)
            guard entry != .secret else {  // the usual case: nothing to word
                found.append(secret.value)
                continue
            }
            let project = context.project
            let file = project.secretStore.relativePath(of: secret.value)
            switch entry {
            case .secret:
                continue
            case .notAFile(let kind):
                diagnostics.error(
                    .missingSecret, "secret '\(secret.value)' is in the secret store, but \(file) is \(kind), not a file",
                    at: secret.location, suggestion: "make \(file) a JSON file holding the secret")
                continue
            case .missing:
                break
            }
            let available = project.secretStore.availableNames()
            diagnostics.error(
                .missingSecret, "secret '\(secret.value)' is not in the secret store (\(file))",
                at: secret.location,
                notes: available.isEmpty ? [] : [.init("known secrets: \(available.joined(separator: ", "))")],
                suggestion: Suggestions.didYouMean(secret.value, in: available)
                    ?? whatToWrite(file, keys: tasks[index].function.flatMap { project.functions[$0.value] ?? StandardFunctions.named($0.value)?.decodedContract }?.secretKeys ?? []))
        }
    }
}

/// The file to create and the keys its function's contract needs: names only, never values.
private func whatToWrite(_ file: String, keys: [SecretKeyRequirement]) -> String {
    guard !keys.isEmpty else { return "create \(file), a JSON object holding the secret" }
    return "create \(file), a JSON object with the keys \(keys.map(\.description).joined(separator: ", "))"
}

extension RuleID {
    public static let missingSecret = RuleID("missing-secret", summary: "A named secret is not in the secret store, or its entry there is not a file.")
    public static let invalidSecretName = RuleID(
        "invalid-secret-name",
        summary: "A secret name that could be a path: only letters, digits, '_' and '-' are allowed.")
}
