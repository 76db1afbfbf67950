import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
import PostgresNIO
import StoragePostgres
import Testing

/// The role grants and training summaries the reports build from columns read the same on a
/// server whose `DateStyle` writes dates day first.
@Suite("PostgreSQL: report projections", .enabled(if: PostgresTestDatabase.shouldRun))
struct ReportProjectionTests {
    @Test func projectionsReadTheSameWhateverTheServersDateStyle() async throws {
        let first = try await PostgresTestDatabase.makeStore()
        let configuration = first.configuration
        try await first.close()
        try await PostgresTestDatabase.withRawConnection(configuration) { connection in
            let sql = "ALTER DATABASE \"\(configuration.database)\" SET DateStyle = 'SQL, DMY'"
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestDatabase.logger).collect()
        }
        let store = try await PostgresStore.connect(configuration, logger: PostgresTestDatabase.logger)
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        let school = try await store.schools.insert(SeedSchools.chilton(trustID: trust.id))
        let person = try await store.people.insert(
            Person(tenancy: .school(school.id), kind: .staff, givenName: "Day", familyName: "First"))
        let day = CalendarDate(year: 2026, month: 3, day: 2)!
        let grant = try await store.roleGrants.insert(
            RoleGrant(
                personID: person.id, role: .staff, scope: .school(school.id), starts: CalendarDate(year: 2025, month: 9, day: 1)!,
                ends: CalendarDate(year: 2026, month: 7, day: 22)!))
        var summary = TrainingSummary(personID: person.id, schoolID: school.id)
        summary.apply(
            TrainingRecord(
                schoolID: school.id, personID: person.id, topic: .onlineSafety, course: "Course", provider: "Provider",
                completedOn: CalendarDate(year: 2025, month: 11, day: 3)!, recordedBy: person.id, recordedAt: day.startOfDay))
        let stored = try await store.trainingSummaries.insert(summary)
        let shown = try await PostgresTestDatabase.withRawConnection(configuration) { connection in
            try await connection.query("SHOW DateStyle", logger: PostgresTestDatabase.logger).collect().first?.decode(String.self)
        }
        #expect(shown == "SQL, DMY")
        let (grants, summaries) = try await store.withTransaction { tx in
            (
                try await tx.reports.roleGrantsInForce(at: [school.id], on: day),
                try await tx.reports.trainingSummaries(keptAt: [school.id], of: [])
            )
        }
        #expect(grants == [grant])
        #expect(summaries == [stored])
        try await store.close()
    }
}
