import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
import PostgresNIO
import Testing

@testable import StoragePostgres

/// A transaction that fills a table leaves the server's planner statistics for it current, so the
/// reads that follow a large import are planned for the rows it wrote, not for an empty table.
@Suite("PostgreSQL: planner statistics after a large write", .enabled(if: PostgresTestDatabase.shouldRun))
struct BulkWritesTests {
    /// The planner's estimate of the people table's rows (`-1` before it was ever analysed), and its rows.
    private func estimate(in store: PostgresStore) async throws -> (estimate: Double, rows: Double) {
        try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            let rows = try await connection.query(
                "SELECT reltuples::float8, (SELECT count(*) FROM people)::float8 FROM pg_class WHERE relname = 'people'",
                logger: PostgresTestDatabase.logger
            ).collect()
            return try #require(rows.first).decode((Double, Double).self)
        }
    }

    private func staff(_ count: Int, from serial: Int, at school: SchoolID) -> [Person] {
        (0..<count).map { Person(tenancy: .school(school), kind: .staff, givenName: "Staff", familyName: "Number \(serial + $0)") }
    }

    @Test func aTransactionThatFillsATableRenewsItsStatisticsAndASmallOneLeavesThem() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let school = fixture.school.id
        #expect(try await estimate(in: store).estimate < 0, "a new table has never been analysed")

        let few = staff(200, from: 10_000, at: school)
        try await store.withTransaction { tx in try await tx.people.insertMany(few) }
        #expect(try await estimate(in: store).estimate < 0, "200 rows are left for autovacuum to count")

        let many = staff(BulkWrites.minimumRows + 500, from: 20_000, at: school)
        try await store.withTransaction { tx in try await tx.people.insertMany(many) }
        let counted = try await store.people.count(PersonQuery(scope: .school(school)))
        let after = try await estimate(in: store)
        #expect(after.rows >= Double(many.count + few.count))
        #expect(after.estimate == after.rows, "the planner counts every person once the transaction that wrote them returns")

        // A transaction that fills a table and then fails leaves nothing to count, and the call still throws its error.
        let refusal = await #expect(throws: SafetyError.self) {
            try await store.withTransaction { tx in
                try await tx.people.insertMany(staff(BulkWrites.minimumRows, from: 40_000, at: school))
                throw SafetyError(.conflict, "stopped on purpose")
            }
        }
        #expect(refusal?.code == .conflict, "the body's own error, not one from renewing statistics")
        #expect(try await store.people.count(PersonQuery(scope: .school(school))) == counted, "the failed transaction wrote nothing")
    }
}
