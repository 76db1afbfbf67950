import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
@_spi(StorageBackend) import StorageConformance
@_spi(StorageBackend) import StorageFile
import Testing

@Suite("Conformance: flat file")
struct FileConformanceTests {
    /// The flat-file backend's side of the shared conformance suite.
    static let harness = ConformanceHarness(
        makeStore: {
            try await FileStore.open(at: Scratch.directory(), logger: quietLogger())
        },
        tamperAuditEvent: { store, sequence in
            // Outside the SDK: close the store, edit one byte of the event's action in the journal, reopen.
            let fileStore = try fileStore(store)
            try await fileStore.close()
            try StoreFiles.alterAuditAction(sequence: sequence, in: fileStore.directory)
            return try await FileStore.open(at: fileStore.directory, logger: quietLogger())
        },
        attemptAuditRewrite: { store in
            // The file store has no call that changes or removes an audit event. The closest a caller
            // can get is appending: check that leaves every earlier event as it was, then report the
            // refusal. The append is rolled back with the refusal, so the log is left unchanged.
            try await store.withTransaction { tx in
                let before = try await tx.audit.events(AuditQuery())
                _ = try await tx.audit.append(
                    AuditDraft(
                        at: Date(), actorID: nil, schoolID: nil, action: AuditAction(stored: "audit.rewrite"), subjectKind: "audit",
                        subjectID: nil, reason: "an attempt to rewrite the audit log"))
                let after = try await tx.audit.events(AuditQuery())
                if Array(after.prefix(before.count)) != before || after.count != before.count + 1 {
                    Issue.record("appending to the audit log changed the events before it")
                }
                throw SafetyError(.constraintViolation, "audit events cannot be rewritten")
            }
        }
    )

    private static func fileStore(_ store: any OnlineSafetyStore) throws -> FileStore {
        guard let fileStore = store as? FileStore else {
            throw SafetyError(.invalidInput, "the flat-file harness was given a store of another backend")
        }
        return fileStore
    }

    @Test func roundTripEveryAggregate() async throws { try await StorageConformance.roundTripEveryAggregate(Self.harness) }
    @Test func queriesFilterSortAndPage() async throws { try await StorageConformance.queriesFilterSortAndPage(Self.harness) }
    @Test func rollbackOnThrow() async throws { try await StorageConformance.rollbackOnThrow(Self.harness) }
    @Test func staleRevisionIsConflict() async throws { try await StorageConformance.staleRevisionIsConflict(Self.harness) }
    @Test func auditIsAppendOnly() async throws { try await StorageConformance.auditIsAppendOnly(Self.harness) }
    @Test func auditChainVerifies() async throws { try await StorageConformance.auditChainVerifies(Self.harness) }
    @Test func tamperingIsDetected() async throws { try await StorageConformance.tamperingIsDetected(Self.harness) }
    @Test func forbiddenReadIsAudited() async throws { try await StorageConformance.forbiddenReadIsAudited(Self.harness) }
    @Test func leaverLosesRoles() async throws { try await StorageConformance.leaverLosesRoles(Self.harness) }
    @Test func recordsStayWithTheirSchool() async throws { try await StorageConformance.recordsStayWithTheirSchool(Self.harness) }
    @Test func otherOrganisationsReachNothing() async throws { try await StorageConformance.otherOrganisationsReachNothing(Self.harness) }
    @Test func writesAboutAnotherOrganisationsPeopleAreRefused() async throws {
        try await StorageConformance.writesAboutAnotherOrganisationsPeopleAreRefused(Self.harness)
    }
    @Test func refusalsDescribeNoOne() async throws { try await StorageConformance.refusalsDescribeNoOne(Self.harness) }
    @Test func auditRecordsSubjectsAndHidesRestrictedEvents() async throws {
        try await StorageConformance.auditRecordsSubjectsAndHidesRestrictedEvents(Self.harness)
    }
    @Test func uniquenessIsScopedPerSchool() async throws { try await StorageConformance.uniquenessIsScopedPerSchool(Self.harness) }
    @Test func mistypedYearsAreRefusedBeforeStorage() async throws {
        try await StorageConformance.mistypedYearsAreRefusedBeforeStorage(Self.harness)
    }
    @Test func concurrentSessionsKeepTheRules() async throws { try await StorageConformance.concurrentSessionsKeepTheRules(Self.harness) }
    @Test func incidentRoundTripAndSteps() async throws { try await StorageConformance.incidentRoundTripAndSteps(Self.harness) }
    @Test func restrictedIncidentsAreInvisibleToOthers() async throws {
        try await StorageConformance.restrictedIncidentsAreInvisibleToOthers(Self.harness)
    }
    @Test func chronologyIsAppendOnlyWithCorrections() async throws {
        try await StorageConformance.chronologyIsAppendOnlyWithCorrections(Self.harness)
    }
    @Test func imageryAndEvidenceGuards() async throws { try await StorageConformance.imageryAndEvidenceGuards(Self.harness) }
    @Test func childChronologyAndReporterView() async throws { try await StorageConformance.childChronologyAndReporterView(Self.harness) }
    @Test func overdueStepsAsOfATime() async throws { try await StorageConformance.overdueStepsAsOfATime(Self.harness) }
    @Test func aupVersionsMakeTheirAudienceDue() async throws { try await StorageConformance.aupVersionsMakeTheirAudienceDue(Self.harness) }
    @Test func acceptanceOnBehalfNeedsParentalResponsibility() async throws {
        try await StorageConformance.acceptanceOnBehalfNeedsParentalResponsibility(Self.harness)
    }
    @Test func accessNeedsTheCurrentAUP() async throws { try await StorageConformance.accessNeedsTheCurrentAUP(Self.harness) }
    @Test func leaverLosesEveryAccessGrant() async throws { try await StorageConformance.leaverLosesEveryAccessGrant(Self.harness) }
    @Test func consentNeedsParentalResponsibilityOrAge() async throws {
        try await StorageConformance.consentNeedsParentalResponsibilityOrAge(Self.harness)
    }
    @Test func classPhotoQuestionForThirty() async throws { try await StorageConformance.classPhotoQuestionForThirty(Self.harness) }
    @Test func trainingStatusPerRole() async throws { try await StorageConformance.trainingStatusPerRole(Self.harness) }
    @Test func complianceReportForSchoolAndTrust() async throws {
        try await StorageConformance.complianceReportForSchoolAndTrust(Self.harness)
    }
    @Test func complianceRecordsAreAppendOnly() async throws {
        try await StorageConformance.complianceRecordsAreAppendOnly(Self.harness)
    }
}
