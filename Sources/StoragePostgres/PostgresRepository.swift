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
        // Bound parameters are limited to 65,535 per statement. The part short of a whole
        // statement goes first: a part of fewer than ``CopyText/threshold`` rows is encoded before
        // it is sent, so its failure must come before any other part is written. A later part
        // goes by `COPY`, whose failure the server sees and which aborts the transaction: the
        // batch is written whole or not at all, even by a caller that catches the error.
        let perStatement = max(1, 60_000 / (5 + Self.columns.count))
        var start = 0
        var end = batch.count % perStatement == 0 ? min(batch.count, perStatement) : batch.count % perStatement
        while start < batch.count {
            try await write(Array(batch[start..<end]))
            start = end
            end = min(batch.count, start + perStatement)
        }
    }

    private func write(_ values: [Value]) async throws {
        guard !values.isEmpty else { return }
        if values.count >= CopyText.threshold {
            // Rows are encoded a few hundred at a time, each batch sent while the next is made.
            var next = 0
            try await executor.copy(into: table, columns: ["id", "revision", "sort_key", "mac", "doc"] + Self.columns.map(\.name)) {
                (rows: inout CopyText.Rows) in
                let end = min(values.count, next + CopyText.batch)
                for value in values[next..<end] {
                    let doc = try SQLJSON.encode(value)
                    rows.field(value.id.uuidString)
                    rows.field(String(value.revision))
                    rows.field(value.sortKey)
                    rows.field(mac(value, doc))
                    rows.field(doc)
                    let indexed = value.indexValues
                    for column in Self.columns { rows.field(indexed[column.name] ?? .null) }
                    rows.endRow()
                }
                next = end
                return next < values.count
            }
            return
        }
        var sql = "INSERT INTO \(table) (id, revision, sort_key, mac, doc"
        for column in Self.columns { sql += ", \(column.name)" }
        sql += ") VALUES "
        var binds = PostgresBindings(capacity: values.count * (5 + Self.columns.count))
        for (row, value) in values.enumerated() {
            sql += row == 0 ? "(" : ", ("
            let doc = try SQLJSON.encode(value)
            sql += try bind(value.id.uuid, &binds) + ", " + bind(value.revision, &binds) + ", " + bind(value.sortKey, &binds)
            sql += ", " + (try bind(mac(value, doc), &binds))
            sql += ", " + (try bind(doc, &binds)) + "::jsonb"
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
        let doc = try SQLJSON.encode(stored)
        sql += ", mac = \(try bind(mac(stored, doc), &binds)), doc = \(try bind(doc, &binds))::jsonb"
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
        let sql = "SELECT doc::text, mac FROM \(table) WHERE id = \(try bind(id.uuid, &binds))"
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        return try rows.first.map(read)
    }

    /// The scope is part of the statement, so an out-of-scope row is never read.
    func get(_ id: Value.ID, within scope: QueryScope) async throws -> Value? {
        var binds = PostgresBindings()
        var sql = "SELECT doc::text, mac FROM \(table) WHERE id = \(try bind(id.uuid, &binds))"
        if let condition = scope.condition { sql += " AND " + (try SQLCondition.render(condition, columns: Self.columns, &binds)) }
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        return try rows.first.map(read)
    }

    /// The row's MAC under the store's integrity key, or `nil` without a key.
    private func mac(_ value: Value, _ doc: String) -> String? {
        executor.integrity?.mac(table: table, id: value.id.uuid, revision: value.revision, doc: doc)
    }

    /// Decodes a `doc, mac` row; with an integrity key, a row whose MAC does not match its body
    /// (edited outside the SDK, or its MAC removed) is refused, naming the table and identifier.
    private func read(_ row: PostgresRow) throws -> Value {
        // The document's bytes are read where they lie, without making a string of them first.
        let (doc, stored) = try row.decode((ByteBuffer, String?).self)
        return try checked(try SQLJSON.decode(Value.self, from: doc), mac: stored)
    }

    /// Decodes and checks many rows, in order. From a few thousand rows on they are split
    /// between as many tasks as the machine has cores: decoding a document and checking its MAC
    /// is most of what a large read costs the client, and each row stands alone.
    func read(_ rows: [PostgresRow]) async throws -> [Value] {
        try await Self.inParts(rows) { try read($0) }
    }

    /// `transform` of each item, in order: from 512 items on, split between as many tasks as the
    /// machine has cores (at most four); the error of the first part that threw is rethrown.
    static func inParts<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) throws -> R) async throws -> [R] {
        let parts = min(4, ProcessInfo.processInfo.activeProcessorCount, items.count / 256)
        guard parts > 1 else { return try items.map(transform) }
        let size = (items.count + parts - 1) / parts
        return try await withThrowingTaskGroup(of: (Int, [R]).self) { group in
            for part in 0..<parts {
                let slice = Array(items[(part * size)..<min(items.count, (part + 1) * size)])
                group.addTask { (part, try slice.map(transform)) }
            }
            var done = [[R]](repeating: [], count: parts)
            for try await (part, values) in group { done[part] = values }
            return done.flatMap { $0 }
        }
    }

    /// Decodes a document and its stored MAC, checked as ``read(_:)`` checks a row.
    func read(_ text: String, mac stored: String?) throws -> Value {
        try checked(try SQLJSON.decode(Value.self, from: text), mac: stored)
    }

    /// `value`, read from a row, once its stored MAC is checked as ``read(_:mac:)`` checks it.
    private func checked(_ value: Value, mac stored: String?) throws -> Value {
        if let integrity = executor.integrity {
            func matches(_ doc: String) -> Bool {
                stored == integrity.mac(table: table, id: value.id.uuid, revision: value.revision, doc: doc)
            }
            // The kind's own writer gives JSONEncoder's bytes, MACed as they are; JSONEncoder itself
            // is asked again before a row is refused, so that no difference between the two could
            // refuse a row.
            var intact: Bool
            if let writable = value as? any StoredJSONWritable {
                intact = writable.storedJSON().withUnsafeBytes { body in
                    stored == integrity.mac(table: table, id: value.id.uuid, revision: value.revision, body: body)
                }
                if !intact { intact = try matches(SQLJSON.encodeWithJSONEncoder(value)) }
            } else {
                intact = try matches(SQLJSON.encode(value))
            }
            guard intact else {
                throw SafetyError(
                    .corruptData, "the \(Value.recordKind) \(value.id.uuidString) was changed outside the SDK: its MAC does not match",
                    location: "\(table):\(value.id.uuidString)")
            }
        }
        return value
    }

    func find(_ query: Query) async throws -> [Value] {
        var binds = PostgresBindings()
        var sql = "SELECT doc::text, mac FROM \(table)" + (try whereClause(query.conditions, &binds))
        sql += " ORDER BY sort_key COLLATE \"C\", id"
        if let limit = query.limit { sql += " LIMIT \(try bind(limit, &binds))" }
        if query.offset > 0 { sql += " OFFSET \(try bind(query.offset, &binds))" }
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        return try await read(rows)
    }

    /// The first `limit` values matching `query` at each of `schoolIDs`, in the repository's
    /// order within each school and the schools in the order given: one statement, each school's
    /// part read through its own index range (the query's limit and offset are not used).
    func first(_ limit: Int, perSchool schoolIDs: [UUID], matching query: Query) async throws -> [Value] {
        var binds = PostgresBindings()
        let schools = try bind(schoolIDs, &binds)
        let conditions = try whereClause(query.conditions, &binds)
        let sql = """
            SELECT x.doc, x.mac FROM unnest(\(schools)::uuid[]) WITH ORDINALITY AS s (school, place) CROSS JOIN LATERAL (
                SELECT doc::text AS doc, mac, sort_key, id FROM \(table)\(conditions.isEmpty ? " WHERE" : conditions + " AND") school_id = s.school
                ORDER BY sort_key COLLATE "C", id LIMIT \(try bind(limit, &binds))
            ) AS x
            ORDER BY s.place, x.sort_key COLLATE "C", x.id
            """
        return try await read(try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds)))
    }

    func find(matching conditions: [Condition], limit: Int?) async throws -> [Value] {
        var binds = PostgresBindings()
        var sql = "SELECT doc::text, mac FROM \(table)" + (try whereClause(conditions, &binds))
        sql += " ORDER BY sort_key COLLATE \"C\", id"
        if let limit { sql += " LIMIT \(try bind(limit, &binds))" }
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        return try await read(rows)
    }

    /// As `find(matching:limit: nil)`, without the `ORDER BY`: the server need not sort.
    func findAll(matching conditions: [Condition]) async throws -> [Value] {
        var binds = PostgresBindings()
        let sql = "SELECT doc::text, mac FROM \(table)" + (try whereClause(conditions, &binds))
        return try await read(try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds)))
    }

    /// Counted by the server: `GROUP BY` over the typed columns, months in UK time.
    func countGrouped(_ query: Query, by keys: [GroupKey]) async throws -> [GroupedCount] {
        var expressions: [(sql: String, type: IndexType, month: Bool)] = []
        for key in keys {
            switch key {
            case .column(let name):
                guard let column = Self.columns.first(where: { $0.name == name }), column.type != .uuidList else {
                    throw SafetyError(.invalidInput, "no such column to group by", location: name)
                }
                expressions.append((column.type == .date ? "\(column.name)::text" : column.name, column.type, false))
            case .month(let name):
                guard let column = Self.columns.first(where: { $0.name == name }), column.type == .date || column.type == .timestamp
                else { throw SafetyError(.invalidInput, "months group a date or timestamp column", location: name) }
                let instant = column.type == .timestamp ? "(\(column.name) AT TIME ZONE 'Europe/London')" : column.name
                expressions.append(("to_char(\(instant), 'YYYY-MM')", .text, true))
            }
        }
        var binds = PostgresBindings()
        let selected = expressions.map(\.sql) + ["count(*)"]
        var sql = "SELECT " + selected.joined(separator: ", ") + " FROM \(table)" + (try whereClause(query.conditions, &binds))
        if !expressions.isEmpty { sql += " GROUP BY " + (1...expressions.count).map(String.init).joined(separator: ", ") }
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        let groups = try rows.map { row -> GroupedCount in
            let cells = row.makeRandomAccess()
            var key: [IndexValue] = []
            for (index, expression) in expressions.enumerated() {
                key.append(try Self.indexValue(cells[index], expression.type))
            }
            return GroupedCount(key: key, count: try cells[expressions.count].decode(Int.self))
        }
        return groups.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }

    private static func indexValue(_ cell: PostgresCell, _ type: IndexType) throws -> IndexValue {
        switch type {
        case .text: return try cell.decode(String?.self).map { .text($0) } ?? .null
        case .integer: return try cell.decode(Int?.self).map { .integer($0) } ?? .null
        case .boolean: return try cell.decode(Bool?.self).map { .boolean($0) } ?? .null
        case .date:
            guard let text = try cell.decode(String?.self) else { return .null }
            guard let date = CalendarDate(iso: text) else { throw SafetyError(.corruptData, "a stored date could not be read") }
            return .date(date)
        case .timestamp: return try cell.decode(Date?.self).map { .timestamp($0) } ?? .null
        case .uuid: return try cell.decode(UUID?.self).map { .uuid($0) } ?? .null
        case .uuidList: return .uuids(try cell.decode([UUID]?.self) ?? [])
        }
    }

    /// Keyset paging in the statement: `(sort_key, id)` after the cursor, on the listing's index.
    func page(_ query: Query, after cursor: PageCursor?, limit: Int, direction: SortDirection) async throws -> Page<Value> {
        guard limit >= 1 else { throw SafetyError.invalid("page.limit", "a page holds at least one record") }
        var binds = PostgresBindings()
        var conditions = try query.conditions.map { try SQLCondition.render($0, columns: Self.columns, &binds) }
        let order = direction == .ascending ? "ASC" : "DESC"
        if let cursor {
            let comparison = direction == .ascending ? ">" : "<"
            conditions.append(
                "(sort_key COLLATE \"C\", id) \(comparison) (\(try bind(cursor.sortKey, &binds)) COLLATE \"C\", \(try bind(cursor.id, &binds)))"
            )
        }
        var sql = "SELECT doc::text, mac FROM \(table)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY sort_key COLLATE \"C\" \(order), id \(order) LIMIT \(try bind(limit + 1, &binds))"
        let rows = try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        let found = try await read(rows)
        let values = Array(found.prefix(limit))
        let next = found.count > limit ? values.last.map { PageCursor(sortKey: $0.sortKey, id: $0.id.uuid) } : nil
        return Page(values: values, next: next)
    }

    /// Deletes the row through the sanctioned path: the append-only triggers let a `DELETE` by
    /// when the transaction has set `onlinesafety.purge` (and only for this statement's transaction).
    func purge(_ id: Value.ID) async throws -> Bool {
        try await executor.transaction { connection in
            let tx = executor.on(connection)
            _ = try await tx.rows("SELECT set_config('onlinesafety.purge', 'on', true)")
            var binds = PostgresBindings()
            let sql = "DELETE FROM \(table) WHERE id = \(try bind(id.uuid, &binds)) RETURNING id"
            let deleted = try await tx.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
            _ = try await tx.rows("SELECT set_config('onlinesafety.purge', 'off', true)")
            return !deleted.isEmpty
        }
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
            if let array = try arrayBind(present, &binds) {
                // A long list is one array parameter: one bind to parse, and no limit on its length.
                parts.append("\(column.name) = ANY(\(array))")
            } else if !present.isEmpty {
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

extension SQLCondition {
    /// From how many values a `oneOf` is bound as one array.
    static let arrayThreshold = 16

    /// The placeholder of `values` bound as one array, cast to its element type, when there are
    /// at least ``arrayThreshold`` of them and all are identifiers or all text; `nil` otherwise.
    static func arrayBind(_ values: [IndexValue], _ binds: inout PostgresBindings) throws -> String? {
        guard values.count >= arrayThreshold else { return nil }
        var uuids: [UUID] = []
        var texts: [String] = []
        for value in values {
            switch value {
            case .uuid(let uuid) where texts.isEmpty: uuids.append(uuid)
            case .text(let text) where uuids.isEmpty: texts.append(text)
            default: return nil
            }
        }
        return uuids.isEmpty ? try bind(texts, &binds) + "::text[]" : try bind(uuids, &binds) + "::uuid[]"
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

/// Rows in the text format of `COPY ... FROM STDIN`: tab between fields, a newline after each
/// row, `\N` for null, and backslash, tab, newline and carriage return escaped in values.
enum CopyText {
    /// From how many rows a batch is written with `COPY` rather than one multi-row `INSERT`.
    static let threshold = 64
    /// How many rows are encoded before they are sent, while the next are encoded.
    static let batch = 250

    struct Rows {
        var bytes: [UInt8] = []
        /// How many rows were ended.
        private(set) var count = 0
        private var first = true

        /// Starts a field: the tab before all but a row's first, and `\N` when there is no value.
        /// Whether there is a value to write.
        private mutating func opens(_ present: Bool) -> Bool {
            if !first { bytes.append(0x09) }
            first = false
            if !present { bytes.append(contentsOf: [0x5C, 0x4E]) }
            return present
        }

        mutating func field(_ text: String?) {
            guard opens(text != nil), let text else { return }
            for byte in text.utf8 {
                switch byte {
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
                case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
                default: bytes.append(byte)
                }
            }
        }

        /// A field whose text needs no escape: one made only of letters, digits and punctuation
        /// other than the backslash (identifiers, numbers, hexadecimal hashes, the SDK's own codes).
        mutating func plain(_ text: String?) {
            guard opens(text != nil), let text else { return }
            bytes.append(contentsOf: text.utf8)
        }

        /// An identifier, written in its canonical form (``UUIDText/string(_:)``) without making
        /// its text first.
        mutating func field(_ id: UUID?) {
            guard opens(id != nil), let id else { return }
            UUIDText.append(id, to: &bytes)
        }

        mutating func field(_ value: IndexValue) {
            switch value {
            case .null: field(nil as String?)
            case .text(let text): field(text)
            case .integer(let number): field(String(number))
            case .boolean(let flag): field(flag ? "t" : "f")
            case .date(let date): field(date.description)
            case .timestamp(let instant): field(CopyText.timestamp(instant))
            case .uuid(let uuid): field(uuid)
            case .uuids(let list): field("{" + list.map(UUIDText.string).joined(separator: ",") + "}")
            }
        }

        mutating func endRow() {
            bytes.append(0x0A)
            count += 1
            first = true
        }
    }

    /// An instant as `COPY` reads a `timestamptz`: UTC, to the millisecond.
    static func timestamp(_ instant: Date) -> String {
        let milliseconds = SafetyClock.milliseconds(instant)
        // Worked out by arithmetic for the years of the proleptic Gregorian calendar both agree on.
        var (days, within) = Int(milliseconds).quotientAndRemainder(dividingBy: 86_400_000)
        if within < 0 { (days, within) = (days - 1, within + 86_400_000) }
        let date = CalendarDate.civil(fromDays: days)
        if (1600...9999).contains(date.year) {
            func padded(_ value: Int, _ width: Int) -> String {
                let digits = String(value)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            let (hour, minute, second, fraction) = (
                within / 3_600_000, within / 60_000 % 60, within / 1000 % 60, within % 1000
            )
            return "\(padded(date.year, 4))-\(padded(date.month, 2))-\(padded(date.day, 2)) \(padded(hour, 2)):\(padded(minute, 2)):"
                + "\(padded(second, 2)).\(padded(fraction, 3))+00"
        }
        let seconds = Double(milliseconds / 1000)
        var components = Calendar(identifier: .gregorian).dateComponents(
            in: TimeZone(identifier: "UTC")!, from: Date(timeIntervalSince1970: seconds))
        components.nanosecond = 0
        let fraction = String(format: "%03d", Int(((milliseconds % 1000) + 1000) % 1000))
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%@+00", components.year ?? 0, components.month ?? 1, components.day ?? 1,
            components.hour ?? 0, components.minute ?? 0, components.second ?? 0, fraction)
    }
}

/// JSON for the `doc` column, with a lossless date strategy.
enum SQLJSON {
    /// A record's stored document: what `JSONEncoder` with `.sortedKeys` writes, by the kind's
    /// own writer where it has one (``StoredJSONWritable``). Throws `invalidInput` for text holding
    /// U+0000, which PostgreSQL's text cannot hold.
    static func encode<T: Aggregate>(_ value: T) throws -> String {
        guard let writable = value as? any StoredJSONWritable else { return try encodeWithJSONEncoder(value) }
        let bytes = writable.storedJSON()
        try StoredText.refuseNUL(bytes, kind: T.recordKind)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ``encode(_:)`` through `JSONEncoder` alone.
    static func encodeWithJSONEncoder<T: Aggregate>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = try encoder.encode(value)
        try StoredText.refuseNUL(bytes, kind: T.recordKind)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One decoder for every read: it holds no state between calls.
    private static let decoder = JSONDecoder()

    /// Decodes a stored document: a kind that reads its own JSON (``StoredJSONReadable``) is read
    /// straight from the bytes, and anything that reader leaves (or any other kind) goes through
    /// `JSONDecoder`, whose error a document it cannot read gives.
    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        var text = text
        if let value = text.withUTF8({ own(type, $0) }) { return value }
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw SafetyError(.corruptData, "a stored record could not be read", underlying: error)
        }
    }

    /// ``decode(_:from:)`` of a document's UTF-8 bytes as a row holds them.
    static func decode<T: Decodable>(_ type: T.Type, from doc: ByteBuffer) throws -> T {
        let value = doc.withUnsafeReadableBytes { raw in raw.withMemoryRebound(to: UInt8.self) { own(type, $0) } }
        if let value { return value }
        do {
            return try decoder.decode(type, from: Data(doc.readableBytesView))
        } catch {
            throw SafetyError(.corruptData, "a stored record could not be read", underlying: error)
        }
    }

    /// The value a kind that reads its own JSON reads from `bytes`; `nil` for any other kind, or
    /// a document its reader leaves to `JSONDecoder`. The reader is called on the kind itself,
    /// so the value is never boxed on its way back.
    private static func own<T>(_ type: T.Type, _ bytes: UnsafeBufferPointer<UInt8>) -> T? {
        guard let readable = type as? any StoredJSONReadable.Type else { return nil }
        func read<R: StoredJSONReadable>(_: R.Type) -> T? { R.readStoredJSON(bytes) as? T }
        return read(readable)
    }
}
