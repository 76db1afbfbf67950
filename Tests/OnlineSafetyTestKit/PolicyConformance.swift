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
