import CYAML

/// Turns a file's bytes into one `YAMLNode` tree with positions, using libyaml's event parser.
///
/// The tree is built with an explicit stack, never recursion, so nesting depth costs heap, not stack;
/// every bound in `YAMLLimits` is checked as events arrive, so a hostile file stops early.
public struct YAMLLoader: Sendable {
    public var limits: YAMLLimits

    public init(limits: YAMLLimits = YAMLLimits()) {
        self.limits = limits
    }

    public struct Result: Sendable {
        public var root: YAMLNode?
        public var diagnostics: [Diagnostic]
    }

    public func load(_ file: SourceFile) -> Result {
        var collector = DiagnosticCollector()
        let path = file.displayPath
        guard file.bytes.count <= limits.maxFileBytes else {
            collector.error(
                .yamlLimits, "file is \(file.bytes.count) bytes; jobc reads job files up to \(limits.maxFileBytes) bytes",
                at: SourceLocation(file: path, line: 1, column: 1))
            return Result(root: nil, diagnostics: collector.diagnostics)
        }
        if let problem = EncodingCheck.firstProblem(in: file.bytes, path: path) {
            collector.emit(problem)
            return Result(root: nil, diagnostics: collector.diagnostics)
        }
        var builder = TreeBuilder(path: path, limits: limits)
        file.bytes.withUnsafeBufferPointer { buffer in
            builder.parse(buffer)
        }
        collector.emit(contentsOf: builder.diagnostics)
        if builder.aborted {
            return Result(root: nil, diagnostics: collector.diagnostics)
        }
        guard let root = builder.root else {
            collector.error(
                .yamlEmpty, "the file holds no YAML document; a job file is a mapping with job_id and tasks",
                at: SourceLocation(file: path, line: 1, column: 1))
            return Result(root: nil, diagnostics: collector.diagnostics)
        }
        return Result(root: root, diagnostics: collector.diagnostics)
    }
}

/// Refuses binary data and invalid UTF-8 before libyaml sees it, with the exact position.
enum EncodingCheck {
    static func firstProblem(in bytes: [UInt8], path: String) -> Diagnostic? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var line = 1
        var column = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar.value == 0 {
                    return .error(
                        .yamlEncoding, "the file contains a NUL byte: it looks like a binary file, not YAML text",
                        at: SourceLocation(file: path, line: line, column: column))
                }
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                return nil
            case .error:
                return .error(
                    .yamlEncoding, "invalid UTF-8 byte sequence: job files must be UTF-8 text",
                    at: SourceLocation(file: path, line: line, column: column),
                    suggestion: "re-save the file as UTF-8")
            }
        }
    }
}

/// The event-driven half of the loader: a stack of open collections and the anchors seen so far.
private struct TreeBuilder {
    private enum Frame {
        case sequence(SequenceFrame)
        case mapping(MappingFrame)

        var anchor: String? {
            switch self {
            case .sequence(let sequence): return sequence.anchor
            case .mapping(let mapping): return mapping.anchor
            }
        }
    }

    private struct SequenceFrame {
        var items: [YAMLNode] = []
        var location: SourceLocation
        var tag: String?
        var anchor: String?
        var size = 1
    }

    private struct MappingFrame {
        var entries: [YAMLMappingEntry] = []
        var location: SourceLocation
        var tag: String?
        var anchor: String?
        var size = 1
        var pendingKey: (text: String, location: SourceLocation)?
        /// True after a non-scalar key: its value is read and dropped (the key was already reported).
        var skippingValue = false
        var firstLocationOfKey: [String: SourceLocation] = [:]
    }

    let path: String
    let limits: YAMLLimits
    private(set) var root: YAMLNode?
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var aborted = false
    private var stack: [Frame] = []
    private var anchors: [String: YAMLNode] = [:]
    private var expandedNodes = 0
    private var documentCount = 0

    init(path: String, limits: YAMLLimits) {
        self.path = path
        self.limits = limits
    }

    mutating func parse(_ buffer: UnsafeBufferPointer<UInt8>) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            abort(.yamlSyntax, "libyaml could not allocate a parser", at: location(line: 0, column: 0))
            return
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)

        while !aborted {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                reportParserError(parser)
                return
            }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_STREAM_END_EVENT { return }
            handle(event)
        }
    }

    private mutating func handle(_ event: yaml_event_t) {
        let start = location(line: event.start_mark.line, column: event.start_mark.column)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                abort(
                    .yamlMultipleDocuments, "a job file holds one YAML document; a second one starts here",
                    at: start, suggestion: "put each job in its own file")
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = Self.string(data.value, length: data.length)
            let tag = Self.optionalString(data.tag)
            guard checkTag(tag, at: start) else { return }
            let scalar = YAMLScalar(
                text: text, style: Self.style(data.style),
                forcedString: tag == "tag:yaml.org,2002:str")
            let node = YAMLNode(content: .scalar(scalar), location: start, tag: tag, expandedSize: 1)
            attach(node, anchor: Self.optionalString(data.anchor))
        case YAML_ALIAS_EVENT:
            let name = Self.optionalString(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                let isOpen = stack.contains { $0.anchor == name }
                abort(
                    .yamlSyntax,
                    isOpen ? "alias '*\(name)' refers to its own enclosing node (a recursive structure)"
                        : "alias '*\(name)' refers to no anchor defined before it",
                    at: start)
                return
            }
            var copy = target
            copy.location = start
            attach(copy, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            let tag = Self.optionalString(data.tag)
            guard checkDepth(at: start), checkTag(tag, at: start) else { return }
            stack.append(.sequence(SequenceFrame(location: start, tag: tag, anchor: Self.optionalString(data.anchor))))
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            let tag = Self.optionalString(data.tag)
            guard checkDepth(at: start), checkTag(tag, at: start) else { return }
            stack.append(.mapping(MappingFrame(location: start, tag: tag, anchor: Self.optionalString(data.anchor))))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            closeCollection()
        default:
            break  // stream start, document end: nothing to build
        }
    }

    private mutating func closeCollection() {
        guard let frame = stack.popLast() else { return }
        switch frame {
        case .sequence(let sequence):
            let node = YAMLNode(
                content: .sequence(sequence.items), location: sequence.location, tag: sequence.tag,
                expandedSize: sequence.size)
            attach(node, anchor: sequence.anchor)
        case .mapping(let mapping):
            let node = YAMLNode(
                content: .mapping(mapping.entries), location: mapping.location, tag: mapping.tag,
                expandedSize: mapping.size)
            attach(node, anchor: mapping.anchor)
        }
    }

    /// Hands a finished node to its parent (or makes it the root), recording its anchor.
    private mutating func attach(_ node: YAMLNode, anchor: String?) {
        expandedNodes += node.expandedSize
        if expandedNodes > limits.maxExpandedNodes {
            abort(
                .yamlLimits,
                "the document expands to more than \(limits.maxExpandedNodes) nodes (aliases multiply it); refusing a possible YAML bomb",
                at: node.location)
            return
        }
        if let anchor { anchors[anchor] = node }
        guard let parent = stack.popLast() else {
            root = node
            return
        }
        switch parent {
        case var .sequence(sequence):
            sequence.items.append(node)
            sequence.size += node.expandedSize
            stack.append(.sequence(sequence))
        case var .mapping(mapping):
            mapping.size += node.expandedSize
            addToMapping(&mapping, node)
            stack.append(.mapping(mapping))
        }
    }

    private mutating func addToMapping(_ mapping: inout MappingFrame, _ node: YAMLNode) {
        if mapping.skippingValue {
            mapping.skippingValue = false
            return
        }
        guard let key = mapping.pendingKey else {
            guard let scalar = node.scalar else {
                diagnostics.append(.error(
                    .yamlUnsupported, "a mapping key must be a plain string, not \(node.kindDescription)",
                    at: node.location))
                mapping.skippingValue = true
                return
            }
            mapping.pendingKey = (scalar.text, node.location)
            return
        }
        mapping.pendingKey = nil
        if let first = mapping.firstLocationOfKey[key.text] {
            diagnostics.append(.error(
                .yamlDuplicateKey, "duplicate key '\(key.text)' in this mapping",
                at: key.location, notes: [.init("'\(key.text)' is first defined here", at: first)],
                suggestion: "remove one of the two, or rename it"))
            return
        }
        mapping.firstLocationOfKey[key.text] = key.location
        mapping.entries.append(YAMLMappingEntry(key: key.text, keyLocation: key.location, value: node))
    }

    private mutating func checkDepth(at location: SourceLocation) -> Bool {
        guard stack.count < limits.maxDepth else {
            abort(
                .yamlLimits, "nesting deeper than \(limits.maxDepth) levels; a job never needs that many",
                at: location)
            return false
        }
        return true
    }

    /// Core-schema tags are fine; application tags (`!python/object`) could mean anything to a reader.
    private mutating func checkTag(_ tag: String?, at location: SourceLocation) -> Bool {
        guard let tag, tag != "!", !tag.hasPrefix("tag:yaml.org,2002:") else { return true }
        diagnostics.append(.error(
            .yamlUnsupported, "custom YAML tag '\(tag)' is not allowed in a job file", at: location,
            suggestion: "remove the tag; values are plain strings, numbers, booleans, lists and mappings"))
        return true
    }

    private mutating func reportParserError(_ parser: yaml_parser_t) {
        let problem = Self.optionalCString(parser.problem) ?? "malformed YAML"
        var mark = parser.problem_mark
        if parser.error == YAML_READER_ERROR {
            // Reader errors carry a byte offset, not a mark; our own encoding check runs first, so
            // this is rare (a control character libyaml refuses).
            mark = yaml_mark_t()
        }
        var notes: [Diagnostic.Note] = []
        if let context = Self.optionalCString(parser.context) {
            let contextLocation = location(line: parser.context_mark.line, column: parser.context_mark.column)
            notes.append(.init(context, at: contextLocation))
        }
        abort(.yamlSyntax, problem, at: location(line: mark.line, column: mark.column), notes: notes)
    }

    private mutating func abort(
        _ rule: RuleID, _ message: String, at location: SourceLocation,
        notes: [Diagnostic.Note] = [], suggestion: String? = nil
    ) {
        diagnostics.append(.error(rule, message, at: location, notes: notes, suggestion: suggestion))
        aborted = true
    }

    private func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(file: path, line: line + 1, column: column + 1)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private static func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private static func optionalCString(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }
}
