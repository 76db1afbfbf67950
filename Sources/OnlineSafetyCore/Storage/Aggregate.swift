public import Foundation

/// A record the SDK stores as one unit, with optimistic concurrency.
///
/// Every aggregate is a plain value. Storage backends keep the whole value and, beside it, the
/// ``indexValues`` that queries filter and sort on, so a backend never needs to understand the
/// value's shape. A ``revision`` of 0 means "not stored yet"; each successful write stores the
/// next revision, and a write based on an older revision fails with `conflict`.
public protocol Aggregate: Codable, Sendable, Hashable, Identifiable where ID == Identifier<Self> {
    /// The kind's stable name, used in audit events and storage (for example `person`).
    static var recordKind: String { get }
    /// The columns queries may use, in a fixed order.
    static var indexColumns: [IndexColumn] { get }
    /// The record's identifier.
    var id: Identifier<Self> { get set }
    /// The revision this value was read at (0 before the first insert).
    var revision: Int { get set }
    /// The school the record belongs to, or `nil` for trust-level records.
    var schoolID: SchoolID? { get }
    /// The values of ``indexColumns`` for this record.
    var indexValues: [String: IndexValue] { get }
    /// The key listings are sorted by, before the identifier.
    var sortKey: String { get }
    /// Checks the record's own invariants; throws `invalidInput` naming the field.
    func validate() throws(SafetyError)
    /// Whether stored records of this kind can never be updated (chronology entries).
    static var isAppendOnly: Bool { get }
}

extension Aggregate {
    /// Most aggregates can be updated.
    public static var isAppendOnly: Bool { false }

    /// The index columns that name another record, and that record's kind: a write whose
    /// non-null value names no stored record is refused with `constraintViolation` on every
    /// backend (PostgreSQL: foreign keys). By default the columns named for what they refer to:
    /// `school_id`, `trust_id`, `person_id`, `learner_id`, `adult_id`, `incident_id`, `document_id`.
    public static var references: [(column: String, kind: String)] {
        let known = [
            ("school_id", "school"), ("trust_id", "trust"), ("person_id", "person"), ("learner_id", "person"),
            ("adult_id", "person"), ("incident_id", "incident"), ("document_id", "aupDocument"),
        ]
        let columns = Set(indexColumns.map(\.name))
        return known.filter { columns.contains($0.0) }.map { (column: $0.0, kind: $0.1) }
    }
}

/// A queryable column of an aggregate.
public struct IndexColumn: Hashable, Sendable {
    /// The column's name, as backends store it.
    public let name: String
    /// The type of its values.
    public let type: IndexType
    /// Whether no two records may share a non-null value in this column (within ``uniqueWithin``).
    public let unique: Bool
    /// The column that scopes uniqueness (for example `school_id`: a UPN is unique per school),
    /// or `nil` when a value is unique across the store.
    public let uniqueWithin: String?

    /// Creates a column description; `unique` values may not repeat across the store.
    public init(_ name: String, _ type: IndexType, unique: Bool = false) {
        self.name = name
        self.type = type
        self.unique = unique
        self.uniqueWithin = nil
    }

    /// Creates a column whose non-null values may not repeat among records with the same value
    /// in the column `scope` (records whose `scope` is null are unique among themselves).
    public init(_ name: String, _ type: IndexType, uniqueWithin scope: String) {
        self.name = name
        self.type = type
        self.unique = true
        self.uniqueWithin = scope
    }
}

/// The type of an indexed column.
public enum IndexType: String, Hashable, Sendable {
    /// Text.
    case text
    /// A 64-bit integer.
    case integer
    /// A boolean.
    case boolean
    /// A calendar date (`YYYY-MM-DD`).
    case date
    /// An instant.
    case timestamp
    /// A UUID.
    case uuid
    /// A list of UUIDs (for example the people involved in an incident).
    case uuidList
}

/// A value of an indexed column.
public enum IndexValue: Hashable, Sendable, Comparable {
    /// No value.
    case null
    /// Text.
    case text(String)
    /// An integer.
    case integer(Int)
    /// A boolean.
    case boolean(Bool)
    /// A calendar date.
    case date(CalendarDate)
    /// An instant.
    case timestamp(Date)
    /// A UUID.
    case uuid(UUID)
    /// A list of UUIDs.
    case uuids([UUID])

    /// Wraps an optional identifier.
    public static func id<E>(_ id: Identifier<E>?) -> IndexValue { id.map { .uuid($0.uuid) } ?? .null }
    /// Wraps optional text.
    public static func optionalText(_ text: String?) -> IndexValue { text.map { .text($0) } ?? .null }
    /// Wraps an optional date.
    public static func optionalDate(_ date: CalendarDate?) -> IndexValue { date.map { .date($0) } ?? .null }

    /// Orders values of the same case; `null` sorts first. Values of different cases order by case.
    public static func < (lhs: IndexValue, rhs: IndexValue) -> Bool {
        switch (lhs, rhs) {
        case (.text(let a), .text(let b)): return a < b
        case (.integer(let a), .integer(let b)): return a < b
        case (.boolean(let a), .boolean(let b)): return !a && b
        case (.date(let a), .date(let b)): return a < b
        case (.timestamp(let a), .timestamp(let b)): return a < b
        case (.uuid(let a), .uuid(let b)): return UUIDText.precedes(a, b)
        case (.uuids(let a), .uuids(let b)): return a.lexicographicallyPrecedes(b, by: UUIDText.precedes)
        default: return lhs.rank < rhs.rank
        }
    }

    private var rank: Int {
        switch self {
        case .null: 0
        case .text: 1
        case .integer: 2
        case .boolean: 3
        case .date: 4
        case .timestamp: 5
        case .uuid: 6
        case .uuids: 7
        }
    }
}

/// One filter on an indexed column. Backends translate conditions (PostgreSQL binds every value)
/// or evaluate them with ``matches(_:)``; both give the same answer.
public indirect enum Condition: Hashable, Sendable {
    /// The column equals the value.
    case equals(String, IndexValue)
    /// The column equals one of the values.
    case oneOf(String, [IndexValue])
    /// The column is at most the value (never true for null).
    case atMost(String, IndexValue)
    /// The column is at least the value (never true for null).
    case atLeast(String, IndexValue)
    /// The column is null.
    case isNull(String)
    /// The text column contains the text, ignoring case.
    case contains(String, String)
    /// Either condition holds.
    case or(Condition, Condition)
    /// Both conditions hold.
    case and(Condition, Condition)
    /// The UUID-list column contains the UUID.
    case includes(String, UUID)

    /// The condition as a test over a record's index values laid out in `columns` order, with
    /// column names resolved once: for backends that test many records against one query.
    /// Gives the same answers as ``matches(_:)``; an unknown column reads as null.
    public func compiled(columns: [String]) -> @Sendable ([IndexValue]) -> Bool {
        func position(_ name: String) -> Int? { columns.firstIndex(of: name) }
        func read(_ name: String) -> @Sendable ([IndexValue]) -> IndexValue {
            guard let index = position(name) else { return { _ in .null } }
            return { $0[index] }
        }
        switch self {
        case .equals(let column, let value):
            let get = read(column)
            return { get($0) == value }
        case .oneOf(let column, let options):
            let get = read(column)
            let allowed = Set(options)
            return { allowed.contains(get($0)) }
        case .atMost(let column, let value):
            let get = read(column)
            return {
                let stored = get($0)
                return stored != .null && !(value < stored)
            }
        case .atLeast(let column, let value):
            let get = read(column)
            return {
                let stored = get($0)
                return stored != .null && !(stored < value)
            }
        case .isNull(let column):
            let get = read(column)
            return { get($0) == .null }
        case .contains(let column, let text):
            let get = read(column)
            let needle = text.lowercased()
            return {
                guard case .text(let stored) = get($0) else { return false }
                return stored.lowercased().contains(needle)
            }
        case .or(let a, let b):
            let (first, second) = (a.compiled(columns: columns), b.compiled(columns: columns))
            return { first($0) || second($0) }
        case .and(let a, let b):
            let (first, second) = (a.compiled(columns: columns), b.compiled(columns: columns))
            return { first($0) && second($0) }
        case .includes(let column, let uuid):
            let get = read(column)
            return {
                guard case .uuids(let stored) = get($0) else { return false }
                return stored.contains(uuid)
            }
        }
    }

    /// Records belonging to a school or to its trust (`school_id` and `trust_id` columns). With
    /// neither given it matches nothing, since such records belong to one or the other.
    public static func ownedBy(school schoolID: SchoolID?, orTrust trustID: TrustID?) -> Condition {
        switch (schoolID, trustID) {
        case (let school?, let trust?): .or(.equals("school_id", .id(school)), .equals("trust_id", .id(trust)))
        case (let school?, nil): .equals("school_id", .id(school))
        case (nil, let trust?): .equals("trust_id", .id(trust))
        case (nil, nil): .and(.isNull("school_id"), .isNull("trust_id"))
        }
    }

    /// Evaluates the condition against a record's index values.
    public func matches(_ values: [String: IndexValue]) -> Bool {
        switch self {
        case .equals(let column, let value):
            return (values[column] ?? .null) == value
        case .oneOf(let column, let options):
            return options.contains(values[column] ?? .null)
        case .atMost(let column, let value):
            let stored = values[column] ?? .null
            return stored != .null && !(value < stored)
        case .atLeast(let column, let value):
            let stored = values[column] ?? .null
            return stored != .null && !(stored < value)
        case .isNull(let column):
            return (values[column] ?? .null) == .null
        case .contains(let column, let text):
            guard case .text(let stored) = values[column] ?? .null else { return false }
            return stored.lowercased().contains(text.lowercased())
        case .or(let a, let b):
            return a.matches(values) || b.matches(values)
        case .and(let a, let b):
            return a.matches(values) && b.matches(values)
        case .includes(let column, let uuid):
            guard case .uuids(let stored) = values[column] ?? .null else { return false }
            return stored.contains(uuid)
        }
    }
}

/// A query over one kind of aggregate: conditions that all hold, a page, sorted by sort key then id.
public protocol AggregateQuery: Sendable, Hashable {
    /// The kind of record this query returns.
    associatedtype Value: Aggregate
    /// Conditions that must all hold.
    var conditions: [Condition] { get }
    /// How many records to return at most (`nil` for all).
    var limit: Int? { get }
    /// How many matching records to skip first.
    var offset: Int { get }
}

extension AggregateQuery {
    /// Whether a record satisfies every condition.
    public func matches(_ value: Value) -> Bool {
        let values = value.indexValues
        return conditions.allSatisfy { $0.matches(values) }
    }
}

/// Storage for one kind of aggregate (storage SPI).
///
/// `insert` stores revision 1; `update` requires the stored revision to equal the value's and
/// stores the next one; both return the stored value. Implementations must reject a duplicate
/// identifier or unique column with `conflict`.
@_spi(StorageBackend)
public protocol Repository<Value, Query>: Sendable {
    /// The aggregate stored.
    associatedtype Value: Aggregate
    /// The query type.
    associatedtype Query: AggregateQuery where Query.Value == Value

    /// Stores a new record; its revision must be 0.
    func insert(_ value: Value) async throws -> Value
    /// Stores many new records in one write (each revision must be 0).
    func insertMany(_ values: [Value]) async throws
    /// Replaces a record whose stored revision equals `value.revision`.
    func update(_ value: Value) async throws -> Value
    /// The record with this identifier, if any.
    func get(_ id: Value.ID) async throws -> Value?
    /// The record with this identifier if it belongs to `scope`; `nil` when absent or out of
    /// scope. Backends push the scope into the query, so an out-of-scope record is never loaded.
    func get(_ id: Value.ID, within scope: QueryScope) async throws -> Value?
    /// The records matching a query, sorted by sort key then identifier.
    func find(_ query: Query) async throws -> [Value]
    /// How many records match a query (ignoring its limit and offset).
    func count(_ query: Query) async throws -> Int
    /// The records matching conditions on index columns, in listing order, at most `limit`.
    func find(matching conditions: [Condition], limit: Int?) async throws -> [Value]
    /// Every record matching conditions on index columns, in no particular order: the records
    /// `find(matching: conditions, limit: nil)` returns, for a caller that indexes what it reads
    /// (a roster sync's plan) and need not pay for their order.
    func findAll(matching conditions: [Condition]) async throws -> [Value]
    /// How many records match a query in each group of `keys` (ignoring its limit and offset),
    /// in key order. Backends count in the store where they can (PostgreSQL: `GROUP BY`).
    func countGrouped(_ query: Query, by keys: [GroupKey]) async throws -> [GroupedCount]
    /// A page of the records matching a query, by sort key then identifier in `direction`,
    /// starting after `cursor` (keyset paging: stable while records are added).
    func page(_ query: Query, after cursor: PageCursor?, limit: Int, direction: SortDirection) async throws -> Page<Value>
    /// Removes a record's body for good: the sanctioned, audited path retention uses (the gate
    /// appends the audit event; audit events hold no record content, so every chain still
    /// verifies). Append-only kinds are purged too, and only through this call. Returns whether
    /// the record existed.
    func purge(_ id: Value.ID) async throws -> Bool
}

@_spi(StorageBackend)
extension Repository {
    /// The records in listing order, for backends that sort as cheaply as they read.
    public func findAll(matching conditions: [Condition]) async throws -> [Value] {
        try await find(matching: conditions, limit: nil)
    }

    /// Reads the record and tests its scope: for backends that hold records in memory.
    public func get(_ id: Value.ID, within scope: QueryScope) async throws -> Value? {
        guard let value = try await get(id) else { return nil }
        guard let condition = scope.condition else { return value }
        return condition.matches(value.indexValues) ? value : nil
    }
}

extension Aggregate {
    /// Checks a new value is well-formed and unrevisioned before insert.
    public func checkedForInsert() throws -> Self {
        try validate()
        guard revision == 0 else {
            throw SafetyError(.conflict, "a new \(Self.recordKind) must have revision 0, not \(revision)")
        }
        return self
    }
}
