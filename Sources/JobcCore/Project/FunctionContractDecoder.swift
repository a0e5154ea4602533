/// Reads a `*.contract.yaml` file into a `FunctionContract`, with located diagnostics like job files.
struct FunctionContractDecoder {
    static let contractKeys = ["name", "module", "class", "description", "secret", "extra_parameters", "parameters"]
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
        let extra = reader.value("extra_parameters").map {
            choice($0, "'extra_parameters'", FunctionContract.ExtraParameters.self, &diagnostics)
        } ?? FunctionContract.ExtraParameters.none
        var parameters: [ParameterContract] = []
        if let node = reader.value("parameters"),
           let mapping = MappingReader(node, context: "'parameters'", diagnostics: &diagnostics) {
            parameters = mapping.entries.compactMap { decodeParameter($0, &diagnostics) }
        }
        for located in [module, className].compactMap({ $0 }) where !Self.isPythonName(located.value) {
            diagnostics.error(.invalidContract, "'\(located.value)' is not a valid Python name", at: located.location)
        }
        guard let name, let module, let className else { return nil }
        return FunctionContract(
            name: name.value, module: module.value, className: className.value, description: description?.value,
            secret: secret ?? .none, extraParameters: extra ?? .none, parameters: parameters, contractPath: contractPath)
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
