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
public struct IncidentSteps: Sendable, Hashable {
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

/// Incidents and the procedures the policy demands, through the session's checks and audit.
///
/// ```swift
/// let incident = try await session.incidents.record(NewIncident(...))
/// try await session.incidents.append(.referral(Referral(agency: .childrensSocialCare, method: .phone)), to: incident.id)
/// let next = try await session.incidents.steps(for: incident.id).filter { $0.isOutstanding(asOf: .now) }
/// ```
public struct IncidentService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    // MARK: Categories

    /// The built-in categories and the school's and trust's own.
    public func categories() async throws -> [IncidentCategory] {
        let custom = try await session.store.categories.find(
            CategoryQuery(schoolID: principal.school.id, trustID: principal.school.trustID))
        return IncidentCategory.builtIns + custom.map(\.category)
    }

    /// Adds a school's (or, held trust-wide, the trust's) own category under a built-in one.
    /// Requires `readAllIncidents` (the DSL) or `manageOrganisation`.
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
        let checked = decision == .allowed ? try category.checkedForInsert() : category
        let scope = CategoryQuery(schoolID: principal.school.id, trustID: principal.school.trustID)
        return try await session.perform("category.insert", CustomCategory.recordKind, subject: category.id.uuid, decision: decision) {
            tx in
            if try await tx.categories.find(scope).contains(where: { $0.code == checked.code }) {
                throw SafetyError(.conflict, "a category with that code already exists")
            }
            return try await tx.categories.insert(checked)
        }
    }

    // MARK: Recording and reading

    /// Records a concern. Any member of staff may; the reporter is the acting person.
    @discardableResult
    public func record(_ new: NewIncident) async throws -> Incident {
        let decision = AccessPolicy.require(.recordConcern, principal, to: "record a concern")
        if case .denied(let reason) = decision { try await session.refuse("incident.insert", Incident.recordKind, nil, reason: reason) }
        let category = try await resolveCategory(new.categoryCode)
        let now = session.clock.now()
        let school = principal.school
        let reporter = principal.person.id
        let session = session
        let id = IncidentID()
        let event = session.draft("incident.insert", Incident.recordKind, id.uuid, restricted: category.restricted)
        let incident = try await session.store.withTransaction { tx in
            var participants: [Participant] = []
            for (part, people) in new.participants.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                for personID in people {
                    guard let person = try await tx.people.get(personID), person.schoolID == nil || person.schoolID == school.id else {
                        throw SafetyError.invalid("incident.participants", "a person involved is not known at this school")
                    }
                    participants.append(
                        Participant(
                            personID: personID, part: part, isLearner: person.kind == .learner, dateOfBirth: person.learner?.dateOfBirth))
                }
            }
            let incident = Incident(
                id: id, schoolID: school.id, reporterID: reporter, occurredAt: SafetyClock.truncated(new.occurredAt), reportedAt: now,
                location: new.location, equipment: new.equipment, summary: new.summary, riskArea: new.riskArea, category: category,
                participants: participants, facts: Set(new.facts).map { RecordedFact($0, at: now) })
            let stored = try await tx.incidents.insert(incident.checkedForInsert())
            try await Self.refreshProcedure(stored, settings: school.settings, tx)
            _ = try await tx.audit.append(event)
            return stored
        }
        session.logger.info("incident recorded", metadata: ["incident": "\(incident.id)", "school": "\(school.id)"])
        return incident
    }

    /// Reads an incident the principal may see; otherwise `notFound`, as if it did not exist.
    public func get(_ id: IncidentID) async throws -> Incident {
        try await visible(id, action: "incident.read")
    }

    /// Incidents the principal may see: everything at the school for the DSL (trust-wide holders
    /// may name other schools of the trust), non-restricted ones for the head, and only what
    /// they reported for anyone else.
    public func list(_ query: IncidentQuery = IncidentQuery()) async throws -> [Incident] {
        let scoped = try await scope(query)
        let principal = principal
        let event = session.draft("incident.list", Incident.recordKind, nil, restricted: scoped.includeRestricted)
        return try await session.store.withTransaction { tx in
            var found: [Incident] = []
            for incident in try await tx.incidents.find(scoped) where AccessPolicy.canSee(incident, principal) {
                if try await Self.inReach(incident, principal, tx) { found.append(incident) }
            }
            _ = try await tx.audit.append(event)
            return found
        }
    }

    /// How many incidents the principal may see match a query.
    public func count(_ query: IncidentQuery = IncidentQuery()) async throws -> Int {
        try await session.store.incidents.count(try await scope(query))
    }

    /// Counts by category for governors' and leaders' figures (`readAggregates`); restricted
    /// categories are counted only for the DSL and deputies. Names no one.
    public func countsByCategory(from: Date? = nil, to: Date? = nil) async throws -> [String: Int] {
        let decision = AccessPolicy.require(.readAggregates, principal, to: "read incident figures")
        let includeRestricted = principal.can(.readRestrictedIncidents)
        let schoolIDs = [principal.school.id]
        let categories = try await categories()
        return try await session.perform("incident.figures", Incident.recordKind, subject: nil, decision: decision) { tx in
            var counts: [String: Int] = [:]
            for category in categories where includeRestricted || !category.restricted {
                let count = try await tx.incidents.count(
                    IncidentQuery(
                        schoolIDs: schoolIDs, categoryCodes: [category.code], includeRestricted: includeRestricted, occurredFrom: from,
                        occurredTo: to))
                if count > 0 { counts[category.code] = count }
            }
            return counts
        }
    }

    /// Narrows a query to what the principal may see: their school (or named schools of their
    /// trust, for trust-wide holders), restricted incidents only for the DSL and deputies, and only
    /// their own reports for anyone who does not read every incident.
    private func scope(_ query: IncidentQuery) async throws -> IncidentQuery {
        var scoped = query
        let school = principal.school
        if AccessPolicy.holdsTrustWide(.readAllIncidents, principal), let requested = scoped.schoolIDs, let trustID = school.trustID {
            let trustSchools = Set(try await session.store.schools.find(SchoolQuery(trustID: trustID)).map(\.id))
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

    /// Whether an incident is at the session's school, or at another school of its trust.
    private static func inReach(_ incident: Incident, _ principal: Principal, _ tx: any OnlineSafetyStore) async throws -> Bool {
        if incident.schoolIDValue == principal.school.id { return true }
        guard let trustID = principal.school.trustID else { return false }
        return try await tx.schools.get(incident.schoolIDValue)?.trustID == trustID
    }

    // MARK: The chronology

    /// Appends an entry to an incident's chronology and refreshes its steps.
    ///
    /// The DSL (and deputies, and the head for non-restricted incidents) may append anything; the
    /// reporter may add notes to their own report. Only the DSL or a deputy records a decision on
    /// viewing imagery. A correction must name an entry of the same incident.
    @discardableResult
    public func append(
        _ content: ChronologyContent, to id: IncidentID, occurredAt: Date? = nil, satisfies: [String] = []
    ) async throws -> ChronologyEntry {
        try content.validate()
        let principal = principal
        let session = session
        return try await mutate(id, action: "chronology.\(content.kind)") { incident, tx in
            if case .imageViewing = content, !AccessPolicy.isSafeguardingLead(principal) {
                return .denied("only the DSL or a deputy may decide to view imagery, and only when there is no other option")
            }
            let isNote = if case .note = content { true } else { false }
            guard AccessPolicy.canManage(incident, principal) || (isNote && incident.reporterID == principal.person.id) else {
                return .denied("only the DSL and deputies manage an incident; the reporter may add notes to their own report")
            }
            if case .attachment(let reference) = content, reference.isImagery, incident.category.refusesImagery {
                throw SafetyError(
                    .constraintViolation,
                    "imagery is never stored for this kind of incident: record the device's storage location in the custody register "
                        + "and the IWF report instead")
            }
            var updated = incident
            switch content {
            case .correction(let entryID, _, _):
                guard let original = try await tx.chronology.get(entryID), original.incidentID == incident.id else {
                    throw SafetyError.invalid("entry.entryID", "a correction names an entry of the same incident")
                }
            case .participantClosure(let personID, let outcome):
                guard let index = updated.participants.firstIndex(where: { $0.personID == personID }) else {
                    throw SafetyError.invalid("entry.personID", "that person is not involved in the incident")
                }
                guard !updated.participants[index].isClosed else {
                    throw SafetyError(.constraintViolation, "that person's part is already closed")
                }
                updated.participants[index].outcome = outcome
                updated.participants[index].closedAt = session.clock.now()
            case .factsRecorded(let facts):
                for fact in Set(facts) where !updated.has(fact) { updated.facts.append(RecordedFact(fact, at: session.clock.now())) }
                updated.facts.sort { $0.fact < $1.fact }
            case .parentNotification(let notification):
                guard incident.participants.contains(where: { $0.personID == notification.learnerID && $0.isLearner }) else {
                    throw SafetyError.invalid("entry.learnerID", "parents are notified about a learner involved in the incident")
                }
            case .deviceCustody(let deviceID, _, _):
                guard try await tx.devices.get(deviceID)?.incidentID == incident.id else {
                    throw SafetyError.invalid("entry.deviceID", "the device is not in the register for this incident")
                }
            default: break
            }
            let entry = ChronologyEntry(
                incidentID: incident.id, schoolID: incident.schoolIDValue, sequence: try await Self.nextSequence(incident.id, tx),
                restricted: incident.isRestricted, recordedAt: session.clock.now(), recordedBy: principal.person.id,
                occurredAt: occurredAt.map(SafetyClock.truncated), content: content, satisfies: satisfies)
            let stored = try await tx.chronology.insert(entry.checkedForInsert())
            if updated != incident { updated = try await tx.incidents.update(updated) }
            return .done(stored, updated, nil)
        }.entry
    }

    /// Records facts (they may add steps, due from now).
    @discardableResult
    public func recordFacts(_ facts: [IncidentFact], on id: IncidentID) async throws -> ChronologyEntry {
        try await append(.factsRecorded(facts), to: id)
    }

    /// Closes one participant's part with its outcome (required).
    @discardableResult
    public func close(_ personID: PersonID, in id: IncidentID, outcome: String) async throws -> ChronologyEntry {
        try await append(.participantClosure(personID: personID, outcome: outcome), to: id)
    }

    /// Refuses image and video attachments for nude-image and IIOC incidents; records a reference otherwise.
    @discardableResult
    public func attach(_ reference: AttachmentReference, to id: IncidentID) async throws -> ChronologyEntry {
        try await append(.attachment(reference), to: id)
    }

    /// An incident's chronology in recording order, for those who manage it.
    public func chronology(of id: IncidentID) async throws -> [ChronologyEntry] {
        let principal = principal
        let incident = try await visible(id, action: "chronology.read", require: { AccessPolicy.canManage($0, principal) })
        return try await session.store.chronology.find(ChronologyQuery(incidentIDs: [incident.id]))
    }

    // MARK: Steps

    /// The steps the school's policy requires for an incident, as they stood at an instant.
    public func steps(for id: IncidentID, asOf time: Date? = nil) async throws -> [ProcedureStep] {
        let principal = principal
        let incident = try await visible(id, action: "procedure.read", require: { AccessPolicy.canManage($0, principal) })
        let time = time ?? session.clock.now()
        guard let status = try await session.store.procedures.get(ProcedureStatusID(incident.id.uuid)) else { return [] }
        return status.steps.filter { $0.requiredFrom <= time }
    }

    /// Incidents with steps outstanding at an instant, at the session's school or across the trust.
    public func outstandingSteps(asOf time: Date? = nil, acrossTrust: Bool = false) async throws -> [IncidentSteps] {
        try await stepsReport(asOf: time ?? session.clock.now(), acrossTrust: acrossTrust, overdueOnly: false)
    }

    /// Incidents with steps overdue at an instant, at the session's school or across the trust.
    public func overdueSteps(asOf time: Date? = nil, acrossTrust: Bool = false) async throws -> [IncidentSteps] {
        try await stepsReport(asOf: time ?? session.clock.now(), acrossTrust: acrossTrust, overdueOnly: true)
    }

    private func stepsReport(asOf time: Date, acrossTrust: Bool, overdueOnly: Bool) async throws -> [IncidentSteps] {
        var decision = AccessPolicy.require(.readAllIncidents, principal, to: "read the steps of incidents")
        if acrossTrust && decision == .allowed && !AccessPolicy.holdsTrustWide(.readAllIncidents, principal) {
            decision = .denied("only a trust-wide safeguarding lead can read steps across the trust")
        }
        let school = principal.school
        let includeRestricted = AccessPolicy.holds(.readRestrictedIncidents, at: school.id, principal)
        return try await session.perform("procedure.report", ProcedureStatus.recordKind, subject: nil, decision: decision) { tx in
            var schoolIDs = [school.id]
            if acrossTrust, let trustID = school.trustID { schoolIDs = try await tx.schools.find(SchoolQuery(trustID: trustID)).map(\.id) }
            let query = ProcedureStatusQuery(
                schoolIDs: schoolIDs, includeRestricted: includeRestricted, dueBy: overdueOnly ? time : nil, outstandingOnly: !overdueOnly)
            var report: [IncidentSteps] = []
            for status in try await tx.procedures.find(query) {
                let steps = status.steps.filter { overdueOnly ? $0.isOverdue(asOf: time) : $0.isOutstanding(asOf: time) }
                guard !steps.isEmpty else { continue }
                report.append(
                    IncidentSteps(
                        incidentID: status.incidentID, schoolID: status.schoolIDValue, categoryCode: status.categoryCode,
                        steps: steps.sorted { ($0.due ?? .distantFuture) < ($1.due ?? .distantFuture) }))
            }
            return report
        }
    }

    // MARK: A child's chronology

    /// Everything about one child across incidents, in time order, as the DSL sees it.
    public func childChronology(
        of personID: PersonID, categories: [String]? = nil, from: Date? = nil, to: Date? = nil
    ) async throws -> [ChildChronologyItem] {
        let decision = AccessPolicy.require(.readAllIncidents, principal, to: "read a child's chronology")
        let query = IncidentQuery(
            schoolIDs: [principal.school.id], categoryCodes: categories, participantID: personID,
            includeRestricted: AccessPolicy.holds(.readRestrictedIncidents, at: principal.school.id, principal))
        let principal = principal
        return try await session.perform(
            "person.chronology", Person.recordKind, subject: personID.uuid, decision: decision, restricted: query.includeRestricted
        ) { tx in
            let incidents = try await tx.incidents.find(query).filter { AccessPolicy.canManage($0, principal) }
            guard !incidents.isEmpty else { return [] }
            let entries = try await tx.chronology.find(ChronologyQuery(incidentIDs: incidents.map(\.id)))
            var items: [ChildChronologyItem] = []
            for incident in incidents {
                let part = incident.participants.first { $0.personID == personID }?.part ?? .subject
                items.append(
                    ChildChronologyItem(
                        incidentID: incident.id, category: incident.category, part: part, at: incident.occurredAt, entry: nil,
                        summary: incident.summary))
                for entry in entries where entry.incidentID == incident.id {
                    items.append(
                        ChildChronologyItem(
                            incidentID: incident.id, category: incident.category, part: part, at: entry.effectiveAt, entry: entry,
                            summary: nil))
                }
            }
            return items.filter { item in (from.map { item.at >= $0 } ?? true) && (to.map { item.at <= $0 } ?? true) }
                .sorted { $0.at < $1.at }
        }
    }

    // MARK: Devices

    /// Records a seized (or quarantined) device in the custody register, linked to an incident.
    @discardableResult
    public func seizeDevice(
        for id: IncidentID, item: String, ownerID: PersonID?, reason: String, storageLocation: String, holdsEvidence: Bool,
        status: DeviceStatus = .held
    ) async throws -> DeviceRecord {
        let principal = principal
        let session = session
        let result = try await mutate(id, action: "device.seize") { incident, tx in
            guard AccessPolicy.canManage(incident, principal) else { return .denied("only the DSL and deputies manage seized devices") }
            let record = DeviceRecord(
                schoolID: incident.schoolIDValue, incidentID: incident.id, restricted: incident.isRestricted, item: item, ownerID: ownerID,
                seizedBy: principal.person.id, seizedAt: session.clock.now(), reason: reason, storageLocation: storageLocation,
                holdsEvidence: holdsEvidence || incident.category.refusesImagery, initialStatus: status)
            let device = try await tx.devices.insert(record.checkedForInsert())
            let entry = ChronologyEntry(
                incidentID: incident.id, schoolID: incident.schoolIDValue, sequence: try await Self.nextSequence(incident.id, tx),
                restricted: incident.isRestricted, recordedAt: session.clock.now(), recordedBy: principal.person.id,
                content: .deviceCustody(deviceID: device.id, status: status, note: "seized: \(storageLocation)"))
            let appended = try await tx.chronology.insert(entry.checkedForInsert())
            return .done(appended, incident, device)
        }
        guard let device = result.device else { throw SafetyError.notFound("device") }
        return device
    }

    /// Moves a device to a new status; evidence can never move to `contentDeleted`.
    @discardableResult
    public func moveDevice(_ deviceID: DeviceRecordID, to status: DeviceStatus, note: String? = nil, examinedBy: PersonID? = nil)
        async throws
        -> DeviceRecord
    {
        guard let device = try await session.store.devices.get(deviceID), let incidentID = device.incidentID else {
            throw SafetyError.notFound("device")
        }
        let principal = principal
        let session = session
        let result = try await mutate(incidentID, action: "device.move") { incident, tx in
            guard AccessPolicy.canManage(incident, principal) else { return .denied("only the DSL and deputies manage seized devices") }
            guard var current = try await tx.devices.get(deviceID) else { throw SafetyError.notFound("device") }
            try current.move(to: status, at: session.clock.now(), by: principal.person.id, note: note)
            if let examinedBy, !current.examinedBy.contains(examinedBy) { current.examinedBy.append(examinedBy) }
            let device = try await tx.devices.update(current)
            let entry = ChronologyEntry(
                incidentID: incident.id, schoolID: incident.schoolIDValue, sequence: try await Self.nextSequence(incident.id, tx),
                restricted: incident.isRestricted, recordedAt: session.clock.now(), recordedBy: principal.person.id,
                content: .deviceCustody(deviceID: device.id, status: status, note: note))
            let appended = try await tx.chronology.insert(entry.checkedForInsert())
            return .done(appended, incident, device)
        }
        guard let device = result.device else { throw SafetyError.notFound("device") }
        return device
    }

    /// The custody register at the school (restricted incidents' devices only for the DSL).
    public func devices(_ statuses: [DeviceStatus]? = nil) async throws -> [DeviceRecord] {
        let decision = AccessPolicy.require(.readAllIncidents, principal, to: "read the device custody register")
        let query = DeviceQuery(
            schoolIDs: [principal.school.id], statuses: statuses,
            includeRestricted: AccessPolicy.holds(.readRestrictedIncidents, at: principal.school.id, principal))
        return try await session.perform("device.list", DeviceRecord.recordKind, subject: nil, decision: decision) { tx in
            try await tx.devices.find(query)
        }
    }

    // MARK: Internals

    private func resolveCategory(_ code: String) async throws -> IncidentCategory {
        guard let category = try await categories().first(where: { $0.code == code }) else {
            throw SafetyError.invalid("incident.categoryCode", "no such incident category")
        }
        return category
    }

    /// Reads an incident; `notFound` when it does not exist or the principal may not see it.
    private func visible(
        _ id: IncidentID, action: String, require: @Sendable @escaping (Incident) -> Bool = { _ in true }
    ) async throws -> Incident {
        let principal = principal
        let session = session
        let outcome: Visible = try await session.store.withTransaction { tx in
            guard let incident = try await tx.incidents.get(id) else { return .missing(false) }
            guard AccessPolicy.canSee(incident, principal), require(incident), try await Self.inReach(incident, principal, tx) else {
                return .missing(incident.isRestricted)
            }
            _ = try await tx.audit.append(session.draft(action, Incident.recordKind, id.uuid, restricted: incident.isRestricted))
            return .found(incident)
        }
        switch outcome {
        case .found(let incident): return incident
        case .missing(let restricted):
            let event = session.draft(action, Incident.recordKind, id.uuid, .denied, reason: "not visible", restricted: restricted)
            try await session.store.withTransaction { tx in _ = try await tx.audit.append(event) }
            throw SafetyError.notFound("incident")
        }
    }

    private enum Visible: Sendable {
        case found(Incident)
        case missing(Bool)
    }

    enum Mutation: Sendable {
        case done(ChronologyEntry, Incident, DeviceRecord?)
        case denied(String)
    }

    /// Runs a change to an incident in one transaction: the change, its steps, and the audit event.
    /// A clash with a concurrent change is retried, since entries do not depend on what was read.
    private func mutate(
        _ id: IncidentID, action: String,
        _ body: @Sendable @escaping (Incident, any OnlineSafetyStore) async throws -> Mutation
    ) async throws -> (entry: ChronologyEntry, device: DeviceRecord?) {
        let principal = principal
        let session = session
        for attempt in 1...3 {
            do {
                let result: (Mutation, Bool) = try await session.store.withTransaction { tx in
                    guard let incident = try await tx.incidents.get(id), AccessPolicy.canSee(incident, principal),
                        try await Self.inReach(incident, principal, tx)
                    else {
                        throw SafetyError.notFound("incident")
                    }
                    let mutation = try await body(incident, tx)
                    if case .done(let entry, let updated, _) = mutation {
                        let settings = try await tx.schools.get(updated.schoolIDValue)?.settings ?? principal.school.settings
                        try await Self.refreshProcedure(updated, settings: settings, tx)
                        _ = try await tx.audit.append(
                            session.draft(action, ChronologyEntry.recordKind, entry.id.uuid, restricted: incident.isRestricted))
                    }
                    return (mutation, incident.isRestricted)
                }
                switch result.0 {
                case .done(let entry, _, let device): return (entry, device)
                case .denied(let reason):
                    let event = session.draft(action, Incident.recordKind, id.uuid, .denied, reason: reason, restricted: result.1)
                    try await session.store.withTransaction { tx in _ = try await tx.audit.append(event) }
                    throw SafetyError(.forbidden, reason)
                }
            } catch let error as SafetyError where error.code == .conflict && attempt < 3 {
                continue
            }
        }
        throw SafetyError(.conflict, "the incident kept changing; try again")
    }

    /// The next position in an incident's chronology. Two entries racing for one position clash
    /// on the incident's procedure status, and the loser is retried.
    static func nextSequence(_ id: IncidentID, _ tx: any OnlineSafetyStore) async throws -> Int {
        try await tx.chronology.count(ChronologyQuery(incidentIDs: [id])) + 1
    }

    /// Derives the incident's steps from its chronology and stores them beside it.
    static func refreshProcedure(_ incident: Incident, settings: PolicySettings, _ tx: any OnlineSafetyStore) async throws {
        let entries = try await tx.chronology.find(ChronologyQuery(incidentIDs: [incident.id]))
        let steps = ProcedureEngine.steps(for: incident, settings: settings, entries: entries)
        if var status = try await tx.procedures.get(ProcedureStatusID(incident.id.uuid)) {
            status.steps = steps
            status.restricted = incident.isRestricted
            _ = try await tx.procedures.update(status)
        } else {
            _ = try await tx.procedures.insert(ProcedureStatus(incident: incident, steps: steps))
        }
    }
}
