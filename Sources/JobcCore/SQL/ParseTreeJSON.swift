/// libpg_query's JSON parse tree, read into flat arrays by a loop with an explicit stack: no depth
/// limit and no recursion (Foundation's reader is both slower on these trees and not built for
/// nesting tens of thousands deep).
struct ParseTreeJSON {
    /// A value by its index in `values`; 0 is the root.
    typealias Index = Int

    enum Value {
        case object(Range<Int>)  // into `members`
        case array(Range<Int>)  // into `elements`
        case string(Range<Int>)  // into `storage`
        case integer(Int)
        case bool(Bool)
        /// null, and numbers that are not integers (libpg_query writes none: floats are strings).
        case other
    }

    private(set) var values: [Value] = []
    private(set) var members: [(key: Range<Int>, value: Index)] = []
    private(set) var elements: [Index] = []
    /// The JSON text, then the strings whose escapes had to be decoded: strings and keys are ranges
    /// of it, made into Swift strings only when asked for.
    private var storage: [UInt8]

    subscript(index: Index) -> Value { values[index] }

    /// The member `key` of an object, or nil.
    func member(_ key: String, of index: Index?) -> Index? {
        guard let index, case .object(let range) = values[index] else { return nil }
        for position in range where storage[members[position].key].elementsEqual(key.utf8) {
            return members[position].value
        }
        return nil
    }

    func string(_ index: Index?) -> String? {
        guard let index, case .string(let range) = values[index] else { return nil }
        return String(decoding: storage[range], as: UTF8.self)
    }

    func integer(_ index: Index?) -> Int? {
        guard let index, case .integer(let number) = values[index] else { return nil }
        return number
    }

    func bool(_ index: Index?) -> Bool? {
        guard let index, case .bool(let flag) = values[index] else { return nil }
        return flag
    }

    func elements(of index: Index?) -> ArraySlice<Index> {
        guard let index, case .array(let range) = values[index] else { return [] }
        return elements[range]
    }

    /// The members of an object, keys as strings.
    func objectMembers(of index: Index) -> [(key: String, value: Index)] {
        guard case .object(let range) = values[index] else { return [] }
        return members[range].map { (String(decoding: storage[$0.key], as: UTF8.self), $0.value) }
    }

    /// The only member of an object that has exactly one, as libpg_query wraps a node: `{"Type": {...}}`.
    func soleMember(of index: Index) -> (key: String, value: Index)? {
        guard case .object(let range) = values[index], range.count == 1 else { return nil }
        let member = members[range.lowerBound]
        return (String(decoding: storage[member.key], as: UTF8.self), member.value)
    }

    /// nil when the text is not JSON as libpg_query writes it.
    init?(_ text: UnsafeBufferPointer<UInt8>) {
        storage = Array(text)
        var reader = Reader(text: text)
        guard reader.read(into: &self) else { return nil }
    }

    private struct Reader {
        let text: UnsafeBufferPointer<UInt8>
        var offset = 0

        private struct OpenContainer {
            let index: Index
            let isObject: Bool
            /// Where this container's children start in the pending lists.
            let firstPending: Int
            var pendingKey: Range<Int>?
        }

        init(text: UnsafeBufferPointer<UInt8>) {
            self.text = text
        }

        mutating func read(into tree: inout ParseTreeJSON) -> Bool {
            var open: [OpenContainer] = []
            var pendingMembers: [(key: Range<Int>, value: Index)] = []
            var pendingElements: [Index] = []

            func attach(_ value: Index, to open: inout [OpenContainer]) -> Bool {
                guard var top = open.popLast() else { return true }
                defer { open.append(top) }
                if top.isObject {
                    guard let key = top.pendingKey else { return false }
                    pendingMembers.append((key, value))
                    top.pendingKey = nil
                } else {
                    pendingElements.append(value)
                }
                return true
            }

            var expectValue = true
            repeat {
                skipSpace()
                guard offset < text.count else { return false }
                let byte = text[offset]
                if !expectValue {
                    // After a value: a comma, or the end of the enclosing container.
                    guard let top = open.last else { return false }
                    if byte == UInt8(ascii: ",") {
                        offset += 1
                        if top.isObject, !readKey(into: &open, &tree) { return false }
                        expectValue = true
                        continue
                    }
                    guard byte == (top.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
                    offset += 1
                    open.removeLast()
                    if top.isObject {
                        let start = tree.members.count
                        tree.members.append(contentsOf: pendingMembers[top.firstPending...])
                        pendingMembers.removeSubrange(top.firstPending...)
                        tree.values[top.index] = .object(start..<tree.members.count)
                    } else {
                        let start = tree.elements.count
                        tree.elements.append(contentsOf: pendingElements[top.firstPending...])
                        pendingElements.removeSubrange(top.firstPending...)
                        tree.values[top.index] = .array(start..<tree.elements.count)
                    }
                    continue
                }
                let index = tree.values.count
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isObject = byte == UInt8(ascii: "{")
                    offset += 1
                    tree.values.append(.other)
                    guard attach(index, to: &open) else { return false }
                    open.append(OpenContainer(
                        index: index, isObject: isObject,
                        firstPending: isObject ? pendingMembers.count : pendingElements.count))
                    skipSpace()
                    if offset < text.count, text[offset] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        expectValue = false  // empty: the closing bracket is handled as after a value
                    } else if isObject, !readKey(into: &open, &tree) {
                        return false
                    }
                    continue
                case UInt8(ascii: "\""):
                    guard let string = readString(into: &tree) else { return false }
                    tree.values.append(.string(string))
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    let word = byte == UInt8(ascii: "t") ? "true" : byte == UInt8(ascii: "f") ? "false" : "null"
                    guard text.count - offset >= word.utf8.count, text[offset..<(offset + word.utf8.count)].elementsEqual(word.utf8) else { return false }
                    offset += word.utf8.count
                    tree.values.append(word == "null" ? .other : .bool(word == "true"))
                default:
                    guard let number = readNumber() else { return false }
                    tree.values.append(number)
                }
                guard attach(index, to: &open) else { return false }
                expectValue = false
            } while !open.isEmpty
            skipSpace()
            return offset == text.count && !tree.values.isEmpty
        }

        /// `"key":` after `{` or `,` in an object.
        private mutating func readKey(into open: inout [OpenContainer], _ tree: inout ParseTreeJSON) -> Bool {
            skipSpace()
            guard offset < text.count, text[offset] == UInt8(ascii: "\""), let key = readString(into: &tree) else { return false }
            skipSpace()
            guard offset < text.count, text[offset] == UInt8(ascii: ":") else { return false }
            offset += 1
            open[open.count - 1].pendingKey = key
            return true
        }

        private mutating func skipSpace() {
            while offset < text.count {
                switch text[offset] {
                case 0x20, 0x0A, 0x0D, 0x09: offset += 1
                default: return
                }
            }
        }

        private mutating func readNumber() -> Value? {
            let start = offset
            var isInteger = true
            while offset < text.count {
                switch text[offset] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"): break
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"): isInteger = false
                default:
                    guard offset > start else { return nil }
                    return isInteger ? Int(String(decoding: text[start..<offset], as: UTF8.self)).map(Value.integer) ?? .other : .other
                }
                offset += 1
            }
            return nil
        }

        /// The string at `offset` (on its opening quote) as a range of the tree's storage, escapes decoded.
        private mutating func readString(into tree: inout ParseTreeJSON) -> Range<Int>? {
            offset += 1
            let start = offset
            while offset < text.count, text[offset] != UInt8(ascii: "\""), text[offset] != UInt8(ascii: "\\") { offset += 1 }
            guard offset < text.count else { return nil }
            if text[offset] == UInt8(ascii: "\"") {
                offset += 1
                return start..<(offset - 1)
            }
            var bytes = Array(text[start..<offset])
            while offset < text.count {
                let byte = text[offset]
                offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    let decodedStart = tree.storage.count
                    tree.storage.append(contentsOf: bytes)
                    return decodedStart..<tree.storage.count
                case UInt8(ascii: "\\"):
                    guard offset < text.count else { return nil }
                    let escaped = text[offset]
                    offset += 1
                    switch escaped {
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "b"): bytes.append(0x08)
                    case UInt8(ascii: "f"): bytes.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard var scalar = readHex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar), text.count - offset >= 6,
                           text[offset] == UInt8(ascii: "\\"), text[offset + 1] == UInt8(ascii: "u") {
                            offset += 2
                            guard let low = readHex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                        }
                        bytes.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                    default: bytes.append(escaped)  // \" \\ \/
                    }
                default:
                    bytes.append(byte)
                }
            }
            return nil
        }

        private mutating func readHex4() -> UInt32? {
            guard text.count - offset >= 4 else { return nil }
            let value = UInt32(String(decoding: text[offset..<(offset + 4)], as: UTF8.self), radix: 16)
            offset += 4
            return value
        }
    }
}
