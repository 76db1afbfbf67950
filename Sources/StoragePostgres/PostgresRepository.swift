import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO

/// A repository over one table: `id`, `revision`, `sort_key`, `doc` (the whole value as jsonb)
/// and one typed column per ``IndexColumn`` of the aggregate.
struct PostgresRepository<Value: Aggregate, Query: AggregateQuery>: Repository where Query.Value == Value {
    let executor: Executor
    let table: String

    init(_ executor: Executor, table: String) {
        self.executor = executor
        self.table = table
    }

    private static var columns: [IndexColumn] { Value.indexColumns }

    func insert(_ value: Value) async throws -> Value {
        var stored = try value.checkedForInsert()
        stored.revision = 1
        try await write([stored])
        return stored
    }

    func insertMany(_ values: [Value]) async throws {
        var batch: [Value] = []
        batch.reserveCapacity(values.count)
        for value in values {
            var stored = try value.checkedForInsert()
            stored.revision = 1
            batch.append(stored)
        }
        // Bound parameters are limited to 65,535 per statement.
        let perStatement = max(1, 60_000 / (4 + Self.columns.count))
        var start = 0
        while start < batch.count {
            let end = min(batch.count, start + perStatement)
            try await write(Array(batch[start..<end]))
            start = end
        }
    }

    private func write(_ values: [Value]) async throws {
        guard !values.isEmpty else { return }
        var sql = "INSERT INTO \(table) (id, revision, sort_key, doc"
        for column in Self.columns { sql += ", \(column.name)" }
        sql += ") VALUES "
        var binds = PostgresBindings(capacity: values.count * (4 + Self.columns.count))
        for (row, value) in values.enumerated() {
            sql += row == 0 ? "(" : ", ("
            sql += try bind(value.id.uuid, &binds) + ", " + bind(value.revision, &binds) + ", " + bind(value.sortKey, &binds)
            sql += ", " + (try bind(try SQLJSON.encode(value), &binds)) + "::jsonb"
            let values = value.indexValues
            for column in Self.columns { sql += ", " + (try bind(values[column.name] ?? .null, type: column.type, &binds)) }
            sql += ")"
        }
        _ = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    func update(_ value: Value) async throws -> Value {
        if Value.isAppendOnly { throw SafetyError(.constraintViolation, "a \(Value.recordKind) is never changed once recorded") }
        try value.validate()
        var stored = value
        stored.revision = value.revision + 1
        var binds = PostgresBindings()
        var sql = "UPDATE \(table) SET revision = \(try bind(stored.revision, &binds)), sort_key = \(try bind(stored.sortKey, &binds))"
        sql += ", doc = \(try bind(try SQLJSON.encode(stored), &binds))::jsonb"
        let values = stored.indexValues
        for column in Self.columns {
            sql += ", \(column.name) = " + (try bind(values[column.name] ?? .null, type: column.type, &binds))
        }
        sql += " WHERE id = \(try bind(value.id.uuid, &binds)) AND revision = \(try bind(value.revision, &binds)) RETURNING id"
        let updated = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        if updated.isEmpty {
            var lookup = PostgresBindings()
            let found = try await executor.rows(
                PostgresQuery(unsafeSQL: "SELECT revision FROM \(table) WHERE id = \(try bind(value.id.uuid, &lookup))", binds: lookup))
            guard let row = found.first else { throw SafetyError.notFound(Value.recordKind) }
            let current = try row.decode(Int.self)
            throw SafetyError.staleRevision(Value.recordKind, expected: value.revision, found: current)
        }
        return stored
    }

    func get(_ id: Value.ID) async throws -> Value? {
        var binds = PostgresBindings()
        let sql = "SELECT doc::text FROM \(table) WHERE id = \(try bind(id.uuid, &binds))"
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        return try rows.first.map { try SQLJSON.decode(Value.self, from: $0.decode(String.self)) }
    }

    /// The scope is part of the statement, so an out-of-scope row is never read.
    func get(_ id: Value.ID, within scope: QueryScope) async throws -> Value? {
        var binds = PostgresBindings()
        var sql = "SELECT doc::text FROM \(table) WHERE id = \(try bind(id.uuid, &binds))"
        if let condition = scope.condition { sql += " AND " + (try SQLCondition.render(condition, columns: Self.columns, &binds)) }
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        return try rows.first.map { try SQLJSON.decode(Value.self, from: $0.decode(String.self)) }
    }

    func find(_ query: Query) async throws -> [Value] {
        var binds = PostgresBindings()
        var sql = "SELECT doc::text FROM \(table)" + (try whereClause(query.conditions, &binds))
        sql += " ORDER BY sort_key COLLATE \"C\", id"
        if let limit = query.limit { sql += " LIMIT \(try bind(limit, &binds))" }
        if query.offset > 0 { sql += " OFFSET \(try bind(query.offset, &binds))" }
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        return try rows.map { try SQLJSON.decode(Value.self, from: $0.decode(String.self)) }
    }

    func count(_ query: Query) async throws -> Int {
        var binds = PostgresBindings()
        let sql = "SELECT count(*) FROM \(table)" + (try whereClause(query.conditions, &binds))
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        return try rows.first?.decode(Int.self) ?? 0
    }

    private func whereClause(_ conditions: [Condition], _ binds: inout PostgresBindings) throws -> String {
        guard !conditions.isEmpty else { return "" }
        return " WHERE " + (try conditions.map { try SQLCondition.render($0, columns: Self.columns, &binds) }.joined(separator: " AND "))
    }
}

/// Renders conditions as SQL over known column names, binding every value.
enum SQLCondition {
    static func render(_ condition: Condition, columns: [IndexColumn], _ binds: inout PostgresBindings) throws -> String {
        func column(_ name: String) throws -> IndexColumn {
            guard let column = columns.first(where: { $0.name == name }) else {
                throw SafetyError(.invalidInput, "the query names a column the table does not have", location: name)
            }
            return column
        }
        switch condition {
        case .equals(let name, .null), .isNull(let name):
            return "\(try column(name).name) IS NULL"
        case .equals(let name, let value):
            let column = try column(name)
            return "\(column.name) = " + (try bind(value, type: column.type, &binds))
        case .oneOf(let name, let values):
            let column = try column(name)
            let present = values.filter { $0 != .null }
            var parts: [String] = []
            if !present.isEmpty {
                parts.append(
                    "\(column.name) IN (" + (try present.map { try bind($0, type: column.type, &binds) }.joined(separator: ", ")) + ")")
            }
            if present.count < values.count { parts.append("\(column.name) IS NULL") }
            return parts.isEmpty ? "FALSE" : "(" + parts.joined(separator: " OR ") + ")"
        case .atMost(let name, let value):
            let column = try column(name)
            return "\(column.name) <= " + (try bind(value, type: column.type, &binds))
        case .atLeast(let name, let value):
            let column = try column(name)
            return "\(column.name) >= " + (try bind(value, type: column.type, &binds))
        case .contains(let name, let text):
            let column = try column(name)
            return "strpos(lower(\(column.name)), lower(\(try bind(text, &binds)))) > 0"
        case .or(let a, let b):
            return "(" + (try render(a, columns: columns, &binds)) + " OR " + (try render(b, columns: columns, &binds)) + ")"
        case .and(let a, let b):
            return "(" + (try render(a, columns: columns, &binds)) + " AND " + (try render(b, columns: columns, &binds)) + ")"
        case .includes(let name, let uuid):
            let column = try column(name)
            return "\(column.name) @> ARRAY[\(try bind(uuid, &binds))]::uuid[]"
        }
    }
}

/// Appends a value to the bindings and returns its placeholder.
func bind<T: PostgresThrowingDynamicTypeEncodable>(_ value: T, _ binds: inout PostgresBindings) throws -> String {
    try binds.append(value)
    return "$\(binds.count)"
}

/// Appends an optional value (null when absent) to the bindings and returns its placeholder.
func bind<T: PostgresThrowingDynamicTypeEncodable>(_ value: T?, _ binds: inout PostgresBindings) throws -> String {
    try binds.append(value)
    return "$\(binds.count)"
}

/// Binds an index value with the cast its column type needs.
func bind(_ value: IndexValue, type: IndexType, _ binds: inout PostgresBindings) throws -> String {
    switch value {
    case .null:
        binds.appendNull()
        return "$\(binds.count)"
    case .text(let text): return try bind(text, &binds)
    case .integer(let number): return try bind(number, &binds)
    case .boolean(let flag): return try bind(flag, &binds)
    case .date(let date): return try bind(date.description, &binds) + "::date"
    case .timestamp(let instant): return try bind(instant, &binds)
    case .uuid(let uuid): return try bind(uuid, &binds)
    case .uuids(let list): return try bind(list, &binds) + "::uuid[]"
    }
}

/// JSON for the `doc` column, with a lossless date strategy.
enum SQLJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw SafetyError(.corruptData, "a stored record could not be read", underlying: error)
        }
    }
}
