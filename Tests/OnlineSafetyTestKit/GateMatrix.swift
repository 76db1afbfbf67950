import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore

/// The records of one organisation a matrix call is aimed at.
struct MatrixSubject: Sendable {
    var learner: Person
    var parent: PersonID
    var adult: Person
    var incident: IncidentID
    var device: DeviceRecordID
    var accessGrant: AccessGrantID
    var roleGrant: RoleGrantID
    var document: AUPDocumentID
    var parentsDocument: AUPDocumentID
    var governor: PersonID
    var pendingChange: FilteringChangeID
    var approvedChange: FilteringChangeID
    var failedCheck: FilteringCheckID

    /// Identifiers that were never used: what an out-of-reach record must be indistinguishable from.
    static func absent(like subject: MatrixSubject) -> MatrixSubject {
        var learner = subject.learner
        learner.id = PersonID()
        var adult = subject.adult
        adult.id = PersonID()
        return MatrixSubject(
            learner: learner, parent: PersonID(), adult: adult, incident: IncidentID(), device: DeviceRecordID(),
            accessGrant: AccessGrantID(), roleGrant: RoleGrantID(), document: AUPDocumentID(), parentsDocument: AUPDocumentID(),
            governor: PersonID(), pendingChange: FilteringChangeID(), approvedChange: FilteringChangeID(), failedCheck: FilteringCheckID())
    }

    var ids: [UUID] {
        [
            learner.id.uuid, parent.uuid, adult.id.uuid, incident.uuid, device.uuid, accessGrant.uuid, roleGrant.uuid, document.uuid,
            parentsDocument.uuid, governor.uuid, pendingChange.uuid, approvedChange.uuid, failedCheck.uuid,
        ]
    }
}

/// A school with its own data manager and DSL sessions, able to make fresh matrix subjects.
struct MatrixPlace: Sendable {
    let name: String
    let school: School
    let admin: SafetySession
    let dsl: SafetySession
    /// A member of staff who asks for filtering changes, which the DSL may then decide.
    let asker: SafetySession
    let document: AUPDocument
    let parentsDocument: AUPDocument
    let standing: MatrixSubject

    static func make(name: String, school: School, admin: SafetySession, safety: OnlineSafety) async throws -> MatrixPlace {
        let lead = try await admin.people.add(
            Person(tenancy: .school(school.id), kind: .staff, givenName: "Lead", familyName: name, email: "lead@\(name).example"))
        _ = try await admin.roles.grant(
            RoleGrant(personID: lead.id, role: .designatedSafeguardingLead, scope: .school(school.id), starts: Fixture.today))
        let dsl = try await safety.session(actingAs: lead.id, at: school.id)
        let askerPerson = try await admin.people.add(
            Person(tenancy: .school(school.id), kind: .staff, givenName: "Asker", familyName: name, email: "asker@\(name).example"))
        _ = try await admin.roles.grant(
            RoleGrant(personID: askerPerson.id, role: .staff, scope: .school(school.id), starts: Fixture.today))
        let asker = try await safety.session(actingAs: askerPerson.id, at: school.id)
        let document = try await admin.agreements.publish(
            audience: .staffAndVolunteers, title: "Staff \(name)", content: Data("staff agreement at \(name)".utf8),
            effectiveFrom: Fixture.today)
        let parentsDocument = try await admin.agreements.publish(
            audience: .parentsAndCarers, title: "Parents \(name)", content: Data("parents agreement at \(name)".utf8),
            effectiveFrom: Fixture.today)
        var place = MatrixPlace(
            name: name, school: school, admin: admin, dsl: dsl, asker: asker, document: document, parentsDocument: parentsDocument,
            standing: .placeholder)
        place = MatrixPlace(
            name: name, school: school, admin: admin, dsl: dsl, asker: asker, document: document, parentsDocument: parentsDocument,
            standing: try await place.fresh(serial: 0))
        _ = try await dsl.filtering.assign(.seniorLeader, to: place.standing.adult.id, from: Fixture.today)
        _ = try await dsl.filtering.assign(.governor, to: place.standing.governor, from: Fixture.today)
        return place
    }

    /// New records at the place: a learner in a group called Oak with a parent, an adult member of
    /// staff who accepted the staff agreement and has email access and a staff role, an incident
    /// about the learner with a seized device, and the parent's consent to website images.
    func fresh(serial: Int) async throws -> MatrixSubject {
        let tag = "\(name)\(serial)"
        let learner = try await admin.people.add(
            Person(
                tenancy: .school(school.id), kind: .learner, givenName: "Child", familyName: tag,
                learner: LearnerDetails(
                    upn: try UPN(matrixUPN(serial)), dateOfBirth: CalendarDate(year: 2016, month: 5, day: 5)!,
                    ncYear: .year5, registrationGroup: "Oak")))
        let parent = try await admin.people.add(
            Person(tenancy: .school(school.id), kind: .parentCarer, givenName: "Parent", familyName: tag))
        _ = try await admin.people.addContact(
            ContactLink(
                schoolID: school.id, learnerID: learner.id, adultID: parent.id, relationship: .mother, parentalResponsibility: true,
                priority: 1))
        let adult = try await admin.people.add(
            Person(
                tenancy: .school(school.id), kind: .staff, givenName: "Adult", familyName: tag,
                email: "adult.\(tag)@example.org".lowercased()
            ))
        let roleGrant = try await admin.roles.grant(
            RoleGrant(personID: adult.id, role: .staff, scope: .school(school.id), starts: Fixture.today, groups: ["Ash"]))
        _ = try await admin.agreements.accept(document.id, for: adult.id, method: .signedOnPaper)
        let access = try await admin.access.grant(.email, to: adult.id)
        let incident = try await dsl.incidents.record(
            NewIncident(
                occurredAt: Fixture.now, location: .onSite, equipment: .school, summary: "matrix concern", riskArea: .conduct,
                categoryCode: "cyberbullying", participants: [.subject: [learner.id]]))
        let device = try await dsl.devices.seize(
            for: incident.id, item: "tablet", ownerID: learner.id, reason: "matrix", storageLocation: "office safe", holdsEvidence: false)
        _ = try await admin.consent.record(
            .granted, purpose: ConsentPurpose.websiteImages.code, for: learner.id, by: parent.id, method: .written)
        let governor = try await admin.people.add(
            Person(tenancy: .school(school.id), kind: .governor, givenName: "Governor", familyName: tag))
        let pending = try await asker.filtering.requestChange(
            FilteringChangeRequest(
                action: .block, target: .site("\(tag.lowercased()).example"), profile: .learners, reason: "matrix", riskAssessment: "matrix"
            ))
        let approved = try await asker.filtering.requestChange(
            FilteringChangeRequest(
                action: .allow, target: .site("\(tag.lowercased()).example"), profile: .staff, reason: "matrix", riskAssessment: "matrix"))
        _ = try await dsl.filtering.decide(approved.id, approve: true, reason: "matrix")
        let check = try await dsl.filtering.recordCheck(
            NewFilteringCheck(checkedOn: Fixture.today, device: "laptop", locationOrGroup: "Oak", tested: "matrix", result: .failed))
        return MatrixSubject(
            learner: learner, parent: parent.id, adult: adult, incident: incident.id, device: device.id, accessGrant: access.id,
            roleGrant: roleGrant.id, document: document.id, parentsDocument: parentsDocument.id, governor: governor.id,
            pendingChange: pending.id, approvedChange: approved.id, failedCheck: check.id)
    }
}

extension MatrixSubject {
    fileprivate static var placeholder: MatrixSubject {
        let nobody = Person(tenancy: .school(SchoolID()), kind: .staff, givenName: "N", familyName: "N")
        return MatrixSubject(
            learner: nobody, parent: PersonID(), adult: nobody, incident: IncidentID(), device: DeviceRecordID(),
            accessGrant: AccessGrantID(), roleGrant: RoleGrantID(), document: AUPDocumentID(), parentsDocument: AUPDocumentID(),
            governor: PersonID(), pendingChange: FilteringChangeID(), approvedChange: FilteringChangeID(), failedCheck: FilteringCheckID())
    }
}

/// A valid UPN for Kent's establishment 2074 for any serial below 80,000 (the two "year" digits
/// carry the thousands), distinct from the fixture's.
func matrixUPN(_ serial: Int) -> String {
    let body = "8862074" + String(21 + serial / 1_000) + String(format: "%03d", serial % 1_000)
    return String(UPN.checkLetter(for: Array(body))!) + body
}

/// One public service method in the matrix: who may call it at their own school, and how.
struct GateOperation: Sendable {
    enum Kind: Sendable {
        /// Aimed at records of a place: refused-as-absent everywhere but the principal's school.
        case targeted(fresh: Bool, @Sendable (SafetySession, MatrixSubject) async throws -> Void)
        /// Aimed at no record: may return records, none of them out of reach.
        case untargeted(@Sendable (SafetySession, Int) async throws -> [UUID])
    }

    let name: String
    let allowed: @Sendable (Role) -> Bool
    let kind: Kind
}

private func with(_ capabilities: Capability...) -> @Sendable (Role) -> Bool {
    { role in !Capability.granted(to: role).isDisjoint(with: capabilities) }
}

private let anyone: @Sendable (Role) -> Bool = { _ in true }
private let nobody: @Sendable (Role) -> Bool = { _ in false }

/// The role x operation x scope table: every public service method of the SDK, once.
/// `scripts/check-public-api` fails when a public service method is missing from it.
let gateOperations: [GateOperation] = [
    // The filtering and monitoring register
    GateOperation(
        name: "filtering.assign", allowed: with(.manageFilteringRegister),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.filtering.assign(.governor, to: subject.governor) }),
    GateOperation(
        name: "filtering.requestChange", allowed: with(.recordConcern),
        kind: .untargeted { session, n in
            [
                try await session.filtering.requestChange(
                    FilteringChangeRequest(
                        action: .block, target: .category("Matrix \(n)"), profile: .learners, reason: "probe", riskAssessment: "probe")
                ).id.uuid
            ]
        }),
    GateOperation(
        name: "filtering.decide", allowed: with(.decideFilteringChanges),
        kind: .targeted(fresh: true) { session, subject in
            _ = try await session.filtering.decide(subject.pendingChange, approve: false, reason: "probe")
        }),
    GateOperation(
        name: "filtering.markApplied", allowed: with(.applyFilteringChanges),
        kind: .targeted(fresh: true) { session, subject in _ = try await session.filtering.markApplied(subject.approvedChange) }),
    GateOperation(
        name: "filtering.changes", allowed: with(.readFilteringRegister),
        kind: .untargeted { session, _ in try await session.filtering.changes().map(\.id.uuid) }),
    GateOperation(
        name: "filtering.recordCheck", allowed: with(.operateFilteringAndMonitoring),
        kind: .untargeted { session, n in
            [
                try await session.filtering.recordCheck(
                    NewFilteringCheck(
                        checkedOn: Fixture.today, device: "tablet \(n)", locationOrGroup: "Ash", tested: "probe", result: .passed)
                ).id.uuid
            ]
        }),
    GateOperation(
        name: "filtering.resolveCheck", allowed: with(.operateFilteringAndMonitoring),
        kind: .targeted(fresh: true) { session, subject in
            _ = try await session.filtering.resolveCheck(subject.failedCheck, action: "probe")
        }),
    GateOperation(
        name: "filtering.checks", allowed: with(.readFilteringRegister),
        kind: .untargeted { session, _ in try await session.filtering.checks().map(\.id.uuid) }),
    GateOperation(
        name: "filtering.recordReview", allowed: with(.manageFilteringRegister),
        kind: .targeted(fresh: false) { session, subject in
            _ = try await session.filtering.recordReview(
                NewFilteringReview(
                    reviewedOn: Fixture.today, participants: [subject.adult.id, subject.governor], considered: ["probe"],
                    findings: ["probe"],
                    actions: [FilteringReviewAction(description: "probe", ownerID: subject.adult.id, dueOn: Fixture.today)]
                ))
        }),
    GateOperation(
        name: "filtering.reviews", allowed: with(.readFilteringRegister),
        kind: .untargeted { session, _ in try await session.filtering.reviews().map(\.id.uuid) }),
    GateOperation(
        name: "filtering.recordAlert", allowed: with(.operateFilteringAndMonitoring),
        kind: .untargeted { session, n in
            [
                try await session.filtering.recordAlert(
                    NewMonitoringAlert(raisedAt: Fixture.now, summary: "probe \(n)", needsAction: false)
                ).id.uuid
            ]
        }),
    GateOperation(
        name: "filtering.alerts", allowed: with(.readFilteringRegister),
        kind: .untargeted { session, _ in try await session.filtering.alerts().map(\.id.uuid) }),
    GateOperation(
        name: "filtering.state", allowed: with(.readFilteringRegister),
        kind: .untargeted { session, _ in
            let state = try await session.filtering.state()
            return state.changes.map(\.id.uuid) + state.checks.map(\.id.uuid) + state.responsibilityHistory.map(\.personID.uuid)
        }),
    // Governance
    GateOperation(
        name: "governance.record", allowed: with(.manageGovernance),
        kind: .untargeted { session, n in
            [try await session.governance.record(.dslGovernorMeeting, heldOn: Fixture.today, minutesReference: "probe \(n)").id.uuid]
        }),
    GateOperation(
        name: "governance.records", allowed: with(.manageGovernance, .readCompliance),
        kind: .untargeted { session, _ in try await session.governance.records().map(\.id.uuid) }),
    GateOperation(
        name: "governance.calendar", allowed: with(.manageGovernance, .readCompliance),
        kind: .untargeted { session, _ in
            try await session.governance.calendar().items.flatMap { [$0.personID?.uuid, $0.satisfiedBy?.recordID].compactMap { $0 } }
        }),
    GateOperation(
        // Trust-wide: every role of the table is held at the school, so no one reads the trust's calendars.
        name: "governance.trustCalendars", allowed: nobody,
        kind: .untargeted { session, _ in
            try await session.governance.trustCalendars().flatMap(\.items).compactMap { $0.personID?.uuid }
        }),
    // People
    GateOperation(
        name: "people.add", allowed: with(.managePeople),
        kind: .untargeted { session, n in
            [
                try await session.people.add(
                    Person(tenancy: .school(session.principal.school.id), kind: .visitor, givenName: "V\(n)", familyName: "Visitor")
                ).id.uuid
            ]
        }),
    GateOperation(
        name: "people.update", allowed: with(.managePeople),
        kind: .targeted(fresh: true) { session, subject in
            var changed = subject.learner
            changed.givenName = "Renamed"
            _ = try await session.people.update(changed)
        }),
    GateOperation(
        name: "people.get", allowed: with(.readAnyPersonRecord, .readTaughtLearners),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.people.get(subject.learner.id) }),
    GateOperation(
        name: "people.list", allowed: with(.readAnyPersonRecord, .readTaughtLearners),
        kind: .untargeted { session, _ in try await session.people.list().map(\.id.uuid) }),
    GateOperation(
        name: "people.recordLeaver", allowed: with(.managePeople),
        kind: .targeted(fresh: true) { session, subject in _ = try await session.people.recordLeaver(subject.learner.id, on: Fixture.today)
        }
    ),
    GateOperation(
        // The standing learner is on roll: a correction saying they did not leave passes the whole
        // gate, and is then refused as correcting nothing (a rule of the record, not of access).
        name: "people.correctLeaving", allowed: with(.managePeople),
        kind: .targeted(fresh: false) { session, subject in
            do {
                _ = try await session.people.correctLeaving(subject.learner.id, to: nil, reason: "probe")
            } catch let error as SafetyError where error.code == .constraintViolation {
                // Allowed through the gate: there was nothing to correct.
            }
        }),
    GateOperation(
        name: "people.addContact", allowed: with(.managePeople),
        kind: .targeted(fresh: true) { session, subject in
            _ = try await session.people.addContact(
                ContactLink(
                    schoolID: session.principal.school.id, learnerID: subject.learner.id, adultID: subject.adult.id, relationship: .other,
                    parentalResponsibility: false, priority: 2))
        }),
    GateOperation(
        name: "people.contacts", allowed: with(.readAnyPersonRecord, .readTaughtLearners),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.people.contacts(of: subject.learner.id) }),
    GateOperation(
        name: "people.identify", allowed: with(.recordConcern, .readAnyPersonRecord),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.people.identify(subject.adult.email!) }),
    // Roles
    GateOperation(
        name: "roles.grant", allowed: with(.manageRoles),
        kind: .targeted(fresh: false) { session, subject in
            _ = try await session.roles.grant(
                RoleGrant(personID: subject.adult.id, role: .staff, scope: .school(session.principal.school.id), starts: Fixture.today))
        }),
    GateOperation(
        name: "roles.end", allowed: with(.manageRoles),
        kind: .targeted(fresh: true) { session, subject in _ = try await session.roles.end(subject.roleGrant, on: Fixture.today) }),
    GateOperation(
        name: "roles.holders", allowed: with(.readAnyPersonRecord, .recordConcern),
        kind: .untargeted { session, _ in try await session.roles.holders().map(\.person.id.uuid) }),
    // Audit
    GateOperation(
        name: "audit.events", allowed: with(.readAudit),
        kind: .untargeted { session, _ in
            try await session.audit.events().filter { $0.draft.outcome == .allowed }.flatMap(\.draft.subjects)
        }),
    GateOperation(
        name: "audit.trail", allowed: with(.readAudit),
        kind: .untargeted { session, _ in
            let trail = try await session.audit.trail(of: session.principal.person.id.uuid)
            try expect(trail.allSatisfy { $0.draft.schoolID == session.principal.school.id }, "a trail holds only the school's events")
            return trail.filter { $0.draft.outcome == .allowed }.flatMap(\.draft.subjects)
        }),
    GateOperation(
        name: "audit.verify", allowed: with(.readAudit),
        kind: .untargeted { session, _ in
            _ = try await session.audit.verify()
            return []
        }),
    // Incidents
    GateOperation(
        name: "incidents.categories", allowed: anyone,
        kind: .untargeted { session, _ in
            _ = try await session.incidents.categories()
            return []
        }),
    GateOperation(
        name: "incidents.addCategory", allowed: with(.readAllIncidents, .manageOrganisation),
        kind: .untargeted { session, n in
            [try await session.incidents.addCategory(code: "matrix\(n)", name: "Matrix \(n)", under: "cyberbullying").id.uuid]
        }),
    GateOperation(
        name: "incidents.record", allowed: with(.recordConcern),
        kind: .targeted(fresh: false) { session, subject in
            _ = try await session.incidents.record(
                NewIncident(
                    occurredAt: Fixture.now, location: .onSite, equipment: .school, summary: "probe", riskArea: .conduct,
                    categoryCode: "cyberbullying", participants: [.subject: [subject.learner.id]]))
        }),
    GateOperation(
        name: "incidents.get", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.incidents.get(subject.incident) }),
    GateOperation(
        name: "incidents.list", allowed: anyone, kind: .untargeted { session, _ in try await session.incidents.list().map(\.id.uuid) }),
    GateOperation(
        name: "incidents.count", allowed: anyone,
        kind: .untargeted { session, _ in
            let query = IncidentQuery(categoryCodes: ["cyberbullying"])
            let count = try await session.incidents.count(query)
            let visible = try await session.incidents.list(query)
            try expect(count == visible.count, "a count counts only what the principal may see: \(count) against \(visible.count)")
            return visible.map(\.id.uuid)
        }),
    GateOperation(
        name: "incidents.countsByCategory", allowed: with(.readAggregates),
        kind: .untargeted { session, _ in
            _ = try await session.incidents.countsByCategory()
            return []
        }),
    // Chronology
    GateOperation(
        name: "chronology.append", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.chronology.append(.note("probe"), to: subject.incident) }),
    GateOperation(
        name: "chronology.recordFacts", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: false) { session, subject in
            _ = try await session.chronology.recordFacts([.adultInvolved], on: subject.incident)
        }),
    GateOperation(
        name: "chronology.close", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: true) { session, subject in
            _ = try await session.chronology.close(subject.learner.id, in: subject.incident, outcome: "resolved")
        }),
    GateOperation(
        name: "chronology.attach", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: false) { session, subject in
            _ = try await session.chronology.attach(
                AttachmentReference(
                    fileName: "notes.pdf", mediaType: "application/pdf", byteCount: 10, sha256: String(repeating: "a", count: 64),
                    location: "dms://1"), to: subject.incident)
        }),
    GateOperation(
        name: "chronology.entries", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.chronology.entries(of: subject.incident) }),
    GateOperation(
        name: "chronology.childChronology", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: false) { session, subject in
            guard try await session.chronology.childChronology(of: subject.learner.id).isEmpty else { return }
            throw SafetyError.notFound("item")
        }),
    // Steps
    GateOperation(
        name: "steps.steps", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.steps.steps(for: subject.incident) }),
    GateOperation(
        name: "steps.outstanding", allowed: with(.readAllIncidents),
        kind: .untargeted { session, _ in try await session.steps.outstanding().map(\.incidentID.uuid) }),
    GateOperation(
        name: "steps.overdue", allowed: with(.readAllIncidents),
        kind: .untargeted { session, _ in
            try await session.steps.overdue(asOf: Fixture.now.addingTimeInterval(86_400 * 60)).map(\.incidentID.uuid)
        }),
    GateOperation(
        name: "steps.overduePage", allowed: with(.readAllIncidents),
        kind: .untargeted { session, _ in try await session.steps.overduePage(limit: 500).incidents.map(\.incidentID.uuid) }),
    // Devices
    GateOperation(
        name: "devices.seize", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: false) { session, subject in
            _ = try await session.devices.seize(
                for: subject.incident, item: "phone", ownerID: nil, reason: "probe", storageLocation: "safe", holdsEvidence: false)
        }),
    GateOperation(
        name: "devices.move", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: true) { session, subject in _ = try await session.devices.move(subject.device, to: .returnedToParent) }),
    GateOperation(
        name: "devices.list", allowed: with(.readAllIncidents),
        kind: .untargeted { session, _ in try await session.devices.list().map(\.id.uuid) }),
    // Agreements
    GateOperation(
        name: "agreements.publish", allowed: with(.manageAgreements),
        kind: .untargeted { session, n in
            [
                try await session.agreements.publish(
                    audience: .visitors, title: "Visitors", content: Data("visitors \(n)".utf8), effectiveFrom: Fixture.today
                ).id.uuid
            ]
        }),
    GateOperation(
        name: "agreements.documents", allowed: anyone,
        kind: .untargeted { session, _ in try await session.agreements.documents().map(\.id.uuid) }),
    GateOperation(
        name: "agreements.current", allowed: anyone,
        kind: .untargeted { session, _ in [try await session.agreements.current(for: .staffAndVolunteers)?.id.uuid].compactMap { $0 } }),
    GateOperation(
        name: "agreements.accept", allowed: with(.manageAgreements),
        kind: .targeted(fresh: true) { session, subject in
            _ = try await session.agreements.accept(subject.parentsDocument, for: subject.parent, method: .signedOnPaper)
        }),
    GateOperation(
        name: "agreements.acceptances", allowed: with(.manageAgreements, .readAnyPersonRecord),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.agreements.acceptances(of: subject.adult.id) }),
    GateOperation(
        name: "agreements.due", allowed: with(.manageAgreements, .readCompliance),
        kind: .untargeted { session, _ in try await session.agreements.due().map(\.personID.uuid) }),
    // Access register
    GateOperation(
        name: "access.grant", allowed: with(.manageAccess),
        kind: .targeted(fresh: true) { session, subject in _ = try await session.access.grant(.network, to: subject.adult.id) }),
    GateOperation(
        name: "access.revoke", allowed: with(.manageAccess),
        kind: .targeted(fresh: true) { session, subject in _ = try await session.access.revoke(subject.accessGrant, reason: "probe") }),
    GateOperation(
        name: "access.grants", allowed: with(.manageAccess, .readCompliance),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.access.grants(for: subject.adult.id) }),
    GateOperation(
        name: "access.holders", allowed: with(.manageAccess, .readCompliance),
        kind: .untargeted { session, _ in try await session.access.holders(of: .email).map(\.personID.uuid) }),
    GateOperation(
        name: "access.withoutCurrentAUP", allowed: with(.manageAccess, .readCompliance),
        kind: .untargeted { session, _ in try await session.access.withoutCurrentAUP().map(\.grant.personID.uuid) }),
    // Consent
    GateOperation(
        name: "consent.purposes", allowed: anyone,
        kind: .untargeted { session, _ in
            _ = try await session.consent.purposes()
            return []
        }),
    GateOperation(
        name: "consent.addPurpose", allowed: with(.manageConsent),
        kind: .untargeted { session, n in [try await session.consent.addPurpose(code: "matrix\(n)", name: "Matrix \(n)").id.uuid] }),
    GateOperation(
        name: "consent.record", allowed: with(.manageConsent),
        kind: .targeted(fresh: false) { session, subject in
            _ = try await session.consent.record(
                .refused, purpose: ConsentPurpose.pressImages.code, for: subject.learner.id, by: subject.parent, method: .written)
        }),
    GateOperation(
        name: "consent.withdraw", allowed: with(.manageConsent),
        kind: .targeted(fresh: true) { session, subject in
            _ = try await session.consent.withdraw(
                purpose: ConsentPurpose.websiteImages.code, for: subject.learner.id, by: subject.parent, method: .written)
        }),
    GateOperation(
        name: "consent.history", allowed: with(.manageConsent, .readAnyPersonRecord, .readTaughtLearners),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.consent.history(of: subject.learner.id) }),
    GateOperation(
        name: "consent.check", allowed: with(.manageConsent, .readAnyPersonRecord, .readTaughtLearners),
        kind: .targeted(fresh: false) { session, subject in
            _ = try await session.consent.check(purpose: ConsentPurpose.websiteImages.code, learners: [subject.learner.id])
        }),
    GateOperation(
        name: "consent.check(group)", allowed: with(.manageConsent, .readAnyPersonRecord, .readTaughtLearners),
        kind: .untargeted { session, _ in
            try await session.consent.check(purpose: ConsentPurpose.websiteImages.code, group: "Oak").map(\.learnerID.uuid)
        }),
    // Training
    GateOperation(
        name: "training.record", allowed: with(.manageTraining),
        kind: .targeted(fresh: false) { session, subject in
            _ = try await session.training.record(
                .onlineSafety, for: subject.adult.id, course: "Online safety", provider: "Trust", completedOn: Fixture.today)
        }),
    GateOperation(
        name: "training.records", allowed: with(.manageTraining, .readCompliance),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.training.records(of: subject.adult.id) }),
    GateOperation(
        name: "training.status", allowed: with(.manageTraining, .readCompliance),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.training.status(of: subject.adult.id) }),
    GateOperation(
        name: "training.statuses", allowed: with(.manageTraining, .readCompliance),
        kind: .untargeted { session, _ in try await session.training.statuses().map(\.personID.uuid) }),
    // Retention
    GateOperation(
        name: "retention.purgeIncident", allowed: with(.purgeRecords),
        kind: .targeted(fresh: true) { session, subject in
            _ = try await session.retention.purgeIncident(subject.incident, reason: "retention period over")
        }),
    // Roster
    GateOperation(
        name: "roster.plan", allowed: with(.managePeople),
        kind: .untargeted { session, _ in
            try await session.roster.plan(RosterBatch()).entries.compactMap(\.recordID)
        }),
    GateOperation(
        name: "roster.apply", allowed: with(.managePeople),
        kind: .untargeted { session, _ in
            try await session.roster.apply(RosterBatch()).plan.entries.compactMap(\.recordID)
        }),
    GateOperation(
        name: "roster.runs", allowed: with(.managePeople),
        kind: .untargeted { session, _ in try await session.roster.runs().map(\.id.uuid) }),
    // Policies
    GateOperation(
        name: "policies.versions", allowed: anyone,
        kind: .untargeted { session, _ in try await session.policies.versions().map(\.id.uuid) }),
    GateOperation(
        name: "policies.inForce", allowed: anyone,
        kind: .untargeted { session, _ in
            _ = try await session.policies.inForce()
            return []
        }),
    GateOperation(
        name: "policies.floorIssues", allowed: anyone,
        kind: .untargeted { session, _ in
            _ = try await session.policies.floorIssues()
            return []
        }),
    GateOperation(
        name: "policies.adopt", allowed: with(.readAllIncidents, .manageOrganisation),
        kind: .untargeted { session, n in
            var document = SeedPolicies.chilton
            document.version = "matrix\(n)"
            return [try await session.policies.adopt(document, effectiveFrom: Fixture.today).id.uuid]
        }),
    GateOperation(
        // Trust-wide: every role of the table is held at the school, so no one may adopt for the trust.
        name: "policies.adopt trust-wide", allowed: nobody,
        kind: .untargeted { session, n in
            var document = SeedPolicies.chilton
            document.version = "matrix-trust\(n)"
            return [try await session.policies.adopt(document, effectiveFrom: Fixture.today, trustWide: true).id.uuid]
        }),
    GateOperation(
        name: "policies.apply", allowed: with(.readAllIncidents),
        kind: .targeted(fresh: false) { session, subject in _ = try await session.policies.apply(to: subject.incident) }),
    // Compliance
    GateOperation(
        name: "compliance.report", allowed: with(.readCompliance, .readAggregates),
        kind: .untargeted { session, _ in
            let report = try await session.compliance.report()
            return report.schools.map(\.schoolID.uuid).filter { $0 != session.principal.school.id.uuid }
        }),
    // The DSL's dashboard and the governors' report
    GateOperation(
        name: "dashboard.current", allowed: with(.readAllIncidents),
        kind: .untargeted { session, _ in
            let board = try await session.dashboard.current()
            try expect(board.schools.map(\.schoolID) == [session.principal.school.id], "a school's dashboard covers that school")
            return board.schools.flatMap(\.subjects)
        }),
    GateOperation(
        name: "reports.governors", allowed: with(.readAggregates),
        kind: .untargeted { session, _ in
            let report = try await session.reports.governors(period: .academicYear(containing: Fixture.today))
            try expect(report.schools.map(\.schoolID) == [session.principal.school.id], "a school's report covers that school")
            return []
        }),
    // Organisation
    GateOperation(
        name: "organisation.school", allowed: anyone,
        kind: .untargeted { session, _ in
            _ = try await session.organisation.school()
            return []
        }
    ),
    GateOperation(
        name: "organisation.schools", allowed: anyone,
        kind: .untargeted { session, _ in
            _ = try await session.organisation.schools()
            return []
        }),
    GateOperation(
        name: "organisation.trust", allowed: anyone,
        kind: .untargeted { session, _ in
            _ = try await session.organisation.trust()
            return []
        }),
    GateOperation(
        name: "organisation.addSchool", allowed: nobody,
        kind: .untargeted { session, n in
            var school = SeedSchools.chilton(trustID: session.principal.school.trustID)
            school.id = SchoolID()
            school.urn = String(800_000 + n)
            return [try await session.organisation.addSchool(school).id.uuid]
        }),
    GateOperation(
        name: "organisation.updateSchool", allowed: with(.manageOrganisation),
        kind: .untargeted { session, _ in
            var school = try await session.organisation.school()
            school.name += "."
            _ = try await session.organisation.updateSchool(school)
            return []
        }),
    GateOperation(
        name: "organisation.updateTrust", allowed: nobody,
        kind: .untargeted { session, _ in
            guard var trust = try await session.organisation.trust() else { return [] }
            trust.name += "."
            _ = try await session.organisation.updateTrust(trust)
            return []
        }),
]

extension StorageConformance {
    /// Every public service method in ``gateOperations``, for a principal holding each role at
    /// Chilton, against records at Chilton, at another school of the same trust, and at a school
    /// of another trust: allowed exactly where the table says at Chilton, refused elsewhere with
    /// exactly the answer given for identifiers that were never used (no name, count or existence
    /// told apart), and listings that return nothing out of reach.
    @_spi(StorageBackend)
    public static func gateMatrix(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let safety = fixture.safety
        let trustAdmin = try await safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        var uptonSchool = SeedSchools.chilton(trustID: fixture.trust.id)
        uptonSchool.id = SchoolID()
        uptonSchool.urn = "900777"
        uptonSchool.name = "Upton Junior School"
        let upton = try await trustAdmin.organisation.addSchool(uptonSchool)
        let farTrust = Trust(name: "Faraway Learning Trust")
        var farSchool = SeedSchools.mersham(trustID: farTrust.id)
        farSchool.urn = "900888"
        let far = try await safety.bootstrap(
            trust: farTrust, school: farSchool,
            administrator: Person(tenancy: .trust(farTrust.id), kind: .staff, givenName: "Fay", familyName: "Faraway"))
        let home = try await MatrixPlace.make(name: "Home", school: fixture.school, admin: trustAdmin, safety: safety)
        let sibling = try await MatrixPlace.make(
            name: "Sibling", school: upton, admin: try await safety.session(actingAs: fixture.admin.id, at: upton.id), safety: safety)
        let distant = try await MatrixPlace.make(
            name: "Distant", school: far.school,
            admin: try await safety.session(actingAs: far.administrator.id, at: far.school.id), safety: safety)
        var principals: [Role: SafetySession] = [:]
        for role in Role.allCases {
            let kind: PersonKind =
                switch role {
                case .learner: .learner
                case .parentCarer: .parentCarer
                case .governor, .chairOfGovernors: .governor
                default: .staff
                }
            let person = try await trustAdmin.people.add(
                Person(
                    tenancy: .school(fixture.school.id), kind: kind, givenName: "As", familyName: role.rawValue,
                    learner: kind == .learner
                        ? LearnerDetails(
                            upn: try UPN(matrixUPN(70_000 + principals.count)), dateOfBirth: CalendarDate(year: 2015, month: 1, day: 1)!,
                            ncYear: .year6, registrationGroup: "Oak") : nil))
            _ = try await trustAdmin.roles.grant(
                RoleGrant(
                    personID: person.id, role: role, scope: .school(fixture.school.id), starts: Fixture.today,
                    groups: role == .staff || role == .technicalStaff ? ["Oak"] : []))
            principals[role] = try await safety.session(actingAs: person.id, at: fixture.school.id)
        }
        let outOfReach = Set(
            sibling.standing.ids + distant.standing.ids + [distant.school.id.uuid, far.trust!.id.uuid, far.administrator.id.uuid])
        var serial = 1
        var checked = 0
        for operation in gateOperations {
            for role in Role.allCases {
                let session = principals[role]!
                let allowed = operation.allowed(role)
                switch operation.kind {
                case .targeted(let fresh, let call):
                    for place in [home, sibling, distant] {
                        let subject = fresh ? try await place.fresh(serial: serial) : place.standing
                        if fresh { serial += 1 }
                        let outcome = await MatrixOutcome.of { try await call(session, subject) }
                        let at = "\(operation.name) as \(role.rawValue) at \(place.name)"
                        if place.name == home.name {
                            try expect(outcome.succeeded == allowed, "\(at): expected \(allowed ? "allowed" : "refused"), got \(outcome)")
                            try expect(outcome.isRefusal || outcome.succeeded, "\(at): a refusal is forbidden or notFound, got \(outcome)")
                        } else {
                            let absent = await MatrixOutcome.of { try await call(session, .absent(like: subject)) }
                            try expect(!outcome.succeeded && outcome.isRefusal, "\(at): refused, got \(outcome)")
                            try expect(outcome == absent, "\(at): answered as for identifiers never used: \(outcome) against \(absent)")
                            try expect(
                                !outcome.description.contains(place.name) && !outcome.description.contains("Child"),
                                "\(at): the refusal describes no one: \(outcome)")
                        }
                        checked += 1
                    }
                case .untargeted(let call):
                    serial += 1
                    let number = 10_000 + serial
                    var returned: [UUID] = []
                    let outcome = await MatrixOutcome.of { returned = try await call(session, number) }
                    let at = "\(operation.name) as \(role.rawValue)"
                    try expect(outcome.succeeded == allowed, "\(at): expected \(allowed ? "allowed" : "refused"), got \(outcome)")
                    if !outcome.succeeded { try expect(outcome.code == .forbidden, "\(at): refused as forbidden, got \(outcome)") }
                    try expect(outOfReach.isDisjoint(with: returned), "\(at): returned a record out of reach")
                    checked += 1
                }
            }
        }
        try expect(checked > 1_000, "the matrix ran \(checked) calls")
        try expect(try await AuditChain.verify(store.audit).isIntact, "the audit chains verify after the matrix")
    }
}

/// What one matrix call came to: success, or the code and words of its refusal.
struct MatrixOutcome: Equatable, CustomStringConvertible {
    let succeeded: Bool
    let code: SafetyError.Code?
    let reason: String

    static func of(_ body: () async throws -> Void) async -> MatrixOutcome {
        do {
            try await body()
            return MatrixOutcome(succeeded: true, code: nil, reason: "")
        } catch let error as SafetyError {
            return MatrixOutcome(succeeded: false, code: error.code, reason: error.reason)
        } catch let failure as ConformanceFailure {
            return MatrixOutcome(succeeded: false, code: nil, reason: "expectation: \(failure.description)")
        } catch {
            return MatrixOutcome(succeeded: false, code: nil, reason: "unexpected error")
        }
    }

    var isRefusal: Bool { code == .forbidden || code == .notFound }

    var description: String { succeeded ? "success" : "\(code.map { "\($0)" } ?? "error"): \(reason)" }
}
