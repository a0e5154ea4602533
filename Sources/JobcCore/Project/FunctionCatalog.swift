/// Every function contract of a project, by function name.
public struct FunctionCatalog: Sendable {
    public private(set) var contracts: [String: FunctionContract] = [:]
    /// Functions whose contract file has errors, by name, with the contract's path: tasks naming them
    /// fail (no code is generated from a contract jobc could not fully read).
    public private(set) var broken: [String: String] = [:]

    public init(contracts: [FunctionContract] = []) {
        for contract in contracts { self.contracts[contract.name] = contract }
    }

    public subscript(name: String) -> FunctionContract? { contracts[name] }

    public var names: [String] { contracts.keys.sorted() }

    /// Names of every module a contract points at (a job id must not shadow one).
    public var moduleNames: Set<String> { Set(contracts.values.map(\.module)) }

    public static let contractSuffix = ".contract.yaml"

    /// Reads `<functionFolder>/*.contract.yaml` in name order (deterministic diagnostics).
    static func load(projectRoot: String, functionFolder: String, loader: YAMLLoader, displayPrefix: String) -> (FunctionCatalog, [Diagnostic]) {
        var diagnostics = DiagnosticCollector()
        var catalog = FunctionCatalog()
        let folder = projectRoot + "/" + functionFolder
        let files = FileSystem.list(folder).filter { $0.hasSuffix(contractSuffix) }.sorted()
        var firstDefinition: [String: String] = [:]
        for fileName in files {
            let errorsBefore = diagnostics.diagnostics.filter { $0.severity == .error }.count
            let relativePath = functionFolder + "/" + fileName
            let displayPath = displayPrefix + relativePath
            guard let bytes = try? FileSystem.read(folder + "/" + fileName) else {
                diagnostics.error(.fileUnreadable, "cannot read function contract", at: SourceLocation(file: displayPath, line: 1, column: 1))
                continue
            }
            let loaded = loader.load(SourceFile(displayPath: displayPath, bytes: bytes))
            diagnostics.emit(contentsOf: loaded.diagnostics)
            guard let root = loaded.root,
                  let contract = FunctionContractDecoder().decode(root, contractPath: relativePath, diagnostics: &diagnostics)
            else { continue }
            if let first = firstDefinition[contract.name] {
                diagnostics.error(
                    .invalidContract, "function '\(contract.name)' is also defined by \(first)",
                    at: root.location)
                continue
            }
            if !FileSystem.isRegularFile(folder + "/" + contract.module + ".py") {
                diagnostics.error(
                    .invalidContract, "module '\(contract.module)' has no file \(functionFolder)/\(contract.module).py",
                    at: root.location)
            }
            firstDefinition[contract.name] = relativePath
            if diagnostics.diagnostics.filter({ $0.severity == .error }).count > errorsBefore {
                catalog.broken[contract.name] = relativePath
            } else {
                catalog.contracts[contract.name] = contract
            }
        }
        return (catalog, diagnostics.diagnostics)
    }
}
