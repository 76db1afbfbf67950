import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import OnlineSafetyTestKit
import PostgresNIO
import Testing

@testable import StoragePostgres

/// A store gives a report's counts again while the school's change stamp holds, and counts
/// afresh once it moves: whichever store or process made the change.
@Suite("PostgreSQL: report counts kept by change stamp", .enabled(if: PostgresTestDatabase.shouldRun))
struct ReportCacheTests {
    private func grants(_ fixture: Fixture) -> [AccessGrant] {
        let document = AUPDocumentID()
        return [fixture.teacher, fixture.dsl, fixture.oakLearner].map { person in
            AccessGrant(
                schoolID: fixture.school.id, personID: person.id, system: .email, grantedOn: CalendarDate(year: 2025, month: 9, day: 1)!,
                grantedAt: CalendarDate(year: 2025, month: 9, day: 1)!.startOfDay, grantedBy: fixture.admin.id, documentID: document,
                acceptanceID: AUPAcceptance.id(person: person.id, document: document))
        }
    }

    private func grantsInForce(_ store: PostgresStore, _ fixture: Fixture) async throws -> Int {
        let request = ComplianceTallyRequest(
            school: fixture.school, date: CalendarDate(Fixture.now), current: [:], listExceptions: false, grantsOnly: true)
        return try await store.withTransaction { tx in try await tx.reports.complianceTally(request) }.activeGrants
    }

    /// The school's roster stamp, as the server holds it.
    private func stamp(_ store: PostgresStore, _ fixture: Fixture) async throws -> Int64? {
        try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            let rows = try await connection.query(
                "SELECT stamp FROM report_stamps WHERE topic = 'roster' AND school_id = \(fixture.school.id.uuid)",
                logger: PostgresTestDatabase.logger
            ).collect()
            return try rows.first?.decode(Int64.self)
        }
    }

    @Test func aCountIsGivenAgainUntilTheSchoolsStampMovesAndAnotherStoresChangeMovesIt() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let granted = grants(fixture)
        try await store.accessGrants.insertMany(Array(granted.prefix(2)))
        let first = try #require(try await stamp(store, fixture), "writing grants stamps the school")
        #expect(try await grantsInForce(store, fixture) == 2)

        // Revoked by hand with the stamp's trigger set aside: the kept count is given again, so the
        // count is not made afresh while the stamp holds.
        try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            for statement in [
                "ALTER TABLE access_grants DISABLE TRIGGER access_grants_stamp_update",
                "UPDATE access_grants SET revoked_on = date '2025-10-01'",
                "ALTER TABLE access_grants ENABLE TRIGGER access_grants_stamp_update",
            ] {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: PostgresTestDatabase.logger).collect()
            }
        }
        #expect(try await stamp(store, fixture) == first, "nothing moved the stamp")
        #expect(try await grantsInForce(store, fixture) == 2, "the count kept at the stamp is given again")

        // Once the school's stamp moves, the count is made afresh.
        try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            _ = try await connection.query(
                "SELECT report_stamps_move('roster', ARRAY[\(fixture.school.id.uuid)]::uuid[])", logger: PostgresTestDatabase.logger
            ).collect()
        }
        #expect(try #require(try await stamp(store, fixture)) > first, "a stamp only ever grows")
        #expect(try await grantsInForce(store, fixture) == 0, "counted afresh: both grants are revoked")

        // Another store on the same database (as another process would) grants access: the first
        // store counts it at once.
        let other = try await PostgresStore.connect(store.configuration, logger: PostgresTestDatabase.logger)
        try await other.accessGrants.insertMany([granted[2]])
        try await other.close()
        #expect(try await grantsInForce(store, fixture) == 1, "the other store's grant is counted")
    }

    @Test func aStatementOfManyRowsMovesEachSchoolsStampOnceAndARollbackLeavesItAsItWas() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let before = try #require(try await stamp(store, fixture))
        let staff = (0..<500).map {
            Person(tenancy: .school(fixture.school.id), kind: .staff, givenName: "Staff", familyName: "Number \($0)")
        }
        try await store.withTransaction { tx in try await tx.people.insertMany(staff) }
        let after = try #require(try await stamp(store, fixture))
        #expect(after == before + 1, "500 people written in one statement move the stamp once")

        let refusal = await #expect(throws: SafetyError.self) {
            try await store.withTransaction { tx in
                try await tx.people.insertMany([
                    Person(tenancy: .school(fixture.school.id), kind: .staff, givenName: "Staff", familyName: "Rolled back")
                ])
                throw SafetyError(.conflict, "stopped on purpose")
            }
        }
        #expect(refusal?.code == .conflict)
        #expect(try await stamp(store, fixture) == after, "a transaction that rolled back leaves the stamp as it was")
    }
    /// The role grants in force at `schools` on the fixture's day, through the projection.
    private func inForce(_ store: PostgresStore, _ schools: [SchoolID]) async throws -> [RoleGrant] {
        try await store.withTransaction { tx in try #require(try await tx.reports.roleGrantsInForce(at: schools, on: Fixture.today)) }
    }

    /// The training summaries kept at `schools`, through the projection.
    private func summaries(_ store: PostgresStore, _ schools: [SchoolID]) async throws -> [TrainingSummary] {
        try await store.withTransaction { tx in try #require(try await tx.reports.trainingSummaries(keptAt: schools, of: [])) }
    }

    private func run(_ store: PostgresStore, _ statements: [String]) async throws {
        try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
            for statement in statements {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: PostgresTestDatabase.logger).collect()
            }
        }
    }

    @Test func grantsAndTrainingSummariesAreReadAgainOnlyWhereTheTrainingStampMoved() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let school = fixture.school.id
        let second = try await store.schools.insert(SeedSchools.mersham(trustID: fixture.trust.id))
        let head = try await store.people.insert(
            Person(tenancy: .school(second.id), kind: .staff, givenName: "Mary", familyName: "Head", email: "head@mersham.example"))
        try await store.roleGrants.insertMany([
            RoleGrant(personID: head.id, role: .designatedSafeguardingLead, scope: .school(second.id), starts: Fixture.today),
            RoleGrant(personID: head.id, role: .headteacher, scope: .school(second.id), starts: Fixture.today),
        ])

        // One school's grants kept and the other's read: school by school, each in the repository's order.
        #expect(try await inForce(store, [school]).count == 3)
        let both = try await inForce(store, [second.id, school])
        let records = try await store.withTransaction { tx in
            try await tx.roleGrants.find(matching: [.oneOf("school_id", [.id(school), .id(second.id)])], limit: nil)
        }
        let ordered = records.filter { $0.schoolID == second.id } + records.filter { $0.schoolID == school }
        #expect(both == ordered, "each grant equal to its record, in order")
        #expect(try await inForce(store, [second.id, school, second.id]) == ordered, "and again with both kept")

        // Ended by hand with the stamp's trigger set aside: the grants kept at the stamp are given again.
        let ended = "UPDATE role_grants SET ends = date '2024-12-31' WHERE school_id = '\(school.uuidString)' AND role = 'staff'"
        try await run(
            store,
            [
                "ALTER TABLE role_grants DISABLE TRIGGER role_grants_stamp_update", ended,
                "ALTER TABLE role_grants ENABLE TRIGGER role_grants_stamp_update",
            ])
        #expect(try await inForce(store, [school]).count == 3, "kept while the school's training stamp holds")
        try await run(store, ["SELECT report_stamps_move('training', ARRAY['\(school.uuidString)']::uuid[])"])
        let afresh = try await inForce(store, [school])
        #expect(afresh.count == 2, "read afresh once the stamp moved: the ended grant is gone")
        #expect(!afresh.contains { $0.personID == fixture.teacher.id })

        // Another store on the same database (as another process would) grants a role: seen at once.
        let other = try await PostgresStore.connect(store.configuration, logger: PostgresTestDatabase.logger)
        try await other.roleGrants.insertMany([
            RoleGrant(personID: fixture.teacher.id, role: .technicalStaff, scope: .school(school), starts: Fixture.today)
        ])
        #expect(try await inForce(store, [school]).contains { $0.role == .technicalStaff })

        // Training summaries kept at a school: the same, whichever store writes them.
        #expect(try await summaries(store, [school, second.id]).isEmpty)
        let completion = TrainingLatest(topic: TrainingTopic.allCases[0], completedOn: Fixture.today, recordID: TrainingRecordID())
        try await other.trainingSummaries.insertMany([
            TrainingSummary(personID: fixture.teacher.id, schoolID: school, latest: [completion]),
            TrainingSummary(personID: head.id, schoolID: second.id, latest: [completion]),
        ])
        let kept = try await summaries(store, [school, second.id])
        #expect(Set(kept.map(\.personID)) == [fixture.teacher.id, head.id], "the other store's summaries are read")
        #expect(try await summaries(store, [school, second.id]) == kept, "given again, in the same order")
        #expect(try await summaries(store, [second.id, school]).map(\.personID) == [head.id, fixture.teacher.id])
        try await other.close()
    }

    @Test func theDashboardsStepsAreGivenAgainUntilTheStampMovesOrADeadlineFalls() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let school = fixture.school
        let now = SafetyClock.truncated(Fixture.now)
        let incident = Incident(
            schoolID: school.id, reporterID: fixture.teacher.id, occurredAt: now.addingTimeInterval(-7_200),
            reportedAt: now.addingTimeInterval(-3_600), location: .onSite, equipment: .school, summary: "Steps kept",
            riskArea: .contact, category: .cyberbullying,
            participants: [Participant(personID: fixture.oakLearner.id, part: .victim, isLearner: true)])
        var steps = Array(ProcedureEngine.steps(for: incident, settings: school.settings, entries: []).prefix(1))
        try #require(steps.count == 1)
        steps[0].due = now.addingTimeInterval(10 * 3_600)
        steps[0].satisfiedAt = nil
        let status = ProcedureStatus(incident: incident, steps: steps)
        try await store.withTransaction { tx in
            try await tx.incidents.insertMany([incident])
            try await tx.procedures.insertMany([status])
        }
        func pending(at time: Date, listLimit: Int = 20) async throws -> PendingSteps {
            let request = PendingStepsRequest(
                schoolIDs: [school.id], includeRestricted: true, at: time, dueSoonHours: 48, listLimit: listLimit)
            return try await store.withTransaction { tx in try #require(try await tx.reports.pendingSteps(request)?[school.id]) }
        }
        #expect(try await pending(at: now).dueSoonTotal == 1, "the step due in 10 hours is due soon")
        #expect(try await pending(at: now, listLimit: 60).dueSoonTotal == 1, "and so with longer lists")

        // The deadline cleared by hand with the stamp's trigger set aside: the kept steps are given
        // again while the stamp holds and no deadline has fallen.
        try await run(
            store,
            [
                "ALTER TABLE procedure_status DISABLE TRIGGER procedure_status_stamp_update",
                "UPDATE procedure_status SET next_due = NULL",
                "ALTER TABLE procedure_status ENABLE TRIGGER procedure_status_stamp_update",
            ])
        #expect(try await pending(at: now).dueSoonTotal == 1, "given again at the same instant")
        #expect(try await pending(at: now, listLimit: 60).dueSoonTotal == 0, "lists longer than those kept are read each time")
        #expect(try await pending(at: now.addingTimeInterval(9 * 3_600)).dueSoonTotal == 1, "given again before the deadline")
        #expect(try await pending(at: now.addingTimeInterval(11 * 3_600)).overdueTotal == 0, "counted afresh once the deadline fell")
        #expect(try await pending(at: now.addingTimeInterval(-60)).dueSoonTotal == 0, "counted afresh at an earlier instant")

        // Restored by hand, then the stamp moved: counted afresh at an instant already kept.
        try await run(
            store,
            [
                "ALTER TABLE procedure_status DISABLE TRIGGER procedure_status_stamp_update",
                "UPDATE procedure_status SET next_due = to_timestamp(\(Int(now.timeIntervalSince1970) + 10 * 3_600))",
                "ALTER TABLE procedure_status ENABLE TRIGGER procedure_status_stamp_update",
            ])
        #expect(try await pending(at: now.addingTimeInterval(11 * 3_600)).overdueTotal == 0, "the count kept is given again")
        try await run(store, ["SELECT report_stamps_move('procedures', ARRAY['\(school.id.uuid.uuidString)']::uuid[])"])
        #expect(try await pending(at: now.addingTimeInterval(11 * 3_600)).overdueTotal == 1, "counted afresh once the stamp moved")
    }
}
