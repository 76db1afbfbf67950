import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

extension StorageConformance {
    /// A school adopts an edited copy of its policy: new incidents follow the new version, an
    /// open incident keeps the version it started under until the DSL applies the new one
    /// (audited), and a version that loosens the statutory floor is refused naming the step.
    @_spi(StorageBackend)
    public static func adoptedPolicyAppliesToNewIncidentsOnly(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        func concern() async throws -> Incident {
            try await teacher.incidents.record(
                NewIncident(
                    occurredAt: Fixture.now.addingTimeInterval(-600), location: .onSite, equipment: .school,
                    summary: "Unkind messages in a group chat", riskArea: .conduct, categoryCode: "cyberbullying",
                    participants: [.victim: [fixture.oakLearner.id]]))
        }
        let builtIn = SeedPolicies.builtIn(forSchoolNamed: fixture.school.name)
        try expect(try await dsl.policies.versions().isEmpty, "nothing adopted yet")
        try expect(try await dsl.policies.inForce() == builtIn, "the school's built-in policy is in force")
        let open = try await concern()
        let before = try await dsl.steps.steps(for: open.id)
        try expect(before.first { $0.code == "antiBullying.response" }?.source?.version == builtIn.version, "built-in version cited")

        // The annual review: a check-in the same day, and the response within four hours.
        var edited = builtIn
        edited.version = "2026-review"
        edited.title = "Chilton Primary School online safety policy, reviewed November 2026"
        let index = edited.procedures.firstIndex { $0.categories == ["cyberbullying"] }!
        edited.procedures[index].steps[0].due = .hours(4)
        edited.procedures[index].steps.append(
            PolicyStep(
                code: "wellbeing.checkIn", title: "Check in with the child harmed before the end of the day", responsible: .dsl,
                due: .hours(6), section: PolicySection(number: "10.1.3", heading: "Cyberbullying"),
                rule: "The DSL checks in with the child harmed the same day.", evidence: .explicit))
        let adopted = try await dsl.policies.adopt(edited, effectiveFrom: Fixture.today)
        try expect(try await store.policies.get(adopted.id) == adopted, "the adoption round-trips")
        try expect(try await dsl.policies.versions().map(\.id) == [adopted.id], "one version adopted")
        try expect(adopted.recordedBy == fixture.dsl.id, "the adoption records who adopted it")
        try expect(try await dsl.policies.inForce() == edited, "the new version is in force")

        let next = try await concern()
        let nextSteps = try await dsl.steps.steps(for: next.id)
        let checkIn = nextSteps.first { $0.code == "wellbeing.checkIn" }
        try expect(
            checkIn?.source?.citation == "\(edited.title), §10.1.3", "the new step cites the new version: \(String(describing: checkIn))")
        try expect(
            nextSteps.first { $0.code == "antiBullying.response" }?.due == Fixture.now.addingTimeInterval(4 * 3600),
            "the tightened deadline applies to the new incident")

        _ = try await dsl.chronology.append(.note("Spoke to the class"), to: open.id)
        var openSteps = try await dsl.steps.steps(for: open.id)
        try expect(!openSteps.contains { $0.code == "wellbeing.checkIn" }, "the open incident keeps its version after a change")
        try await expectError(.notFound, "a teacher cannot apply a policy to an incident") { try await teacher.policies.apply(to: open.id) }
        openSteps = try await dsl.policies.apply(to: open.id)
        try expect(openSteps.contains { $0.code == "wellbeing.checkIn" }, "applied, the open incident follows the new version")
        try expect(try await dsl.steps.steps(for: open.id).contains { $0.code == "wellbeing.checkIn" }, "and keeps following it")
        let applied = try await store.audit.events(AuditQuery(subjectID: open.id.uuid)).filter { $0.draft.action == .policyApply }
        try expect(applied.contains { $0.draft.outcome == .allowed && $0.draft.actorID == fixture.dsl.id }, "the change is audited")

        // Loosening the floor is refused with the step's name; a repeated version conflicts.
        var loose = edited
        loose.version = "loose"
        let nude = loose.procedures.firstIndex { $0.categories.contains("nudeImageSharing") }!
        loose.procedures[nude].steps.removeAll { $0.code == "decision.referral" }
        do {
            _ = try await dsl.policies.adopt(loose, effectiveFrom: Fixture.today)
            throw ConformanceFailure("a document without the decision step was adopted")
        } catch let error as SafetyError {
            try expect(error.code == .invalidInput && error.reason.contains("'decision.referral'"), "refused naming the step: \(error)")
            try expect(error.location?.hasPrefix("policy.procedures[") == true, "the field is named: \(String(describing: error.location))")
        }
        try await expectError(.conflict, "a version is adopted once") { try await dsl.policies.adopt(edited, effectiveFrom: Fixture.today) }
        try await expectError(.forbidden, "a teacher cannot adopt the policy") {
            var other = edited
            other.version = "teacher"
            return try await teacher.policies.adopt(other, effectiveFrom: Fixture.today)
        }
        try expect(try await dsl.policies.versions().count == 1, "refusals adopt nothing")
    }
}

extension StorageConformance {
    /// A trust-wide data manager adopts the trust's policy: it is in force at every school of the
    /// trust that has not adopted its own, new incidents there cite it, and a school's own
    /// version wins over the trust's (even an older one). Only a trust-wide DSL or data manager
    /// adopts for the trust; the adoption is audited; versions are unique per school or trust.
    @_spi(StorageBackend)
    public static func trustPolicyAppliesWhereNoSchoolPolicy(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let trustAdmin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        var uptonSchool = SeedSchools.chilton(trustID: fixture.trust.id)
        uptonSchool.id = SchoolID()
        uptonSchool.urn = "900778"
        uptonSchool.name = "Upton Junior School"
        let upton = try await trustAdmin.organisation.addSchool(uptonSchool)
        let atUpton = try await fixture.safety.session(actingAs: fixture.admin.id, at: upton.id)
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        func concern() async throws -> Incident {
            try await teacher.incidents.record(
                NewIncident(
                    occurredAt: Fixture.now.addingTimeInterval(-600), location: .onSite, equipment: .school,
                    summary: "Unkind messages in a group chat", riskArea: .conduct, categoryCode: "cyberbullying",
                    participants: [.victim: [fixture.oakLearner.id]]))
        }
        func document(_ version: String, title: String, hours: Int) -> PolicyDocument {
            var document = SeedPolicies.chilton
            document.school = "Viking Academy Trust"
            document.version = version
            document.title = title
            let index = document.procedures.firstIndex { $0.categories == ["cyberbullying"] }!
            document.procedures[index].steps[0].due = .hours(hours)
            return document
        }
        let trustPolicy = document("trust-2026", title: "Viking Academy Trust online safety policy, 2026", hours: 6)

        try await expectError(.forbidden, "a school's DSL cannot adopt for the trust") {
            try await dsl.policies.adopt(trustPolicy, effectiveFrom: Fixture.today, trustWide: true)
        }
        let adopted = try await trustAdmin.policies.adopt(trustPolicy, effectiveFrom: Fixture.today, trustWide: true)
        try expect(adopted.isTrustWide && adopted.trustIDValue == fixture.trust.id && adopted.schoolIDValue == nil, "the trust's version")
        try expect(try await store.policies.get(adopted.id) == adopted, "the trust's adoption round-trips")
        let audit = try await store.audit.events(AuditQuery(subjectID: adopted.id.uuid))
        try expect(
            audit.contains { $0.draft.action == .policyAdopt && $0.draft.outcome == .allowed && $0.draft.actorID == fixture.admin.id },
            "the trust's adoption is audited")
        try expect(try await dsl.policies.inForce() == trustPolicy, "in force at Chilton, which has none of its own")
        try expect(try await atUpton.policies.inForce() == trustPolicy, "and at Upton")
        try expect(try await atUpton.policies.versions().map(\.id) == [adopted.id], "Upton lists the trust's version")
        let underTrust = try await dsl.steps.steps(for: try await concern().id)
        let response = underTrust.first { $0.code == "antiBullying.response" }
        try expect(response?.source?.version == "trust-2026", "a new incident cites the trust's version: \(String(describing: response))")
        try expect(response?.due == Fixture.now.addingTimeInterval(6 * 3600), "with the trust's deadline")

        // Chilton adopts its own (under the same version name: versions are per school or trust).
        let own = document("trust-2026", title: "Chilton Primary School online safety policy, reviewed November 2026", hours: 2)
        let chiltons = try await dsl.policies.adopt(own, effectiveFrom: Fixture.today)
        try expect(!chiltons.isTrustWide && chiltons.schoolIDValue == fixture.school.id, "Chilton's own version")
        try expect(try await dsl.policies.inForce() == own, "Chilton's own version wins over the trust's")
        try expect(try await atUpton.policies.inForce() == trustPolicy, "Upton still follows the trust's")
        let underOwn = try await dsl.steps.steps(for: try await concern().id)
        try expect(
            underOwn.first { $0.code == "antiBullying.response" }?.source?.policy == own.title, "a new incident cites Chilton's own")

        // A later trust version reaches Upton, not Chilton, whose own version still wins.
        let later = document("trust-2027", title: "Viking Academy Trust online safety policy, 2027", hours: 3)
        let tomorrow = Fixture.today.adding(days: 1)
        _ = try await trustAdmin.policies.adopt(later, effectiveFrom: tomorrow, trustWide: true)
        try expect(try await atUpton.policies.inForce() == trustPolicy, "not before it is effective")
        try expect(try await atUpton.policies.inForce(on: tomorrow) == later, "the trust's later version is in force at Upton")
        try expect(try await dsl.policies.inForce(on: tomorrow) == own, "Chilton keeps its own")
        try expect(try await dsl.policies.versions().count == 3, "Chilton lists its own and the trust's versions")

        try await expectError(.conflict, "a trust adopts a version name once") {
            try await trustAdmin.policies.adopt(trustPolicy, effectiveFrom: Fixture.today, trustWide: true)
        }
        var loose = document("trust-loose", title: "Loose", hours: 6)
        let staff = loose.procedures.firstIndex { $0.categories.contains("staffConduct") }!
        loose.procedures[staff].steps.removeAll { $0.code == "lado.contacted" }
        do {
            _ = try await trustAdmin.policies.adopt(loose, effectiveFrom: Fixture.today, trustWide: true)
            throw ConformanceFailure("a trust policy without the LADO step was adopted")
        } catch let error as SafetyError {
            try expect(error.code == .invalidInput && error.reason.contains("'lado.contacted'"), "refused naming the step: \(error)")
        }
        try expect(try await atUpton.policies.versions().count == 2, "refusals adopt nothing")
    }
}

extension StorageConformance {
    /// A new version adopted at the annual review records that review, with its minutes, in the
    /// same transaction: the governance calendar's policy review is then done, citing the
    /// record; a teacher can do neither.
    @_spi(StorageBackend)
    public static func policyAdoptedAtItsReviewCompletesTheReview(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        let before = try await dsl.governance.calendar()
        let dueReview = before.items.first { $0.kind == .policyReview }
        try expect(
            dueReview != nil && dueReview?.status != .done, "the policy review is not yet done: \(String(describing: dueReview?.status))")

        var edited = SeedPolicies.builtIn(forSchoolNamed: fixture.school.name)
        edited.version = "annual-review"
        try await expectError(.forbidden, "a teacher cannot adopt at a review") {
            try await teacher.policies.adopt(edited, effectiveFrom: Fixture.today, atReview: "FGB minutes item 4")
        }
        let adopted = try await dsl.policies.adopt(edited, effectiveFrom: Fixture.today, atReview: "FGB minutes item 4")
        let reviews = try await dsl.governance.records([.policyReview])
        try expect(reviews.count == 1 && reviews[0].minutesReference == "FGB minutes item 4", "the review is recorded with its minutes")
        try expect(reviews[0].heldOn == Fixture.today, "held on the day of adoption")
        let after = try await dsl.governance.calendar()
        let review = after.items.first { $0.kind == .policyReview && $0.status == .done }
        try expect(review?.satisfiedBy?.recordID == reviews[0].id.uuid, "the calendar's policy review is done by that record")
        try expect(try await dsl.policies.inForce().version == adopted.document.version, "and the new version is in force")
        let trail = try await dsl.audit.trail(of: reviews[0].id.uuid)
        try expect(trail.contains { $0.draft.action == .governanceRecord }, "the review is audited")
    }
}

extension StorageConformance {
    /// A version adopted before the floor gained a step (stored here as it then was) is reported
    /// as falling below the floor, naming the step, to anyone at the school; the built-in policy
    /// and a version that meets the floor report nothing.
    @_spi(StorageBackend)
    public static func policyBelowTheFloorIsReported(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        try expect(try await dsl.policies.floorIssues().isEmpty, "the built-in policy meets the floor")

        var older = SeedPolicies.builtIn(forSchoolNamed: fixture.school.name)
        older.version = "before-prevent"
        for index in older.procedures.indices { older.procedures[index].steps.removeAll { $0.code == "prevent.considered" } }
        older.common.removeAll { $0.code == "prevent.considered" }
        try expect(
            StatutoryFloor.check(older, settings: fixture.school.settings).contains { $0.floorStep == "prevent.considered" },
            "the copy lacks the Prevent step the floor now requires")
        _ = try await store.policies.insert(
            AdoptedPolicy(
                schoolID: fixture.school.id, document: older, effectiveFrom: Fixture.today.adding(days: -30),
                adoptedAt: Fixture.now.addingTimeInterval(-30 * 86_400), recordedBy: fixture.dsl.id))
        let issues = try await teacher.policies.floorIssues()
        try expect(
            !issues.isEmpty && issues.allSatisfy { $0.floorStep == "prevent.considered" && $0.guidance != nil },
            "a teacher reads that the policy in force lacks the Prevent step: \(issues.map(\.field))")
        try expect(try await dsl.policies.floorIssues(on: Fixture.today.adding(days: -31)).isEmpty, "before it took effect, none")

        var current = SeedPolicies.builtIn(forSchoolNamed: fixture.school.name)
        current.version = "meets-floor"
        _ = try await dsl.policies.adopt(current, effectiveFrom: Fixture.today)
        try expect(try await dsl.policies.floorIssues().isEmpty, "a version that meets the floor reports nothing")
    }
}

extension StorageConformance {
    /// A session opened before the school's settings change works to the new ones: in an incident
    /// a teacher records through it, telling the parents falls due by the new number of working
    /// days, and no other step moves.
    @_spi(StorageBackend)
    public static func sessionsWorkToTheSchoolsSettingsAsTheyStand(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        func record() async throws -> [String: TimeInterval] {
            let incident = try await teacher.incidents.record(
                NewIncident(
                    occurredAt: Fixture.now.addingTimeInterval(-600), location: .onSite, equipment: .school,
                    summary: "Unkind messages in a group chat", riskArea: .conduct, categoryCode: "cyberbullying",
                    participants: [.victim: [fixture.oakLearner.id]]))
            var offsets: [String: TimeInterval] = [:]
            for step in try await dsl.steps.steps(for: incident.id) {
                if let due = step.due { offsets[step.code] = due.timeIntervalSince(incident.reportedAt) }
            }
            return offsets
        }
        let before = try await record()
        var school = try await admin.organisation.school()
        school.settings.parentNotificationWorkingDays += 2
        _ = try await admin.organisation.updateSchool(school)
        let after = try await record()
        let moved = before.keys.filter { code in after[code].map { $0 - before[code]! >= 2 * 86_400 } ?? false }
        try expect(
            moved.count == 1 && moved[0].hasPrefix("parents.informed"),
            "telling the parents falls due two working days later for the session opened before: \(before) then \(after)")
        try expect(
            before.keys.allSatisfy { moved.contains($0) || after[$0] == before[$0] }, "and no other step moves")
    }
}
