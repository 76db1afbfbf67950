import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
import PostgresNIO
import Testing

@testable import StoragePostgres

/// A column a migration adds is filled for the rows already stored exactly as the SDK fills it for
/// the rows it writes, so a store migrated from an older version answers the same queries.
@Suite("PostgreSQL: migrations' backfills", .enabled(if: PostgresTestDatabase.shouldRun))
struct MigrationBackfillTests {
    @Test func referralsFollowUpDatesAreBackfilledAsTheSDKWritesThem() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let school = fixture.school
        let reported = SafetyClock.truncated(Fixture.now.addingTimeInterval(-3 * 86_400))
        let incident = Incident(
            schoolID: school.id, reporterID: fixture.teacher.id, occurredAt: reported.addingTimeInterval(-600), reportedAt: reported,
            location: .onSite, equipment: .school, summary: "Backfill check", riskArea: .contact, category: .cyberbullying,
            participants: [Participant(personID: fixture.oakLearner.id, part: .victim, isLearner: true)])
        func referral(_ sequence: Int, due: Date?) -> ChronologyEntry {
            ChronologyEntry(
                incidentID: incident.id, schoolID: school.id, sequence: sequence, restricted: false,
                recordedAt: reported.addingTimeInterval(3_600), recordedBy: fixture.dsl.id,
                content: .referral(Referral(agency: .childrensSocialCare, method: .phone, followUpDue: due)))
        }
        // One due with a fraction of a second, one due later, one with no follow-up date.
        let dueSoon = Fixture.now.addingTimeInterval(3_600.123)
        let entries = [referral(1, due: dueSoon), referral(2, due: Fixture.now.addingTimeInterval(30 * 86_400)), referral(3, due: nil)]
        try await store.withTransaction { tx in
            _ = try await tx.incidents.insert(incident)
            try await tx.chronology.insertMany(entries)
        }
        let migration = try #require(Migrations.all.first { $0.version == 17 })
        let backfill = try #require(migration.statements.first { $0.contains("UPDATE chronology_entries") })

        @Sendable func columns(_ connection: PostgresConnection) async throws -> [UUID: Double?] {
            var found: [UUID: Double?] = [:]
            let rows = try await connection.query(
                "SELECT id, extract(epoch FROM follow_up_due)::float8 FROM chronology_entries", logger: PostgresTestDatabase.logger
            ).collect()
            for row in rows {
                let (id, epoch) = try row.decode((UUID, Double?).self)
                found[id] = epoch
            }
            return found
        }
        let (written, backfilled) = try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            let written = try await columns(connection)
            // The store as an older version left it: no column values, then the migration's backfill.
            for sql in [
                "BEGIN", "ALTER TABLE chronology_entries DISABLE TRIGGER chronology_entries_append_only",
                "UPDATE chronology_entries SET follow_up_due = NULL", backfill,
                "ALTER TABLE chronology_entries ENABLE TRIGGER chronology_entries_append_only", "COMMIT",
            ] {
                _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestDatabase.logger).collect()
            }
            return (written, try await columns(connection))
        }
        #expect(written.count == 3 && backfilled.count == 3)
        #expect(written[entries[2].id.uuid] == .some(nil), "a referral with no follow-up date has none")
        for entry in entries {
            let sdk = try #require(written[entry.id.uuid])
            let migrated = try #require(backfilled[entry.id.uuid])
            #expect((sdk == nil) == (migrated == nil))
            if let sdk, let migrated { #expect(abs(sdk - migrated) < 0.000_002, "the backfill derives the instant the SDK wrote") }
        }
        var query = ChronologyQuery(schoolIDs: [school.id], kinds: ["referral"], includeRestricted: false)
        query.followUpDueBy = dueSoon
        let due = try await store.chronology.find(query)
        #expect(due.map(\.id) == [entries[0].id], "after the backfill, the query by follow-up date finds the referral due")
    }
}
