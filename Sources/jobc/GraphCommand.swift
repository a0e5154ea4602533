import ArgumentParser
import Foundation
import JobcCore

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a job's task graph as Graphviz DOT, Mermaid, or SVG (SVG needs Graphviz's `dot`).",
        discussion: """
            Examples:
              jobc graph orchestration/job/sales_diamond.yaml                  # DOT
              jobc graph orchestration/job/sales_diamond.yaml --format mermaid # paste into Markdown
              jobc graph orchestration/job/sales_diamond.yaml --format svg > sales.svg
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dot, mermaid, svg
    }

    @Argument(help: "One job file.")
    var path: String

    @Option(help: "dot (default), mermaid or svg.")
    var format: Format = .dot

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let graph = try validGraph(ofJobAt: path, project: project, command: "graph")
        switch format {
        case .dot: try Console.out(graph.dot)
        case .mermaid: try Console.out(graph.mermaid)
        case .svg: try Console.out(try Self.svg(fromDot: graph.dot))
        }
    }

    /// Runs Graphviz; its absence is a usage problem (exit 2), not a problem with the job.
    static func svg(fromDot dot: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["dot", "-Tsvg"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw UsageError("--format svg needs Graphviz's `dot` (apt-get install graphviz)") }
        // Throwing write: SIGPIPE is ignored, so a `dot` that exits early is an EPIPE error here.
        try? input.fileHandleForWriting.write(contentsOf: Data(dot.utf8))
        try input.fileHandleForWriting.close()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            if process.terminationStatus == 127 { throw UsageError("--format svg needs Graphviz's `dot` (apt-get install graphviz)") }
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            try Console.error("jobc: error: dot failed: \(message)")
            throw ExitCode(1)
        }
        return String(decoding: svg, as: UTF8.self)
    }
}
