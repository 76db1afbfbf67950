import Foundation
import Logging
import PostgresNIO

/// A few connections of the store's own, beside its pool, on which a report's largest counts run
/// at the same time as its other statements, in the snapshot of the report's transaction.
///
/// A transaction's statements run one after another on its connection, so a report that counts
/// people, grants and consent decisions waits for each in turn. A count sent here runs on another
/// server process instead, in a `REPEATABLE READ READ ONLY` transaction that imports the report
/// transaction's snapshot (`pg_export_snapshot`, `SET TRANSACTION SNAPSHOT`): it sees exactly
/// what the report's transaction sees. Only a transaction that has written nothing exports its
/// snapshot (another transaction could not see its writes), and a count that finds no connection
/// free runs on the transaction's own: nothing ever waits for one of these connections, so they
/// cannot deadlock with the pool. A connection that fails is closed and the count runs on the
/// transaction's connection instead.
actor SideReads {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let limit: Int
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var nextID = 1
    private var closed = false
    /// How many times a connection was lent, for tests to see the counts ran beside a transaction.
    private(set) var lent = 0

    /// At most `limit` connections, made with `configuration` when first needed.
    init(configuration: PostgresConnection.Configuration, limit: Int, logger: Logger) {
        self.configuration = configuration
        self.limit = limit
        self.logger = logger
    }

    /// An idle connection, or a new one while fewer than the limit are open; `nil` when none is
    /// free (the caller runs its statement on its own connection), or after ``close()``.
    func borrow() async -> PostgresConnection? {
        while let connection = idle.popLast() {
            if !connection.isClosed {
                lent += 1
                return connection
            }
            open -= 1
        }
        guard !closed, open < limit else { return nil }
        open += 1
        nextID += 1
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: nextID, logger: logger)
            lent += 1
            return connection
        } catch {
            open -= 1
            return nil
        }
    }

    /// Takes a borrowed connection back: kept for the next count when it is `healthy` (its side
    /// transaction ended) and the store is open, closed otherwise.
    func giveBack(_ connection: PostgresConnection, healthy: Bool) async {
        if healthy && !closed && !connection.isClosed {
            idle.append(connection)
            return
        }
        open -= 1
        try? await connection.close()
    }

    /// Closes the idle connections; one still borrowed is closed when it is given back.
    func close() async {
        closed = true
        let all = idle
        idle = []
        open -= all.count
        for connection in all { try? await connection.close() }
    }

    /// The snapshot of the transaction `executor` runs in, to read in on a side connection, when
    /// that transaction has written nothing; `nil` outside a transaction or after a write.
    static func snapshot(of executor: Executor) async throws -> String? {
        guard case .connection = executor else { return nil }
        let rows = try await executor.rows(
            "SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN pg_export_snapshot() END")
        guard let snapshot = try rows.first?.decode(String?.self),
            !snapshot.isEmpty,
            snapshot.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) })
        else { return nil }
        return snapshot
    }

    /// The rows of `query`, run on a side connection in `snapshot` (with `settings`, each a
    /// `set_config` for that transaction alone) when one is free, else on `executor`.
    nonisolated func rows(
        _ query: PostgresQuery, in snapshot: String?, settings: [(String, String)], else executor: Executor
    ) async throws -> [PostgresRow] {
        guard let snapshot, let connection = await borrow() else { return try await executor.rows(query) }
        let logger = executor.logger
        do {
            _ = try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger).collect()
            // The identifier is the server's own, checked to be hexadecimal digits and dashes.
            _ = try await connection.query(PostgresQuery(unsafeSQL: "SET TRANSACTION SNAPSHOT '\(snapshot)'"), logger: logger).collect()
            for (name, value) in settings {
                _ = try await connection.query("SELECT set_config(\(name), \(value), true)", logger: logger).collect()
            }
            let rows = try await connection.query(query, logger: logger).collect()
            _ = try await connection.query("COMMIT", logger: logger).collect()
            await giveBack(connection, healthy: true)
            return rows
        } catch {
            await giveBack(connection, healthy: false)
            return try await executor.rows(query)
        }
    }
}
