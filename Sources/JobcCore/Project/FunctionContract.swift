/// What a function promises and needs, read from `<name>.contract.yaml` beside its Python module:
/// jobc checks every task's kwargs against it at compile time, and emitters learn where the code lives.
public struct FunctionContract: Sendable, Equatable {
    public enum SecretRequirement: String, Sendable, CaseIterable { case required, optional, none }

    /// Which kwargs beyond the declared parameters a function accepts.
    public enum ExtraParameters: String, Sendable, CaseIterable {
        /// Only declared parameters.
        case none
        /// Any other kwarg with a scalar value (e.g. SQL bind parameters).
        case scalar
        /// Any other kwarg, any value.
        case any
    }

    /// The fields live in one shared, immutable object: a job's tasks, rules and lowering each hold
    /// the contract of the function a task runs, and copying a dozen strings and arrays (a retain
    /// and a release each) for every one of them cost more than reading a field through a reference.
    private final class Storage: Sendable {
        let name: String
        let module: String
        let className: String
        let description: String?
        let secret: SecretRequirement
        let secretKeys: [SecretKeyRequirement]
        let extraParameters: ExtraParameters
        let parameters: [ParameterContract]
        let sql: SQLContract?
        let contractPath: String

        init(
            name: String, module: String, className: String, description: String?, secret: SecretRequirement,
            secretKeys: [SecretKeyRequirement], extraParameters: ExtraParameters, parameters: [ParameterContract], sql: SQLContract?,
            contractPath: String
        ) {
            self.name = name
            self.module = module
            self.className = className
            self.description = description
            self.secret = secret
            self.secretKeys = secretKeys
            self.extraParameters = extraParameters
            self.parameters = parameters
            self.sql = sql
            self.contractPath = contractPath
        }
    }

    private let storage: Storage

    init(
        name: String, module: String, className: String, description: String?, secret: SecretRequirement,
        secretKeys: [SecretKeyRequirement] = [], extraParameters: ExtraParameters, parameters: [ParameterContract], sql: SQLContract? = nil,
        contractPath: String
    ) {
        storage = Storage(
            name: name, module: module, className: className, description: description, secret: secret, secretKeys: secretKeys,
            extraParameters: extraParameters, parameters: parameters, sql: sql, contractPath: contractPath)
    }

    public var name: String { storage.name }
    /// The Python module (file name without `.py`) in `orchestration/function/`.
    public var module: String { storage.module }
    public var className: String { storage.className }
    public var description: String? { storage.description }
    public var secret: SecretRequirement { storage.secret }
    /// The keys the secret's JSON object must hold (`secret_keys:`); empty when the contract names none.
    public var secretKeys: [SecretKeyRequirement] { storage.secretKeys }
    public var extraParameters: ExtraParameters { storage.extraParameters }
    public var parameters: [ParameterContract] { storage.parameters }
    /// Which parameter names a SQL file and in which dialect (`sql:`), so jobc can parse it; nil for
    /// functions that run no SQL file.
    public var sql: SQLContract? { storage.sql }
    /// The contract file, relative to the project root.
    public var contractPath: String { storage.contractPath }

    public static func == (lhs: FunctionContract, rhs: FunctionContract) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.name == rhs.name && lhs.module == rhs.module && lhs.className == rhs.className && lhs.description == rhs.description
                && lhs.secret == rhs.secret && lhs.secretKeys == rhs.secretKeys && lhs.extraParameters == rhs.extraParameters
                && lhs.parameters == rhs.parameters && lhs.sql == rhs.sql && lhs.contractPath == rhs.contractPath)
    }

    public func parameter(named name: String) -> ParameterContract? {
        parameters.first { $0.name == name }
    }
}

/// `sql: {parameter: sql_file_path, dialect: postgresql}`: the parameter (of type path) that names
/// the SQL file a task runs, and the SQL's dialect. jobc parses the dialects it has a parser for
/// (`SQLContract.parsedDialects`) and leaves other dialects' files unread.
public struct SQLContract: Sendable, Equatable {
    public var parameter: String
    public var dialect: String

    public init(parameter: String, dialect: String) {
        self.parameter = parameter
        self.dialect = dialect
    }

    /// The dialects jobc parses: PostgreSQL, with libpg_query (the server's own parser).
    public static let parsedDialects = ["postgresql"]

    public var isParsed: Bool { Self.parsedDialects.contains(dialect) }
}

/// A key a function's secret must hold: one name (`host`), or at least one of several names
/// (`{one_of: [database, dbname]}`) for a setting the function accepts under either.
public enum SecretKeyRequirement: Sendable, Equatable {
    case key(String)
    case oneOf([String])

    /// Whether a secret holding `keys` meets it.
    public func isMet(by keys: Set<String>) -> Bool {
        switch self {
        case .key(let name): return keys.contains(name)
        case .oneOf(let names): return names.contains(where: keys.contains)
        }
    }

    /// For messages: `'host'`, `'database' or 'dbname'`.
    public var description: String {
        switch self {
        case .key(let name): return "'\(name)'"
        case .oneOf(let names): return names.map { "'\($0)'" }.joined(separator: " or ")
        }
    }
}

/// One declared parameter of a function.
public struct ParameterContract: Sendable, Equatable {
    public enum ValueType: String, Sendable, CaseIterable {
        case string, integer, number, boolean, list, mapping, any
        /// A string naming a project file (relative to the root) that must exist and stay inside it.
        case path

        /// Whether `value` fits. Null stands for "use the default", so it fits every type here; the
        /// contract rule refuses it for required parameters.
        func accepts(_ value: ParameterValue) -> Bool {
            switch (self, value) {
            case (.any, _), (_, .null): return true
            case (.string, .string), (.path, .string), (.boolean, .bool), (.integer, .integer),
                 (.number, .integer), (.number, .float), (.list, .list), (.mapping, .mapping):
                return true
            default: return false
            }
        }
    }

    public var name: String
    public var type: ValueType
    public var required: Bool
    public var defaultValue: ParameterValue?
    public var description: String?
}
