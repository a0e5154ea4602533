/// Each task names a known function, and its kwargs and secret fit that function's contract:
/// required parameters present, no unknown ones, values of the declared type, project files real.
struct FunctionContractRule: JobRule {
    static let rules: [RuleID] = [.unknownFunction, .functionParameters, .missingFile, .pathEscape]

    func check(_ context: JobContext, diagnostics: inout DiagnosticCollector) {
        let tasks = context.job.tasks
        var nearMisses = NearMisses()
        for index in tasks.indices {
            guard let functionName = tasks[index].function else { continue }
            if let contractPath = context.project.functions.broken[functionName.value] {
                diagnostics.error(
                    .invalidContract, "function '\(functionName.value)' has an invalid contract", at: functionName.location,
                    notes: [.init("see the errors reported for \(contractPath)")], suggestion: "fix the contract first")
                continue
            }
            guard let contract = context.contracts[index] else {
                diagnostics.error(
                    .unknownFunction, "unknown function '\(functionName.value)'", at: functionName.location,
                    notes: knownFunctions(context.project), suggestion: whatToAdd(functionName.value, context.project))
                continue
            }
            let task = tasks[index]
            checkParameters(task, contract, context.project, &nearMisses, &diagnostics)
            checkSecret(task, contract, functionName, &diagnostics)
        }
    }

    /// A standard function the project lacks: `jobc init` adds it. A near miss: its name. Else
    /// the contract to write, in the functions folder.
    private func whatToAdd(_ name: String, _ project: Project) -> String {
        let folder = project.layout.functions
        if let standard = StandardFunctions.named(name) {
            return "\(name) is a function jobc ships: run 'jobc init' to add \(folder)/\(standard.implementation.fileName) and its contract \(folder)/\(standard.contract.fileName)"
        }
        if let near = Suggestions.didYouMean(name, in: project.functions.names) { return near }
        let module = Self.moduleName(for: name)
        return "write its contract, \(folder)/\(module)\(FunctionCatalog.contractSuffix) (name: \(name), module, class, parameters), beside its module \(folder)/\(module).py"
    }

    /// `MyCSVExport` → `my_csv_export`: the module name a new function would likely get.
    static func moduleName(for name: String) -> String {
        let characters = Array(name)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { result += "_" }
            }
            result += character.lowercased()
        }
        return result
    }

    private func knownFunctions(_ project: Project) -> [Diagnostic.Note] {
        let known = project.functions.names
        return [.init(known.isEmpty
            ? "no contracts found in \(project.layout.functions)/*\(FunctionCatalog.contractSuffix)"
            : "known functions: \(known.joined(separator: ", "))")]
    }

    private func checkParameters(
        _ task: TaskSpec, _ contract: FunctionContract, _ project: Project, _ nearMisses: inout NearMisses,
        _ diagnostics: inout DiagnosticCollector
    ) {
        if let forEach = task.forEach {
            checkFanOut(task, forEach, contract, project, &nearMisses, &diagnostics)
        }
        // A task passes a handful of kwargs: scanning them beats hashing them into a set.
        let missing = contract.parameters.filter { parameter in
            parameter.required && !task.kwargs.contains { $0.name.value == parameter.name } && task.forEach?.parameter.value != parameter.name
        }
        if !missing.isEmpty {
            let names = missing.map { "'\($0.name)'" }.joined(separator: ", ")
            diagnostics.error(
                .functionParameters,
                "task '\(task.key.value)' is missing required parameter\(missing.count > 1 ? "s" : "") \(names) of \(contract.name)",
                at: task.kwargsLocation ?? task.key.location,
                notes: [.init("contract: \(contract.contractPath)")])
        }
        for argument in task.kwargs {
            guard let value = argument.value else { continue }  // refused by the decoder, already reported
            checkArgument(argument.name, value, contract, project, &nearMisses, &diagnostics)
        }
    }

    /// Each item is checked as the kwarg it becomes; `kwargs` must leave that kwarg to the items.
    private func checkFanOut(
        _ task: TaskSpec, _ forEach: ForEachSpec, _ contract: FunctionContract, _ project: Project, _ nearMisses: inout NearMisses,
        _ diagnostics: inout DiagnosticCollector
    ) {
        let name = forEach.parameter
        if let clash = task.kwargs.first(where: { $0.name.value == name.value }) {
            diagnostics.error(
                .functionParameters, "task '\(task.key.value)' sets '\(name.value)' in kwargs, but for_each gives it to each run", at: clash.name.location,
                notes: [.init("for_each parameter", at: name.location)], suggestion: "remove '\(name.value)' from kwargs")
        }
        if contract.parameter(named: name.value) == nil, contract.extraParameters == .none {
            let declared = contract.parameters.map(\.name)
            diagnostics.error(
                .functionParameters, "\(contract.name) has no parameter '\(name.value)' for for_each to set", at: name.location,
                suggestion: Suggestions.didYouMean(name.value, in: declared)
                    ?? (declared.isEmpty ? "it takes no parameters" : "its parameters: \(declared.joined(separator: ", "))"))
            return
        }
        for item in forEach.items {
            checkArgument(name, item, contract, project, &nearMisses, &diagnostics)
        }
    }

    private func checkArgument(
        _ name: Located<String>, _ located: Located<ParameterValue>, _ contract: FunctionContract, _ project: Project,
        _ nearMisses: inout NearMisses, _ diagnostics: inout DiagnosticCollector
    ) {
        let value = located.value
        guard let parameter = contract.parameter(named: name.value) else {
            checkExtra(name, located, contract, &nearMisses, &diagnostics)
            return
        }
        if parameter.required, value == .null {
            diagnostics.error(
                .functionParameters, "required parameter '\(parameter.name)' of \(contract.name) is null",
                at: located.location, suggestion: "give it a \(parameter.type.rawValue) value")
            return
        }
        guard parameter.type.accepts(value) else {
            diagnostics.error(
                .functionParameters,
                "parameter '\(parameter.name)' of \(contract.name) must be of type \(parameter.type.rawValue), found \(value.kindDescription)",
                at: located.location)
            return
        }
        if parameter.type == .path, case .string(let path) = value {
            checkProjectFile(path, at: located.location, parameter.name, project, &diagnostics)
        }
    }

    private func checkExtra(
        _ name: Located<String>, _ located: Located<ParameterValue>, _ contract: FunctionContract, _ nearMisses: inout NearMisses,
        _ diagnostics: inout DiagnosticCollector
    ) {
        let value = located.value
        switch contract.extraParameters {
        case .any:
            return
        case .scalar where value.isScalar:
            // A near miss of a declared name is almost always a typo, even where extras are allowed.
            if let close = nearMisses.closestParameter(to: name.value, of: contract) {
                diagnostics.warning(
                    .functionParameters, "'\(name.value)' is passed through to \(contract.name) as an extra parameter",
                    at: name.location, suggestion: "did you mean '\(close)'?")
            }
        case .scalar:
            diagnostics.error(
                .functionParameters,
                "extra parameter '\(name.value)' of \(contract.name) must be a single value, found \(value.kindDescription)",
                at: located.location)
        case .none:
            let declared = contract.parameters.map(\.name)
            diagnostics.error(
                .functionParameters, "\(contract.name) has no parameter '\(name.value)'", at: name.location,
                suggestion: Suggestions.didYouMean(name.value, in: declared)
                    ?? (declared.isEmpty ? "it takes no parameters" : "its parameters: \(declared.joined(separator: ", "))"))
        }
    }

    /// The declared parameter an extra kwarg's name nearly spells, worked out once a job for each
    /// function and name: a job's tasks pass the same extras to the same function again and again,
    /// and the edit distances cost more than the rest of the check.
    private struct NearMisses {
        private var known: [(function: String, name: String, closest: String?)] = []

        mutating func closestParameter(to name: String, of contract: FunctionContract) -> String? {
            if let entry = known.first(where: { $0.name == name && $0.function == contract.name }) { return entry.closest }
            let closest = Suggestions.closest(to: name, in: contract.parameters.lazy.map(\.name))
            known.append((contract.name, name, closest))
            return closest
        }
    }

    private func checkProjectFile(_ path: String, at location: SourceLocation, _ parameter: String, _ project: Project, _ diagnostics: inout DiagnosticCollector) {
        switch project.resolveProjectFile(path) {
        case .success:
            return
        case .failure(.absolute):
            diagnostics.error(.pathEscape, "'\(path)' is absolute; project files are named relative to the project root", at: location,
                              suggestion: "write the path relative to the project root (the folder that holds orchestration/)")
        case .failure(.escapesRoot):
            diagnostics.error(.pathEscape, "'\(path)' leaves the project root", at: location)
        case .failure(.symlinkEscapesRoot(let target)):
            diagnostics.error(.pathEscape, "'\(path)' is a symlink that resolves outside the project root (to \(target))", at: location)
        case .failure(.missing):
            diagnostics.error(.missingFile, "file '\(path)' (parameter '\(parameter)') does not exist in the project", at: location,
                              suggestion: "paths are relative to the project root (the folder that holds orchestration/)")
        case .failure(.insideSecretStore):
            diagnostics.error(.pathEscape, "'\(path)' (parameter '\(parameter)') is in the secret store; a secret is never passed as a file", at: location,
                              suggestion: "name the secret with the task's secret_key instead")
        case .failure(.controlCharacter):
            diagnostics.error(.pathEscape, "the path of parameter '\(parameter)' contains a control character (NUL, newline, …)", at: location)
        case .failure(.notAFile(let kind)):
            diagnostics.error(.missingFile, "'\(path)' (parameter '\(parameter)') is \(kind), not a regular file", at: location,
                              suggestion: "name a regular file: the function reads it when the task runs")
        }
    }

    private func checkSecret(_ task: TaskSpec, _ contract: FunctionContract, _ functionName: Located<String>, _ diagnostics: inout DiagnosticCollector) {
        switch (contract.secret, task.secretKey) {
        case (.required, nil):
            diagnostics.error(
                .functionParameters, "\(contract.name) needs a secret, but task '\(task.key.value)' has no 'secret_key'",
                at: functionName.location, suggestion: "add secret_key: NAME (a file secret/NAME.json in the mock store)")
        case (.none, let secret?):
            diagnostics.warning(
                .functionParameters, "\(contract.name) uses no secret; 'secret_key' is ignored", at: secret.location,
                suggestion: "remove 'secret_key'")
        default:
            break
        }
    }
}

extension RuleID {
    public static let unknownFunction = RuleID(
        "unknown-function", summary: "A task names a function that has no contract in orchestration/function/.")
    public static let functionParameters = RuleID(
        "function-parameters",
        summary: "A task's kwargs do not match its function's contract (missing, unknown or mistyped).")
    public static let missingFile = RuleID("missing-file", summary: "A referenced project file does not exist, or is no regular file (a folder, a FIFO).")
    public static let pathEscape = RuleID(
        "path-escape",
        summary: "A referenced path leaves the project root (absolute, '..', or a symlink pointing outside) or reaches into the secret store.")
}
