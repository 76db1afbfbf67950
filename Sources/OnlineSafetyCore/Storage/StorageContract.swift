public import Foundation

/// What a grouped count groups records by.
public enum GroupKey: Hashable, Sendable {
    /// An index column's value (for example `school_id` or `category`).
    case column(String)
    /// A date or timestamp index column, by calendar month in UK time, as text `YYYY-MM`.
    case month(String)
}

/// One group of a grouped count: the key's values, in the order the keys were given, and how
/// many records matched.
public struct GroupedCount: Hashable, Sendable {
    /// The group's values.
    public let key: [IndexValue]
    /// How many records it holds.
    public let count: Int

    /// Creates a group.
    public init(key: [IndexValue], count: Int) {
        self.key = key
        self.count = count
    }
}

/// The direction a listing runs in, by sort key then identifier.
public enum SortDirection: Hashable, Sendable {
    /// Smallest sort key first.
    case ascending
    /// Largest sort key first.
    case descending
}

/// Where a page of a keyset-paged listing ends: the next page starts after this record.
public struct PageCursor: Hashable, Sendable, Codable {
    /// The last record's sort key.
    public let sortKey: String
    /// The last record's identifier.
    public let id: UUID

    /// Creates a cursor.
    public init(sortKey: String, id: UUID) {
        self.sortKey = sortKey
        self.id = id
    }
}

/// One page of a keyset-paged listing.
public struct Page<Value: Sendable>: Sendable {
    /// The records, in the listing's direction.
    public let values: [Value]
    /// Where the next page starts, or `nil` when this is the last.
    public let next: PageCursor?

    /// Creates a page.
    public init(values: [Value], next: PageCursor?) {
        self.values = values
        self.next = next
    }
}

/// What an upsert by natural key did.
public enum Upserted<Value: Sendable>: Sendable {
    /// No record had the key: the value was stored as new.
    case inserted(Value)
    /// A record had the key and differed: it was changed, keeping its identifier.
    case updated(Value)
    /// A record had the key and was the same: nothing was written.
    case unchanged(Value)

    /// The record as stored.
    public var value: Value {
        switch self {
        case .inserted(let value), .updated(let value), .unchanged(let value): value
        }
    }
}

@_spi(StorageBackend)
extension Repository {
    /// Counts in memory: for backends that hold records in memory. Requires that `keys` name
    /// index columns of the kind; throws `invalidInput` otherwise.
    public func countGrouped(_ query: Query, by keys: [GroupKey]) async throws -> [GroupedCount] {
        try GroupKey.check(keys, for: Value.self)
        var counts: [[IndexValue]: Int] = [:]
        for value in try await find(query) { counts[GroupKey.key(keys, of: value.indexValues), default: 0] += 1 }
        return GroupedCount.sorted(counts)
    }

    /// Pages in memory: for backends that hold records in memory. The query's own limit and
    /// offset are ignored; `limit` must be at least 1 (else `invalidInput`).
    public func page(_ query: Query, after cursor: PageCursor?, limit: Int, direction: SortDirection) async throws -> Page<Value> {
        guard limit >= 1 else { throw SafetyError.invalid("page.limit", "a page holds at least one record") }
        let all = try await find(query)
        let ordered = direction == .ascending ? all : all.reversed()
        let after = ordered.drop { value in
            guard let cursor else { return false }
            let key = (value.sortKey, value.id.uuid.uuidString)
            let mark = (cursor.sortKey, cursor.id.uuidString)
            return direction == .ascending ? key <= mark : key >= mark
        }
        let values = Array(after.prefix(limit))
        let next = after.count > limit ? values.last.map { PageCursor(sortKey: $0.sortKey, id: $0.id.uuid) } : nil
        return Page(values: values, next: next)
    }

    /// Stores `value` unless a record with the same values in the natural-key columns exists:
    /// then that record is changed to `value` (keeping its identifier and revision), or left as
    /// it is when nothing differs. Requires that the key columns are index columns and that the
    /// value has a non-null value in each; throws `invalidInput` otherwise, and `conflict` when
    /// more than one record has the key.
    public func upsert(_ value: Value, naturalKey: [String]) async throws -> Upserted<Value> {
        let values = value.indexValues
        var conditions: [Condition] = []
        for column in naturalKey {
            guard Value.indexColumns.contains(where: { $0.name == column }), let key = values[column], key != .null else {
                throw SafetyError(.invalidInput, "a natural key names index columns with values", location: column)
            }
            conditions.append(.equals(column, key))
        }
        let found = try await find(matching: conditions, limit: 2)
        guard found.count <= 1 else { throw SafetyError(.conflict, "more than one \(Value.recordKind) has that natural key") }
        guard var existing = found.first else { return .inserted(try await insert(value)) }
        var candidate = value
        candidate.id = existing.id
        candidate.revision = existing.revision
        if candidate == existing { return .unchanged(existing) }
        existing = try await update(candidate)
        return .updated(existing)
    }
}

@_spi(StorageBackend)
extension GroupKey {
    /// Throws `invalidInput` unless every key names an index column of `Value`.
    public static func check<Value: Aggregate>(_ keys: [GroupKey], for _: Value.Type) throws(SafetyError) {
        let names = Set(Value.indexColumns.map(\.name))
        for key in keys {
            switch key {
            case .column(let name), .month(let name):
                guard names.contains(name) else { throw SafetyError(.invalidInput, "no such column to group by", location: name) }
            }
        }
    }

    /// The group a record with these index values falls in.
    public static func key(_ keys: [GroupKey], of values: [String: IndexValue]) -> [IndexValue] {
        keys.map { key in
            switch key {
            case .column(let name): values[name] ?? .null
            case .month(let name): month(of: values[name] ?? .null)
            }
        }
    }

    /// The `YYYY-MM` month of a date or timestamp value in UK time, or null.
    public static func month(of value: IndexValue) -> IndexValue {
        switch value {
        case .date(let date): .text(String(date.description.prefix(7)))
        case .timestamp(let instant): .text(String(CalendarDate(instant).description.prefix(7)))
        default: .null
        }
    }
}

/// The one character no store keeps: U+0000 (PostgreSQL's text and `jsonb` refuse it), refused
/// alike on every backend so that a value one store takes is never lost by another.
@_spi(StorageBackend)
public enum StoredText {
    /// Whether JSON text holds the escape `\u0000`, reading escapes pair by pair so that an
    /// escaped backslash followed by `u0000` is not taken for it.
    public static func holdsNUL(_ json: some Collection<UInt8>) -> Bool {
        let bytes = Array(json)
        let escape = UInt8(ascii: "\\")
        let pattern = Array("u0000".utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == escape {
                if index + 5 < bytes.count, Array(bytes[(index + 1)...(index + 5)]) == pattern { return true }
                index += 2
            } else {
                index += 1
            }
        }
        return false
    }

    /// Throws `invalidInput` naming the kind when the encoded record holds U+0000.
    public static func refuseNUL(_ json: some Collection<UInt8>, kind: String) throws(SafetyError) {
        if holdsNUL(json) {
            throw SafetyError(.invalidInput, "text cannot hold the character U+0000", location: kind)
        }
    }
}

@_spi(StorageBackend)
extension GroupedCount {
    /// Groups counted in memory, in key order (as SQL's `ORDER BY` of the keys gives them).
    public static func sorted(_ counts: [[IndexValue]: Int]) -> [GroupedCount] {
        counts.map { GroupedCount(key: $0.key, count: $0.value) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }
}
