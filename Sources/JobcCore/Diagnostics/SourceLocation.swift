import Foundation

/// A position in a source file: 1-based line and column (columns count Unicode scalars, as libyaml does).
///
/// The file is held as a number into `SourceFileNames` rather than as its path: every YAML node,
/// every located value of a job and every IR node carries a location, and a path string in each
/// would be reference-counted on every copy of any of them. Three integers copy for free.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    private(set) var fileID: SourceFileID
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.init(fileID: SourceFileNames.shared.id(of: file), line: line, column: column)
    }

    /// For code that makes many locations in one file (the YAML loader): the file looked up once.
    init(fileID: SourceFileID, line: Int, column: Int) {
        self.fileID = fileID
        self.line = line
        self.column = column
    }

    public var file: String {
        get { SourceFileNames.shared.name(of: fileID) }
        set { fileID = SourceFileNames.shared.id(of: newValue) }
    }

    /// The same file and line, `offset` columns further right: used to point inside a scalar
    /// (a bad cron field, say) rather than at its start.
    public func advanced(byColumns offset: Int) -> SourceLocation {
        SourceLocation(fileID: fileID, line: line, column: column + offset)
    }

    public var description: String { "\(file):\(line):\(column)" }

    /// By file path, then line, then column.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        if lhs.fileID != rhs.fileID { return lhs.file < rhs.file }
        return (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// A file path's number in `SourceFileNames`.
struct SourceFileID: Hashable, Sendable {
    fileprivate let index: UInt32
}

/// Every file path a location has named in this process, each numbered once (the same path, the
/// same number, so locations compare by number). A compiler run names a few thousand files at most;
/// the table only grows.
final class SourceFileNames: @unchecked Sendable {
    static let shared = SourceFileNames()

    private let lock = NSLock()
    private var names: [String] = []
    private var ids: [String: SourceFileID] = [:]

    func id(of name: String) -> SourceFileID {
        lock.withLock {
            if let known = ids[name] { return known }
            let id = SourceFileID(index: UInt32(names.count))
            names.append(name)
            ids[name] = id
            return id
        }
    }

    func name(of id: SourceFileID) -> String {
        lock.withLock { names[Int(id.index)] }
    }
}
