import Foundation
import JobcCore
import XCTest

/// DOT labels are parsed by Graphviz (`dot -Tjson0`) and decoded by Graphviz's label rules (HTML
/// entities, then `\\` and `\n`); where Graphviz also draws the text, the drawn lines must be the
/// input's. Mermaid labels are decoded by Mermaid's documented rule (`#name;` and `#NNN;` entities,
/// `<br/>` line breaks): no Mermaid parser is installed here.
final class DiagramLiteralTests: XCTestCase {
    /// Prints, for every node of the graph on stdin (Graphviz JSON, which may hold raw controls), its
    /// label attribute and the lines Graphviz drew, as ASCII JSON.
    private static let graphvizNodes = """
        import json, sys
        graph = json.loads(sys.stdin.buffer.read().decode("utf-8"), strict=False)
        nodes = sorted(graph["objects"], key=lambda node: int(node["name"][1:]))
        print(json.dumps([[node["label"], [op["text"] for op in node.get("_ldraw_", []) if op["op"] == "T"]] for node in nodes], ensure_ascii=True))
        """

    func testDOTLabelsDecodeToThemselvesInGraphviz() throws {
        let strings = HostileStrings.all().filter { $0.unicodeScalars.count < 10_000 }
        let graph = "digraph {\n" + strings.enumerated().map { "  n\($0.offset) [label=\(DOTLiteral.string($0.element))];\n" }.joined() + "}\n"
        let json = try ExternalDecoder.run("dot", ["-Tjson"], input: Data(graph.utf8))
        let nodes = try XCTUnwrap(ExternalDecoder.python(Self.graphvizNodes, input: String(decoding: json, as: UTF8.self)) as? [[Any]])
        XCTAssertEqual(nodes.count, strings.count)
        for (text, node) in zip(strings, nodes) {
            let attribute = try XCTUnwrap(node[0] as? String)
            XCTAssertSameScalars(Self.graphvizLabel(attribute), text, "label attribute \(describe(attribute)):")
            // Graphviz draws one text per non-empty line; NUL cannot reach a C string, and controls
            // are drawn as whatever the font makes of them, so only plain lines are compared.
            if !text.unicodeScalars.contains(where: { $0.isHiddenFromReaders }) {
                let drawn = try XCTUnwrap(node[1] as? [String])
                XCTAssertEqual(drawn, text.split(separator: "\n").map(String.init), describe(text))
            }
        }
    }

    func testDOTStringsCannotEndEarly() {
        for text in HostileStrings.all() {
            let literal = DOTLiteral.string(text)
            let body = literal.unicodeScalars.dropFirst().dropLast()
            XCTAssertTrue(literal.unicodeScalars.first == "\"" && literal.unicodeScalars.last == "\"")
            XCTAssertFalse(body.contains { $0 == "\n" || $0 == "\r" || $0.isHiddenFromReaders }, describe(text))
            XCTAssertNotNil(Self.graphvizLabel(String(String.UnicodeScalarView(body))), describe(text))
        }
    }

    func testMermaidLabelsDecodeToThemselves() {
        for text in HostileStrings.all() {
            let label = MermaidLiteral.label(text)
            XCTAssertTrue(label.unicodeScalars.first == "\"" && label.unicodeScalars.last == "\"")
            let body = String(String.UnicodeScalarView(label.unicodeScalars.dropFirst().dropLast()))
            let unescaped = body.replacingOccurrences(of: "<br/>", with: "").unicodeScalars
            XCTAssertFalse(unescaped.contains { "\"<>".unicodeScalars.contains($0) || $0.isHiddenFromReaders }, describe(text))
            XCTAssertSameScalars(Self.mermaidText(body), text)
        }
        XCTAssertEqual(MermaidLiteral.label("a\n\"b\" <c> & #d;"), "\"a<br/>#quot;b#quot; #lt;c#gt; #amp; #35;d;\"")
    }

    func testGraphsUseTheEncoders() {
        let function = FunctionReference(name: "F", module: "m", className: "F")
        let task = TaskNode(key: "load", taskID: "load", function: function, parameters: [], fileReferences: [], secretName: nil,
                            retry: RetryPolicy(retries: 0, delay: RetryPolicy.defaultDelay), timeout: nil, sourceLine: 1, sourceColumn: 1)
        let graph = JobGraph(
            job: JobMetadata(id: "job", description: nil, schedule: .manual, startDate: nil, catchup: false, tags: [], sourcePath: "job.yaml"),
            tasks: [task], edges: [])
        XCTAssertEqual(graph.dot, "digraph \"job\" {\n    rankdir=LR;\n    node [shape=box, style=rounded];\n    \"load\" [label=\"load\\nF\"];\n}\n")
        XCTAssertEqual(graph.mermaid, "flowchart LR\n    task_load[\"load<br/>F\"]\n")
    }

    /// A label attribute as Graphviz reads it: entities first, then backslash escapes; nil for any
    /// other `&` or backslash, which the encoder must never leave.
    private static func graphvizLabel(_ attribute: String) -> String? {
        guard let entitiesDecoded = decodeEntities(attribute, start: "&", named: ["amp": "&"]) else { return nil }
        var out = String.UnicodeScalarView()
        var scalars = entitiesDecoded.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\\" else { out.append(scalar); continue }
            switch scalars.next() {
            case "n": out.append("\n")
            case "\\": out.append("\\")
            case "\"": out.append("\"")
            default: return nil
            }
        }
        return String(out)
    }

    /// A Mermaid label body as Mermaid reads it: `<br/>` is a line break, `#…;` an entity.
    private static func mermaidText(_ body: String) -> String? {
        decodeEntities(body.replacingOccurrences(of: "<br/>", with: "\n"), start: "#", named: ["quot": "\"", "lt": "<", "gt": ">", "amp": "&"])
    }

    /// Replaces `<start>name;` and `<start>#NNN;` (or `<start>NNN;` when `start` is `#`) entities;
    /// nil when `start` appears outside an entity.
    private static func decodeEntities(_ text: String, start: Unicode.Scalar, named: [String: Unicode.Scalar]) -> String? {
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            guard scalars[index] == start else { out.append(scalars[index]); index += 1; continue }
            guard let end = scalars[index...].firstIndex(of: ";") else { return nil }
            var name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            if start == "&", name.hasPrefix("#") { name.removeFirst() }
            if let number = UInt32(name), let scalar = Unicode.Scalar(number) {
                out.append(scalar)
            } else if let scalar = named[name] {
                out.append(scalar)
            } else {
                return nil
            }
            index = end + 1
        }
        return String(out)
    }
}
