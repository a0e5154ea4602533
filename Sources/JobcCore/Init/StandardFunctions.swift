/// The functions jobc ships, as `orchestration/function/` holds them: `jobc init` writes them into
/// a project. Their text lives in the binary (`StandardFunctionFiles.swift`, generated from that
/// folder by `JOBC_UPDATE_GOLDEN=1 swift test --filter StandardFunctionsTests`, which also fails
/// when the two differ).
public enum StandardFunctions {
    /// The folder of this repository the files are copied from.
    public static let sourceFolder = "orchestration/function"

    /// The function by its name (`PostgreSQLFunction`), nil when jobc ships none of that name.
    public static func named(_ name: String) -> StandardFunction? {
        all.first { $0.name == name }
    }
}

/// One file of a standard function: its name in the functions folder and its full text.
public struct StandardFile: Sendable, Equatable {
    public var fileName: String
    public var text: String
}

/// A function jobc ships: its module's file and its contract.
public struct StandardFunction: Sendable, Equatable {
    public var name: String
    public var module: String
    public var implementation: StandardFile
    public var contract: StandardFile

    init(name: String, module: String, implementation: String, contract: String) {
        self.name = name
        self.module = module
        self.implementation = StandardFile(fileName: module + ".py", text: implementation)
        self.contract = StandardFile(fileName: module + FunctionCatalog.contractSuffix, text: contract)
    }

    /// Its contract as jobc reads it (the embedded text is checked by the tests, so it decodes).
    public var decodedContract: FunctionContract? {
        let loaded = YAMLLoader().load(SourceFile(displayPath: contract.fileName, bytes: Array(contract.text.utf8)))
        var diagnostics = DiagnosticCollector()
        return loaded.root.flatMap { FunctionContractDecoder().decode($0, contractPath: contract.fileName, diagnostics: &diagnostics) }
    }

    /// The implementation, its contract, and the base module every function imports.
    public var files: [StandardFile] { [StandardFunctions.base, implementation, contract] }
}
