import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore

/// A second organisation in the same store as the Chilton fixture: Mersham Primary, a school
/// without a trust, with its data manager, an adult and a learner.
struct OtherOrganisation {
    let school: School
    let admin: SafetySession
    let adult: Person
    let learner: Person

    static func make(beside fixture: Fixture) async throws -> OtherOrganisation {
        let school = SeedSchools.mersham()
        let boot = try await fixture.safety.bootstrap(
            trust: nil, school: school,
            administrator: Person(
                tenancy: .school(school.id), kind: .staff, givenName: "Mo", familyName: "Manager", email: "mo@mersham.example"))
        let admin = try await fixture.safety.session(actingAs: boot.administrator.id, at: boot.school.id)
        let adult = try await admin.people.add(
            Person(tenancy: .school(school.id), kind: .parentCarer, givenName: "Olly", familyName: "Other", email: "olly@example.org"))
        let learner = try await admin.people.add(
            Person(
                tenancy: .school(school.id), kind: .learner, givenName: "Max", familyName: "Mersham",
                learner: LearnerDetails(
                    upn: try UPN(Fixture.upn(serial: 501)), dateOfBirth: CalendarDate(year: 2016, month: 2, day: 2)!, ncYear: .year5)))
        return OtherOrganisation(school: boot.school, admin: admin, adult: adult, learner: learner)
    }
}

extension StorageConformance {
    /// Another organisation's data manager cannot read, move, link to, look up or read the
    /// training of the Viking Academy Trust's people, trust-level staff included: to them those
    /// people do not exist.
    @_spi(StorageBackend)
    public static func otherOrganisationsReachNothing(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let other = try await OtherOrganisation.make(beside: fixture)
        let absent = SafetyError.notFound("person").reason
        for target in [fixture.admin, fixture.dsl, fixture.ashLearner] {
            try await expectError(.notFound, "another organisation reads no one of the trust") {
                try await other.admin.people.get(target.id)
            }
            var moved = target
            moved.tenancy = .school(other.school.id)
            try await expectError(.notFound, "another organisation cannot move one of the trust's people") {
                try await other.admin.people.update(moved)
            }
            try await expectError(.notFound, "nor read their training") { try await other.admin.training.records(of: target.id) }
            try await expectError(.notFound, "nor their training status") { try await other.admin.training.status(of: target.id) }
        }
        try expect(try await store.people.get(fixture.admin.id) == fixture.admin, "the trust's data manager is unchanged")
        do {
            _ = try await other.admin.people.get(fixture.admin.id)
        } catch let error as SafetyError {
            try expect(error.reason == absent, "the refusal reads exactly as for an unknown person: \(error.reason)")
        }
        try await expectError(.notFound, "another organisation cannot link its adult to a Chilton child") {
            try await other.admin.people.addContact(
                ContactLink(
                    schoolID: other.school.id, learnerID: fixture.ashLearner.id, adultID: other.adult.id, relationship: .father,
                    parentalResponsibility: true, priority: 1))
        }
        let chiltonAdmin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        try await expectError(.notFound, "nor Chilton link another organisation's adult to its child") {
            try await chiltonAdmin.people.addContact(
                ContactLink(
                    schoolID: fixture.school.id, learnerID: fixture.ashLearner.id, adultID: other.adult.id, relationship: .father,
                    parentalResponsibility: true, priority: 2))
        }
        try expect(
            try await store.contacts.find(ContactQuery(learnerID: fixture.ashLearner.id)).map(\.adultID) == [fixture.parent.id],
            "the child keeps only their own contact")
        try await expectError(.notFound, "another organisation cannot identify Chilton staff by email") {
            try await other.admin.people.identify("kate.law@chilton.example")
        }
        try expect(try await chiltonAdmin.people.identify("KATE.LAW@chilton.example") == fixture.dsl.id, "Chilton identifies its own")
        try await expectError(.notFound, "nor a Chilton child by UPN") {
            try await other.admin.people.identify(fixture.oakLearner.learner!.upn.value)
        }
        try await expectError(.invalidInput, "a UPN with a wrong check letter says so") {
            try await chiltonAdmin.people.identify("A801200005001")
        }
    }

    /// Chilton's head recording an acceptance, an access grant, a training record or an incident
    /// about another organisation's person is answered as for an unknown person, and nothing is written.
    @_spi(StorageBackend)
    public static func writesAboutAnotherOrganisationsPeopleAreRefused(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let other = try await OtherOrganisation.make(beside: fixture)
        let head = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let aup = try await admin.agreements.publish(
            audience: .parentsAndCarers, title: "Parents", content: Data("parents".utf8), effectiveFrom: Fixture.today)
        let before = try await store.audit.heads()
        try await expectError(.notFound, "no acceptance for another organisation's adult") {
            try await admin.agreements.accept(aup.id, for: other.adult.id, method: .signedOnPaper)
        }
        try await expectError(.notFound, "no access grant") { try await head.access.grant(.email, to: other.adult.id) }
        try await expectError(.notFound, "no training record") {
            try await admin.training.record(.onlineSafety, for: other.adult.id, course: "C", provider: "P", completedOn: Fixture.today)
        }
        try await expectError(.notFound, "no incident about them") {
            try await head.incidents.record(
                NewIncident(
                    occurredAt: Fixture.now, location: .onSite, equipment: .school, summary: "s", riskArea: .conduct,
                    categoryCode: "staffConduct", participants: [.subject: [other.adult.id]]))
        }
        try expect(try await store.aupAcceptances.count(AUPAcceptanceQuery(personID: other.adult.id)) == 0, "no acceptance stored")
        try expect(try await store.accessGrants.count(AccessGrantQuery(personID: other.adult.id)) == 0, "no grant stored")
        try expect(try await store.trainingRecords.count(TrainingRecordQuery(personID: other.adult.id)) == 0, "no training stored")
        try expect(try await store.incidents.count(IncidentQuery(participantID: other.adult.id)) == 0, "no incident stored")
        let audited = try await store.audit.events(since: before)
        try expect(
            audited.count == 4 && audited.allSatisfy { $0.draft.outcome == .denied && $0.draft.schoolID == fixture.school.id },
            "each refusal is audited at the school that tried: \(audited.map(\.draft.action.rawValue))")
        try expect(try await head.access.holders(of: .email).isEmpty, "Chilton's access list names no one of the other organisation")

        // Another organisation's restricted incident, probed from Chilton, is filed as an unknown one is.
        let otherLead = try await other.admin.people.add(
            Person(tenancy: .school(other.school.id), kind: .staff, givenName: "Lee", familyName: "Lead"))
        _ = try await other.admin.roles.grant(
            RoleGrant(personID: otherLead.id, role: .designatedSafeguardingLead, scope: .school(other.school.id), starts: Fixture.today))
        let otherDSL = try await fixture.safety.session(actingAs: otherLead.id, at: other.school.id)
        let hidden = try await otherDSL.incidents.record(
            NewIncident(
                occurredAt: Fixture.now, location: .onSite, equipment: .school, summary: "s", riskArea: .conduct,
                categoryCode: "nudeImageSharing", participants: [.subject: [other.learner.id]]))
        let probes = try await store.audit.heads()
        for id in [hidden.id, IncidentID()] {
            try await expectError(.notFound, "another organisation's incident is not there") { try await head.incidents.get(id) }
        }
        let filed = try await store.audit.events(since: probes)
        try expect(
            filed.count == 2 && filed.allSatisfy { $0.chain == .school(fixture.school.id, restricted: false) },
            "both probes are filed alike, on Chilton's ordinary chain: \(filed.map(\.chain))")
    }

    /// One answer when a session cannot be opened, whoever is named; refusals never describe the
    /// child; a parent lists no role holders; a school head cannot end a trust-wide role.
    @_spi(StorageBackend)
    public static func refusalsDescribeNoOne(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let other = try await OtherOrganisation.make(beside: fixture)
        var answers: Set<String> = []
        for (actor, school) in [
            (OnlineSafety.ActorReference.email("nobody@nowhere.example"), OnlineSafety.SchoolReference.id(fixture.school.id)),
            (.email("mo@mersham.example"), .id(fixture.school.id)), (.id(other.learner.id), .id(fixture.school.id)),
            (.id(fixture.ashLearner.id), .id(fixture.school.id)), (.id(fixture.dsl.id), .urn("999999")),
            (.email("olly@example.org"), .id(other.school.id)),
        ] {
            do {
                _ = try await fixture.safety.session(as: actor, at: school)
                throw ConformanceFailure("a session was opened for \(actor)")
            } catch let error as SafetyError {
                try expect(error.code == .forbidden, "refused as forbidden, got \(error.code)")
                answers.insert(error.reason)
            }
        }
        try expect(answers.count == 1, "unknown and not-yours get one answer: \(answers)")
        let teacher = try await fixture.safety.session(as: .email("tom.teacher@chilton.example"), at: .urn(fixture.school.urn))
        try expect(teacher.principal.person.id == fixture.teacher.id, "a member of staff signs in by email")
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let aup = try await admin.agreements.publish(
            audience: .olderLearners, title: "KS2", content: Data("ks2".utf8), effectiveFrom: Fixture.today)
        for attempt in [
            { _ = try await teacher.agreements.accept(aup.id, for: fixture.ashLearner.id, by: fixture.teacher.id, method: .online) },
            {
                _ = try await teacher.consent.record(
                    .granted, purpose: ConsentPurpose.websiteImages.code, for: fixture.ashLearner.id, by: fixture.teacher.id,
                    method: .written)
            },
            { _ = try await teacher.agreements.acceptances(of: fixture.ashLearner.id) },
            { _ = try await teacher.consent.history(of: fixture.ashLearner.id) },
            { _ = try await teacher.people.contacts(of: fixture.ashLearner.id) },
        ] as [@Sendable () async throws -> Void] {
            do {
                try await attempt()
                throw ConformanceFailure("the teacher acted on another class's child")
            } catch let error as SafetyError {
                try expect(error.code == .notFound, "answered as absent, got \(error.code): \(error.reason)")
                try expect(!error.reason.contains("stage") && !error.reason.contains("left"), "nothing of the child: \(error.reason)")
            }
        }
        let parent = try await admin.roles.grant(
            RoleGrant(personID: fixture.parent.id, role: .parentCarer, scope: .school(fixture.school.id), starts: Fixture.today))
        let parentSession = try await fixture.safety.session(actingAs: parent.personID, at: fixture.school.id)
        try await expectError(.forbidden, "a parent lists no role holders") { try await parentSession.roles.holders() }
        let head = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let trustGrant = try await store.roleGrants.find(RoleGrantQuery(personID: fixture.admin.id))[0]
        try await expectError(.forbidden, "a school's head cannot end a trust-wide role") {
            try await head.roles.end(trustGrant.id, on: Fixture.today)
        }
        try expect(try await store.roleGrants.get(trustGrant.id)?.ends == nil, "the trust-wide role stands")
    }

    /// A teacher's page is a page of their class; listings, counts and look-ups record who they
    /// returned and no false refusals; a reader of the audit sees no gap where restricted events are.
    @_spi(StorageBackend)
    public static func auditRecordsSubjectsAndHidesRestrictedEvents(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        let before = try await store.audit.heads()
        let page = try await teacher.people.list(PersonQuery(scope: .everywhere, limit: 1))
        try expect(page.map(\.id) == [fixture.oakLearner.id], "a paged list is a page of what the teacher may see")
        let listed = try await store.audit.events(since: before)
        try expect(
            listed.flatMap(\.draft.subjects) == [fixture.oakLearner.id.uuid] && listed.allSatisfy { $0.draft.outcome == .allowed },
            "the listing records the child it returned, and no refusal")
        let mark = try await store.audit.heads()
        try expect(try await teacher.incidents.list().isEmpty, "the teacher has reported nothing")
        let emptyListing = try await store.audit.events(since: mark)
        try expect(
            emptyListing.count == 1 && emptyListing[0].draft.action == .incidentList && emptyListing[0].draft.subjects.isEmpty,
            "a listing that returned no one is still recorded, as the call alone: \(emptyListing.map(\.draft.action.rawValue))")
        let found = try await teacher.people.identify(fixture.oakLearner.learner!.upn.value)
        let lookup = try await store.audit.events(AuditQuery(actorID: fixture.teacher.id)).last { $0.draft.action == .personIdentify }
        try expect(
            lookup?.draft.action == .personIdentify && lookup?.draft.subjects == [found.uuid], "a look-up records whom it found")
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        _ = try await dsl.incidents.record(
            NewIncident(
                occurredAt: Fixture.now, location: .onSite, equipment: .personal, summary: "image shared", riskArea: .conduct,
                categoryCode: "nudeImageSharing", participants: [.subject: [fixture.oakLearner.id]]))
        _ = try await dsl.incidents.count()
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        _ = try await admin.people.list()
        let seen = try await admin.audit.events()
        try expect(seen.allSatisfy { !$0.draft.restricted }, "the data manager sees no restricted event")
        try expect(seen.map(\.sequence) == Array(1...Int64(seen.count)), "and no gap in the sequence where one was")
        try expect(seen.contains { $0.draft.action == .incidentCount } == false, "the DSL's count of restricted incidents is restricted")
        let all = try await dsl.audit.events()
        try expect(all.contains { $0.draft.restricted && $0.draft.action == .incidentInsert }, "the DSL sees the restricted chain")
        try expect(all.contains { $0.draft.action == .incidentCount }, "a count is audited")
        let verified = try await dsl.audit.verify()
        try expect(verified.isIntact && verified.heads.count == 2, "the DSL verifies both of the school's chains: \(verified.heads)")
        try expect(try await AuditChain.verify(store.audit).isIntact, "every chain in the store verifies")
    }

    /// A UPN is unique within a school, not across the store: a learner can be on two rolls.
    @_spi(StorageBackend)
    public static func uniquenessIsScopedPerSchool(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let other = try await OtherOrganisation.make(beside: fixture)
        var twin = fixture.oakLearner
        twin.id = PersonID()
        twin.revision = 0
        twin.tenancy = .school(other.school.id)
        _ = try await other.admin.people.add(twin)
        var duplicate = twin
        duplicate.id = PersonID()
        try await expectError(.conflict, "the same UPN twice at one school") { try await other.admin.people.add(duplicate) }
        try expect(
            try await store.people.count(PersonQuery(scope: .everywhere, upn: fixture.oakLearner.learner!.upn)) == 2,
            "the UPN is on both schools' rolls")
    }

    /// Read-check-write rules hold under concurrent sessions: two grants of the same access at
    /// once give one grant and one `conflict`; writers at two schools both succeed.
    @_spi(StorageBackend)
    public static func concurrentSessionsKeepTheRules(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let other = try await OtherOrganisation.make(beside: fixture)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let head = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let aup = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff", content: Data("staff".utf8), effectiveFrom: Fixture.today)
        _ = try await admin.agreements.accept(aup.id, for: fixture.teacher.id, method: .signedOnPaper)
        for round in 0..<5 {
            let system = try SystemCode("system-\(round)")
            async let first: Result<AccessGrant, SafetyError> = capture { try await admin.access.grant(system, to: fixture.teacher.id) }
            async let second: Result<AccessGrant, SafetyError> = capture { try await head.access.grant(system, to: fixture.teacher.id) }
            let outcomes = [await first, await second]
            let granted = outcomes.filter { if case .success = $0 { true } else { false } }.count
            let clashes = outcomes.filter { if case .failure(let error) = $0 { error.code == .conflict } else { false } }.count
            try expect(granted == 1 && clashes == 1, "round \(round): one grant and one conflict, got \(outcomes)")
            try expect(
                try await store.accessGrants.count(AccessGrantQuery(personID: fixture.teacher.id, system: system)) == 1,
                "one grant is stored")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask {
                    let session = index.isMultiple(of: 2) ? admin : other.admin
                    let school = index.isMultiple(of: 2) ? fixture.school.id : other.school.id
                    _ = try await session.people.add(
                        Person(tenancy: .school(school), kind: .parentCarer, givenName: "P\(index)", familyName: "Parallel"))
                }
            }
            try await group.waitForAll()
        }
        try expect(
            try await store.people.count(PersonQuery(scope: .everywhere, familyNameContains: "Parallel")) == 6,
            "every concurrent write at either school is stored")
        try expect(try await AuditChain.verify(store.audit).isIntact, "the chains verify after concurrent writes")
    }
}

extension StorageConformance {
    /// An email address that signs in names one member of staff, governor or volunteer wherever a
    /// session can be opened: a second one is refused with `conflict` (case ignored), at the
    /// school and from the trust, on add and on update; a parent may share an address.
    @_spi(StorageBackend)
    public static func aSignInEmailNamesOnePerson(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let school = Tenancy.school(fixture.school.id)
        func refused(_ body: @Sendable () async throws -> Person, _ what: String) async throws {
            switch await capture(body) {
            case .success: throw ConformanceFailure("\(what) is refused")
            case .failure(let error):
                try expect(error.code == .conflict && error.location == "email", "\(what): conflict at email, not \(error.code)")
                try expect(!error.reason.contains("Kate") && !error.reason.contains("chilton"), "the refusal names no one")
            }
        }
        try await refused(
            {
                try await admin.people.add(
                    Person(tenancy: school, kind: .staff, givenName: "K", familyName: "L", email: "KATE.LAW@chilton.example"))
            },
            "a second member of staff with the DSL's address")
        try await refused(
            {
                try await admin.people.add(
                    Person(tenancy: school, kind: .governor, givenName: "G", familyName: "H", email: "kate.law@chilton.example"))
            },
            "a governor with the DSL's address")
        try await refused(
            {
                try await admin.people.add(
                    Person(
                        tenancy: .trust(fixture.trust.id), kind: .staff, givenName: "V", familyName: "W",
                        email: "tom.teacher@chilton.example"))
            }, "a trust's member of staff with a school teacher's address")
        var teacher = try await admin.people.get(fixture.teacher.id)
        teacher.email = "Kate.Law@chilton.example"
        try await refused({ [teacher] in try await admin.people.update(teacher) }, "changing the teacher's address to the DSL's")

        let parent = try await admin.people.add(
            Person(tenancy: school, kind: .parentCarer, givenName: "P", familyName: "Q", email: "kate.law@chilton.example"))
        try expect(parent.email == "kate.law@chilton.example", "a parent may share an address: it does not sign in")
        var renamed = try await admin.people.get(fixture.teacher.id)
        renamed.jobTitle = "Year 4 teacher"
        let kept = try await admin.people.update(renamed)
        try expect(kept.jobTitle == "Year 4 teacher", "a member of staff keeps their own address through an update")
        let session = try await fixture.safety.session(as: .email("kate.law@chilton.example"), at: .urn(fixture.school.urn))
        try expect(session.principal.person.id == fixture.dsl.id, "the address still opens the DSL's session")
    }

    /// No one grants themselves a role (a data manager cannot make themselves the DSL), and a
    /// role goes only to a kind of person who can hold it: a parent is never a DSL, a member of
    /// staff never a learner. Each refusal writes nothing.
    @_spi(StorageBackend)
    public static func rolesGoToWhoCanHoldThem(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let start = Fixture.today
        let school = RoleScope.school(fixture.school.id)
        func refused(_ grant: RoleGrant, _ code: SafetyError.Code, _ what: String) async throws {
            switch await capture({ try await admin.roles.grant(grant) }) {
            case .success: throw ConformanceFailure("\(what) is refused")
            case .failure(let error): try expect(error.code == code, "\(what): \(code), not \(error.code)")
            }
        }
        try await refused(
            RoleGrant(personID: fixture.admin.id, role: .designatedSafeguardingLead, scope: .trust(fixture.trust.id), starts: start),
            .forbidden, "the data manager granting themselves DSL")
        try await refused(
            RoleGrant(personID: fixture.parent.id, role: .designatedSafeguardingLead, scope: school, starts: start), .invalidInput,
            "a parent as DSL")
        try await refused(
            RoleGrant(personID: fixture.teacher.id, role: .learner, scope: school, starts: start), .invalidInput,
            "a member of staff as a learner")
        try await refused(
            RoleGrant(personID: fixture.oakLearner.id, role: .staff, scope: school, starts: start), .invalidInput,
            "a learner as staff")
        let grants = try await store.roleGrants.find(RoleGrantQuery(schoolID: fixture.school.id, roles: [.designatedSafeguardingLead]))
        try expect(grants.map(\.personID) == [fixture.dsl.id], "the DSL is still the only DSL")
        let deputy = try await admin.roles.grant(
            RoleGrant(personID: fixture.teacher.id, role: .deputyDesignatedSafeguardingLead, scope: school, starts: start))
        try expect(deputy.personID == fixture.teacher.id, "a member of staff can be made a deputy by someone else")
    }

    /// A leaver's roles all end, none is left open, and none is in force on any day after the
    /// leaving day: a role that starts after it is withdrawn before it began (it ends the day
    /// before its first day), as is one that starts today for someone recorded as leaving last
    /// week (a first import's roles, then a later export's leaving day).
    @_spi(StorageBackend)
    public static func aLeaversRolesAllEnd(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let later = Fixture.today.adding(days: 30)
        let future = try await admin.roles.grant(
            RoleGrant(personID: fixture.teacher.id, role: .technicalStaff, scope: .school(fixture.school.id), starts: later))
        _ = try await admin.people.recordLeaver(fixture.teacher.id, on: Fixture.today)
        let grants = try await store.roleGrants.find(RoleGrantQuery(personID: fixture.teacher.id))
        try expect(grants.allSatisfy { $0.ends != nil }, "no role of the leaver is left open")
        guard let withdrawn = grants.first(where: { $0.id == future.id }) else { throw ConformanceFailure("the later role is kept") }
        try expect(withdrawn.ends == later.adding(days: -1) && withdrawn.neverInForce, "a role starting later never comes into force")
        try expect(!withdrawn.isActive(on: later), "and is not in force on its first day")
        try expect(grants.first { $0.role == .staff }?.ends == Fixture.today, "a current role ends on the leaving day")

        // Roles that start today, for someone whose leaving day is last week.
        let lastWeek = Fixture.today.adding(days: -7)
        let dsl = try await admin.people.add(
            Person(tenancy: .school(fixture.school.id), kind: .staff, givenName: "Rhys", familyName: "Nolan", email: "rhys@school.example"))
        let role = try await admin.roles.grant(
            RoleGrant(personID: dsl.id, role: .designatedSafeguardingLead, scope: .school(fixture.school.id), starts: Fixture.today))
        _ = try await admin.people.recordLeaver(dsl.id, on: lastWeek)
        guard let after = try await store.roleGrants.get(role.id) else { throw ConformanceFailure("the role is kept") }
        try expect(after.ends == Fixture.today.adding(days: -1), "the role ends the day before it began")
        try expect(!after.isActive(on: Fixture.today), "so the leaver does not hold it today")
        try after.validate()
        try expect(after.neverInForce, "and the record is valid, never in force")
        // Ending never gives a role back: not a withdrawn role, not an ended one, not past the
        // holder's leaving day.
        try await expectError(.constraintViolation, "a withdrawn role is not revived by ending it later") {
            try await admin.roles.end(role.id, on: Fixture.today.adding(days: 200))
        }
        try expect(try await store.roleGrants.get(role.id)?.ends == Fixture.today.adding(days: -1), "the withdrawn role stays withdrawn")

        // A role given before the leaving day ends on it at the latest; one given from it, or
        // after, is refused.
        let deputy = try await admin.roles.grant(
            RoleGrant(
                personID: dsl.id, role: .deputyDesignatedSafeguardingLead, scope: .school(fixture.school.id),
                starts: lastWeek.adding(days: -30)))
        try expect(deputy.ends == lastWeek, "a grant to a leaver ends on their leaving day: \(String(describing: deputy.ends))")
        try await expectError(.constraintViolation, "an ended role is not extended") {
            try await admin.roles.end(deputy.id, on: Fixture.today.adding(days: 30))
        }
        try await expectError(.constraintViolation, "no role from the leaving day on") {
            try await admin.roles.grant(
                RoleGrant(personID: dsl.id, role: .technicalStaff, scope: .school(fixture.school.id), starts: lastWeek))
        }
        let leaving = Fixture.today.adding(days: 20)
        let office = try await admin.people.add(
            Person(tenancy: .school(fixture.school.id), kind: .staff, givenName: "Ola", familyName: "Nwosu", email: "ola@school.example"))
        _ = try await admin.people.recordLeaver(office.id, on: leaving)
        let technical = try await admin.roles.grant(
            RoleGrant(personID: office.id, role: .technicalStaff, scope: .school(fixture.school.id), starts: Fixture.today))
        try expect(technical.ends == leaving, "a grant to someone leaving later ends on their leaving day")
        try await expectError(.constraintViolation, "and is not ended after it") {
            try await admin.roles.end(technical.id, on: leaving.adding(days: 1))
        }

        // Restored, Ola's role cut short by her leaving is not lengthened by ending it later
        // (its last day is still to come): a new grant gives it again.
        _ = try await admin.people.correctLeaving(office.id, to: nil, reason: "she is staying")
        try await expectError(.constraintViolation, "ending a cut role later does not give it back") {
            try await admin.roles.end(technical.id, on: leaving.adding(days: 10))
        }
        let earlier = try await admin.roles.end(technical.id, on: leaving.adding(days: -5))
        try expect(earlier.ends == leaving.adding(days: -5), "ending it earlier still works")

        var tooEarly = after
        tooEarly.ends = Fixture.today.adding(days: -2)
        do {
            try tooEarly.validate()
            throw ConformanceFailure("a role ending two days before it starts was accepted")
        } catch let error as SafetyError {
            try expect(error.code == .invalidInput && error.location == "roleGrant.ends", "only the day before its first day is allowed")
        }
    }

    /// The trust's data manager cannot record their own leaving (it would end the only session
    /// that could undo it): `forbidden`, nothing written, and they can still sign in; someone
    /// else who manages people can record it.
    @_spi(StorageBackend)
    public static func noOneRecordsTheirOwnLeaving(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        switch await capture({ try await admin.people.recordLeaver(fixture.admin.id, on: Fixture.today) }) {
        case .success: throw ConformanceFailure("recording one's own leaving is refused")
        case .failure(let error): try expect(error.code == .forbidden, "refused as forbidden, not \(error.code)")
        }
        let again = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let stored = try await again.people.get(fixture.admin.id)
        try expect(stored.leftOn == nil, "the data manager has not left and can still sign in")
        let left = try await again.people.recordLeaver(fixture.teacher.id, on: Fixture.today)
        try expect(left.leftOn == Fixture.today, "another person's leaving is recorded")
        let same = try await again.people.recordLeaver(fixture.teacher.id, on: Fixture.today)
        try expect(same.leftOn == Fixture.today && same.revision == left.revision, "the same day again changes nothing")
        switch await capture({ try await again.people.recordLeaver(fixture.teacher.id, on: Fixture.today.adding(days: 30)) }) {
        case .success: throw ConformanceFailure("a leaving day is never moved")
        case .failure(let error): try expect(error.code == .constraintViolation, "refused as a rule, not \(error.code)")
        }
        let stood = try await again.people.get(fixture.teacher.id)
        try expect(stood.leftOn == Fixture.today, "the first day stands")
    }
}

extension StorageConformance {
    /// A leaving day recorded by mistake is corrected with a reason, which the audit keeps: an
    /// earlier day ends the roles from it, a later day gives none back, and a person who did not
    /// leave is restored without their roles, so they act again only once a role is granted.
    /// A blank reason or a day out of bounds is refused naming its field, and writes nothing.
    @_spi(StorageBackend)
    public static func aLeavingDayIsCorrectedWithAReason(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let tom = fixture.teacher.id
        let left = try await admin.people.recordLeaver(tom, on: Fixture.today)

        switch await capture({ try await admin.people.correctLeaving(tom, to: Fixture.today.adding(days: -7), reason: " \t ") }) {
        case .success: throw ConformanceFailure("a correction without a reason is refused")
        case .failure(let error):
            try expect(
                error.code == .invalidInput && error.location == "leavingCorrection.reason", "the reason is required: \(error)")
        }
        switch await capture({
            try await admin.people.correctLeaving(tom, to: CalendarDate(year: 1066, month: 10, day: 14)!, reason: "typo")
        }) {
        case .success: throw ConformanceFailure("a leaving day in 1066 is refused")
        case .failure(let error): try expect(error.code == .invalidInput && error.location == "person.leftOn", "the day is named: \(error)")
        }
        let unchanged = try await admin.people.get(tom)
        try expect(unchanged.leftOn == Fixture.today && unchanged.revision == left.revision, "a refused correction writes nothing")

        // An earlier day: his roles end on it, as if the leaving had been recorded on it.
        let earlier = Fixture.today.adding(days: -7)
        let moved = try await admin.people.correctLeaving(tom, to: earlier, reason: "the leaving form gave the week before")
        try expect(moved.leftOn == earlier, "the leaving day is moved earlier")
        let staffGrant = try await store.roleGrants.find(RoleGrantQuery(personID: tom)).first { $0.role == .staff }
        try expect(staffGrant?.ends == earlier, "his role ends on the earlier day: \(String(describing: staffGrant?.ends))")
        let grantTrail = try await admin.audit.trail(of: staffGrant!.id.uuid)
        try expect(
            grantTrail.filter { $0.draft.action == .roleGrantEnd && $0.draft.outcome == .allowed }.count == 2,
            "the role's end is audited when recorded and when moved")

        // A later day: the leaving day alone moves; the role that ended stays ended.
        let later = Fixture.today.adding(days: 14)
        let again = try await admin.people.correctLeaving(tom, to: later, reason: "he works out his notice")
        try expect(again.leftOn == later, "the leaving day is moved later")
        let afterLater = try await store.roleGrants.find(RoleGrantQuery(personID: tom))
        try expect(afterLater.allSatisfy { $0.ends == earlier }, "no role is given back by a later day")
        try await expectError(.constraintViolation, "the same day again is no correction") {
            try await admin.people.correctLeaving(tom, to: later, reason: "he works out his notice")
        }
        try expect(try await admin.people.get(tom).revision == again.revision, "and changes nothing")
        try await expectError(.forbidden, "with no role he cannot act before the new day") {
            try await fixture.safety.session(actingAs: tom, at: fixture.school.id)
        }

        // He did not leave: restored, without his roles.
        let restored = try await admin.people.correctLeaving(tom, to: nil, reason: "recorded against the wrong member of staff")
        try expect(restored.leftOn == nil, "a person who did not leave is on roll again")
        let afterRestore = try await store.roleGrants.find(RoleGrantQuery(personID: tom))
        try expect(!afterRestore.isEmpty && afterRestore.allSatisfy { $0.ends == earlier }, "a restore reopens no role")
        try await expectError(.forbidden, "restored without a role, he cannot act") {
            try await fixture.safety.session(actingAs: tom, at: fixture.school.id)
        }
        try await expectError(.constraintViolation, "restoring someone on roll is no correction") {
            try await admin.people.correctLeaving(tom, to: nil, reason: "recorded against the wrong member of staff")
        }
        try expect(try await admin.people.get(tom).revision == restored.revision, "and changes nothing")
        try await expectError(.constraintViolation, "a day for someone not recorded as leaving is not a correction") {
            try await admin.people.correctLeaving(tom, to: later, reason: "typo")
        }
        _ = try await admin.roles.grant(
            RoleGrant(personID: tom, role: .staff, scope: .school(fixture.school.id), starts: Fixture.today, groups: ["Oak"]))
        let back = try await fixture.safety.session(actingAs: tom, at: fixture.school.id)
        try expect(back.principal.roles.contains(.staff), "granted his role again, he acts again")

        let trail = try await admin.audit.trail(of: tom.uuid)
        let corrections = trail.filter { $0.draft.outcome == .allowed && $0.draft.actorID == fixture.admin.id }
        try expect(
            corrections.contains {
                $0.draft.action == .personLeaveCorrect
                    && $0.draft.reason == "the leaving form gave the week before (leaving day \(Fixture.today) moved to \(earlier))"
            }
                && corrections.contains {
                    $0.draft.action == .personLeaveCorrect
                        && $0.draft.reason == "he works out his notice (leaving day \(earlier) moved to \(later))"
                },
            "each moved day is audited with its reason and days")
        try expect(
            corrections.contains {
                $0.draft.action == .personRestore
                    && $0.draft.reason == "recorded against the wrong member of staff (leaving day \(later) taken back: did not leave)"
            },
            "the restore is audited with its reason")
        try expect(
            trail.contains { $0.draft.action == .personLeaveCorrect && $0.draft.outcome == .denied },
            "the refused corrections are audited as denied")
    }

    /// A leaving correction's reason is at most 2,048 characters: a longer one, or one of line
    /// breaks and a tab alone, is refused naming `leavingCorrection.reason` and writes nothing,
    /// and the refusal's audit event carries the refusal's words, not the text given; a reason of
    /// exactly 2,048 characters (of two bytes each) is accepted and kept whole.
    @_spi(StorageBackend)
    public static func aLeavingCorrectionsReasonIsAtMost2048Characters(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let tom = fixture.teacher.id
        let left = try await admin.people.recordLeaver(tom, on: Fixture.today)
        let earlier = Fixture.today.adding(days: -7)

        let refused = [
            ("2,049 characters", String(repeating: "a", count: 2_049)), ("100,000 characters", String(repeating: "b", count: 100_000)),
            ("line breaks and a tab", "\n\t\r\n"),
        ]
        for (what, reason) in refused {
            switch await capture({ try await admin.people.correctLeaving(tom, to: earlier, reason: reason) }) {
            case .success: throw ConformanceFailure("a reason of \(what) is refused")
            case .failure(let error):
                try expect(
                    error.code == .invalidInput && error.location == "leavingCorrection.reason",
                    "a reason of \(what) is refused naming the reason: \(error)")
            }
        }
        let unchanged = try await admin.people.get(tom)
        try expect(unchanged.leftOn == Fixture.today && unchanged.revision == left.revision, "a refused correction writes nothing")
        let denied = try await admin.audit.trail(of: tom.uuid).filter {
            $0.draft.action == .personLeaveCorrect && $0.draft.outcome == .denied
        }
        try expect(denied.count == refused.count, "each refusal is audited as denied: \(denied.count)")
        try expect(
            denied.allSatisfy { ($0.draft.reason ?? "").count < 200 && $0.draft.reason?.contains("aaaa") != true },
            "a refusal's event carries the refusal's words, not the text given")

        let longest = String(repeating: "\u{E9}", count: 2_048)
        let moved = try await admin.people.correctLeaving(tom, to: earlier, reason: longest)
        try expect(moved.leftOn == earlier, "a reason of 2,048 characters is accepted")
        let kept = try await admin.audit.trail(of: tom.uuid).contains {
            $0.draft.action == .personLeaveCorrect && $0.draft.outcome == .allowed
                && $0.draft.reason == "\(longest) (leaving day \(Fixture.today) moved to \(earlier))"
        }
        try expect(kept, "and kept whole in the audit, with the days")
    }

    /// Only someone else who manages people corrects a leaving day: a class teacher is refused as
    /// forbidden, exactly as for someone who does not exist; another organisation is answered
    /// exactly as for someone who does not exist; no one corrects their own, even while their
    /// session still opens (a leaving day recorded ahead).
    @_spi(StorageBackend)
    public static func onlyAnotherWhoManagesPeopleCorrectsALeaving(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let other = try await OtherOrganisation.make(beside: fixture)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let ben = fixture.ashLearner.id
        _ = try await admin.people.recordLeaver(ben, on: Fixture.today)

        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        let asked = await capture({ try await teacher.people.correctLeaving(ben, to: nil, reason: "not a leaver") })
        let nobody = await capture({ try await teacher.people.correctLeaving(PersonID(), to: nil, reason: "not a leaver") })
        switch (asked, nobody) {
        case (.failure(let error), .failure(let absent)):
            try expect(error.code == .forbidden, "a teacher is refused the capability, not \(error.code)")
            try expect(error.reason == absent.reason && absent.code == .forbidden, "and is told the same for no one")
        default: throw ConformanceFailure("a teacher cannot correct a leaving day")
        }

        let elsewhere = await capture({ try await other.admin.people.correctLeaving(ben, to: nil, reason: "not a leaver") })
        let absent = await capture({ try await other.admin.people.correctLeaving(PersonID(), to: nil, reason: "not a leaver") })
        switch (elsewhere, absent) {
        case (.failure(let error), .failure(let none)):
            try expect(error.code == .notFound && error.reason == "no such person", "out of reach is notFound, not \(error.code)")
            try expect(none.code == error.code && none.reason == error.reason, "exactly as for no one")
        default: throw ConformanceFailure("another organisation cannot correct a leaving day")
        }
        try expect(try await admin.people.get(ben).leftOn == Fixture.today, "Ben's leaving day stands")

        // Kate, the head, is leaving in a month: she can still act, but not on her own leaving.
        let kate = fixture.dsl.id
        let ahead = Fixture.today.adding(days: 30)
        _ = try await admin.people.recordLeaver(kate, on: ahead)
        let head = try await fixture.safety.session(actingAs: kate, at: fixture.school.id)
        switch await capture({ try await head.people.correctLeaving(kate, to: nil, reason: "staying on") }) {
        case .success: throw ConformanceFailure("correcting one's own leaving is refused")
        case .failure(let error): try expect(error.code == .forbidden, "refused as forbidden, not \(error.code)")
        }
        switch await capture({ try await admin.people.correctLeaving(fixture.admin.id, to: nil, reason: "never left") }) {
        case .success: throw ConformanceFailure("the data manager cannot correct their own leaving either")
        case .failure(let error): try expect(error.code == .forbidden, "refused as forbidden, not \(error.code)")
        }
        try expect(try await admin.people.get(kate).leftOn == ahead, "her leaving day stands")
        let byHead = try await head.people.correctLeaving(ben, to: nil, reason: "recorded by mistake")
        try expect(byHead.leftOn == nil, "someone else who manages people corrects another's")
        let byAdmin = try await admin.people.correctLeaving(kate, to: nil, reason: "she is staying")
        try expect(byAdmin.leftOn == nil, "and hers is corrected by someone else")
    }
}

private func capture<T: Sendable>(_ body: @Sendable () async throws -> T) async -> Result<T, SafetyError> {
    do { return .success(try await body()) } catch let error as SafetyError { return .failure(error) } catch {
        return .failure(SafetyError(.unavailable, "unexpected error"))
    }
}
