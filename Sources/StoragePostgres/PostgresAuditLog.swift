import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO

/// The audit log table: one hash chain per school (and one of its restricted events), keyed by
/// `(chain, sequence)`. An append takes a transaction-scoped advisory lock on its chain alone, so
/// audited writes at different schools never wait for each other.
struct PostgresAuditLog: AuditLog {
    let executor: Executor

    func append(_ draft: AuditDraft) async throws -> AuditEvent {
        try await appendMany([draft])[0]
    }

    func appendMany(_ drafts: [AuditDraft]) async throws -> [AuditEvent] {
        guard !drafts.isEmpty else { return [] }
        return try await executor.transaction { connection in
            let tx = executor.on(connection)
            let chains = AuditChain.chains(of: drafts)
            var last: [AuditChainID: AuditEvent?] = [:]
            for chain in Set(chains).sorted() {
                _ = try await tx.rows("SELECT pg_advisory_xact_lock(hashtextextended(\(chain.rawValue), 0))")
                last[chain] = try await PostgresAuditLog(executor: tx).last(of: chain)
            }
            var events: [AuditEvent] = []
            events.reserveCapacity(drafts.count)
            /// Chains the draft at `index` after the last event of its chain.
            func chainNext(_ index: Int) -> AuditEvent {
                let chain = chains[index]
                let event = AuditChain.chain(drafts[index], on: chain, after: last[chain] ?? nil)
                events.append(event)
                last[chain] = event
                return event
            }
            if drafts.count >= CopyText.threshold {
                // Events are chained and encoded a few hundred at a time, each batch sent while
                // the next is made.
                var next = 0
                try await tx.copy(
                    into: "audit_events",
                    columns: [
                        "chain", "sequence", "at_ms", "actor_id", "school_id", "action", "subject_kind", "subject_id", "outcome", "reason",
                        "restricted", "previous_hash", "hash", "mac", "listed",
                    ]
                ) { (rows: inout CopyText.Rows) in
                    let end = min(drafts.count, next + CopyText.batch)
                    for index in next..<end {
                        let event = chainNext(index)
                        let d = event.draft
                        // Only the reason and the subject's kind can hold text that needs an escape.
                        rows.field(event.chain.rawValue)
                        rows.plain(String(event.sequence))
                        rows.plain(String(SafetyClock.milliseconds(d.at)))
                        rows.field(d.actorID?.uuid)
                        rows.field(d.schoolID?.uuid)
                        rows.plain(d.action.rawValue)
                        rows.field(d.subjectKind)
                        rows.field(d.subjectID)
                        rows.plain(d.outcome.rawValue)
                        rows.field(d.reason)
                        rows.plain(d.restricted ? "t" : "f")
                        rows.plain(event.previousHash)
                        rows.plain(event.hash)
                        rows.plain(executor.integrity?.mac(chain: event.chain.rawValue, sequence: event.sequence, hash: event.hash))
                        rows.field(d.listed.isEmpty ? .null : .uuids(d.listed))
                        rows.endRow()
                    }
                    next = end
                    return next < drafts.count
                }
                return events
            }
            for index in drafts.indices { _ = chainNext(index) }
            // 15 bound values per event; stay well under the 65,535 a statement may carry.
            var start = 0
            while start < events.count {
                let chunk = events[start..<min(events.count, start + 4_000)]
                var binds = PostgresBindings(capacity: chunk.count * 15)
                var sql = "INSERT INTO audit_events (chain, sequence, at_ms, actor_id, school_id, action, subject_kind, subject_id, "
                sql += "outcome, reason, restricted, previous_hash, hash, mac, listed) VALUES "
                for (row, event) in chunk.enumerated() {
                    let d = event.draft
                    var placeholders: [String] = []
                    placeholders.append(try bind(event.chain.rawValue, &binds))
                    placeholders.append(try bind(event.sequence, &binds))
                    placeholders.append(try bind(SafetyClock.milliseconds(d.at), &binds))
                    placeholders.append(try bind(d.actorID?.uuid, &binds))
                    placeholders.append(try bind(d.schoolID?.uuid, &binds))
                    placeholders.append(try bind(d.action.rawValue, &binds))
                    placeholders.append(try bind(d.subjectKind, &binds))
                    placeholders.append(try bind(d.subjectID, &binds))
                    placeholders.append(try bind(d.outcome.rawValue, &binds))
                    placeholders.append(try bind(d.reason, &binds))
                    placeholders.append(try bind(d.restricted, &binds))
                    placeholders.append(try bind(event.previousHash, &binds))
                    placeholders.append(try bind(event.hash, &binds))
                    let mac = executor.integrity?.mac(chain: event.chain.rawValue, sequence: event.sequence, hash: event.hash)
                    placeholders.append(try bind(mac, &binds))
                    placeholders.append(try bind(d.listed.isEmpty ? nil : d.listed, &binds))
                    sql += (row == 0 ? "(" : ", (") + placeholders.joined(separator: ", ") + ")"
                }
                _ = try await tx.rows(PostgresQuery(unsafeSQL: sql, binds: binds))
                start += chunk.count
            }
            return events
        }
    }

    func events(_ query: AuditQuery) async throws -> [AuditEvent] {
        var binds = PostgresBindings()
        var sql = "SELECT \(Self.columns) FROM audit_events WHERE sequence >= \(try bind(query.fromSequence, &binds))"
        if let chains = query.chains {
            guard !chains.isEmpty else { return [] }
            sql += " AND chain IN (" + (try chains.sorted().map { try bind($0.rawValue, &binds) }.joined(separator: ", ")) + ")"
        }
        if let actor = query.actorID { sql += " AND actor_id = \(try bind(actor.uuid, &binds))" }
        if let subject = query.subjectID {
            // A record's own events through the subject index, and the listings that returned it
            // through the listed records' inverted index.
            let id = try bind(subject, &binds)
            sql += " AND (subject_id = \(id) OR listed @> ARRAY[\(id)]::uuid[])"
        }
        if let school = query.schoolID { sql += " AND school_id = \(try bind(school.uuid, &binds))" }
        if !query.includeRestricted { sql += " AND NOT restricted" }
        sql += query.isSingleChain ? " ORDER BY sequence" : " ORDER BY at_ms, chain COLLATE \"C\", sequence"
        if let limit = query.limit { sql += " LIMIT \(try bind(limit, &binds))" }
        return try await executor.rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map(read)
    }

    func last(of chain: AuditChainID) async throws -> AuditEvent? {
        try await executor.rows(
            "SELECT \(unescaped: Self.columns) FROM audit_events WHERE chain = \(chain.rawValue) ORDER BY sequence DESC LIMIT 1"
        ).first.map(read)
    }

    func chains() async throws -> [AuditChainID] {
        try await executor.rows("SELECT DISTINCT chain FROM audit_events").map { AuditChainID(rawValue: try $0.decode(String.self)) }
            .sorted()
    }

    private static let columns =
        "chain, sequence, at_ms, actor_id, school_id, action, subject_kind, subject_id, outcome, reason, restricted, previous_hash, hash, mac, "
        + "listed"

    /// An event as stored; with an integrity key, one whose MAC does not match (its row edited,
    /// or the chain's hashes recomputed, outside the SDK) is refused, naming its chain and sequence.
    private func read(_ row: PostgresRow) throws -> AuditEvent {
        let event = try Self.event(row)
        if let integrity = executor.integrity {
            let stored = try row.makeRandomAccess()[13].decode(String?.self)
            guard stored == integrity.mac(chain: event.chain.rawValue, sequence: event.sequence, hash: event.hash) else {
                throw SafetyError(
                    .corruptData,
                    "audit event \(event.sequence) of chain \(event.chain) was changed outside the SDK: its MAC does not match",
                    location: "audit_events:\(event.chain):\(event.sequence)")
            }
        }
        return event
    }

    private static func event(_ row: PostgresRow) throws -> AuditEvent {
        let cells = row.makeRandomAccess()
        let (chain, sequence, ms, actor, school, action, kind, subject, outcome, reason, restricted, previous, hash) = (
            try cells[0].decode(String.self), try cells[1].decode(Int64.self), try cells[2].decode(Int64.self),
            try cells[3].decode(UUID?.self), try cells[4].decode(UUID?.self), try cells[5].decode(String.self),
            try cells[6].decode(String.self), try cells[7].decode(UUID?.self), try cells[8].decode(String.self),
            try cells[9].decode(String?.self), try cells[10].decode(Bool.self), try cells[11].decode(String.self),
            try cells[12].decode(String.self)
        )
        let listed = try cells[14].decode([UUID]?.self) ?? []
        guard let parsedOutcome = AuditOutcome(rawValue: outcome) else {
            throw SafetyError(.corruptData, "audit event \(sequence) has an unknown outcome")
        }
        let draft = AuditDraft(
            at: Date(timeIntervalSince1970: Double(ms) / 1000), actorID: actor.map(PersonID.init), schoolID: school.map(SchoolID.init),
            action: AuditAction(stored: action), subjectKind: kind, subjectID: subject, outcome: parsedOutcome, reason: reason,
            restricted: restricted, listed: listed)
        return AuditEvent(chain: AuditChainID(rawValue: chain), sequence: sequence, draft: draft, previousHash: previous, hash: hash)
    }
}

/// Applies versioned migrations, each in its own transaction, recorded in `schema_migrations`.
struct SchemaMigrator {
    let executor: Executor
    let logger: Logger

    static let lockKey: Int64 = 0x4F53_4D49_4752_4154

    func applied() async throws -> [Int] {
        try await ensureTable()
        return try await executor.rows("SELECT version FROM schema_migrations ORDER BY version").map { try $0.decode(Int.self) }
    }

    func migrate() async throws {
        try await ensureTable()
        for migration in Migrations.all {
            let logger = logger
            let didApply: Bool
            do {
                didApply = try await executor.transaction { connection in
                    let tx = Executor.connection(connection, logger, nil)
                    _ = try await tx.rows("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
                    let done = try await tx.rows("SELECT 1 FROM schema_migrations WHERE version = \(migration.version)")
                    guard done.isEmpty else { return false }
                    for statement in migration.statements { _ = try await tx.rows(PostgresQuery(unsafeSQL: statement)) }
                    _ = try await tx.rows(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(migration.version), \(migration.name), now())")
                    return true
                }
            } catch {
                throw SafetyError(
                    .migrationFailed, "migration \(migration.version) (\(migration.name)) failed; nothing of it was applied",
                    underlying: error)
            }
            if didApply { logger.info("applied migration", metadata: ["version": "\(migration.version)"]) }
        }
    }

    private func ensureTable() async throws {
        _ = try await executor.rows(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"
        )
    }
}
