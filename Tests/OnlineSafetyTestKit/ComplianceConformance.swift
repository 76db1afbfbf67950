import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// Acceptable use, the access register, consent, training and the compliance report: the same
/// behaviour on every backend, through sessions, as an application would use them.
extension StorageConformance {
    /// A new version of a policy makes everyone in its audience due again; the content hash is the
    /// SHA-256 of the text; the same text twice is a conflict; the trust's policy applies at the
    /// school until the school publishes a later one.
    @_spi(StorageBackend)
    public static func aupVersionsMakeTheirAudienceDue(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await ComplianceWorld.make(on: store)
        let admin = world.admin
        let text = Data("Staff acceptable use policy, 2026 edition".utf8)
        let v1 = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: text, effectiveFrom: ComplianceWorld.september,
            reference: "staff-aup.pdf")
        try expect(v1.version == 1 && v1.schoolID == world.fixture.school.id, "the first version is 1, at the school")
        try expect(v1.contentHash == AUPDocument.contentHash(of: text) && v1.contentHash.count == 64, "the SHA-256 of the text is kept")
        try await expectError(.conflict, "the same text is not published twice") {
            try await admin.agreements.publish(
                audience: .staffAndVolunteers, title: "Staff AUP", content: text, effectiveFrom: ComplianceWorld.september)
        }
        let staffDue = try await admin.agreements.due(audiences: [.staffAndVolunteers])
        let staff = Set([world.fixture.dsl.id, world.fixture.teacher.id, world.technician.id])
        try expect(Set(staffDue.map(\.personID)) == staff, "every member of staff is due version 1")
        for person in staff {
            _ = try await admin.agreements.accept(v1.id, for: person, method: .online, at: ComplianceWorld.september.startOfDay)
        }
        try expect(try await admin.agreements.due(audiences: [.staffAndVolunteers]).isEmpty, "no one is due once all accepted")

        let v2 = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("Staff acceptable use policy, revised".utf8),
            effectiveFrom: Fixture.today)
        try expect(v2.version == 2, "the next version is 2")
        let dueAgain = try await admin.agreements.due(audiences: [.staffAndVolunteers])
        try expect(Set(dueAgain.map(\.personID)) == staff, "a new version makes everyone in the audience due again")
        try expect(dueAgain.allSatisfy { $0.version == 2 && $0.lastAcceptedVersion == 1 }, "due for version 2, having accepted version 1")
        let yesterday = try await admin.agreements.due(audiences: [.staffAndVolunteers], on: Fixture.today.adding(days: -1))
        try expect(yesterday.isEmpty, "before version 2 takes effect, no one is due")
        try expect(try await admin.agreements.current(for: .staffAndVolunteers)?.id == v2.id, "version 2 is in force today")

        let trustText = Data("Trust-wide parents' acceptable use policy".utf8)
        let trustWide = try await admin.agreements.publish(
            audience: .parentsAndCarers, title: "Parents' AUP", content: trustText, effectiveFrom: ComplianceWorld.september,
            trustWide: true)
        try expect(trustWide.trustID == world.fixture.trust.id && trustWide.schoolID == nil, "a trust-wide policy belongs to the trust")
        try expect(
            try await admin.agreements.current(for: .parentsAndCarers)?.id == trustWide.id, "the trust's policy applies at the school")
        let own = try await admin.agreements.publish(
            audience: .parentsAndCarers, title: "Chilton parents' AUP", content: Data("Chilton's own".utf8), effectiveFrom: Fixture.today)
        try expect(try await admin.agreements.current(for: .parentsAndCarers)?.id == own.id, "the school's later policy takes over")
        let parentsDue = try await admin.agreements.due(audiences: [.parentsAndCarers])
        try expect(
            Set(parentsDue.map(\.personID)) == [world.fixture.parent.id, world.infantMother.id, world.infantGrandparent.id],
            "every parent and carer is due the school's policy")

        let teacher = try await world.fixture.safety.session(actingAs: world.fixture.teacher.id, at: world.fixture.school.id)
        try await expectError(.forbidden, "a class teacher cannot publish a policy") {
            try await teacher.agreements.publish(audience: .visitors, title: "Visitors", content: text, effectiveFrom: Fixture.today)
        }
        try await expectError(.forbidden, "a class teacher cannot list who is due") { try await teacher.agreements.due() }
        let dsl = try await world.fixture.safety.session(actingAs: world.fixture.dsl.id, at: world.fixture.school.id)
        try await expectError(.forbidden, "a school-level leader cannot publish for the whole trust") {
            try await dsl.agreements.publish(
                audience: .visitors, title: "Visitors", content: text, effectiveFrom: Fixture.today, trustWide: true)
        }
        try expect(
            try await store.aupDocuments.count(AUPDocumentQuery(schoolID: world.fixture.school.id, trustID: nil)) == 3,
            "three at the school")
    }

    /// An acceptance is by the person, or for a learner by an adult with parental responsibility;
    /// every other acceptance is refused with the reason, audited, and names no child.
    @_spi(StorageBackend)
    public static func acceptanceOnBehalfNeedsParentalResponsibility(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await ComplianceWorld.make(on: store)
        let admin = world.admin
        let younger = try await admin.agreements.publish(
            audience: .youngerLearners, title: "Our rules", content: Data("KS1 rules".utf8), effectiveFrom: ComplianceWorld.september)
        let older = try await admin.agreements.publish(
            audience: .olderLearners, title: "KS2 AUP", content: Data("KS2 rules".utf8), effectiveFrom: ComplianceWorld.september)
        let staffAUP = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("Staff rules".utf8), effectiveFrom: ComplianceWorld.september)

        let byMother = try await admin.agreements.accept(
            younger.id, for: world.infant.id, by: world.infantMother.id, method: .signedOnPaper)
        try expect(
            byMother.onBehalf && byMother.acceptedBy == world.infantMother.id, "a mother with parental responsibility accepts for her child"
        )
        try expect(byMother.contentHash == younger.contentHash && byMother.version == 1, "the acceptance records which text was agreed to")

        try await world.expectRefusal(
            .constraintViolation,
            "only an adult with parental responsibility for the learner can accept an acceptable use policy on their behalf",
            "a grandparent without parental responsibility cannot accept"
        ) {
            try await admin.agreements.accept(older.id, for: world.fixture.ashLearner.id, by: world.infantGrandparent.id, method: .online)
        }
        try await world.expectRefusal(
            .constraintViolation,
            "only an adult with parental responsibility for the learner can accept an acceptable use policy on their behalf",
            "an unrelated adult cannot accept"
        ) {
            try await admin.agreements.accept(older.id, for: world.fixture.ashLearner.id, by: world.fixture.teacher.id, method: .online)
        }
        try await world.expectRefusal(
            .constraintViolation, "an adult accepts an acceptable use policy for themselves", "no one accepts for another adult"
        ) {
            try await admin.agreements.accept(staffAUP.id, for: world.fixture.teacher.id, by: world.fixture.dsl.id, method: .online)
        }
        try await world.expectRefusal(
            .constraintViolation,
            "this is the younger learners (EYFS and KS1) acceptable use policy, version 1 (effective 2026-09-01); "
                + "the person needs the older learners (KS2 and above) acceptable use policy",
            "a KS2 learner's agreement is the KS2 one"
        ) {
            try await admin.agreements.accept(younger.id, for: world.fixture.ashLearner.id, by: world.fixture.parent.id, method: .online)
        }
        try await world.expectRefusal(.conflict, "the person has already accepted version 1 of this policy", "a version is accepted once") {
            try await admin.agreements.accept(younger.id, for: world.infant.id, by: world.infantMother.id, method: .online)
        }
        let denied = try await store.audit.events(AuditQuery()).filter {
            $0.draft.outcome == .denied && $0.draft.action.rawValue == "aupAcceptance.insert"
        }
        try expect(denied.count == 5, "each refused acceptance is audited, got \(denied.count)")
        try expect(denied.allSatisfy { $0.draft.reason?.isEmpty == false }, "with its reason")

        let older1 = try await admin.agreements.accept(
            older.id, for: world.fixture.ashLearner.id, by: world.fixture.parent.id, method: .online)
        try expect(older1.schoolID == world.fixture.school.id, "the parent with parental responsibility accepts for the KS2 learner")
        let teen = try await admin.agreements.accept(older.id, for: world.teen.id, method: .acknowledgedAtLogOn)
        try expect(!teen.onBehalf && teen.method == .acknowledgedAtLogOn, "a learner accepts for themselves at log-on")

        let teacher = try await world.fixture.safety.session(actingAs: world.fixture.teacher.id, at: world.fixture.school.id)
        let own = try await teacher.agreements.accept(staffAUP.id, for: world.fixture.teacher.id, method: .online)
        try expect(own.recordedBy == world.fixture.teacher.id, "a member of staff records their own acceptance")
        try await expectError(.forbidden, "a class teacher cannot record a learner's acceptance") {
            try await teacher.agreements.accept(older.id, for: world.fixture.oakLearner.id, method: .online)
        }
        try expect(try await teacher.agreements.acceptances(of: world.fixture.teacher.id).map(\.id) == [own.id], "they read their own")
        try expect(
            try await admin.agreements.acceptances(of: world.infant.id).map(\.acceptedBy) == [world.infantMother.id],
            "the data manager reads any")

        _ = try await admin.people.recordLeaver(world.technician.id, on: Fixture.today.adding(days: -1))
        try await world.expectRefusal(
            .constraintViolation, "a person who has left cannot accept an acceptable use policy", "leavers do not accept"
        ) {
            try await admin.agreements.accept(staffAUP.id, for: world.technician.id, method: .online)
        }
    }

    /// Access is refused, naming the missing agreement, until the person accepts the policy in
    /// force; a new version leaves the grant without a current agreement until it is accepted;
    /// revocation keeps the history.
    @_spi(StorageBackend)
    public static func accessNeedsTheCurrentAUP(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await ComplianceWorld.make(on: store)
        let admin = world.admin
        let technician = try await world.fixture.safety.session(actingAs: world.technician.id, at: world.fixture.school.id)
        let teacherID = world.fixture.teacher.id
        try await world.expectRefusal(
            .constraintViolation,
            "access to school email needs the staff and volunteers acceptable use policy, and none is published: "
                + "publish it and record the person's acceptance first",
            "no policy, no access"
        ) { try await technician.access.grant(.email, to: teacherID) }

        let v1 = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("v1".utf8), effectiveFrom: ComplianceWorld.september)
        try await world.expectRefusal(
            .constraintViolation,
            "access to school email needs the staff and volunteers acceptable use policy, version 1 (effective 2026-09-01) "
                + "to be accepted first",
            "the refusal names the agreement the person has not accepted"
        ) { try await technician.access.grant(.email, to: teacherID) }
        let refusal = try await store.audit.events(AuditQuery(actorID: world.technician.id)).last
        try expect(
            refusal?.draft.outcome == .denied && refusal?.draft.action.rawValue == "accessGrant.insert", "the refused grant is audited")

        _ = try await admin.agreements.accept(v1.id, for: teacherID, method: .signedOnPaper, at: ComplianceWorld.september.startOfDay)
        let email = try await technician.access.grant(.email, to: teacherID, note: "t.teacher")
        try expect(email.documentID == v1.id && email.grantedBy == world.technician.id, "granted under version 1, by the technician")
        let network = try await technician.access.grant(.network, to: teacherID)
        let own = try await technician.access.grant(try SystemCode("reading-eggs"), to: teacherID)
        try await world.expectRefusal(.conflict, "the person already has access to school email", "no second grant while one is in force") {
            try await technician.access.grant(.email, to: teacherID)
        }
        try expect(try await technician.access.holders(of: .email).map(\.personID) == [teacherID], "who has access to email")
        try expect(try await technician.access.withoutCurrentAUP().isEmpty, "every grant has its agreement behind it")

        let v2 = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("v2".utf8), effectiveFrom: Fixture.today)
        let unbacked = try await technician.access.withoutCurrentAUP()
        try expect(
            Set(unbacked.map(\.grant.id)) == [email.id, network.id, own.id], "a new version leaves every grant without a current AUP")
        try expect(unbacked.allSatisfy { $0.requiredVersion == 2 && $0.audience == .staffAndVolunteers }, "each names version 2")
        try await world.expectRefusal(
            .constraintViolation,
            "access to the learning platform needs the staff and volunteers acceptable use policy, version 2 (effective 2026-11-23) "
                + "to be accepted first",
            "new access needs the new version"
        ) { try await technician.access.grant(.learningPlatform, to: teacherID) }
        _ = try await admin.agreements.accept(v2.id, for: teacherID, method: .acknowledgedAtLogOn)
        try expect(
            try await technician.access.withoutCurrentAUP().isEmpty, "accepting version 2 puts the agreement back behind every grant")

        let revoked = try await technician.access.revoke(own.id, reason: "subscription ended")
        try expect(revoked.revokedOn == Fixture.today && revoked.revocationReason == "subscription ended", "revoked with the reason")
        try await world.expectRefusal(.constraintViolation, "that access was already revoked on 2026-11-23", "revoked once") {
            try await technician.access.revoke(own.id, reason: "again")
        }
        try expect(try await technician.access.holders(of: own.system).isEmpty, "no one has access after revocation")
        let history = try await technician.access.grants(for: teacherID)
        try expect(history.count == 3 && history.contains { $0.id == own.id && $0.revokedBy == world.technician.id }, "the history stays")

        let teacher = try await world.fixture.safety.session(actingAs: teacherID, at: world.fixture.school.id)
        try await expectError(.forbidden, "a class teacher cannot grant access") {
            try await teacher.access.grant(.network, to: world.fixture.oakLearner.id)
        }
        try await expectError(.forbidden, "a class teacher cannot read the register") { try await teacher.access.holders(of: .email) }
        try expect(try await teacher.access.grants(for: teacherID).count == 3, "a member of staff reads their own grants")
        try await expectError(.invalidInput, "a system code is lower-case") { try SystemCode("My System!") }
    }

    /// A leaver loses every grant from their leaving day, with the reason "leaver", audited; the
    /// grants stay in the register as history.
    @_spi(StorageBackend)
    public static func leaverLosesEveryAccessGrant(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await ComplianceWorld.make(on: store)
        let admin = world.admin
        let staffAUP = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("v1".utf8), effectiveFrom: ComplianceWorld.september)
        let olderAUP = try await admin.agreements.publish(
            audience: .olderLearners, title: "KS2 AUP", content: Data("KS2".utf8), effectiveFrom: ComplianceWorld.september)
        let teacherID = world.fixture.teacher.id
        _ = try await admin.agreements.accept(staffAUP.id, for: teacherID, method: .online, at: ComplianceWorld.september.startOfDay)
        _ = try await admin.agreements.accept(olderAUP.id, for: world.fixture.ashLearner.id, by: world.fixture.parent.id, method: .online)
        var granted: [AccessGrant] = []
        for system in [SystemCode.network, .email, .mcas] {
            granted.append(try await admin.access.grant(system, to: teacherID, from: ComplianceWorld.september))
        }
        let learnerGrant = try await admin.access.grant(.learningPlatform, to: world.fixture.ashLearner.id)

        let leavingDay = Fixture.today.adding(days: -2)
        _ = try await admin.people.recordLeaver(teacherID, on: leavingDay)
        let after = try await admin.access.grants(for: teacherID)
        try expect(after.count == 3, "the grants stay in the register")
        try expect(
            after.allSatisfy { $0.revokedOn == leavingDay && $0.revocationReason == "leaver" }, "every grant revoked from the leaving day")
        try expect(try await admin.access.holders(of: .email).isEmpty, "the leaver no longer has access")
        try expect(try await admin.access.holders(of: .learningPlatform).map(\.id) == [learnerGrant.id], "others keep theirs")
        for grant in granted {
            let trail = try await store.audit.events(AuditQuery(subjectID: grant.id.uuid))
            try expect(
                trail.last?.draft.action.rawValue == "accessGrant.revoke" && trail.last?.draft.reason == "leaver",
                "each revocation is audited")
        }
        try await world.expectRefusal(.constraintViolation, "a person who has left cannot be given access", "no new access for a leaver") {
            try await admin.access.grant(.email, to: teacherID)
        }
        var leftQuietly = try await admin.people.get(world.fixture.ashLearner.id)
        leftQuietly.leftOn = Fixture.today.adding(days: -1)
        _ = try await admin.people.update(leftQuietly)
        let flagged = try await admin.access.withoutCurrentAUP()
        try expect(
            flagged.map(\.grant.id) == [learnerGrant.id] && flagged[0].holderHasLeft,
            "a leaver recorded without revoking their access shows as a grant without a current agreement")
    }

    /// Consent is decided by an adult with parental responsibility, or by the learner from the
    /// school's consent age; the history is kept, the latest decision rules, and a withdrawal takes
    /// effect at once. Schools extend the catalogue.
    @_spi(StorageBackend)
    public static func consentNeedsParentalResponsibilityOrAge(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await ComplianceWorld.make(on: store)
        let admin = world.admin
        let website = ConsentPurpose.websiteImages.code
        let ash = world.fixture.ashLearner.id
        let lastWeek = Fixture.now.addingTimeInterval(-7 * 86_400)

        let given = try await admin.consent.record(
            .granted, purpose: website, for: ash, by: world.fixture.parent.id, method: .written, at: lastWeek)
        try expect(given.relationship == .mother && !given.byLearner, "given by the mother, with parental responsibility")
        try await world.expectRefusal(
            .constraintViolation,
            "only an adult with parental responsibility for the learner, or the learner from age 13, can decide consent",
            "a grandparent without parental responsibility cannot decide"
        ) {
            try await admin.consent.record(
                .granted, purpose: website, for: world.infant.id, by: world.infantGrandparent.id, method: .written)
        }
        try await world.expectRefusal(
            .constraintViolation, "at this school a learner decides consent for themselves from age 13", "a nine-year-old cannot decide"
        ) {
            try await admin.consent.record(
                .refused, purpose: website, for: world.fixture.oakLearner.id, by: world.fixture.oakLearner.id, method: .online)
        }
        let teenSays = try await admin.consent.record(
            .refused, purpose: ConsentPurpose.phoneSearch.code, for: world.teen.id, by: world.teen.id, method: .written)
        try expect(teenSays.byLearner, "a learner of 13 decides for themselves")
        try await world.expectRefusal(
            .constraintViolation, "consent for this purpose is not in force, so there is nothing to withdraw", "nothing to withdraw"
        ) {
            try await admin.consent.withdraw(
                purpose: ConsentPurpose.pressImages.code, for: ash, by: world.fixture.parent.id, method: .online)
        }
        try await expectError(.invalidInput, "a withdrawal takes effect when recorded") {
            try await admin.consent.record(
                .withdrawn, purpose: website, for: ash, by: world.fixture.parent.id, method: .written, at: lastWeek)
        }
        try await expectError(.invalidInput, "an unknown purpose") {
            try await admin.consent.record(.granted, purpose: "images.billboard", for: ash, by: world.fixture.parent.id, method: .written)
        }

        let beforeWithdrawal = try await admin.consent.check(purpose: website, learners: [ash])
        try expect(beforeWithdrawal.first?.allowed == true, "consent given: yes")
        let withdrawal = try await admin.consent.withdraw(purpose: website, for: ash, by: world.fixture.parent.id, method: .online)
        try expect(withdrawal.effectiveAt == Fixture.now, "a withdrawal takes effect the moment it is recorded")
        let answer = try await admin.consent.check(purpose: website, learners: [ash]).first
        try expect(answer?.allowed == false, "withdrawn: no, from today")
        try expect(
            answer?.reason == .withdrawn(by: world.fixture.parent.id, byLearner: false, on: Fixture.today),
            "the reason says when and by whom")
        try expect(
            answer?.reason.description == "withdrawn on 2026-11-23 by an adult with parental responsibility", "in words that name no one")
        let yesterday = try await admin.consent.check(purpose: website, learners: [ash], on: Fixture.today.adding(days: -1)).first
        try expect(yesterday?.allowed == true, "the day before the withdrawal, consent was in force")
        let lateForm = try await admin.consent.record(
            .granted, purpose: website, for: ash, by: world.fixture.parent.id, method: .written, at: lastWeek.addingTimeInterval(3_600))
        try expect(
            try await admin.consent.check(purpose: website, learners: [ash]).first?.allowed == false,
            "an older form recorded later does not override a withdrawal")
        let history = try await admin.consent.history(of: ash, purpose: website)
        try expect(history.map(\.id) == [given.id, lateForm.id, withdrawal.id], "the history is kept, in the order decisions apply")

        let club = try await admin.consent.addPurpose(code: "robotics-club-photos", name: "Photos in the robotics club newsletter")
        try expect(
            try await admin.consent.purposes().contains { $0.code == "custom.robotics-club-photos" }, "the school extends the catalogue")
        _ = try await admin.consent.record(.granted, purpose: club.purpose.code, for: ash, by: world.fixture.parent.id, method: .online)
        try await expectError(.conflict, "a purpose code is unique") {
            try await admin.consent.addPurpose(code: "robotics-club-photos", name: "Again")
        }

        let parentSession = try await world.fixture.safety.session(actingAs: world.infantMother.id, at: world.fixture.school.id)
        let ownChoice = try await parentSession.consent.record(
            .granted, purpose: website, for: world.infant.id, by: world.infantMother.id, method: .online)
        try expect(ownChoice.recordedBy == world.infantMother.id, "a parent with a session records their own decision")
        let teacher = try await world.fixture.safety.session(actingAs: world.fixture.teacher.id, at: world.fixture.school.id)
        try await expectError(.forbidden, "a class teacher cannot record another's decision") {
            try await teacher.consent.record(
                .granted, purpose: website, for: world.fixture.oakLearner.id, by: world.fixture.parent.id, method: .written)
        }
    }

    /// "May we post this class photo on the website today?" for a class of 30 with mixed consents:
    /// yes or no for each child, in order, with the reason; audited per child; only for those who
    /// may read the class.
    @_spi(StorageBackend)
    public static func classPhotoQuestionForThirty(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await ComplianceWorld.make(on: store)
        let admin = world.admin
        let purpose = ConsentPurpose.websiteImages.code
        let start = CalendarDate(year: 2024, month: 9, day: 1)!
        let willowTeacher = try await admin.people.add(
            Person(
                tenancy: .school(world.fixture.school.id), kind: .staff, givenName: "Wendy", familyName: "Willow", jobTitle: "Class teacher"
            ))
        _ = try await admin.roles.grant(
            RoleGrant(personID: willowTeacher.id, role: .staff, scope: .school(world.fixture.school.id), starts: start, groups: ["Willow"]))
        var learners: [Person] = []
        var parents: [PersonID] = []
        for index in 0..<30 {
            let learner = try await admin.people.add(
                Person(
                    tenancy: .school(world.fixture.school.id), kind: .learner, givenName: "Pupil\(index)", familyName: "Willow",
                    learner: LearnerDetails(
                        upn: try UPN(Fixture.upn(serial: 600 + index)),
                        dateOfBirth: CalendarDate(year: 2019, month: 1 + index % 12, day: 3)!,
                        ncYear: .year2, registrationGroup: "Willow")))
            let parent = try await admin.people.add(
                Person(tenancy: .school(world.fixture.school.id), kind: .parentCarer, givenName: "Parent\(index)", familyName: "Willow"))
            _ = try await admin.people.addContact(
                ContactLink(
                    schoolID: world.fixture.school.id, learnerID: learner.id, adultID: parent.id, relationship: .parent,
                    parentalResponsibility: true, priority: 1))
            learners.append(learner)
            parents.append(parent.id)
        }
        let form = Fixture.now.addingTimeInterval(-60 * 86_400)
        // 0-11 granted; 12-16 refused; 17-20 granted then withdrawn today; 21-23 refused then granted; 24-29 no record.
        var expected: [Bool] = []
        for index in 0..<30 {
            let (learner, parent) = (learners[index].id, parents[index])
            switch index {
            case 0..<12:
                _ = try await admin.consent.record(.granted, purpose: purpose, for: learner, by: parent, method: .written, at: form)
                expected.append(true)
            case 12..<17:
                _ = try await admin.consent.record(.refused, purpose: purpose, for: learner, by: parent, method: .written, at: form)
                expected.append(false)
            case 17..<21:
                _ = try await admin.consent.record(.granted, purpose: purpose, for: learner, by: parent, method: .written, at: form)
                _ = try await admin.consent.withdraw(purpose: purpose, for: learner, by: parent, method: .online)
                expected.append(false)
            case 21..<24:
                _ = try await admin.consent.record(.refused, purpose: purpose, for: learner, by: parent, method: .written, at: form)
                _ = try await admin.consent.record(.granted, purpose: purpose, for: learner, by: parent, method: .online)
                expected.append(true)
            default:
                expected.append(false)
            }
        }
        let before = try await store.audit.heads()
        let teacher = try await world.fixture.safety.session(actingAs: willowTeacher.id, at: world.fixture.school.id)
        let answers = try await teacher.consent.check(purpose: purpose, learners: learners.map(\.id))
        try expect(answers.map(\.learnerID) == learners.map(\.id), "one answer per child, in the order asked")
        try expect(answers.map(\.allowed) == expected, "yes exactly for the 15 with consent in force")
        try expect(answers.filter(\.allowed).count == 15, "15 of 30 may appear")
        for (index, answer) in answers.enumerated() {
            switch index {
            case 0..<12:
                try expect(
                    answer.reason == .granted(by: parents[index], byLearner: false, on: CalendarDate(form), method: .written),
                    "given by the parent on the form's day")
            case 12..<17:
                try expect(answer.reason == .refused(by: parents[index], byLearner: false, on: CalendarDate(form)), "refused")
            case 17..<21:
                try expect(answer.reason == .withdrawn(by: parents[index], byLearner: false, on: Fixture.today), "withdrawn today")
            case 21..<24:
                try expect(
                    answer.reason == .granted(by: parents[index], byLearner: false, on: Fixture.today, method: .online), "given later")
            default:
                try expect(answer.reason == .noRecord && answer.decisionID == nil, "no record")
            }
        }
        let byGroup = try await teacher.consent.check(purpose: purpose, group: "Willow")
        try expect(
            Set(byGroup.filter(\.allowed).map(\.learnerID)) == Set(answers.filter(\.allowed).map(\.learnerID)), "asked by class: the same")
        let lastMonth = try await teacher.consent.check(purpose: purpose, learners: learners.map(\.id), on: Fixture.today.adding(days: -30))
        try expect(lastMonth.filter(\.allowed).count == 16, "a month ago the 16 then given were in: withdrawals apply from their day")
        let checks = try await store.audit.events(since: before).filter { $0.draft.action.rawValue == "consent.check" }
        try expect(
            checks.map(\.draft.listed.count) == [30, 30, 30] && Set(checks.flatMap(\.draft.listed)) == Set(learners.map(\.id.uuid)),
            "each check is audited as one read naming every child it answered for, got \(checks.map(\.draft.listed.count))")

        let oakTeacher = try await world.fixture.safety.session(actingAs: world.fixture.teacher.id, at: world.fixture.school.id)
        func refusal(_ group: String) async -> SafetyError? {
            do {
                _ = try await oakTeacher.consent.check(purpose: purpose, group: group)
                return nil
            } catch {
                return error as? SafetyError
            }
        }
        let other = await refusal("Willow")
        let none = await refusal("Nowhere 9")
        try expect(
            other?.code == .notFound,
            "a teacher of another class cannot ask about Willow: answered as absent, not \(String(describing: other))")
        try expect(none?.code == other?.code && none?.reason == other?.reason, "exactly as a group no one is in")
        try await expectError(.notFound, "and so is anyone asking about a group with no one on roll") {
            try await teacher.consent.check(purpose: purpose, group: "Nowhere 9")
        }
        let governor = try await world.fixture.safety.session(actingAs: world.governor.id, at: world.fixture.school.id)
        try await expectError(.forbidden, "a governor never asks about named children") {
            try await governor.consent.check(purpose: purpose, learners: [learners[0].id])
        }
    }

    /// Training status per person and requirement: compliant, due soon within the window,
    /// overdue, never done; formal DSL training counts as a refresh.
    @_spi(StorageBackend)
    public static func trainingStatusPerRole(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await ComplianceWorld.make(on: store)
        let admin = world.admin
        let today = Fixture.today
        let teacherID = world.fixture.teacher.id
        let dslID = world.fixture.dsl.id
        let elevenMonthsAgo = TrainingRules.dueDate(after: today, months: -11)
        let record = try await admin.training.record(
            .onlineSafety, for: teacherID, course: "Online safety incl. filtering and monitoring", provider: "The Education People",
            completedOn: elevenMonthsAgo, evidence: "CERT-1")
        try expect(record.evidenceReference == "CERT-1" && record.recordedBy == world.fixture.admin.id, "the record keeps its evidence")
        _ = try await admin.training.record(
            .dslFormal, for: dslID, course: "DSL training", provider: "Kent", completedOn: TrainingRules.dueDate(after: today, months: -25))
        _ = try await admin.training.record(
            .onlineSafety, for: dslID, course: "Online safety", provider: "Kent", completedOn: today.adding(days: -10))
        try await expectError(.invalidInput, "training cannot be completed in the future") {
            try await admin.training.record(
                .onlineSafety, for: teacherID, course: "Later", provider: "Kent", completedOn: today.adding(days: 1))
        }

        let wide = try await admin.training.statuses(dueSoonDays: 45)
        func state(_ person: PersonID, _ code: String, in statuses: [TrainingStatus]) -> TrainingState? {
            statuses.first { $0.personID == person && $0.requirementCode == code }?.state
        }
        try expect(state(teacherID, "staff-online-safety", in: wide) == .dueSoon, "due within 45 days")
        let narrow = try await admin.training.statuses(dueSoonDays: 10)
        try expect(state(teacherID, "staff-online-safety", in: narrow) == .compliant, "not within 10 days")
        try expect(state(dslID, "dsl-formal", in: wide) == .overdue, "formal DSL training 25 months ago is overdue")
        try expect(state(dslID, "dsl-refresh", in: wide) == .overdue, "and so is the annual refresh it counted as")
        try expect(state(dslID, "staff-online-safety", in: wide) == .compliant, "the DSL did online safety ten days ago")
        try expect(state(world.governor.id, "governor-safeguarding", in: wide) == .neverDone, "the new governor never did it")
        try expect(state(world.technician.id, "staff-online-safety", in: wide) == .neverDone, "nor the technician")
        try expect(!wide.contains { $0.personID == world.fixture.admin.id }, "a data manager's role has no training requirement by default")
        let teacherStatus = narrow.first { $0.personID == teacherID }
        try expect(teacherStatus?.dueBy == TrainingRules.dueDate(after: elevenMonthsAgo, months: 12), "due a year after completion")

        _ = try await admin.training.record(.dslRefresh, for: dslID, course: "DSL refresher", provider: "Kent", completedOn: today)
        try expect(state(dslID, "dsl-refresh", in: try await admin.training.statuses()) == .compliant, "a refresher today")

        let teacher = try await world.fixture.safety.session(actingAs: teacherID, at: world.fixture.school.id)
        try expect(try await teacher.training.status(of: teacherID).map(\.requirementCode) == ["staff-online-safety"], "their own status")
        try expect(try await teacher.training.records(of: teacherID).map(\.id) == [record.id], "their own records")
        try await expectError(.forbidden, "a class teacher cannot read the DSL's training") {
            try await teacher.training.records(of: dslID)
        }
        try await expectError(.forbidden, "a class teacher cannot record training") {
            try await teacher.training.record(.onlineSafety, for: teacherID, course: "Self", provider: "Me", completedOn: today)
        }
    }

    /// The compliance report for a school and for the trust: figures by audience, access grants
    /// without an agreement, consent by purpose, training by role. Governors get figures only.
    @_spi(StorageBackend)
    public static func complianceReportForSchoolAndTrust(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await ComplianceWorld.make(on: store)
        let admin = world.admin
        let school = world.fixture.school.id
        let staffV1 = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("v1".utf8), effectiveFrom: ComplianceWorld.september)
        let older = try await admin.agreements.publish(
            audience: .olderLearners, title: "KS2 AUP", content: Data("KS2".utf8), effectiveFrom: ComplianceWorld.september)
        for person in [world.fixture.teacher.id, world.technician.id, world.fixture.dsl.id] {
            _ = try await admin.agreements.accept(staffV1.id, for: person, method: .online, at: ComplianceWorld.september.startOfDay)
        }
        _ = try await admin.agreements.accept(older.id, for: world.fixture.ashLearner.id, by: world.fixture.parent.id, method: .online)
        _ = try await admin.access.grant(.email, to: world.fixture.teacher.id)
        _ = try await admin.access.grant(.network, to: world.technician.id)
        _ = try await admin.access.grant(.learningPlatform, to: world.fixture.ashLearner.id)
        _ = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("v2".utf8), effectiveFrom: Fixture.today)
        let v2 = try await admin.agreements.current(for: .staffAndVolunteers)!
        _ = try await admin.agreements.accept(v2.id, for: world.technician.id, method: .online)
        let website = ConsentPurpose.websiteImages.code
        _ = try await admin.consent.record(
            .granted, purpose: website, for: world.fixture.ashLearner.id, by: world.fixture.parent.id, method: .written)
        _ = try await admin.consent.record(.refused, purpose: website, for: world.infant.id, by: world.infantMother.id, method: .written)
        _ = try await admin.consent.record(.refused, purpose: website, for: world.teen.id, by: world.teen.id, method: .online)
        _ = try await admin.training.record(
            .onlineSafety, for: world.fixture.teacher.id, course: "Online safety", provider: "Kent",
            completedOn: Fixture.today.adding(days: -20))

        let report = try await admin.compliance.report(dueSoonDays: 30)
        try expect(
            report.detailed && report.schools.count == 1 && report.asOf == Fixture.today, "the data manager's detailed school report")
        let figures = report.schools[0].figures
        let staffRow = figures.aup.first { $0.audience == .staffAndVolunteers }
        try expect(
            staffRow?.people == 3 && staffRow?.accepted == 1 && staffRow?.due == 2 && staffRow?.currentVersion == 2,
            "staff: 1 of 3 on version 2")
        let olderRow = figures.aup.first { $0.audience == .olderLearners }
        try expect(olderRow?.people == 3 && olderRow?.accepted == 1, "older learners: 1 of 3 (Oak, Ash and the teenager)")
        let youngerRow = figures.aup.first { $0.audience == .youngerLearners }
        try expect(youngerRow?.published == false && youngerRow?.due == 1, "no policy for younger learners: the infant is due one")
        try expect(figures.access == AccessCoverage(activeGrants: 3, withoutCurrentAUP: 1), "1 of 3 grants lacks the current AUP")
        try expect(report.schools[0].accessExceptions.map(\.grant.personID) == [world.fixture.teacher.id], "the teacher's email grant")
        let websiteRow = figures.consent.first { $0.purposeCode == website }
        try expect(
            websiteRow?.learners == 4 && websiteRow?.granted == 1 && websiteRow?.refused == 2 && websiteRow?.noRecord == 1,
            "website images: 1 granted, 2 refused, 1 with no record")
        try expect(figures.consent.count == ConsentPurpose.builtIns.count, "every purpose is reported")
        let staffTraining = figures.training.first { $0.role == .staff && $0.requirementCode == "staff-online-safety" }
        try expect(staffTraining?.people == 1 && staffTraining?.compliant == 1, "the one class teacher is compliant")
        let dslTraining = figures.training.first { $0.role == .designatedSafeguardingLead && $0.requirementCode == "dsl-formal" }
        try expect(dslTraining?.neverDone == 1, "the DSL has never done formal training")
        let governorTraining = figures.training.first { $0.role == .governor }
        try expect(governorTraining?.people == 1 && governorTraining?.neverDone == 1, "the governor never did it")

        let governor = try await world.fixture.safety.session(actingAs: world.governor.id, at: school)
        let figuresOnly = try await governor.compliance.report()
        try expect(!figuresOnly.detailed && figuresOnly.schools[0].accessExceptions.isEmpty, "a governor gets figures, no one named")
        try expect(
            figuresOnly.totals.training.count == report.totals.training.count
                && zip(figuresOnly.totals.training, report.totals.training).allSatisfy { shown, full in
                    shown.people == (full.people < 5 ? 0 : full.people) && shown.neverDone == (full.neverDone < 5 ? 0 : full.neverDone)
                }, "the same figures, with every count from 1 to 4 suppressed")
        try expect(
            figuresOnly.shown(0, "total", "training", "governor/\(governorTraining?.requirementCode ?? "")", "people") == "fewer than 5",
            "the one governor reads as fewer than 5")
        try await expectError(.forbidden, "a school governor cannot read the trust's report") {
            try await governor.compliance.report(acrossTrust: true)
        }
        let teacher = try await world.fixture.safety.session(actingAs: world.fixture.teacher.id, at: school)
        try await expectError(.forbidden, "a class teacher cannot read the report") { try await teacher.compliance.report() }
        let dsl = try await world.fixture.safety.session(actingAs: world.fixture.dsl.id, at: school)
        try expect(try await dsl.compliance.report().detailed, "the DSL reads it in detail")

        let second = try await admin.organisation.addSchool(
            {
                var ramsgate = SeedSchools.chilton(trustID: world.fixture.trust.id)
                ramsgate.id = SchoolID()
                ramsgate.urn = "900002"
                ramsgate.name = "Ramsgate Arts Primary School"
                return ramsgate
            }())
        let trustReport = try await admin.compliance.report(acrossTrust: true)
        try expect(trustReport.trustID == world.fixture.trust.id && trustReport.schools.count == 2, "the trust report covers both schools")
        try expect(
            trustReport.schools.contains { $0.schoolID == second.id && $0.figures.access.activeGrants == 0 }, "the new school has no grants"
        )
        try expect(trustReport.totals.access.withoutCurrentAUP == 1, "the trust total is the sum")
        let dataManager = trustReport.trustWideTraining
        try expect(dataManager.isEmpty, "the trust data manager's role has no training requirement")
        let events = try await store.audit.events(AuditQuery(actorID: world.fixture.admin.id)).filter {
            $0.draft.action.rawValue == "compliance.report"
        }
        try expect(
            events.count == 3 && events.filter { $0.draft.subjectKind == School.recordKind }.map(\.draft.listed.count) == [1, 2]
                && events.contains {
                    $0.draft.subjectKind == Trust.recordKind && $0.draft.subjectID == world.fixture.trust.id.uuid && $0.draft.listed.isEmpty
                },
            "each report records every school it read (one, then two) and the trust's own figures: \(events.count)")

        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try expect(json.contains("\"withoutCurrentAUP\":1") && !json.contains("Ashworth"), "the report encodes as JSON and names no one")
        let csv = report.csv()
        try expect(csv.hasPrefix("school_urn,school_name,section,item,measure,value\n"), "CSV has a header")
        try expect(csv.contains(",access,grants,without_current_aup,1\n"), "and a row per figure")
    }
}

extension StorageConformance {
    /// Policies, acceptances, consent decisions and training records are never changed once
    /// stored; the derived consent states and training summaries are, with revisions.
    @_spi(StorageBackend)
    public static func complianceRecordsAreAppendOnly(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await ComplianceWorld.make(on: store)
        let admin = world.admin
        let document = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff AUP", content: Data("v1".utf8), effectiveFrom: ComplianceWorld.september)
        let acceptance = try await admin.agreements.accept(document.id, for: world.fixture.teacher.id, method: .online)
        let decision = try await admin.consent.record(
            .granted, purpose: ConsentPurpose.pressImages.code, for: world.fixture.ashLearner.id, by: world.fixture.parent.id,
            method: .written)
        let record = try await admin.training.record(
            .onlineSafety, for: world.fixture.teacher.id, course: "Online safety", provider: "Kent", completedOn: Fixture.today)
        var changedDocument = document
        changedDocument.title = "Edited"
        try await expectError(.constraintViolation, "a published policy is never changed") {
            try await store.aupDocuments.update(changedDocument)
        }
        try await expectError(.constraintViolation, "an acceptance is never changed") { try await store.aupAcceptances.update(acceptance) }
        try await expectError(.constraintViolation, "a consent decision is never changed") {
            try await store.consentDecisions.update(decision)
        }
        try await expectError(.constraintViolation, "a training record is never changed") { try await store.trainingRecords.update(record) }
        let state = try await store.consentStates.get(ConsentStateID(world.fixture.ashLearner.id.uuid))
        try expect(
            state?.revision == 1 && state?.entry(for: ConsentPurpose.pressImages.code)?.decisionID == decision.id, "the state is derived")
        _ = try await admin.consent.withdraw(
            purpose: ConsentPurpose.pressImages.code, for: world.fixture.ashLearner.id, by: world.fixture.parent.id, method: .online)
        let updated = try await store.consentStates.get(ConsentStateID(world.fixture.ashLearner.id.uuid))
        try expect(updated?.revision == 2 && updated?.entry(for: ConsentPurpose.pressImages.code)?.choice == .withdrawn, "and kept in step")
        let summary = try await store.trainingSummaries.get(TrainingSummaryID(world.fixture.teacher.id.uuid))
        try expect(summary?.latest.map(\.recordID) == [record.id], "the training summary holds the latest completion")
        let found = try await store.aupAcceptances.find(AUPAcceptanceQuery(schoolID: world.fixture.school.id, documentIDs: [document.id]))
        try expect(found.map(\.id) == [acceptance.id], "acceptances are found by school and document")
        let byTopic = try await store.trainingRecords.count(
            TrainingRecordQuery(personID: world.fixture.teacher.id, topics: [.onlineSafety]))
        try expect(byTopic == 1, "training records are found by person and topic")
    }
}

/// The fixture's community plus a governor, a technician, a Year 1 child with a mother (parental
/// responsibility) and a grandparent (none), and a 13-year-old learner.
struct ComplianceWorld {
    let fixture: Fixture
    let admin: SafetySession
    let governor: Person
    let technician: Person
    let infant: Person
    let infantMother: Person
    let infantGrandparent: Person
    let teen: Person

    /// The first day of the autumn term, when the first policies take effect.
    static let september = CalendarDate(year: 2026, month: 9, day: 1)!

    static func make(on store: any OnlineSafetyStore) async throws -> ComplianceWorld {
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let school = fixture.school.id
        let start = CalendarDate(year: 2024, month: 9, day: 1)!
        let governor = try await admin.people.add(
            Person(tenancy: .school(school), kind: .governor, givenName: "Hannah", familyName: "Cheshire"))
        _ = try await admin.roles.grant(RoleGrant(personID: governor.id, role: .governor, scope: .school(school), starts: start))
        let technician = try await admin.people.add(
            Person(tenancy: .school(school), kind: .staff, givenName: "Ian", familyName: "Cole", jobTitle: "IT technician"))
        _ = try await admin.roles.grant(RoleGrant(personID: technician.id, role: .technicalStaff, scope: .school(school), starts: start))
        let infant = try await admin.people.add(
            Person(
                tenancy: .school(school), kind: .learner, givenName: "Cleo", familyName: "Evans",
                learner: LearnerDetails(
                    upn: try UPN(Fixture.upn(serial: 501)), dateOfBirth: CalendarDate(year: 2020, month: 2, day: 3)!, ncYear: .year1,
                    registrationGroup: "Oak")))
        let mother = try await admin.people.add(
            Person(tenancy: .school(school), kind: .parentCarer, givenName: "Erin", familyName: "Evans"))
        let grandparent = try await admin.people.add(
            Person(tenancy: .school(school), kind: .parentCarer, givenName: "Gwen", familyName: "Evans"))
        _ = try await admin.people.addContact(
            ContactLink(
                schoolID: school, learnerID: infant.id, adultID: mother.id, relationship: .mother, parentalResponsibility: true, priority: 1
            ))
        _ = try await admin.people.addContact(
            ContactLink(
                schoolID: school, learnerID: infant.id, adultID: grandparent.id, relationship: .grandparent, parentalResponsibility: false,
                priority: 2))
        _ = try await admin.roles.grant(RoleGrant(personID: mother.id, role: .parentCarer, scope: .school(school), starts: start))
        let teen = try await admin.people.add(
            Person(
                tenancy: .school(school), kind: .learner, givenName: "Tia", familyName: "Tyler",
                learner: LearnerDetails(
                    upn: try UPN(Fixture.upn(serial: 502)), dateOfBirth: CalendarDate(year: 2013, month: 6, day: 1)!, ncYear: .year6,
                    registrationGroup: "Ash", send: true)))
        return ComplianceWorld(
            fixture: fixture, admin: admin, governor: governor, technician: technician, infant: infant, infantMother: mother,
            infantGrandparent: grandparent, teen: teen)
    }

    /// Expects a refusal with a code and exactly a reason, that names none of the children.
    func expectRefusal<T>(
        _ code: SafetyError.Code, _ reason: String, _ message: String, line: Int = #line, _ body: () async throws -> T
    ) async throws {
        do {
            _ = try await body()
        } catch let error as SafetyError {
            try expect(error.code == code, "\(message): expected \(code), got \(error.code) (\(error.reason))", line: line)
            try expect(error.reason == reason, "\(message): the reason reads \"\(error.reason)\"", line: line)
            let names = [fixture.oakLearner, fixture.ashLearner, infant, teen].flatMap { [$0.givenName, $0.familyName] }
            try expect(!names.contains { error.description.contains($0) }, "\(message): no child's name in the error", line: line)
            return
        }
        throw ConformanceFailure("\(message): expected \(code), but it succeeded", line: line)
    }
}
