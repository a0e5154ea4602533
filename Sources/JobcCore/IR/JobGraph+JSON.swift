/// The documented, versioned JSON form of the IR (`jobc ir`, and stdin of external emitters).
/// Keys appear in a fixed order; see docs/ir.md for the field reference.
extension JobGraph {
    public var json: JSONValue {
        .object([
            ("irVersion", .integer(Self.irVersion)),
            ("job", job.json),
            ("tasks", .array(tasks.map(\.json))),
            ("edges", .array(edges.map { .object([("source", .string($0.source)), ("target", .string($0.target))]) })),
            ("groups", .array(groups.map(\.json))),
        ])
    }
}

extension JobMetadata {
    var json: JSONValue {
        .object([
            ("id", .string(id)),
            ("description", description.map(JSONValue.string) ?? .null),
            ("schedule", schedule.json),
            ("startDate", startDate.map { .string($0.iso8601) } ?? .null),
            ("catchup", .bool(catchup)),
            ("tags", .array(tags.map(JSONValue.string))),
            ("sourcePath", .string(sourcePath)),
            ("params", .array(params.map { parameter in
                .object([
                    ("name", .string(parameter.name)),
                    ("type", .string(parameter.type.rawValue)),
                    ("default", parameter.defaultValue.json),
                    ("description", parameter.description.map(JSONValue.string) ?? .null),
                ])
            })),
        ])
    }
}

extension Schedule {
    var json: JSONValue {
        switch self {
        case .manual:
            return .object([("kind", .string("manual"))])
        case .cron(let cron):
            return .object([
                ("kind", .string("cron")),
                ("cron", .string(cron.expression)),
                ("preset", cron.preset.map(JSONValue.string) ?? .null),
            ])
        }
    }
}

extension TaskNode {
    var json: JSONValue {
        .object([
            ("key", .string(key)),
            ("taskId", .string(taskID)),
            ("function", .object([
                ("name", .string(function.name)),
                ("module", .string(function.module)),
                ("className", .string(function.className)),
            ])),
            ("parameters", .object(parameters.map { ($0.key, $0.value.json) })),
            ("fileReferences", .array(fileReferences.map {
                .object([("parameter", .string($0.parameter)), ("path", .string($0.path))])
            })),
            ("secret", secretName.map { .object([("name", .string($0))]) } ?? .null),
            ("retry", .object([("retries", .integer(retry.retries)), ("delaySeconds", .integer(retry.delay.seconds))])),
            ("timeoutSeconds", timeout.map { .integer($0.seconds) } ?? .null),
            ("source", .object([("line", .integer(sourceLine)), ("column", .integer(sourceColumn))])),
            ("group", group.map(JSONValue.string) ?? .null),
            ("triggerRule", .string(triggerRule.rawValue)),
            ("onFailure", .object([
                ("webhooks", .array(onFailure.webhooks.map(JSONValue.string))),
                ("emails", .array(onFailure.emails.map(JSONValue.string))),
            ])),
            ("forEach", forEach.map { .object([("parameter", .string($0.parameter)), ("items", .array($0.items.map(\.json)))]) } ?? .null),
        ])
    }
}

extension TaskGroup {
    var json: JSONValue {
        .object([
            ("key", .string(key)),
            ("parent", parent.map(JSONValue.string) ?? .null),
            ("description", description.map(JSONValue.string) ?? .null),
            ("source", .object([("line", .integer(sourceLine)), ("column", .integer(sourceColumn))])),
        ])
    }
}

extension ParameterValue {
    var json: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let value): return .bool(value)
        case .integer(let value): return .integer(value)
        case .float(let value): return .number(value)
        case .string(let value): return .string(value)
        case .list(let items): return .array(items.map(\.json))
        case .mapping(let entries): return .object(entries.map { ($0.key, $0.value.json) })
        }
    }
}
