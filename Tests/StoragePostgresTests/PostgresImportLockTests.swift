import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
import StoragePostgres
import Testing

@Suite("PostgreSQL: one import at a time", .enabled(if: PostgresTestDatabase.shouldRun))
struct PostgresImportLockTests {
    /// While one import holds the store's import lock, a second is refused at once with
    /// `unavailable` and a message that says why, and writes nothing; once the first has ended,
    /// the second goes through.
    @Test func aSecondImportAtTheSameTimeIsRefusedClearly() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let learner = RosterLearner(
            location: FileLocation(file: "second.xml", line: 7), source: SourceRef(system: "ctf", id: Fixture.upn(serial: 40)),
            upn: try UPN(Fixture.upn(serial: 40)), givenName: "Noor", familyName: "Second",
            dateOfBirth: CalendarDate(year: 2018, month: 4, day: 4), ncYear: .year2)
        let batch = RosterBatch(
            files: [RosterFile(name: "second.xml", format: "ctf-25", sha256: String(repeating: "0", count: 64), rows: 1)],
            sections: [
                RosterSection(
                    file: "second.xml", system: "ctf", school: RosterSchoolKey(urn: fixture.school.urn), coverage: .partial,
                    kinds: [.learners], exportedOn: Fixture.today, learners: [learner])
            ])

        let refusal: SafetyError? = try await store.withTransaction { tx in
            #expect(try await tx.tryLock("onlinesafety.import"), "the first import takes the lock")
            do {
                _ = try await admin.roster.apply(batch)
                return nil
            } catch let error as SafetyError {
                return error
            }
        }
        #expect(refusal?.code == .unavailable)
        #expect(refusal?.reason == "another import is running on this store; try again when it has finished")
        #expect(try await store.people.count(PersonQuery(scope: .school(fixture.school.id), upn: learner.upn)) == 0)

        let later = try await admin.roster.apply(batch)
        #expect(later.applied && later.plan.counts[.learner, .create] == 1, "after the first ends, the second goes through")
        try await store.close()
    }
}
