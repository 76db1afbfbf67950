import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

extension StorageConformance {
    /// A mistyped year (0226 for 2026) is refused with the field named before anything is
    /// stored, and the store stays readable.
    @_spi(StorageBackend)
    public static func mistypedYearsAreRefusedBeforeStorage(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        do {
            _ = try await admin.agreements.publish(
                audience: .staffAndVolunteers, title: "Staff", content: Data("staff".utf8),
                effectiveFrom: CalendarDate(year: 226, month: 9, day: 1)!)
            throw ConformanceFailure("a policy dated 0226 was stored")
        } catch let error as SafetyError {
            try expect(error.code == .invalidInput && error.location == "aup.effectiveFrom", "the field is named: \(error)")
        }
        try await expectError(.invalidInput, "training completed in 0999 is refused") {
            try await admin.training.record(
                .onlineSafety, for: fixture.teacher.id, course: "C", provider: "P", completedOn: CalendarDate(year: 999, month: 6, day: 1)!)
        }
        try await expectError(.invalidInput, "a learner born in 1066 is refused") {
            try await admin.people.add(
                Person(
                    tenancy: .school(fixture.school.id), kind: .learner, givenName: "Old", familyName: "Learner",
                    learner: LearnerDetails(
                        upn: try UPN(Fixture.upn(serial: 900)), dateOfBirth: CalendarDate(year: 1066, month: 10, day: 14)!, ncYear: .year3))
            )
        }
        try expect(try await store.aupDocuments.count(AUPDocumentQuery(schoolID: fixture.school.id, trustID: nil)) == 0, "nothing stored")
        try expect(try await admin.people.list().count == 5, "the store still reads")
    }
}
