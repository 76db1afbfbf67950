import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

extension StorageConformance {
    /// Report counts asked for again follow every change that decides them, however often they
    /// were asked for before (a backend may keep counts it made, and must then see each change):
    /// a holder of the trust's own staff who leaves, an acceptance recorded, a learner who leaves,
    /// a grant revoked, a consent decision, an acceptance at another school, a transaction that
    /// wrote and rolled back, and incidents recorded within, and after the end of, a window.
    @_spi(StorageBackend)
    public static func reportCountsFollowEveryChange(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let day = CalendarDate(year: 2026, month: 1, day: 15)!
        let published = CalendarDate(year: 2025, month: 6, day: 1)!.startOfDay
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        var school = SeedSchools.chilton(trustID: trust.id)
        school.urn = "920001"
        var sibling = SeedSchools.chilton(trustID: trust.id)
        sibling.id = SchoolID()
        sibling.urn = "920002"
        try await store.schools.insertMany([school, sibling])
        let manager = try await store.people.insert(
            Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Trust", familyName: "Manager"))

        func document(_ audience: AUPAudience) -> AUPDocument {
            AUPDocument(
                schoolID: nil, trustID: trust.id, audience: audience, version: 1, title: "\(audience.title) AUP",
                effectiveFrom: CalendarDate(year: 2025, month: 9, day: 1)!, contentHash: AUPDocument.contentHash(of: Data([1])),
                publishedAt: published, publishedBy: manager.id)
        }
        let staffPolicy = document(.staffAndVolunteers)
        let learnerPolicy = document(.olderLearners)
        try await store.aupDocuments.insertMany([staffPolicy, learnerPolicy])
        let current: [AUPAudience: AUPDocument] = [.staffAndVolunteers: staffPolicy, .olderLearners: learnerPolicy]

        func learner(_ serial: Int) -> Person {
            Person(
                tenancy: .school(school.id), kind: .learner, givenName: "Learner", familyName: "Number \(serial)",
                learner: LearnerDetails(
                    upn: try! UPN(Fixture.upn(serial: 700 + serial)), dateOfBirth: CalendarDate(year: 2015, month: 3, day: 1)!,
                    ncYear: .year5))
        }
        let teacher = Person(tenancy: .school(school.id), kind: .staff, givenName: "Adult", familyName: "Teacher")
        let governor = Person(tenancy: .school(school.id), kind: .staff, givenName: "Adult", familyName: "Newcomer")
        let technician = Person(tenancy: .trust(trust.id), kind: .staff, givenName: "Trust", familyName: "Technician")
        let siblingTeacher = Person(tenancy: .school(sibling.id), kind: .staff, givenName: "Adult", familyName: "Sibling")
        let (first, second) = (learner(1), learner(2))
        try await store.people.insertMany([teacher, governor, technician, siblingTeacher, first, second])

        func accept(_ person: Person, _ policy: AUPDocument, at place: SchoolID?) -> AUPAcceptance {
            AUPAcceptance(
                schoolID: place, personID: person.id, document: policy, acceptedBy: person.id, method: .online,
                acceptedAt: policy.effectiveFrom.startOfDay, recordedBy: manager.id)
        }
        try await store.aupAcceptances.insertMany([
            accept(teacher, staffPolicy, at: school.id), accept(technician, staffPolicy, at: nil),
            accept(first, learnerPolicy, at: school.id),
            accept(second, learnerPolicy, at: school.id),
        ])
        func grant(_ person: Person, _ system: SystemCode) -> AccessGrant {
            AccessGrant(
                schoolID: school.id, personID: person.id, system: system, grantedOn: CalendarDate(year: 2025, month: 9, day: 3)!,
                grantedAt: published.addingTimeInterval(86_400), grantedBy: manager.id, documentID: staffPolicy.id,
                acceptanceID: AUPAcceptance.id(person: person.id, document: staffPolicy.id))
        }
        let teacherGrant = grant(teacher, .email)
        try await store.accessGrants.insertMany([
            teacherGrant, grant(governor, .email), grant(technician, .network), grant(first, .learningPlatform),
        ])
        let website = ConsentPurpose.websiteImages.code
        func decision(_ choice: ConsentChoice, days: Int) -> ConsentDecision {
            let at = CalendarDate(year: 2025, month: 10, day: 1)!.adding(days: days).startOfDay
            return ConsentDecision(
                schoolID: school.id, learnerID: first.id, purposeCode: website, choice: choice, decidedBy: manager.id, byLearner: false,
                relationship: .parent, method: .written, effectiveAt: at, recordedAt: at, recordedBy: manager.id)
        }
        var consent = ConsentState(learnerID: first.id, schoolID: school.id)
        consent.apply(decision(.granted, days: 0), over: nil)
        try await store.consentStates.insertMany([consent])

        let requests = [
            ComplianceTallyRequest(school: school, date: day, current: current, listExceptions: true),
            ComplianceTallyRequest(school: school, date: day, current: current, listExceptions: false, grantsOnly: true),
            ComplianceTallyRequest(school: sibling, date: day, current: current, listExceptions: false),
        ]
        // The answer that must equal the records': all of a full request's, the grants' alone of
        // one for the grants only (a backend may leave the rest empty).
        func compared(_ tallies: [ComplianceTally]) -> [ComplianceTally] {
            zip(requests, tallies).map { request, tally in
                guard request.grantsOnly else { return tally }
                return ComplianceTally(
                    people: [:], accepted: [:], activeGrants: tally.activeGrants, exceptionCount: tally.exceptionCount, exceptions: [],
                    learners: 0, consent: [:])
            }
        }
        // Asked for twice after each change: the second answer may be one the backend kept.
        @discardableResult func counts(_ step: String) async throws -> [ComplianceTally] {
            let reference = compared(
                try await store.withTransaction { tx in try await RepositoryReportQueries(store: tx).complianceTallies(requests) })
            for _ in 0..<2 {
                let native = try await store.withTransaction { tx in try await tx.reports.complianceTallies(requests) }
                try expect(compared(native) == reference, "\(step): the counts equal the records'")
                let outside = try await store.reports.complianceTallies(requests)
                try expect(compared(outside) == reference, "\(step): the counts outside a transaction equal the records'")
            }
            return reference
        }
        var tallies = try await counts("at first")
        try expect(tallies[0].activeGrants == 4 && tallies[0].exceptionCount == 1, "four grants, the newcomer's an exception")
        try expect(tallies[1].exceptionCount == 1, "the grants alone say the same")

        // The trust's technician, on no school's roll, leaves: their grant here becomes an exception.
        var leaving = try await store.people.get(technician.id)!
        leaving.leftOn = day.adding(days: -1)
        _ = try await store.people.update(leaving)
        tallies = try await counts("after the trust's technician left")
        try expect(tallies[0].exceptionCount == 2 && tallies[1].exceptionCount == 2, "the leaver's grant is an exception")

        // The newcomer accepts: their grant is no longer an exception.
        try await store.aupAcceptances.insertMany([accept(governor, staffPolicy, at: school.id)])
        tallies = try await counts("after an acceptance")
        try expect(tallies[0].exceptionCount == 1 && tallies[0].accepted[.staffAndVolunteers] == 2, "the acceptance counts")

        // A learner leaves, a grant is revoked and a consent decision changes.
        var gone = try await store.people.get(second.id)!
        gone.leftOn = day.adding(days: -2)
        _ = try await store.people.update(gone)
        tallies = try await counts("after a learner left")
        try expect(tallies[0].people[.olderLearners] == 1 && tallies[0].learners == 1, "one learner on roll")
        var revoked = try await store.accessGrants.get(teacherGrant.id)!
        revoked.revokedOn = day
        revoked.revokedAt = day.startOfDay
        revoked.revocationReason = "no longer needed"
        _ = try await store.accessGrants.update(revoked)
        tallies = try await counts("after a grant was revoked")
        try expect(tallies[0].activeGrants == 3 && tallies[1].activeGrants == 3, "three grants in force")
        var changed = try await store.consentStates.get(ConsentStateID(first.id.uuid))!
        changed.apply(decision(.withdrawn, days: 5), over: nil)
        _ = try await store.consentStates.update(changed)
        tallies = try await counts("after consent was withdrawn")
        try expect(tallies[0].consent[website] == [.withdrawn: 1], "the withdrawal counts")

        // At the other school of the trust, its own teacher accepts.
        try await store.aupAcceptances.insertMany([accept(siblingTeacher, staffPolicy, at: sibling.id)])
        tallies = try await counts("after an acceptance at the other school")
        try expect(tallies[2].accepted[.staffAndVolunteers] == 1, "the other school's acceptance counts there")

        // A transaction that grants access sees its own grant, and after it rolls back no one does.
        let extra = grant(first, .email)
        try await expectError(.conflict, "a transaction that throws after granting") {
            try await store.withTransaction { tx in
                try await tx.accessGrants.insertMany([extra])
                let inside = try await tx.reports.complianceTallies(requests)
                try expect(inside[0].activeGrants == 4, "the transaction counts its own grant")
                throw SafetyError(.conflict, "rolled back on purpose")
            }
        }
        tallies = try await counts("after a transaction rolled back")
        try expect(tallies[0].activeGrants == 3, "the rolled-back grant is not counted")

        // Learners in repeated incidents: two within the window, then one after its end.
        let now = day.startOfDay.addingTimeInterval(12 * 3_600)
        func incident(at instant: Date) -> Incident {
            Incident(
                schoolID: school.id, reporterID: teacher.id, occurredAt: instant, reportedAt: instant, location: .onSite,
                equipment: .school, summary: "Freshness check", riskArea: .contact, category: .cyberbullying,
                participants: [Participant(personID: first.id, part: .victim, isLearner: true)])
        }
        func repeated(endingAt end: Date, _ step: String) async throws -> [PersonID: Int] {
            let request = RepeatedLearnersRequest(
                schoolIDs: [school.id, sibling.id], includeRestricted: true, occurredFrom: day.adding(days: -30).startOfDay,
                occurredTo: end,
                minimum: 2)
            let reference = try await store.withTransaction { tx in
                try await RepositoryReportQueries(store: tx).repeatedLearnersBySchool(request)
            }
            for _ in 0..<2 {
                let native = try await store.withTransaction { tx in try await tx.reports.repeatedLearnersBySchool(request) }
                try expect(native == reference, "\(step): the learners equal the records'")
            }
            return reference[school.id] ?? [:]
        }
        try await store.incidents.insertMany([incident(at: now.addingTimeInterval(-86_400))])
        try expect(try await repeated(endingAt: now, "after one incident").isEmpty, "one incident is not a repeated concern")
        try await store.incidents.insertMany([incident(at: now.addingTimeInterval(-3_600))])
        try expect(try await repeated(endingAt: now, "after a second incident") == [first.id: 2], "two incidents are")
        try await store.incidents.insertMany([incident(at: now.addingTimeInterval(86_400))])
        try expect(try await repeated(endingAt: now, "with one after the window") == [first.id: 2], "the later one is outside")
        let later = now.addingTimeInterval(2 * 86_400)
        try expect(try await repeated(endingAt: later, "over a longer window") == [first.id: 3], "a longer window counts it")
        try expect(try await repeated(endingAt: now, "over the first window again") == [first.id: 2], "and the first still does not")
    }
}
