import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// The aggregates the file store keeps, by kind.
///
/// Adding an aggregate to the store is one line here (and a repository property on ``FileStore``):
/// the table type knows how to decode the kind's values when the journal is replayed.
enum FileRegistry {
    /// One table type per stored kind.
    static var tableTypes: [any RecordTable.Type] {
        [
            Table<Trust>.self,
            Table<School>.self,
            Table<Person>.self,
            Table<ContactLink>.self,
            Table<RoleGrant>.self,
            Table<CustomCategory>.self,
            Table<Incident>.self,
            Table<ChronologyEntry>.self,
            Table<ProcedureStatus>.self,
            Table<DeviceRecord>.self,
            Table<AUPDocument>.self,
            Table<AUPAcceptance>.self,
            Table<AccessGrant>.self,
            Table<CustomConsentPurpose>.self,
            Table<ConsentDecision>.self,
            Table<ConsentState>.self,
            Table<TrainingRecord>.self,
            Table<TrainingSummary>.self,
            Table<ImportRun>.self,
            Table<AdoptedPolicy>.self,
            Table<FilteringProvision>.self,
            Table<FilteringChange>.self,
            Table<FilteringCheck>.self,
            Table<FilteringReview>.self,
            Table<MonitoringAlert>.self,
            Table<GovernanceRecord>.self,
        ]
    }

    /// The table type of a kind, if the store keeps it.
    static func tableType(for kind: String) -> (any RecordTable.Type)? {
        tableTypes.first { $0.kind == kind }
    }

    /// An empty table for every kind.
    static func emptyTables() -> [String: any RecordTable] {
        Dictionary(uniqueKeysWithValues: tableTypes.map { ($0.kind, $0.init()) })
    }
}

/// The typed records of one kind, seen without their type.
///
/// Tables are classes owned by the store's actor, so committing a transaction updates them in place.
protocol RecordTable: AnyObject {
    /// The kind kept (`Aggregate.recordKind`).
    static var kind: String { get }
    /// Creates an empty table.
    init()
    /// Decodes one value of this kind from a journal change.
    static func decodeRecord(from container: KeyedDecodingContainer<JournalChange.CodingKeys>) throws -> any Aggregate
    /// The kind's own reader of a change's `value` bytes, when it has one (``JournalReadable``):
    /// it gives the value, or `nil` when it leaves the bytes to `JSONDecoder`.
    static var ownReader: ((UnsafeBufferPointer<UInt8>) -> (any Aggregate)?)? { get }
    /// Stores a value read back from the journal; `false` if it is not of this kind.
    func replay(_ value: any Aggregate) -> Bool
    /// Stores every row of a transaction's table of the same kind; the transaction's table may be
    /// left empty, so it is not read again.
    func apply(_ staged: any RecordTable)
    /// Removes a record for good (a retention purge), keeping the indexes in step.
    func purge(_ id: UUID)
    /// Makes room for `count` more records.
    func reserve(_ count: Int)
    /// Whether a record with this identifier is held.
    func holds(_ id: UUID) -> Bool
    /// Every record as an `insert` change, for a compacted journal.
    func encodedRecords(with encoder: JSONEncoder) throws -> [[UInt8]]
}

/// The records of one kind, with an index on every queryable column.
final class Table<Value: Aggregate>: RecordTable {
    /// A record with its index values and sort key, worked out once when it is stored. An entry
    /// never changes, so a transaction's entries join the committed table as they are.
    final class Entry: Sendable {
        let value: Value
        /// The index values in ``Aggregate/indexColumns`` order (a column the value leaves out
        /// holds `.null`), for testing queries and keeping the indexes.
        let columns: [IndexValue]
        let sortKey: String

        convenience init(_ value: Value, names: [String]) { self.init(value, values: value.indexValues, names: names) }

        /// An entry for `value` whose index values `values` were already worked out.
        init(_ value: Value, values: [String: IndexValue], names: [String]) {
            self.value = value
            self.columns = names.map { values[$0] ?? .null }
            self.sortKey = value.sortKey
        }
    }

    /// The records by identifier.
    private var entries: [Value.ID: Entry] = [:]
    /// For each column, in ``Aggregate/indexColumns`` order, which records (by their UUIDs)
    /// hold each value. The sets are of plain UUIDs, so keeping them runs no generic code.
    ///
    /// A column is indexed when a query first asks for it (`nil` until then), and kept in step
    /// from then on: opening a store indexes nothing, and a command indexes only the columns
    /// its queries use.
    private var index: [[IndexValue: Set<UUID>]?]
    /// For each UUID-list column, in the same order, which records' lists include each UUID
    /// (built with the column's ``index``).
    private var members: [[UUID: Set<UUID>]?]

    /// The names of ``Aggregate/indexColumns``, in order, worked out once.
    private let names = Value.indexColumns.map(\.name)
    /// Each column's place in ``names``.
    private let places: [String: Int]

    static var kind: String { Value.recordKind }

    init() {
        index = Array(repeating: nil, count: names.count)
        members = Array(repeating: nil, count: names.count)
        places = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    static func decodeRecord(from container: KeyedDecodingContainer<JournalChange.CodingKeys>) throws -> any Aggregate {
        try container.decode(Value.self, forKey: .value)
    }

    static var ownReader: ((UnsafeBufferPointer<UInt8>) -> (any Aggregate)?)? {
        guard let readable = Value.self as? any JournalReadable.Type else { return nil }
        func reader<R: JournalReadable>(_: R.Type) -> (UnsafeBufferPointer<UInt8>) -> (any Aggregate)? { { R.readStoredJSON($0) } }
        return reader(readable)
    }

    func replay(_ value: any Aggregate) -> Bool {
        guard let value = value as? Value else { return false }
        put(value)
        return true
    }

    func apply(_ staged: any RecordTable) {
        guard let staged = staged as? Table<Value> else { return }
        guard staged.entries.count > entries.count else {
            for entry in staged.entries.values { put(entry) }
            return
        }
        // A transaction that wrote more records than the table held (a first import) hands over
        // its records and indexes, and the committed records it did not rewrite join them: each
        // record is indexed once, not once staged and again here. The staged table is spent.
        swap(&entries, &staged.entries)
        swap(&index, &staged.index)
        swap(&members, &staged.members)
        for (id, entry) in staged.entries where entries[id] == nil { put(entry) }
        staged.entries = [:]
        staged.index = Array(repeating: nil, count: names.count)
        staged.members = Array(repeating: nil, count: names.count)
    }

    func holds(_ id: UUID) -> Bool { entries[Value.ID(id)] != nil }

    func reserve(_ count: Int) { entries.reserveCapacity(entries.count + count) }

    func purge(_ id: UUID) {
        let key = Value.ID(id)
        guard let old = entries[key] else { return }
        unindex(old)
        entries[key] = nil
    }

    func encodedRecords(with encoder: JSONEncoder) throws -> [[UInt8]] {
        try entries.values.sorted { $0.value.id < $1.value.id }.map {
            try JournalChange.encodeRecord($0.value, operation: "insert", with: encoder)
        }
    }

    /// The record with an identifier.
    subscript(id: Value.ID) -> Value? { entries[id]?.value }

    /// The record with an identifier, if its index values pass a query's test.
    func select(_ id: Value.ID, where test: ([IndexValue]) -> Bool) -> Entry? {
        guard let entry = entries[id], test(entry.columns) else { return nil }
        return entry
    }

    /// Calls `body` with each record whose index values pass `test`, in no order, without looking
    /// each one up by its identifier.
    func forEach(where test: ([IndexValue]) -> Bool, _ body: (Value.ID, Entry) -> Void) {
        for (id, entry) in entries where test(entry.columns) { body(id, entry) }
    }

    /// Every record, in no order.
    var all: Dictionary<Value.ID, Entry>.Values { entries.values }

    /// Every record's identifier.
    var ids: Dictionary<Value.ID, Entry>.Keys { entries.keys }

    /// How many records there are.
    var count: Int { entries.count }

    /// Inserts or replaces a record, keeping the indexes in step.
    func put(_ value: Value) { put(Entry(value, names: names)) }

    /// An entry of this table for `value`, whose index values are `values`.
    func entry(_ value: Value, _ values: [String: IndexValue]) -> Entry { Entry(value, values: values, names: names) }

    /// Inserts or replaces a record made with ``entry(_:_:)``, keeping the indexes in step.
    func put(_ entry: Entry) {
        let id = entry.value.id
        if let old = entries[id] { unindex(old) }
        entries[id] = entry
        let uuid = id.uuid
        for place in names.indices where index[place] != nil {
            let key = entry.columns[place]
            index[place]?[key, default: []].insert(uuid)
            if case .uuids(let list) = key {
                for member in list { members[place]?[member, default: []].insert(uuid) }
            }
        }
    }

    /// The UUIDs of the records whose column holds a value.
    func ids(where column: String, is value: IndexValue) -> Set<UUID> {
        guard let place = places[column] else { return [] }
        return indexed(place)[value] ?? []
    }

    /// The UUIDs of the records whose UUID-list column includes a UUID.
    func ids(where column: String, includes member: UUID) -> Set<UUID> {
        guard let place = places[column] else { return [] }
        indexed(place)
        return members[place]?[member] ?? []
    }

    /// The index of the column at `place`, built from every record the first time it is asked for.
    @discardableResult
    private func indexed(_ place: Int) -> [IndexValue: Set<UUID>] {
        if let built = index[place] { return built }
        var column: [IndexValue: Set<UUID>] = [:]
        var lists: [UUID: Set<UUID>] = [:]
        for (id, entry) in entries {
            let key = entry.columns[place]
            column[key, default: []].insert(id.uuid)
            if case .uuids(let list) = key {
                for member in list { lists[member, default: []].insert(id.uuid) }
            }
        }
        index[place] = column
        members[place] = lists
        return column
    }

    private func unindex(_ old: Entry) {
        let id = old.value.id.uuid
        for place in names.indices where index[place] != nil {
            let key = old.columns[place]
            index[place]?[key]?.remove(id)
            if index[place]?[key]?.isEmpty == true { index[place]?[key] = nil }
            if case .uuids(let list) = key {
                for member in list {
                    members[place]?[member]?.remove(id)
                    if members[place]?[member]?.isEmpty == true { members[place]?[member] = nil }
                }
            }
        }
    }
}
