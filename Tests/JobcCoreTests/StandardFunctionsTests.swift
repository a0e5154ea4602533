import Foundation
import XCTest
@testable import JobcCore

/// The functions `jobc init` writes are orchestration/function/ byte for byte: the embedded copy
/// (Sources/JobcCore/Init/StandardFunctionFiles.swift) is generated from that folder. Regenerate it
/// after changing a function with `JOBC_UPDATE_GOLDEN=1 swift test --filter StandardFunctionsTests`.
final class StandardFunctionsTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = repositoryRoot.appendingPathComponent(StandardFunctions.sourceFolder)
    static let generatedFile = repositoryRoot.appendingPathComponent("Sources/JobcCore/Init/StandardFunctionFiles.swift")

    func testTheEmbeddedFilesAreTheFolderByteForByte() throws {
        let generated = try Self.generate()
        if ProcessInfo.processInfo.environment["JOBC_UPDATE_GOLDEN"] == "1" {
            try Data(generated.utf8).write(to: Self.generatedFile)
            return
        }
        XCTAssertEqual(try String(contentsOf: Self.generatedFile, encoding: .utf8), generated,
                       "StandardFunctionFiles.swift differs from \(StandardFunctions.sourceFolder)/; rerun with JOBC_UPDATE_GOLDEN=1")
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".py") || $0.hasSuffix(".yaml") }
        let embedded = [StandardFunctions.base] + StandardFunctions.all.flatMap { [$0.implementation, $0.contract] }
        XCTAssertEqual(Set(embedded.map(\.fileName)), Set(onDisk), "every file of the folder is embedded, and only those")
        for file in embedded {
            XCTAssertEqual(Array(file.text.utf8), Array(try Data(contentsOf: Self.folder.appendingPathComponent(file.fileName))), file.fileName)
        }
    }

    func testEveryEmbeddedContractDecodes() {
        for function in StandardFunctions.all {
            let contract = function.decodedContract
            XCTAssertEqual(contract?.name, function.name)
            XCTAssertEqual(contract?.module, function.module)
        }
        XCTAssertEqual(ProjectInitializer.secretKeys(of: StandardFunctions.named("PostgreSQLFunction")!), ["host", "user", "password", "database"])
    }

    /// The Swift source embedding the folder: each file a raw string literal.
    static func generate() throws -> String {
        func literal(_ text: String) throws -> String {
            guard !text.contains("\"\"\"##") else { throw CocoaError(.fileReadCorruptFile) }
            return "##\"\"\"\n" + text + "\n\"\"\"##"
        }
        func read(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }
        func value(_ key: String, in contract: String) -> String? {
            contract.split(separator: "\n").first { $0.hasPrefix(key + ":") }
                .map { $0.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces) }
        }
        var lines = [
            "// Generated from orchestration/function/ by StandardFunctionsTests",
            "// (JOBC_UPDATE_GOLDEN=1 swift test --filter StandardFunctionsTests): do not edit.",
            "",
            "extension StandardFunctions {",
            "    /// function_abstract.py: Function and ExecutionContext, which every function imports.",
            "    public static let base = StandardFile(fileName: \"function_abstract.py\", text: \(try literal(read("function_abstract.py"))))",
            "",
            "    public static let all: [StandardFunction] = [",
        ]
        let contracts = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(FunctionCatalog.contractSuffix) }.sorted()
        for name in contracts {
            let contract = try read(name)
            guard let function = value("name", in: contract), let module = value("module", in: contract) else { throw CocoaError(.fileReadCorruptFile) }
            lines.append("        StandardFunction(name: \"\(function)\", module: \"\(module)\", implementation: \(try literal(read(module + ".py"))), contract: \(try literal(contract))),")
        }
        lines += ["    ]", "}"]
        return lines.joined(separator: "\n") + "\n"
    }
}
