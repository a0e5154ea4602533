import Foundation
import XCTest

/// Strings that try to break out of a literal in one of the output languages, and random Unicode
/// from a seeded generator: the inputs of the encoders' round-trip tests.
enum HostileStrings {
    static let fixed: [String] = [
        "", "plain", " ", "  leading and trailing  ",
        // Quotes of every kind, and the escape character alone and before a quote.
        "\"", "'", "`", "\"\"\"", "'''", "\"'\"'", "\u{201C}curly\u{201D} \u{2018}single\u{2019}", "\\", "\\\\", "\\\"", "a\\", "\\n", "\\x41", "\\u0041",
        // Line breaks and controls.
        "\n", "\r", "\r\n", "line one\nline two", "trailing\n", "\t", "\0", "a\0b", "\u{1}\u{7}\u{8}\u{B}\u{C}\u{1B}[31mred\u{7F}",
        "\u{85}nel", "\u{9B}csi", "\u{2028}", "\u{2029}", "\u{FEFF}bom",
        // Text that reads differently from how it is stored.
        "\u{202E}evil\u{202C}", "\u{2066}isolate\u{2069}\u{200E}\u{200F}\u{061C}", "zero\u{200B}width\u{A0}nbsp\u{3000}", "e\u{301}", "\"\u{301}", "\\\u{301}",
        "\u{E000}private", "\u{FFFE}\u{FFFF}", "\u{E0001}tag", "\u{10FFFF}",
        // Emoji and other astral text.
        "🚀", "👩‍👩‍👧‍👦", "👍\u{1F3FB}", "\u{1F3FB}", "𝕏𝔂", "売上 Übersicht",
        // Interpolation, templates and entities of the target languages.
        "${x}", "${", "$${x}", "$$${x}", "${\u{1F3FB}x}", "a${\u{301}", "%{ if true }", "%%{", "%{\u{301}", "{{ ds }}", "%(x)s", "{0}", "f\"{x}\"",
        "#", "# not a comment", "#quot;", "#35;", "#lt;", "&amp;", "&#0;", "&#x41;", "<br/>", "<script>alert(1)</script>", "\u{FB02}°x¶ß",
        // YAML and DOT syntax.
        "- [x] {y}: &anchor *alias !tag |", "key: value", ": ", "? ", "---", "...", "null", "~", "yes", "No", "on", "1e3", "0x10", ".inf", "-",
        "digraph { a -> b }", "];", "subgraph x", "end",
        // Long texts.
        String(repeating: "\"\\${%{#\n", count: 2_000), String(repeating: "é🚀", count: 5_000), String(repeating: "a", count: 70_000),
    ]

    /// `fixed` and `count` random strings, the same on every run.
    static func all(randomCount count: Int = 300) -> [String] {
        var generator = SplitMix64(seed: 0x6A6F_6263)
        return fixed + (0..<count).map { _ in random(using: &generator) }
    }

    private static let syntax = Array("\"'`\\$%{}#&<>;:\n\r\t-[]!|*".unicodeScalars)
    private static let tricky: [UInt32] = [0x2028, 0x2029, 0xFEFF, 0x200B, 0x202A, 0x202E, 0x2066, 0x2069, 0x301, 0x1F3FB, 0xFB02, 0xB6]

    /// Up to 40 scalars, each from a range chosen at random: mostly the characters that matter to
    /// some language's syntax, then controls, other BMP text and astral planes.
    private static func random(using generator: inout SplitMix64) -> String {
        let length = Int(generator.next() % 41)
        var scalars = String.UnicodeScalarView()
        while scalars.count < length {
            let pick = generator.next()
            let bits = UInt32(truncatingIfNeeded: pick >> 8)
            let value: UInt32
            switch pick % 8 {
            case 0, 1: value = syntax[Int(bits) % syntax.count].value
            case 2: value = bits % 0x20
            case 3: value = 0x20 + bits % 0x5F
            case 4: value = 0x7F + bits % 0x81
            case 5: value = tricky[Int(bits) % tricky.count]
            case 6: value = bits % 0x10000
            default: value = 0x10000 + bits % 0x100000
            }
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }
}

/// A small seeded generator (SplitMix64), so a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs a real decoder (python3, dot, terraform) in a scratch directory: stdin and stderr are files,
/// so a large batch cannot deadlock on a full pipe.
enum ExternalDecoder {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The full path of `tool` on PATH, or nil when it is not installed here.
    static func find(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ tool: String, _ arguments: [String], input: Data = Data(), in directory: URL? = nil) throws -> Data {
        guard let executable = find(tool) else { throw Failure(description: "\(tool) is not installed") }
        let scratch = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("jobc-decoder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { if directory == nil { try? FileManager.default.removeItem(at: scratch) } }
        let inputFile = scratch.appendingPathComponent("stdin")
        let errorFile = scratch.appendingPathComponent("stderr")
        try input.write(to: inputFile)
        try Data().write(to: errorFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = scratch
        // Terraform would otherwise ask the network whether a newer version exists.
        process.environment = ProcessInfo.processInfo.environment.merging(["CHECKPOINT_DISABLE": "1"]) { $1 }
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? Data(contentsOf: errorFile)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: stderr.prefix(2_000), as: UTF8.self))")
        }
        return data
    }

    /// Runs a Python script that reads stdin and prints one JSON document (ASCII only), and decodes it.
    static func python(_ script: String, input: String) throws -> Any {
        let data = try run("python3", ["-c", script], input: Data(input.utf8))
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }
}

/// A test string short enough for a failure message.
func describe(_ text: String) -> String {
    String(text.prefix(80)).debugDescription + (text.count > 80 ? "…" : "")
}

/// Equal scalar by scalar: Swift's `==` on strings treats canonically equivalent text as equal
/// ("e\u{301}" == "é"), which would hide an encoder that normalizes.
func XCTAssertSameScalars(_ decoded: String?, _ original: String, _ context: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard let decoded, Array(decoded.unicodeScalars) == Array(original.unicodeScalars) else {
        XCTFail("\(context) decoded \(decoded.map(describe) ?? "nil"), expected \(describe(original))", file: file, line: line)
        return
    }
}
