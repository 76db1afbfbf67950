public import Foundation
import Logging

/// A new concern as a member of staff records it.
public struct NewIncident: Sendable, Hashable {
    /// When it happened.
    public var occurredAt: Date
    /// On or off site.
    public var location: IncidentLocation
    /// School or personal equipment.
    public var equipment: Equipment
    /// What happened.
    public var summary: String
    /// The risk area.
    public var riskArea: RiskArea
    /// The category code: a built-in one, or `custom.<code>` for the school's or trust's own.
    public var categoryCode: String
    /// The people involved and their parts.
    public var participants: [ParticipantPart: [PersonID]]
    /// Facts known at the time of reporting.
    public var facts: [IncidentFact]

    /// Creates a new incident.
    public init(
        occurredAt: Date, location: IncidentLocation, equipment: Equipment, summary: String, riskArea: RiskArea, categoryCode: String,
        participants: [ParticipantPart: [PersonID]], facts: [IncidentFact] = []
    ) {
        self.occurredAt = occurredAt
        self.location = location
        self.equipment = equipment
        self.summary = summary
        self.riskArea = riskArea
        self.categoryCode = categoryCode
        self.participants = participants
        self.facts = facts
    }
}

/// An incident's outstanding or overdue steps.
public struct IncidentSteps: Sendable, Hashable, Codable {
    /// The incident.
    public let incidentID: IncidentID
    /// Its school.
    public let schoolID: SchoolID
    /// Its category code.
    public let categoryCode: String
    /// The steps, in deadline order.
    public let steps: [ProcedureStep]
}

/// One item of a child's chronology: an incident's report, or one of its entries.
public struct ChildChronologyItem: Sendable, Hashable {
    /// The incident.
    public let incidentID: IncidentID
    /// Its category.
    public let category: IncidentCategory
    /// The child's part in it.
    public let part: ParticipantPart
    /// When.
    public let at: Date
    /// The entry, or `nil` for the report itself.
    public let entry: ChronologyEntry?
    /// The incident's summary, for the report item.
    public let summary: String?
}

/// Incidents: categories, recording, reading, listing and figures, through the session's gate.
///
/// What happens next on an incident lives in ``ChronologyService``, ``ProcedureStepService`` and
/// ``DeviceCustodyService``. An incident the principal may not see (another school's, a
/// restricted one for anyone but the DSL and deputies, someone else's report for other staff) is
/// answered exactly as one that does not exist.
///
/// ```swift
/// let incident = try await session.incidents.record(NewIncident(...))
/// try await session.chronology.append(.referral(Referral(agency: .childrensSocialCare, method: .phone)), to: incident.id)
/// let next = try await session.steps.steps(for: incident.id).filter { $0.isOutstanding(asOf: .now) }
/// ```
public struct IncidentService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    // MARK: Categories

    /// The built-in categories and the school's and trust's own. Audited.
    public func categories() async throws -> [IncidentCategory] {
        let query = CategoryQuery(schoolID: principal.school.id, trustID: principal.school.trustID)
        return try await session.gate(.categoryList, CustomCategory.recordKind, subject: nil, authority: .allowed) { context in
            IncidentCategory.builtIns + (try await context.tx.categories.find(query)).map(\.category)
        }
    }

    /// Adds a school's (or, held trust-wide, the trust's) own category under a built-in one.
    /// Requires `readAllIncidents` (the DSL) or `manageOrganisation`. Throws `forbidden`,
    /// `invalidInput`, or `conflict` when the code is taken at the school or its trust.
    @discardableResult
    public func addCategory(code: String, name: String, under parentCode: String, trustWide: Bool = false) async throws -> CustomCategory {
        var decision: AccessDecision =
            principal.can(.readAllIncidents) || principal.can(.manageOrganisation)
            ? .allowed : .denied("only the DSL or a data manager can add incident categories")
        if trustWide && decision == .allowed && !AccessPolicy.holdsTrustWide(.manageOrganisation, principal) {
            decision = .denied("only a trust-wide data manager can add the trust's categories")
        }
        let category = CustomCategory(
            schoolID: trustWide ? nil : principal.school.id, trustID: trustWide ? principal.school.trustID : nil, code: code, name: name,
            parentCode: parentCode)
        let scope = CategoryQuery(schoolID: principal.school.id, trustID: principal.school.trustID)
        return try await session.gate(.categoryInsert, CustomCategory.recordKind, subject: category.id.uuid, authority: decision) {
            context in
            let checked = try category.checkedForInsert()
            let owner = context.principal.school
            try await context.tx.lock("category:\(owner.trustID?.uuidString ?? owner.id.uuidString)")
            if try await context.tx.categories.find(scope).contains(where: { $0.code == checked.code }) {
                throw SafetyError(.conflict, "a category with that code already exists")
            }
            return try await context.tx.categories.insert(checked)
        }
    }

    // MARK: Recording and reading

    /// Records a concern. Any member of staff may; the reporter is the acting person. Everyone
    /// involved must be within the session's reach. Throws `forbidden`, `invalidInput` (an
    /// unknown category, a missing summary), and `notFound` for a person out of reach.
    @discardableResult
    public func record(_ new: NewIncident) async throws -> Incident {
        let decision = AccessPolicy.require(.recordConcern, principal, to: "record a concern")
        let now = session.clock.now()
        let school = principal.school
        let reporter = principal.person.id
        let id = IncidentID()
        let incident = try await session.gate(.incidentInsert, Incident.recordKind, subject: id.uuid, authority: decision) { context in
            try await Self.insert(new, id: id, reporter: reporter, at: now, context)
        }
        session.logger.info("incident recorded", metadata: ["incident": "\(incident.id)", "school": "\(school.id)"])
        return incident
    }

    /// Reads an incident the principal may see; otherwise `notFound`, as if it did not exist.
    public func get(_ id: IncidentID) async throws -> Incident {
        try await session.gate(.incidentRead, Incident.recordKind, subject: id.uuid, authority: .allowed) { context in
            try await Self.visible(id, context)
        }
    }

    /// Incidents the principal may see: everything at the school for the DSL (trust-wide holders
    /// may name other schools of the trust), non-restricted ones for the head, and only what
    /// they reported for anyone else. Records which incidents it returned.
    public func list(_ query: IncidentQuery = IncidentQuery()) async throws -> [Incident] {
        let principal = principal
        return try await session.gate(
            .incidentList, Incident.recordKind, subject: nil, authority: .allowed, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            let scoped = try await Self.scope(query, context)
            if scoped.includeRestricted { await context.markRestricted() }
            return try await context.tx.incidents.find(scoped).filter { AccessPolicy.canSee($0, principal) }
        }
    }

    /// How many incidents the principal may see match a query. Audited.
    public func count(_ query: IncidentQuery = IncidentQuery()) async throws -> Int {
        try await session.gate(.incidentCount, Incident.recordKind, subject: nil, authority: .allowed) { context in
            let scoped = try await Self.scope(query, context)
            if scoped.includeRestricted { await context.markRestricted() }
            return try await context.tx.incidents.count(scoped)
        }
    }

    /// Counts by category for governors' and leaders' figures (`readAggregates`); restricted
    /// categories are counted only for the DSL and deputies. Names no one. Throws `forbidden`.
    public func countsByCategory(from: Date? = nil, to: Date? = nil) async throws -> [String: Int] {
        let decision = AccessPolicy.require(.readAggregates, principal, to: "read incident figures")
        let includeRestricted = principal.can(.readRestrictedIncidents)
        let schoolIDs = [principal.school.id]
        let query = CategoryQuery(schoolID: principal.school.id, trustID: principal.school.trustID)
        return try await session.gate(.incidentFigures, Incident.recordKind, subject: nil, authority: decision) { context in
            let categories = IncidentCategory.builtIns + (try await context.tx.categories.find(query)).map(\.category)
            var counts: [String: Int] = [:]
            for category in categories where includeRestricted || !category.restricted {
                let count = try await context.tx.incidents.count(
                    IncidentQuery(
                        schoolIDs: schoolIDs, categoryCodes: [category.code], includeRestricted: includeRestricted, occurredFrom: from,
                        occurredTo: to))
                if count > 0 { counts[category.code] = count }
            }
            return counts
        }
    }

    // MARK: Shared by the incident services

    /// A category by code, among the built-ins and the school's and trust's own.
    /// Records an incident at the session's school inside the caller's transaction, with its
    /// procedure steps: the body of ``record(_:)``, also used when a monitoring alert needs action.
    static func insert(
        _ new: NewIncident, id: IncidentID, reporter: PersonID, at now: Date, _ context: GateContext
    ) async throws -> Incident {
        let school = try await context.currentSchool()
        let category = try await Self.category(new.categoryCode, context)
        if category.restricted { await context.markRestricted() }
        var participants: [Participant] = []
        for (part, people) in new.participants.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for personID in people {
                let person = try await context.person(personID)
                participants.append(
                    Participant(
                        personID: personID, part: part, isLearner: person.kind == .learner, dateOfBirth: person.learner?.dateOfBirth,
                        keyStage: person.learner?.keyStage))
            }
        }
        let incident = Incident(
            id: id, schoolID: school.id, reporterID: reporter, occurredAt: SafetyClock.truncated(new.occurredAt), reportedAt: now,
            location: new.location, equipment: new.equipment, summary: new.summary, riskArea: new.riskArea, category: category,
            participants: participants, facts: Set(new.facts).map { RecordedFact($0, at: now) })
        let stored = try await context.tx.incidents.insert(incident.checkedForInsert())
        try await Self.refreshProcedure(stored, school: school, context.tx)
        return stored
    }

    static func category(_ code: String, _ context: GateContext) async throws -> IncidentCategory {
        if let builtIn = IncidentCategory.builtIns.first(where: { $0.code == code }) { return builtIn }
        let school = context.principal.school
        let custom = try await context.tx.categories.find(CategoryQuery(schoolID: school.id, trustID: school.trustID))
        guard let category = custom.map(\.category).first(where: { $0.code == code }) else {
            throw SafetyError.invalid("incident.categoryCode", "no such incident category")
        }
        return category
    }

    /// Narrows a query to what the principal may see: their school (or named schools of their
    /// trust, for trust-wide holders), restricted incidents only for the DSL and deputies, and only
    /// their own reports for anyone who does not read every incident.
    static func scope(_ query: IncidentQuery, _ context: GateContext) async throws -> IncidentQuery {
        var scoped = query
        let principal = context.principal
        let school = principal.school
        if AccessPolicy.holdsTrustWide(.readAllIncidents, principal), let requested = scoped.schoolIDs, let trustID = school.trustID {
            let trustSchools = Set(try await context.tx.schools.find(SchoolQuery(trustID: trustID)).map(\.id))
            scoped.schoolIDs = requested.filter { trustSchools.contains($0) }
        } else {
            scoped.schoolIDs = [school.id]
        }
        if AccessPolicy.holds(.readAllIncidents, at: school.id, principal) {
            scoped.includeRestricted = AccessPolicy.holds(.readRestrictedIncidents, at: school.id, principal)
        } else {
            scoped.reporterID = principal.person.id
            scoped.includeRestricted = true
        }
        return scoped
    }

    /// An incident the principal may see (and, with `manage`, manage), at the session's school or
    /// another school of its trust; `notFound` otherwise, exactly as for an absent one. A
    /// restricted incident's events go on the restricted chain, whether it is shown or refused.
    ///
    /// An incident outside the session's reach is answered exactly as an absent one, its
    /// refusal filed where an unknown identifier's is, so the audit tells nothing of it.
    static func visible(_ id: IncidentID, manage: Bool = false, _ context: GateContext) async throws -> Incident {
        let principal = context.principal
        guard let incident = try await context.tx.incidents.get(id), try await inReach(incident, context) else {
            throw SafetyError.notFound("incident")
        }
        if incident.isRestricted { await context.markRestricted() }
        guard AccessPolicy.canSee(incident, principal), !manage || AccessPolicy.canManage(incident, principal) else {
            throw SafetyError.notFound("incident")
        }
        return incident
    }

    /// Whether an incident is at the session's school, or at another school of its trust.
    static func inReach(_ incident: Incident, _ context: GateContext) async throws -> Bool {
        let school = context.principal.school
        if incident.schoolIDValue == school.id { return true }
        guard let trustID = school.trustID else { return false }
        return try await context.tx.schools.get(incident.schoolIDValue)?.trustID == trustID
    }

    /// After a change to an incident: its steps derived again under the policy version it follows.
    static func changed(_ incident: Incident, _ context: GateContext) async throws {
        let school = try await context.tx.schools.get(incident.schoolIDValue) ?? context.principal.school
        try await refreshProcedure(incident, school: school, context.tx)
    }

    /// The next position in an incident's chronology. Two entries racing for one position clash
    /// on the incident's procedure status, and the loser is retried.
    static func nextSequence(_ id: IncidentID, _ tx: any OnlineSafetyStore) async throws -> Int {
        try await tx.chronology.count(ChronologyQuery(incidentIDs: [id])) + 1
    }

    /// Derives the incident's steps from its chronology and stores them beside it: under the
    /// policy version it already follows, or, for a new incident, the version in force at the
    /// school on the day it was reported (or the one `policy` names, when the DSL applies one).
    static func refreshProcedure(
        _ incident: Incident, school: School, _ tx: any OnlineSafetyStore, applyingOn day: CalendarDate? = nil
    ) async throws {
        let entries = try await tx.chronology.find(ChronologyQuery(incidentIDs: [incident.id]))
        let existing = try await tx.procedures.get(ProcedureStatusID(incident.id.uuid))
        let adopted: AdoptedPolicy?
        if day == nil, let existing {
            if let policyID = existing.policyID { adopted = try await tx.policies.get(policyID) } else { adopted = nil }
        } else {
            adopted = try await PolicyService.inForce(at: school, on: day ?? CalendarDate(incident.reportedAt), tx)
        }
        let document = adopted?.document ?? SeedPolicies.builtIn(forSchoolNamed: school.name)
        let steps = ProcedureEngine.steps(for: incident, policy: document, settings: school.settings, entries: entries)
        if var status = existing {
            status.steps = steps
            status.restricted = incident.isRestricted
            status.policyID = adopted?.id
            status.policyVersion = document.version
            _ = try await tx.procedures.update(status)
        } else {
            _ = try await tx.procedures.insert(
                ProcedureStatus(incident: incident, steps: steps, policyID: adopted?.id, policyVersion: document.version))
        }
    }
}
