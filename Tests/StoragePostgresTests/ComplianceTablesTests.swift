import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
import PostgresNIO
import StoragePostgres
import Testing

/// The tables of migration 3 as a superuser sees them, outside the SDK.
@Suite("PostgreSQL: compliance tables", .enabled(if: PostgresTestDatabase.shouldRun))
struct ComplianceTablesTests {
    @Test func agreementsConsentAndTrainingRecordsAreAppendOnlyInTheDatabase() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let aup = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("v1".utf8), effectiveFrom: Fixture.today)
        _ = try await admin.agreements.accept(aup.id, for: fixture.teacher.id, method: .online)
        _ = try await admin.consent.record(
            .granted, purpose: ConsentPurpose.websiteImages.code, for: fixture.ashLearner.id, by: fixture.parent.id, method: .written)
        _ = try await admin.training.record(
            .onlineSafety, for: fixture.teacher.id, course: "Online safety", provider: "Kent", completedOn: Fixture.today)
        var refusals: [String] = []
        for table in ["aup_documents", "aup_acceptances", "consent_decisions", "training_records"] {
            for statement in ["UPDATE \(table) SET revision = revision + 1", "DELETE FROM \(table)", "TRUNCATE \(table) CASCADE"] {
                do {
                    try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
                        _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: PostgresTestDatabase.logger).collect()
                    }
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "OS001" {
                    refusals.append(statement)
                }
            }
        }
        #expect(refusals.count == 12, "every UPDATE, DELETE and TRUNCATE is refused by a trigger: \(refusals)")
    }

    @Test func aVersionIsUniqueWithinItsScopeAndAudience() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        let school = try await store.schools.insert(SeedSchools.chilton(trustID: trust.id))
        let publisher = try await store.people.insert(Person(tenancy: .school(school.id), kind: .staff, givenName: "D", familyName: "M"))
        func version(_ hash: Character) -> AUPDocument {
            AUPDocument(
                schoolID: school.id, trustID: nil, audience: .governors, version: 1, title: "Governors",
                effectiveFrom: CalendarDate(year: 2026, month: 9, day: 1)!,
                contentHash: String(repeating: hash, count: 64), publishedAt: Date(), publishedBy: publisher.id)
        }
        _ = try await store.aupDocuments.insert(version("a"))
        let refusal1 = await #expect(throws: SafetyError.self) { try await store.aupDocuments.insert(version("b")) }
        #expect(refusal1?.code == .conflict)
    }
}
