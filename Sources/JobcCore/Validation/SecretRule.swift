/// A task's `secret_key` names a secret that exists in the project's store (never read, only found).
struct SecretRule: JobRule {
    static let rules: [RuleID] = [.missingSecret, .invalidSecretName]

    func check(_ job: JobSpec, in project: Project, diagnostics: inout DiagnosticCollector) {
        for task in job.tasks {
            guard let secret = task.secretKey else { continue }
            if let problem = SecretName.problem(with: secret.value) {
                diagnostics.error(.invalidSecretName, problem, at: secret.location)
                continue
            }
            switch project.secretStore.entry(secret.value) {
            case .secret:
                continue
            case .notAFile(let kind):
                diagnostics.error(
                    .missingSecret, "secret '\(secret.value)' is in the secret store, but secret/\(secret.value).json is \(kind), not a file",
                    at: secret.location, suggestion: "make secret/\(secret.value).json a JSON file holding the secret")
                continue
            case .missing:
                break
            }
            let available = project.secretStore.availableNames()
            diagnostics.error(
                .missingSecret, "secret '\(secret.value)' is not in the secret store (secret/\(secret.value).json)",
                at: secret.location,
                suggestion: Suggestions.didYouMean(secret.value, in: available)
                    ?? (available.isEmpty ? "the store is empty" : "known secrets: \(available.joined(separator: ", "))"))
        }
    }
}

extension RuleID {
    public static let missingSecret = RuleID("missing-secret", summary: "A named secret is not in the secret store, or its entry there is not a file.")
    public static let invalidSecretName = RuleID(
        "invalid-secret-name",
        summary: "A secret name that could be a path: only letters, digits, '_' and '-' are allowed.")
}
