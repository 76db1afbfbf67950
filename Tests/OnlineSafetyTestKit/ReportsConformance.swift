import Foundation
import Logging
@_spi(StorageBackend) public import OnlineSafetyCore

/// A school with three incidents of one category about named learners, a governor, and the
/// text that must never reach a governor: for the governors' report's checks on every backend
/// and over every output format.
@_spi(StorageBackend)
public struct GovernorsReportWorld: Sendable {
    /// The DSL's session.
    public let dsl: SafetySession
    /// The governor's session.
    public let governor: SafetySession
    /// The governor's record.
    public let governorID: PersonID
    /// A trust-wide governor's session (a trustee), for the trust's report.
    public let trustGovernor: SafetySession
    /// A learner involved in the incidents.
    public let learnerID: PersonID
    /// One of the incidents.
    public let incidentID: IncidentID
    /// Names, UPNs and summaries: none may appear anywhere in the report.
    public let secrets: [String]
    /// The academic year the incidents fall in.
    public let period: ReportPeriod

    /// Builds the world on a store: three cyberbullying incidents and one restricted one at Chilton
    /// in the autumn term, a referral and an action on the first.
    public static func make(on store: any OnlineSafetyStore) async throws -> GovernorsReportWorld {
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let dsl = try await fixture.safety.session(actingAs: fixture.dsl.id, at: fixture.school.id)
        let governor = try await admin.people.add(
            Person(tenancy: .school(fixture.school.id), kind: .governor, givenName: "Gail", familyName: "Governor"))
        _ = try await admin.roles.grant(
            RoleGrant(personID: governor.id, role: .governor, scope: .school(fixture.school.id), starts: Fixture.today.adding(days: -30)))
        let summaries = [
            "Ava Oakley was sent unkind messages on the class chat",
            "Ben Ashworth posted a photo of a classmate without asking",
            "Ava Oakley reported a group chat excluding her",
        ]
        var first: IncidentID?
        for (index, summary) in summaries.enumerated() {
            let incident = try await dsl.incidents.record(
                NewIncident(
                    occurredAt: Fixture.now.addingTimeInterval(Double(-86_400 * (index + 1))), location: .offSite, equipment: .personal,
                    summary: summary, riskArea: .conduct, categoryCode: "cyberbullying",
                    participants: [.victim: [index == 1 ? fixture.ashLearner.id : fixture.oakLearner.id]]))
            if first == nil { first = incident.id }
        }
        _ = try await dsl.incidents.record(
            NewIncident(
                occurredAt: Fixture.now.addingTimeInterval(-3_600), location: .offSite, equipment: .personal,
                summary: "Secret restricted matter about Ben Ashworth", riskArea: .contact, categoryCode: "nudeImageSharing",
                participants: [.victim: [fixture.ashLearner.id]]))
        let incidentID = first!
        try await dsl.chronology.append(.action("Spoke to Ava Oakley's teacher"), to: incidentID)
        try await dsl.chronology.append(
            .referral(Referral(agency: .childrensSocialCare, method: .phone, detail: "Shared Ava Oakley's details")), to: incidentID)
        let session = try await fixture.safety.session(actingAs: governor.id, at: fixture.school.id)
        let trustee = try await admin.people.add(
            Person(tenancy: .trust(fixture.trust.id), kind: .governor, givenName: "Tara", familyName: "Trustee"))
        _ = try await admin.roles.grant(
            RoleGrant(personID: trustee.id, role: .governor, scope: .trust(fixture.trust.id), starts: Fixture.today.adding(days: -30)))
        let trustGovernor = try await fixture.safety.session(actingAs: trustee.id, at: fixture.school.id)
        let secrets =
            summaries + [
                "Secret restricted matter", "Oakley", "Ashworth", fixture.oakLearner.learner!.upn.value,
                fixture.ashLearner.learner!.upn.value, "Spoke to", "Shared", fixture.oakLearner.id.uuid.uuidString,
                fixture.ashLearner.id.uuid.uuidString, incidentID.uuid.uuidString, "Nude", "nudeImageSharing",
            ]
        return GovernorsReportWorld(
            dsl: dsl, governor: session, governorID: governor.id, trustGovernor: trustGovernor, learnerID: fixture.oakLearner.id,
            incidentID: incidentID,
            secrets: secrets, period: .academicYear(containing: Fixture.today))
    }
}

extension StorageConformance {
    /// The governors' report of a school with three incidents of one category reads "fewer than
    /// 5" for them, names no child and shows restricted categories only in one combined line; a
    /// governor reads it and nothing else (no incident, person or audit); the read is audited per
    /// school; the compliance figures a governor reads are suppressed the same way.
    @_spi(StorageBackend)
    public static func governorsReportNeverIdentifiesAChild(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let world = try await GovernorsReportWorld.make(on: store)
        let report = try await world.governor.reports.governors(period: world.period)
        try expect(report.schools.count == 1 && report.trust == nil, "one school's report")
        let section = report.schools[0]
        let autumn = section.terms[0]
        let bullying = autumn.byCategory.first { $0.code == "cyberbullying" }
        try expect(bullying?.figure.description == "fewer than 5", "three incidents of one category read fewer than 5")
        try expect(bullying?.figure.count == nil, "and the number itself is not in the value")
        try expect(
            autumn.byCategory.filter { IncidentCategory.builtIn(code: $0.code)?.restricted == true }.isEmpty,
            "no restricted category has a line of its own")
        try expect(
            autumn.byCategory.last?.code == "restricted" && autumn.byCategory.last?.figure.description == "fewer than 5",
            "restricted categories appear in one combined line, suppressed")
        try expect(section.total.description == "fewer than 5", "the total of four is suppressed too")
        try expect(
            section.referralsByAgency.first { $0.code == "childrensSocialCare" }?.figure.description == "fewer than 5",
            "one referral reads fewer than 5")
        try expect(section.firstAction.medianHours == nil, "no median over fewer incidents than the threshold")
        let encoder = JSONEncoder()
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        for secret in world.secrets { try expect(!json.contains(secret), "the report's value holds no name, UPN or incident text") }

        // A governor reads the report and nothing more.
        try await expectError(.notFound, "a governor reads no incident: it is as if absent") {
            try await world.governor.incidents.get(world.incidentID)
        }
        try expect(try await world.governor.incidents.list().isEmpty, "a governor lists no incident")
        try await expectError(.notFound, "a governor reads no person") { try await world.governor.people.get(world.learnerID) }
        try await expectError(.forbidden, "a governor reads no audit") { try await world.governor.audit.events() }
        try await expectError(.notFound, "a governor reads no chronology") {
            try await world.governor.chronology.entries(of: world.incidentID)
        }
        try await expectError(.forbidden, "a governor reads no dashboard") { try await world.governor.dashboard.current() }
        try await expectError(.forbidden, "a governor reads no trust report without a trust-wide role") {
            try await world.governor.reports.governors(period: world.period, acrossTrust: true)
        }
        let trail = try await world.dsl.audit.events()
        try expect(
            trail.contains {
                $0.draft.action == .governorsReport && $0.draft.actorID == world.governorID && $0.draft.outcome == .allowed
                    && $0.draft.names(world.governor.principal.school.id.uuid)
            }, "the report's read is audited, naming the school")
        try expect(
            trail.contains { $0.draft.action == .incidentRead && $0.draft.actorID == world.governorID && $0.draft.outcome == .denied },
            "the refused incident read is audited")

        let trustReport = try await world.trustGovernor.reports.governors(period: world.period, acrossTrust: true)
        try expect(trustReport.trust?.total.description == "fewer than 5", "the trust's roll-up is suppressed the same way")

        // The compliance figures a governor reads are suppressed the same way.
        let compliance = try await world.governor.compliance.report()
        try expect(!compliance.detailed && compliance.suppressedBelow == 5, "a governor's compliance report is figures only, suppressed")
        let figures = compliance.schools[0].figures
        let small =
            figures.training.flatMap { [$0.people, $0.compliant, $0.dueSoon, $0.overdue, $0.neverDone] }
            + figures.aup.flatMap { [$0.people, $0.accepted, $0.due] }
        try expect(small.allSatisfy { $0 == 0 || $0 >= 5 }, "no count from 1 to 4 reaches a governor")
        let dslRow = figures.training.first { $0.role == .designatedSafeguardingLead }
        if let dslRow {
            let item = "\(dslRow.role.rawValue)/\(dslRow.requirementCode)"
            try expect(
                compliance.shown(dslRow.people, compliance.schools[0].urn, "training", item, "people") == "fewer than 5",
                "the one DSL reads as fewer than 5")
        }
        try expect(!compliance.csv().contains(",1\n"), "no count of one in the governor's CSV")
        let detailed = try await world.dsl.compliance.report()
        try expect(detailed.detailed && detailed.suppressedBelow == nil, "the DSL's report is detailed and not suppressed")

        // The DSL's dashboard names the incidents and learners it lists, and records them.
        let board = try await world.dsl.dashboard.current()
        try expect(board.schools.count == 1, "the dashboard covers the school")
        let open = board.schools[0].openIncidents.reduce(0) { $0 + $1.count }
        try expect(open == 4, "four open incidents, restricted included for the DSL: \(open)")
        try expect(
            board.schools[0].repeatedConcerns.contains { $0.learnerID == world.learnerID && $0.incidents == 2 },
            "a learner in two incidents is a repeated concern")
        let dashboardEvents = try await world.dsl.audit.events().filter {
            $0.draft.action == .dashboardRead && $0.draft.outcome == .allowed
        }
        let named = Set(board.schools.flatMap(\.subjects))
        try expect(
            dashboardEvents.count == 1 && Set(dashboardEvents[0].draft.listed) == named && dashboardEvents[0].draft.subjectID == nil
                && named.contains(world.learnerID.uuid),
            "the dashboard's read is one event listing every record it named, the learner among them")
        let learnerTrail = try await world.dsl.audit.trail(of: world.learnerID.uuid)
        try expect(
            learnerTrail.contains { $0.draft.action == .dashboardRead && $0.draft.actorID == world.dsl.principal.person.id },
            "the learner's trail shows the DSL's dashboard read")
    }
}
