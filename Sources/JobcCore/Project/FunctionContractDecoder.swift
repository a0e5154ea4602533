/// Reads a `*.contract.yaml` file into a `FunctionContract`, with located diagnostics like job files.
struct FunctionContractDecoder {
    static let contractKeys = ["name", "module", "class", "description", "secret", "secret_keys", "extra_parameters", "parameters", "sql"]
    static let parameterKeys = ["type", "required", "default", "description"]

    func decode(_ root: YAMLNode, contractPath: String, diagnostics: inout DiagnosticCollector) -> FunctionContract? {
        guard let reader = MappingReader(root, context: "a function contract", diagnostics: &diagnostics) else { return nil }
        reader.reportUnknownKeys(allowed: Self.contractKeys, diagnostics: &diagnostics)
        let name = reader.require("name", diagnostics: &diagnostics).flatMap { MappingReader.string($0, "'name'", diagnostics: &diagnostics) }
        let module = reader.require("module", diagnostics: &diagnostics).flatMap { MappingReader.string($0, "'module'", diagnostics: &diagnostics) }
        let className = reader.require("class", diagnostics: &diagnostics).flatMap { MappingReader.string($0, "'class'", diagnostics: &diagnostics) }
        let description = reader.value("description").flatMap { MappingReader.string($0, "'description'", diagnostics: &diagnostics) }
        let secret = reader.value("secret").map {
            choice($0, "'secret'", FunctionContract.SecretRequirement.self, &diagnostics)
        } ?? FunctionContract.SecretRequirement.none
        let secretKeys = reader.value("secret_keys").map { decodeSecretKeys($0, &diagnostics) } ?? []
        if let node = reader.value("secret_keys"), secret == FunctionContract.SecretRequirement.none, !secretKeys.isEmpty {
            diagnostics.error(
                .invalidContract, "'secret_keys' names the keys of a secret, but the contract says secret: none", at: node.location,
                suggestion: "set secret: required (or optional), or remove 'secret_keys'")
        }
        let extra = reader.value("extra_parameters").map {
            choice($0, "'extra_parameters'", FunctionContract.ExtraParameters.self, &diagnostics)
        } ?? FunctionContract.ExtraParameters.none
        var parameters: [ParameterContract] = []
        if let node = reader.value("parameters"),
           let mapping = MappingReader(node, context: "'parameters'", diagnostics: &diagnostics) {
            parameters = mapping.entries.compactMap { decodeParameter($0, &diagnostics) }
        }
        let sql = reader.value("sql").flatMap { decodeSQL($0, parameters: parameters, &diagnostics) }
        for located in [module, className].compactMap({ $0 }) where !Self.isPythonName(located.value) {
            diagnostics.error(.invalidContract, "'\(located.value)' is not a valid Python name", at: located.location)
        }
        guard let name, let module, let className else { return nil }
        return FunctionContract(
            name: name.value, module: module.value, className: className.value, description: description?.value,
            secret: secret ?? .none, secretKeys: secretKeys, extraParameters: extra ?? .none, parameters: parameters, sql: sql, contractPath: contractPath)
    }

    /// `sql: {parameter: NAME, dialect: DIALECT}`: NAME must be a declared parameter of type path.
    private func decodeSQL(_ node: YAMLNode, parameters: [ParameterContract], _ diagnostics: inout DiagnosticCollector) -> SQLContract? {
        guard let reader = MappingReader(node, context: "'sql'", diagnostics: &diagnostics) else { return nil }
        reader.reportUnknownKeys(allowed: ["parameter", "dialect"], diagnostics: &diagnostics)
        let parameter = reader.require("parameter", diagnostics: &diagnostics).flatMap { MappingReader.string($0, "'parameter'", diagnostics: &diagnostics) }
        let dialect = reader.require("dialect", diagnostics: &diagnostics).flatMap { MappingReader.string($0, "'dialect'", diagnostics: &diagnostics) }
        guard let parameter, let dialect else { return nil }
        guard let declared = parameters.first(where: { $0.name == parameter.value }) else {
            diagnostics.error(
                .invalidContract, "'sql' names parameter '\(parameter.value)', which the contract does not declare", at: parameter.location,
                suggestion: Suggestions.didYouMean(parameter.value, in: parameters.map(\.name)))
            return nil
        }
        guard declared.type == .path else {
            diagnostics.error(
                .invalidContract, "'sql' names parameter '\(parameter.value)', which is of type \(declared.type.rawValue), not path",
                at: parameter.location, suggestion: "declare it with type: path (a project file)")
            return nil
        }
        let known = SQLContract.parsedDialects
        if !known.contains(dialect.value), let close = Suggestions.closest(to: dialect.value, in: known) {
            // An unknown dialect is allowed (its files are not parsed), a near miss of a known one is a typo.
            diagnostics.error(
                .invalidContract, "unknown SQL dialect '\(dialect.value)'", at: dialect.location, suggestion: "did you mean '\(close)'?")
            return nil
        }
        return SQLContract(parameter: parameter.value, dialect: dialect.value)
    }

    /// `secret_keys: [host, user, {one_of: [database, dbname]}]`: each item a key name, or a mapping
    /// whose only key `one_of` lists two or more names of which the secret must hold at least one.
    private func decodeSecretKeys(_ node: YAMLNode, _ diagnostics: inout DiagnosticCollector) -> [SecretKeyRequirement] {
        guard let items = MappingReader.sequence(node, "'secret_keys'", diagnostics: &diagnostics) else { return [] }
        var requirements: [SecretKeyRequirement] = []
        var seen: Set<String> = []
        func note(_ name: Located<String>) -> Bool {
            guard !name.value.isEmpty else {
                diagnostics.error(.invalidContract, "a key name in 'secret_keys' is empty", at: name.location)
                return false
            }
            guard seen.insert(name.value).inserted else {
                diagnostics.error(.invalidContract, "'secret_keys' names '\(name.value)' twice", at: name.location)
                return false
            }
            return true
        }
        for item in items {
            if case .mapping = item.content {
                guard let reader = MappingReader(item, context: "an item of 'secret_keys'", diagnostics: &diagnostics) else { continue }
                reader.reportUnknownKeys(allowed: ["one_of"], diagnostics: &diagnostics)
                guard let list = reader.require("one_of", diagnostics: &diagnostics) else { continue }
                let names = MappingReader.stringList(list, "'one_of'", diagnostics: &diagnostics).filter(note)
                if case .sequence(let given) = list.content, given.count < 2 {
                    diagnostics.error(
                        .invalidContract, "'one_of' in 'secret_keys' must list at least two key names", at: list.location,
                        suggestion: "write a single key as a plain item of 'secret_keys'")
                } else if names.count >= 2 {
                    requirements.append(.oneOf(names.map(\.value)))
                }
            } else if let name = MappingReader.string(item, "each item of 'secret_keys'", diagnostics: &diagnostics), note(name) {
                requirements.append(.key(name.value))
            }
        }
        return requirements
    }

    private func decodeParameter(_ entry: YAMLMappingEntry, _ diagnostics: inout DiagnosticCollector) -> ParameterContract? {
        guard let reader = MappingReader(entry.value, context: "parameter '\(entry.key)'", diagnostics: &diagnostics) else { return nil }
        reader.reportUnknownKeys(allowed: Self.parameterKeys, diagnostics: &diagnostics)
        let type = reader.require("type", diagnostics: &diagnostics).flatMap {
            choice($0, "'type'", ParameterContract.ValueType.self, &diagnostics)
        }
        let required = reader.value("required").flatMap { MappingReader.bool($0, "'required'", diagnostics: &diagnostics) }
        let description = reader.value("description").flatMap { MappingReader.string($0, "'description'", diagnostics: &diagnostics) }
        let defaultValue = reader.value("default").map(ParameterValue.init(yaml:))
        if let type, let defaultValue, !type.accepts(defaultValue) {
            diagnostics.error(
                .invalidContract, "the default of '\(entry.key)' is \(defaultValue.kindDescription), not of type \(type.rawValue)",
                at: reader.value("default")?.location)
        }
        guard let type else { return nil }
        return ParameterContract(
            name: entry.key, type: type, required: required?.value ?? false, defaultValue: defaultValue,
            description: description?.value)
    }

    private func choice<Choice: RawRepresentable & CaseIterable>(
        _ node: YAMLNode, _ what: String, _: Choice.Type, _ diagnostics: inout DiagnosticCollector
    ) -> Choice? where Choice.RawValue == String {
        guard let text = MappingReader.string(node, what, diagnostics: &diagnostics) else { return nil }
        if let value = Choice(rawValue: text.value) { return value }
        let options = Choice.allCases.map(\.rawValue)
        diagnostics.error(
            .invalidContract, "\(what) must be one of \(options.joined(separator: ", ")), found '\(text.value)'",
            at: node.location, suggestion: Suggestions.didYouMean(text.value, in: options))
        return nil
    }

    static func isPythonName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic, first.isASCII else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}

extension FunctionContractDecoder: RuleDeclaring {
    static let rules: [RuleID] = [.invalidContract]
}

extension RuleID {
    public static let invalidContract = RuleID("invalid-contract", summary: "A function contract file is malformed.")
}
