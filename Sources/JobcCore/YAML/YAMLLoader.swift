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
        collector.emit(contentsOf: builder.diagnostics.map { Self.explainTabs($0, in: file) })
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

extension YAMLLoader {
    /// libyaml says "found character that cannot start any token" for a tab used as indentation;
    /// say what to do about it.
    static func explainTabs(_ diagnostic: Diagnostic, in file: SourceFile) -> Diagnostic {
        guard diagnostic.rule == .yamlSyntax, diagnostic.suggestion == nil, let location = diagnostic.location,
              let line = file.line(location.line), line.prefix(location.column).contains("\t") else { return diagnostic }
        var explained = diagnostic
        explained.suggestion = "YAML indents with spaces; replace the tab characters on this line with spaces"
        return explained
    }
}

/// The event-driven half of the loader: a stack of open collections and the anchors seen so far.
///
/// The children of every open collection wait on two shared stacks (`openItems`, `openEntries`) and
/// move into an array of their exact size when the collection closes: one allocation per collection,
/// where an array per collection grown by appending allocates again at every doubling.
/// The innermost open collection, the one every node is attached to, is kept apart from the ones
/// enclosing it, so attaching a node reaches it without going through an array; at the top level it
/// is the document, which holds the root.
private struct TreeBuilder {
    /// A sequence or mapping whose end event has not arrived yet (or the document around them all);
    /// its children are the tail of `openItems` or `openEntries` from `firstChild` on.
    private struct OpenCollection {
        enum Kind { case document, sequence, mapping }

        let kind: Kind
        let location: SourceLocation
        let tag: String?
        let anchor: String?
        let firstChild: Int
        /// Nodes this collection stands for once aliases are expanded (itself included).
        var expandedSize = 1
        var pendingKey: (text: String, location: SourceLocation)?
        /// The mapping's keys, for the duplicate check: built only once it grows past
        /// `keysScannedLinearly`; a job's mappings are nearly all smaller, and scanning a few entries
        /// costs less than hashing every key into a dictionary made for each mapping. The scan compares
        /// lengths first, which keeps it the cheaper of the two for a tasks mapping of twenty-odd jobs
        /// (measured on a 20-task corpus: the dictionary cost ~8,000 instructions to build per file).
        var keyIndex: [String: Int]?
        static let keysScannedLinearly = 32
    }

    /// The core-schema tags a job may use; `!!python/…`, `!!binary`, `!!set` and the like may not.
    private static let allowedTags: Set<String> = [
        "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
    ]

    let path: String
    /// `path`'s number, looked up once: every node gets a location.
    private let file: SourceFileID
    let limits: YAMLLimits
    private(set) var root: YAMLNode?
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var aborted = false
    /// The collection the next node belongs to. Not optional: every node attached would test it.
    private var innermost: OpenCollection
    /// The open collections around `innermost`, the document first: as many as are open.
    private var enclosing: [OpenCollection] = []
    private let openItems = PendingChildren<YAMLNode>()
    private let openEntries = PendingChildren<YAMLMappingEntry>()
    private var anchors: [String: YAMLNode] = [:]
    /// Nodes built so far, counting every alias as the whole subtree it stands for.
    private var expandedNodes = 0
    private var documentCount = 0

    init(path: String, limits: YAMLLimits) {
        self.path = path
        self.file = SourceFileNames.shared.id(of: path)
        self.limits = limits
        innermost = OpenCollection(
            kind: .document, location: SourceLocation(fileID: file, line: 1, column: 1), tag: nil, anchor: nil, firstChild: 0)
    }

    mutating func parse(_ buffer: UnsafeBufferPointer<UInt8>) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            abort(.yamlSyntax, "libyaml could not allocate a parser", at: location(line: 0, column: 0))
            return
        }
        defer { yaml_parser_delete(&parser) }
        // No forced encoding: libyaml's detection also consumes a UTF-8 byte order mark.
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

        while !aborted {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                reportParserError(parser, buffer)
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
            if let version = event.data.document_start.version_directive?.pointee, (version.major, version.minor) != (1, 2) {
                // jobc resolves scalars by YAML 1.2's core schema whatever the file asks for.
                diagnostics.append(.warning(
                    .yamlVersion, "'%YAML \(version.major).\(version.minor)' asks for rules jobc does not apply: job files are read as YAML 1.2",
                    at: start,
                    suggestion: "remove the directive; under YAML 1.2 yes/no/on/off are strings, not booleans, and 0777 is a decimal number"))
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let bytes = UnsafeBufferPointer(start: data.value, count: data.length)
            let tag = Self.optionalString(data.tag)
            let text = Self.string(bytes)
            let style = Self.style(data.style)
            let scalar: YAMLScalar
            if tag == nil, !Self.hasRadixPrefix(bytes) {
                scalar = YAMLScalar(text: text, style: style, forcedString: false)  // nearly every scalar: nothing to check
            } else {
                guard checkTag(tag, at: start), let typed = typedScalar(text, style: style, tag: tag, at: start) else { return }
                scalar = typed
            }
            let anchor = Self.optionalString(data.anchor)
            if anchor == nil, innermost.kind == .mapping, innermost.pendingKey == nil {
                attachKey(scalar.text, at: start)
            } else {
                attach(YAMLNode(content: .scalar(scalar), location: start, tag: tag, expandedSize: 1), anchor: anchor, countedNodes: 1)
            }
        case YAML_ALIAS_EVENT:
            let name = Self.optionalString(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                let isOpen = innermost.anchor == name || enclosing.contains { $0.anchor == name }
                abort(
                    .yamlSyntax,
                    isOpen ? "alias '*\(name)' refers to its own enclosing node (a recursive structure)"
                        : "alias '*\(name)' refers to no anchor defined before it",
                    at: start)
                return
            }
            var copy = target
            copy.location = start
            attach(copy, anchor: nil, countedNodes: target.expandedSize)
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            open(.sequence, at: start, tag: Self.optionalString(data.tag), anchor: Self.optionalString(data.anchor))
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            open(.mapping, at: start, tag: Self.optionalString(data.tag), anchor: Self.optionalString(data.anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard var collection = enclosing.popLast() else { return }
            swap(&collection, &innermost)
            attach(close(collection), anchor: collection.anchor, countedNodes: 1)
        default:
            break  // stream start, document end: nothing to build
        }
    }

    private mutating func open(_ kind: OpenCollection.Kind, at start: SourceLocation, tag: String?, anchor: String?) {
        guard enclosing.count < limits.maxDepth else {
            abort(.yamlLimits, "nesting deeper than \(limits.maxDepth) levels; a job never needs that many", at: start)
            return
        }
        guard checkTag(tag, at: start) else { return }
        if innermost.kind == .mapping, innermost.pendingKey == nil {
            abort(
                .yamlUnsupported, "a mapping key must be a plain string, not \(kind == .sequence ? "a list" : "a mapping")",
                at: start)
            return
        }
        let firstChild = kind == .sequence ? openItems.count : openEntries.count
        var collection = OpenCollection(kind: kind, location: start, tag: tag, anchor: anchor, firstChild: firstChild)
        swap(&collection, &innermost)
        enclosing.append(collection)
    }

    /// The node a collection stands for, its children taken off the shared stack.
    private mutating func close(_ collection: OpenCollection) -> YAMLNode {
        let content: YAMLNode.Content
        switch collection.kind {
        case .sequence:
            content = .sequence(openItems.removeAll(from: collection.firstChild))
        case .mapping:
            content = .mapping(openEntries.removeAll(from: collection.firstChild))
        case .document:
            preconditionFailure("the document is never closed")
        }
        return YAMLNode(content: content, location: collection.location, tag: collection.tag, expandedSize: collection.expandedSize)
    }

    /// Hands a finished node to its parent (or makes it the root), recording its anchor.
    private mutating func attach(_ node: consuming YAMLNode, anchor: String?, countedNodes: Int) {
        guard admit(countedNodes: countedNodes, at: node.location) else { return }
        if let anchor { anchors[anchor] = node }
        innermost.expandedSize += node.expandedSize
        switch innermost.kind {
        case .document: root = node
        case .sequence: openItems.append(node)
        case .mapping: addToMapping(node)
        }
    }

    /// A mapping key written as a scalar without an anchor, the commonest node of a job: only its text
    /// and position are kept, so no node is built for it to be taken apart again.
    private mutating func attachKey(_ text: String, at location: SourceLocation) {
        guard admit(countedNodes: 1, at: location) else { return }
        innermost.expandedSize += 1
        innermost.pendingKey = (text, location)
    }

    /// Counts finished nodes against the expansion bound; false, with the load aborted, past it.
    /// Inlined: it runs for every node, and the refusal is kept out of line.
    @inline(__always)
    private mutating func admit(countedNodes: Int, at location: SourceLocation) -> Bool {
        expandedNodes += countedNodes
        if expandedNodes <= limits.maxExpandedNodes { return true }
        refuseExpansion(at: location)
        return false
    }

    private mutating func refuseExpansion(at location: SourceLocation) {
        abort(
            .yamlLimits,
            "the document expands to more than \(limits.maxExpandedNodes) nodes (aliases multiply it); refusing a possible YAML bomb",
            at: location)
    }

    /// A mapping's children alternate: a key (kept pending), then its value.
    private mutating func addToMapping(_ node: consuming YAMLNode) {
        guard let key = innermost.pendingKey.take() else {
            // Collections as keys are refused when they open; an aliased one arrives here.
            guard case .scalar(let scalar) = node.content else {
                abort(.yamlUnsupported, "a mapping key must be a plain string, not \(node.kindDescription)", at: node.location)
                return
            }
            innermost.pendingKey = (scalar.text, node.location)
            return
        }
        let firstChild = innermost.firstChild
        if let first = Self.locationOfKey(key.text, in: openEntries, from: firstChild, index: innermost.keyIndex) {
            diagnostics.append(.error(
                .yamlDuplicateKey, "duplicate key '\(key.text)' in this mapping",
                at: key.location, notes: [.init("'\(key.text)' is first defined here", at: first)],
                suggestion: "remove one of the two, or rename it"))
            return
        }
        openEntries.append(YAMLMappingEntry(key: key.text, keyLocation: key.location, value: node))
        if innermost.keyIndex != nil {
            innermost.keyIndex![key.text] = openEntries.count - 1
        } else if openEntries.count - firstChild > OpenCollection.keysScannedLinearly {
            innermost.keyIndex = Dictionary(uniqueKeysWithValues: (firstChild..<openEntries.count).map { (openEntries[$0].key, $0) })
        }
    }

    /// Where `key` was first written in the open mapping whose entries start at `firstChild`, if it
    /// was (`index`: the mapping's key index, once it has one). Static: a method called from the
    /// mutating ones would get a copy of the whole builder.
    private static func locationOfKey(
        _ key: String, in openEntries: PendingChildren<YAMLMappingEntry>, from firstChild: Int, index: [String: Int]?
    ) -> SourceLocation? {
        if let index { return index[key].map { openEntries[$0].keyLocation } }
        let length = key.utf8.count
        return openEntries.firstIndex(from: firstChild) { $0.key.utf8.count == length && $0.key == key }
            .map { openEntries[$0].keyLocation }
    }

    /// Only core-schema tags: an application tag (`!python/object`, `!!python/…`) could mean
    /// anything to a reader of the file, and jobc will not guess.
    private mutating func checkTag(_ tag: String?, at location: SourceLocation) -> Bool {
        guard let tag, tag != "!", !Self.allowedTags.contains(tag) else { return true }
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : Substring(tag)
        abort(
            .yamlUnsupported, "YAML tag '\(shown)' is not allowed in a job file", at: location,
            suggestion: "remove the tag; values are plain strings, numbers, booleans, lists and mappings")
        return false
    }

    /// A scalar with an explicit core tag (`!!int "12"`) must really be of that type.
    private mutating func typedScalar(_ text: String, style: YAMLScalar.Style, tag: String?, at location: SourceLocation) -> YAMLScalar? {
        guard let tag, tag != "!", tag != "tag:yaml.org,2002:str" else {
            let scalar = YAMLScalar(text: text, style: style, forcedString: tag == "tag:yaml.org,2002:str")
            if style == .plain, !scalar.forcedString, ScalarValue.isOverflowingHexOrOctal(text) {
                abort(
                    .invalidValue, "integer \(text) is out of range (64-bit signed integers only)", at: location,
                    suggestion: "quote it to pass it as a string")
                return nil
            }
            return scalar
        }
        let value = ScalarValue(plain: text)
        let matches: Bool
        switch (tag, value) {
        case ("tag:yaml.org,2002:int", .integer), ("tag:yaml.org,2002:float", .float), ("tag:yaml.org,2002:float", .integer),
             ("tag:yaml.org,2002:bool", .bool), ("tag:yaml.org,2002:null", .null):
            matches = true
        default:
            matches = false
        }
        guard matches else {
            let name = tag.dropFirst("tag:yaml.org,2002:".count)
            abort(.yamlUnsupported, "'\(text)' is not a valid !!\(name)", at: location)
            return nil
        }
        return YAMLScalar(text: text, style: .plain, forcedString: false)
    }

    private mutating func reportParserError(_ parser: yaml_parser_t, _ buffer: UnsafeBufferPointer<UInt8>) {
        let problem = Self.optionalCString(parser.problem) ?? "malformed YAML"
        let at: SourceLocation
        if parser.error == YAML_READER_ERROR {
            // Reader errors carry a byte offset, not a mark.
            at = location(forByteOffset: parser.problem_offset, in: buffer)
        } else {
            at = location(line: parser.problem_mark.line, column: parser.problem_mark.column)
        }
        var notes: [Diagnostic.Note] = []
        if let context = Self.optionalCString(parser.context) {
            notes.append(.init(context, at: location(line: parser.context_mark.line, column: parser.context_mark.column)))
        }
        abort(.yamlSyntax, problem, at: at, notes: notes)
    }

    private mutating func abort(
        _ rule: RuleID, _ message: String, at location: SourceLocation,
        notes: [Diagnostic.Note] = [], suggestion: String? = nil
    ) {
        diagnostics.append(.error(rule, message, at: location, notes: notes, suggestion: suggestion))
        aborted = true
    }

    private func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(fileID: file, line: line + 1, column: column + 1)
    }

    private func location(forByteOffset offset: Int, in buffer: UnsafeBufferPointer<UInt8>) -> SourceLocation {
        var line = 1
        var column = 1
        for byte in buffer.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // count scalars, not continuation bytes
                column += 1
            }
        }
        return SourceLocation(fileID: file, line: line, column: column)
    }

    /// Most scalars are keys and short words that fit in a small string: copied straight into one, such
    /// a scalar costs about half what `String(decoding:)` does (measured ~98 against ~177 instructions).
    /// A longer one is allocated either way, and `String(decoding:)` is then the cheaper of the two.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count <= smallStringCapacity else { return String(decoding: bytes, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(bytes))
            return bytes.count
        }
    }

    /// The most UTF-8 bytes a String holds inline on a 64-bit platform.
    private static let smallStringCapacity = 15

    private static func hasRadixPrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count > 2 && bytes[0] == UInt8(ascii: "0") && (bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "o"))
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

extension YAMLLoader: RuleDeclaring {
    public static let rules: [RuleID] = [
        .yamlSyntax, .yamlEncoding, .yamlEmpty, .yamlMultipleDocuments, .yamlDuplicateKey, .yamlLimits, .yamlUnsupported, .yamlVersion,
    ]
}

extension RuleID {
    public static let yamlSyntax = RuleID("yaml-syntax", summary: "The file is not well-formed YAML.")
    public static let yamlEncoding = RuleID(
        "yaml-encoding", summary: "The file is not UTF-8 text (binary data, UTF-16, invalid byte sequences).")
    public static let yamlEmpty = RuleID("yaml-empty", summary: "The file holds no YAML document.")
    public static let yamlMultipleDocuments = RuleID(
        "yaml-multiple-documents", summary: "A job file holds exactly one YAML document.")
    public static let yamlDuplicateKey = RuleID(
        "yaml-duplicate-key", summary: "A mapping names the same key twice; YAML keeps one silently, jobc refuses.")
    public static let yamlLimits = RuleID(
        "yaml-limits",
        summary: "Nesting depth, alias expansion or size beyond jobc's bounds (protects against YAML bombs).")
    public static let yamlVersion = RuleID(
        "yaml-version", summary: "A %YAML directive other than 1.2: jobc reads every job file by YAML 1.2's rules.")
    public static let yamlUnsupported = RuleID(
        "yaml-unsupported",
        summary: "A YAML feature jobc does not accept in jobs (complex keys, merge keys, custom tags).")
}
