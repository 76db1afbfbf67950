import Testing

/// One check of the conformance suite, runnable against any backend's harness.
@_spi(StorageBackend)
public struct ConformanceCase: Sendable, CustomStringConvertible {
    /// The check's name, for example `rollbackOnThrow`.
    public let name: String
    let body: @Sendable (ConformanceHarness) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (ConformanceHarness) async throws -> Void) {
        self.name = name
        self.body = body
    }

    /// The name.
    public var description: String { name }

    /// Runs the check against a backend. A failed expectation is recorded as a test issue at
    /// the conformance file and line it comes from; any other error is thrown.
    public func run(_ harness: ConformanceHarness) async throws {
        do {
            try await body(harness)
        } catch let failure as ConformanceFailure {
            Issue.record(
                Comment(rawValue: "\(name): \(failure.description)"),
                sourceLocation: SourceLocation(fileID: failure.fileID, filePath: failure.filePath, line: failure.line, column: 1))
        }
    }
}

/// The whole conformance suite: every backend runs every check through one parameterised test,
/// so a check added here reaches every backend without being listed again.
///
/// ```swift
/// @Test(arguments: ConformanceSuite.all)
/// func conformance(_ check: ConformanceCase) async throws { try await check.run(Self.harness) }
/// ```
@_spi(StorageBackend)
public enum ConformanceSuite {
    /// Every check, in a stable order.
    public static let all: [ConformanceCase] = [
        ConformanceCase("aupVersionsMakeTheirAudienceDue", StorageConformance.aupVersionsMakeTheirAudienceDue),
        ConformanceCase("acceptanceOnBehalfNeedsParentalResponsibility", StorageConformance.acceptanceOnBehalfNeedsParentalResponsibility),
        ConformanceCase("accessNeedsTheCurrentAUP", StorageConformance.accessNeedsTheCurrentAUP),
        ConformanceCase("leaverLosesEveryAccessGrant", StorageConformance.leaverLosesEveryAccessGrant),
        ConformanceCase("consentNeedsParentalResponsibilityOrAge", StorageConformance.consentNeedsParentalResponsibilityOrAge),
        ConformanceCase("classPhotoQuestionForThirty", StorageConformance.classPhotoQuestionForThirty),
        ConformanceCase("trainingStatusPerRole", StorageConformance.trainingStatusPerRole),
        ConformanceCase("complianceReportForSchoolAndTrust", StorageConformance.complianceReportForSchoolAndTrust),
        ConformanceCase("complianceRecordsAreAppendOnly", StorageConformance.complianceRecordsAreAppendOnly),
        ConformanceCase("complianceCountsMatchTheRecords", StorageConformance.complianceCountsMatchTheRecords),
        ConformanceCase("reportCountsFollowEveryChange", StorageConformance.reportCountsFollowEveryChange),
        ConformanceCase("trainingProjectionsMatchTheRecords", StorageConformance.trainingProjectionsMatchTheRecords),
        ConformanceCase("ownedReadsAreEachSchoolsOwn", StorageConformance.ownedReadsAreEachSchoolsOwn),
        ConformanceCase("mistypedYearsAreRefusedBeforeStorage", StorageConformance.mistypedYearsAreRefusedBeforeStorage),
        ConformanceCase("incidentRoundTripAndSteps", StorageConformance.incidentRoundTripAndSteps),
        ConformanceCase(
            "adoptedPolicyAppliesToNewIncidentsOnly", StorageConformance.adoptedPolicyAppliesToNewIncidentsOnly),
        ConformanceCase("trustPolicyAppliesWhereNoSchoolPolicy", StorageConformance.trustPolicyAppliesWhereNoSchoolPolicy),
        ConformanceCase(
            "policyAdoptedAtItsReviewCompletesTheReview", StorageConformance.policyAdoptedAtItsReviewCompletesTheReview),
        ConformanceCase("policyBelowTheFloorIsReported", StorageConformance.policyBelowTheFloorIsReported),
        ConformanceCase(
            "sessionsWorkToTheSchoolsSettingsAsTheyStand", StorageConformance.sessionsWorkToTheSchoolsSettingsAsTheyStand),
        ConformanceCase("restrictedIncidentsAreInvisibleToOthers", StorageConformance.restrictedIncidentsAreInvisibleToOthers),
        ConformanceCase("chronologyIsAppendOnlyWithCorrections", StorageConformance.chronologyIsAppendOnlyWithCorrections),
        ConformanceCase("imageryAndEvidenceGuards", StorageConformance.imageryAndEvidenceGuards),
        ConformanceCase("childChronologyAndReporterView", StorageConformance.childChronologyAndReporterView),
        ConformanceCase("overdueStepsAsOfATime", StorageConformance.overdueStepsAsOfATime),
        ConformanceCase("dashboardListsTheFirstAndCountsTheRest", StorageConformance.dashboardListsTheFirstAndCountsTheRest),
        ConformanceCase("dashboardStepsFollowChangesAndTime", StorageConformance.dashboardStepsFollowChangesAndTime),
        ConformanceCase(
            "dashboardListsReferralsAwaitingFollowUp", StorageConformance.dashboardListsReferralsAwaitingFollowUp),
        ConformanceCase("roundTripEveryAggregate", StorageConformance.roundTripEveryAggregate),
        ConformanceCase("queriesFilterSortAndPage", StorageConformance.queriesFilterSortAndPage),
        ConformanceCase("rollbackOnThrow", StorageConformance.rollbackOnThrow),
        ConformanceCase("staleRevisionIsConflict", StorageConformance.staleRevisionIsConflict),
        ConformanceCase("auditIsAppendOnly", StorageConformance.auditIsAppendOnly),
        ConformanceCase("auditChainVerifies", StorageConformance.auditChainVerifies),
        ConformanceCase("auditBatchChainsAsOneByOne", StorageConformance.auditBatchChainsAsOneByOne),
        ConformanceCase("aBatchIsStoredWholeOrNotAtAll", StorageConformance.aBatchIsStoredWholeOrNotAtAll),
        ConformanceCase("tamperingIsDetected", StorageConformance.tamperingIsDetected),
        ConformanceCase("forbiddenReadIsAudited", StorageConformance.forbiddenReadIsAudited),
        ConformanceCase("leaverLosesRoles", StorageConformance.leaverLosesRoles),
        ConformanceCase("recordsStayWithTheirSchool", StorageConformance.recordsStayWithTheirSchool),
        ConformanceCase("otherOrganisationsReachNothing", StorageConformance.otherOrganisationsReachNothing),
        ConformanceCase(
            "writesAboutAnotherOrganisationsPeopleAreRefused", StorageConformance.writesAboutAnotherOrganisationsPeopleAreRefused),
        ConformanceCase("refusalsDescribeNoOne", StorageConformance.refusalsDescribeNoOne),
        ConformanceCase("aSignInEmailNamesOnePerson", StorageConformance.aSignInEmailNamesOnePerson),
        ConformanceCase("noOneRecordsTheirOwnLeaving", StorageConformance.noOneRecordsTheirOwnLeaving),
        ConformanceCase("rolesGoToWhoCanHoldThem", StorageConformance.rolesGoToWhoCanHoldThem),
        ConformanceCase("aLeaversRolesAllEnd", StorageConformance.aLeaversRolesAllEnd),
        ConformanceCase("aLeavingDayIsCorrectedWithAReason", StorageConformance.aLeavingDayIsCorrectedWithAReason),
        ConformanceCase(
            "aLeavingCorrectionsReasonIsAtMost2048Characters", StorageConformance.aLeavingCorrectionsReasonIsAtMost2048Characters),
        ConformanceCase(
            "onlyAnotherWhoManagesPeopleCorrectsALeaving", StorageConformance.onlyAnotherWhoManagesPeopleCorrectsALeaving),
        ConformanceCase("auditRecordsSubjectsAndHidesRestrictedEvents", StorageConformance.auditRecordsSubjectsAndHidesRestrictedEvents),
        ConformanceCase("uniquenessIsScopedPerSchool", StorageConformance.uniquenessIsScopedPerSchool),
        ConformanceCase("concurrentSessionsKeepTheRules", StorageConformance.concurrentSessionsKeepTheRules),
        ConformanceCase("gateMatrix", StorageConformance.gateMatrix),
        ConformanceCase("groupedCountsPagingAndUpsert", StorageConformance.groupedCountsPagingAndUpsert),
        ConformanceCase("everyAcceptedValueReadsBack", StorageConformance.everyAcceptedValueReadsBack),
        ConformanceCase("aNoteNeverTicksAStepThatNeedsItsOwnEntry", StorageConformance.aNoteNeverTicksAStepThatNeedsItsOwnEntry),
        ConformanceCase("orphanWritesAreRefusedAlike", StorageConformance.orphanWritesAreRefusedAlike),
        ConformanceCase(
            "purgeRemovesRecordsAndTheAuditStillVerifies", StorageConformance.purgeRemovesRecordsAndTheAuditStillVerifies),
        ConformanceCase("rosterImportIsIdempotent", StorageConformance.rosterImportIsIdempotent),
        ConformanceCase("rosterLeaversAndRestores", StorageConformance.rosterLeaversAndRestores),
        ConformanceCase("rosterLeftOutRowsMakeNoLeavers", StorageConformance.rosterLeftOutRowsMakeNoLeavers),
        ConformanceCase("rosterStaffLeaverGuard", StorageConformance.rosterStaffLeaverGuard),
        ConformanceCase("rosterLeavesALeavingDecidedByHand", StorageConformance.rosterLeavesALeavingDecidedByHand),
        ConformanceCase("rosterRowsOfAnUnknownSchoolMakeNoLeavers", StorageConformance.rosterRowsOfAnUnknownSchoolMakeNoLeavers),
        ConformanceCase("rosterSaysWhenFilesDisagree", StorageConformance.rosterSaysWhenFilesDisagree),
        ConformanceCase(
            "rosterKeepsLeavingDaysAheadAndMatchesStaffOnly", StorageConformance.rosterKeepsLeavingDaysAheadAndMatchesStaffOnly),
        ConformanceCase("rosterKeepsLegalAndPreferredNames", StorageConformance.rosterKeepsLegalAndPreferredNames),
        ConformanceCase("rosterRejectionsStrictAndAllOrNothing", StorageConformance.rosterRejectionsStrictAndAllOrNothing),
        ConformanceCase("refusedImportRunsSaySoInTheAudit", StorageConformance.refusedImportRunsSaySoInTheAudit),
        ConformanceCase("rosterSchoolsAndCrossSourceMatching", StorageConformance.rosterSchoolsAndCrossSourceMatching),
        ConformanceCase("rosterPlanDescribesNoChild", StorageConformance.rosterPlanDescribesNoChild),
        ConformanceCase("ctfImportEndToEnd", StorageConformance.ctfImportEndToEnd),
        ConformanceCase("oneRosterImportEndToEnd", StorageConformance.oneRosterImportEndToEnd),
        ConformanceCase("bromcomAfterCTFMatches", StorageConformance.bromcomAfterCTFMatches),
        ConformanceCase("tapestryImportEndToEnd", StorageConformance.tapestryImportEndToEnd),
        ConformanceCase("importRoundTripsAwkwardText", StorageConformance.importRoundTripsAwkwardText),
        ConformanceCase("allOrNothingOnFailure", StorageConformance.allOrNothingOnFailure),
        ConformanceCase("unapprovedFilteringChangeCannotBeApplied", StorageConformance.unapprovedFilteringChangeCannotBeApplied),
        ConformanceCase("filteringReviewNeedsLeaderAndGovernor", StorageConformance.filteringReviewNeedsLeaderAndGovernor),
        ConformanceCase("governanceCalendarFallsDueAndGoesOverdue", StorageConformance.governanceCalendarFallsDueAndGoesOverdue),
        ConformanceCase("trustCalendarsAreEachSchoolsCalendar", StorageConformance.trustCalendarsAreEachSchoolsCalendar),
        ConformanceCase("governorsReportNeverIdentifiesAChild", StorageConformance.governorsReportNeverIdentifiesAChild),
    ]
}
