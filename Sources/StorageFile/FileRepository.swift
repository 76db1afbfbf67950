@_spi(StorageBackend) import OnlineSafetyCore

/// The repository of one kind of aggregate, for every kind the file store keeps.
///
/// Semantics shared with every backend: `insert` requires revision 0 and stores revision 1;
/// a duplicate identifier or unique column value is a `conflict`; `update` requires the stored
/// revision and stores the next one (`conflict` if stale, `notFound` if missing); `find` filters
/// with the query's conditions, sorts by sort key then identifier, then pages.
struct FileRepository<Value: Aggregate, Query: AggregateQuery>: Repository where Query.Value == Value {
    let access: FileAccess

    func insert(_ value: Value) async throws -> Value {
        let stored = try await access.write { engine, id in try await engine.insert([value], in: id) }
        return stored[0]
    }

    func insertMany(_ values: [Value]) async throws {
        guard !values.isEmpty else { return }
        _ = try await access.write { engine, id in try await engine.insert(values, in: id) }
    }

    func update(_ value: Value) async throws -> Value {
        try await access.write { engine, id in try await engine.update(value, in: id) }
    }

    func get(_ id: Value.ID) async throws -> Value? {
        try await access.engine.get(id, in: await access.readTransaction())
    }

    func find(_ query: Query) async throws -> [Value] {
        try await access.engine.find(query, in: await access.readTransaction())
    }

    func count(_ query: Query) async throws -> Int {
        try await access.engine.count(query, in: await access.readTransaction())
    }

    func countGrouped(_ query: Query, by keys: [GroupKey]) async throws -> [GroupedCount] {
        try await access.engine.countGrouped(query, by: keys, in: await access.readTransaction())
    }

    func find(matching conditions: [Condition], limit: Int?) async throws -> [Value] {
        try await access.engine.find(ConditionQuery<Value>(conditions: conditions, limit: limit), in: await access.readTransaction())
    }

    func findAll(matching conditions: [Condition]) async throws -> [Value] {
        try await access.engine.findUnordered(ConditionQuery<Value>(conditions: conditions, limit: nil), in: await access.readTransaction())
    }

    func purge(_ id: Value.ID) async throws -> Bool {
        try await access.write { engine, transaction in try await engine.purge(Value.self, id, in: transaction) }
    }
}

/// A query of bare conditions, for look-ups by natural key.
struct ConditionQuery<Value: Aggregate>: AggregateQuery {
    let conditions: [Condition]
    let limit: Int?
    var offset: Int { 0 }
}

/// The audit log: append-only, hash-chained with ``AuditChain``. There is no way to change or
/// remove an event.
struct FileAuditLog: AuditLog {
    let access: FileAccess

    func append(_ draft: AuditDraft) async throws -> AuditEvent {
        try await access.write { engine, id in try await engine.append(draft, in: id) }
    }

    /// All the drafts in one turn of the engine, chained as one-by-one appends would chain them.
    func appendMany(_ drafts: [AuditDraft]) async throws -> [AuditEvent] {
        guard !drafts.isEmpty else { return [] }
        return try await access.write { engine, id in try await engine.append(drafts, in: id) }
    }

    func events(_ query: AuditQuery) async throws -> [AuditEvent] {
        try await access.engine.events(query, in: await access.readTransaction())
    }

    func last(of chain: AuditChainID) async throws -> AuditEvent? {
        try await access.engine.last(of: chain, in: await access.readTransaction())
    }

    func chains() async throws -> [AuditChainID] {
        try await access.engine.chains(in: await access.readTransaction())
    }
}
