import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
import Testing

@testable import StoragePostgres

/// A report's counts run on connections beside its transaction, in the transaction's snapshot,
/// unless the transaction has written: then on its own connection, where its writes are seen.
@Suite("PostgreSQL: report counts beside the transaction", .enabled(if: PostgresTestDatabase.shouldRun))
struct SideReadsTests {
    @Test func countsBesideATransactionMatchItsOwnAndATransactionThatWroteSeesItsWrite() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let school = fixture.school.id
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: school)
        let technician = try await admin.people.add(
            Person(tenancy: .school(school), kind: .staff, givenName: "Ian", familyName: "Cole", jobTitle: "IT technician"))
        _ = try await admin.roles.grant(
            RoleGrant(personID: technician.id, role: .technicalStaff, scope: .school(school), starts: Fixture.today.adding(days: -30)))
        let aup = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("v1".utf8), effectiveFrom: Fixture.today.adding(days: -7))
        for person in [fixture.teacher.id, technician.id] { _ = try await admin.agreements.accept(aup.id, for: person, method: .online) }
        let granting = try await fixture.safety.session(actingAs: technician.id, at: school)
        _ = try await granting.access.grant(.email, to: fixture.teacher.id)
        _ = try await granting.access.grant(.email, to: technician.id)
        let request = ComplianceTallyRequest(
            school: fixture.school, date: Fixture.today, current: [.staffAndVolunteers: aup], listExceptions: true)

        let side = try #require(store.side, "a pool of ten connections has connections beside it")
        let lentBefore = await side.lent
        let beside = try await store.withTransaction { tx in try await tx.reports.complianceTallies([request]) }
        let lent = await side.lent - lentBefore
        #expect(lent >= 1 && lent <= 2, "the counts ran on one or two connections beside the transaction (\(lent))")
        let alone = try await store.reports.complianceTallies([request])
        #expect(beside == alone, "the counts are the same wherever they run")
        #expect(beside[0].activeGrants == 2 && beside[0].exceptionCount == 0, "two grants in force, both with their agreement")

        let lentAgain = await side.lent
        let afterWrite = try await store.withTransaction { tx in
            var teacher = try #require(try await tx.people.get(fixture.teacher.id))
            teacher.leftOn = Fixture.today
            _ = try await tx.people.update(teacher)
            return try await tx.reports.complianceTallies([request])
        }
        #expect(await side.lent == lentAgain, "a transaction that wrote counts on its own connection")
        #expect(afterWrite[0].exceptionCount == 1, "the grant of the teacher who left in the transaction is an exception")
        #expect(afterWrite[0].exceptions.map(\.holderHasLeft) == [true])
        #expect(
            afterWrite[0].people[.staffAndVolunteers] == (beside[0].people[.staffAndVolunteers] ?? 0) - 1,
            "the teacher who left is no longer on roll")
    }
}
