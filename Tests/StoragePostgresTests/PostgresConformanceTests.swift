import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import PostgresNIO
@_spi(StorageBackend) import StorageConformance
import StoragePostgres
import Testing

@Suite("Conformance: PostgreSQL", .enabled(if: PostgresTestDatabase.shouldRun))
struct PostgresConformanceTests {
    static let harness = ConformanceHarness(
        makeStore: { try await PostgresTestDatabase.makeStore() },
        tamperAuditEvent: { store, sequence in
            guard let store = store as? PostgresStore else { throw SafetyError(.invalidInput, "not a PostgreSQL store") }
            try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
                let logger = PostgresTestDatabase.logger
                _ = try await connection.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only", logger: logger)
                    .collect()
                _ = try await connection.query(
                    "UPDATE audit_events SET action = upper(action) WHERE sequence = \(sequence)", logger: logger
                ).collect()
                _ = try await connection.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only", logger: logger).collect()
            }
            return store
        },
        attemptAuditRewrite: { store in
            guard let store = store as? PostgresStore else { throw SafetyError(.invalidInput, "not a PostgreSQL store") }
            var refusals = 0
            for statement in [
                "UPDATE audit_events SET reason = 'rewritten' WHERE sequence = 1", "DELETE FROM audit_events WHERE sequence = 2",
                "TRUNCATE audit_events",
            ] {
                do {
                    try await PostgresTestDatabase.withRawConnection(store.configuration) { connection in
                        _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: PostgresTestDatabase.logger).collect()
                    }
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "OS001" {
                    refusals += 1
                }
            }
            if refusals == 3 { throw SafetyError(.constraintViolation, "audit events are append-only") }
        })

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

@Suite("PostgreSQL backend", .enabled(if: PostgresTestDatabase.shouldRun))
struct PostgresStoreTests {
    @Test func migrationsAreRecordedAndRunOnce() async throws {
        let store = try await PostgresTestDatabase.makeStore()
        try await store.migrate()
        #expect(try await store.appliedMigrations() == PostgresStore.schemaVersions)
        #expect(PostgresStore.schemaVersions == Array(1...PostgresStore.schemaVersions.count))
        #expect(try await store.appliedMigrations() == [1, 2, 3, 4])
        try await store.close()
    }

    @Test func urlConfigurationParsesEveryPart() throws {
        let config = try PostgresConfiguration(url: "postgres://app:s%40cret@db.example:6543/safety?sslmode=require")
        #expect(config.host == "db.example")
        #expect(config.port == 6543)
        #expect(config.username == "app")
        #expect(config.password == "s@cret")
        #expect(config.database == "safety")
        #expect(config.tls == .require)
    }

    @Test func badURLSaysWhichPartIsWrong() {
        #expect(throws: SafetyError.self) { try PostgresConfiguration(url: "mysql://x@y/z") }
        do {
            _ = try PostgresConfiguration(url: "postgres://user:secret@host:5432/db?sslmode=sometimes")
            Issue.record("an unknown sslmode was accepted")
        } catch let error as SafetyError {
            #expect(error.location == "url.sslmode")
            #expect(!error.description.contains("secret"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func unreachableServerIsUnavailable() async throws {
        var config = try PostgresTestDatabase.base()
        config.port = 1
        await #expect(throws: SafetyError.self) { try await PostgresStore.connect(config, logger: PostgresTestDatabase.logger) }
    }
}
