import Foundation
import Logging
import PostgresNIO

/// The rows a transaction wrote with `COPY`, by table, so that once it commits the store can
/// bring the server's planner statistics up to date for the tables it filled.
///
/// The server's statistics come from `ANALYZE`, which autovacuum runs some time after a table
/// changes (a minute or more after a large load). Until then the planner works from what it knew
/// before: for a table first filled by an import it knows nothing, and a read of one school's
/// contacts (`learner_id = ANY(…)` over its learners) is planned as a scan of every contact in the
/// store, three times slower than through the index. A transaction that wrote at least
/// ``minimumRows`` rows to a table, and at least a tenth of what the planner thought it held, is
/// followed by `ANALYZE` of that table, before the call that committed it returns.
actor BulkWrites {
    /// The transaction's tracker, while its body runs (and in the tasks it starts).
    @TaskLocal static var current: BulkWrites?

    /// From how many rows written in one transaction a table's statistics are renewed.
    static let minimumRows = 5_000

    private var rows: [String: Int] = [:]

    /// Notes `count` rows written to `table`.
    func wrote(_ count: Int, to table: String) {
        rows[table, default: 0] += count
    }

    /// The tables written with at least ``minimumRows`` rows, in name order.
    func filled() -> [(table: String, rows: Int)] {
        rows.filter { $0.value >= Self.minimumRows }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Runs `ANALYZE` on each table this transaction filled whose planner estimate was unknown or
    /// is less than ten times the rows written, each on a pooled connection of its own (at once,
    /// so the server samples them on its cores together).
    ///
    /// The writes are already committed: a failure here is logged (table names only) and not
    /// thrown, and the statistics are left for autovacuum to renew.
    func refreshStatistics(through executor: Executor) async {
        let filled = filled()
        guard !filled.isEmpty else { return }
        let logger = executor.logger
        do {
            var binds = PostgresBindings()
            binds.append(filled.map(\.table))
            let estimates = try await executor.rows(
                PostgresQuery(
                    unsafeSQL: "SELECT c.relname, c.reltuples::float8 FROM pg_class c "
                        + "WHERE c.relname = ANY($1::text[]) AND c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace",
                    binds: binds))
            var known: [String: Double] = [:]
            for row in estimates {
                let (name, tuples) = try row.decode((String, Double).self)
                known[name] = tuples
            }
            let stale = filled.filter { entry in
                guard let tuples = known[entry.table] else { return false }
                return tuples < 0 || Double(entry.rows) * 10 >= tuples
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for entry in stale {
                    // Table names are the SDK's own, never input.
                    group.addTask { _ = try await executor.rows(PostgresQuery(unsafeSQL: "ANALYZE \"\(entry.table)\"")) }
                }
                try await group.waitForAll()
            }
        } catch {
            logger.warning(
                "the planner's statistics were not renewed after a large write; autovacuum will renew them",
                metadata: ["tables": .string(filled.map(\.table).joined(separator: ","))])
        }
    }
}
