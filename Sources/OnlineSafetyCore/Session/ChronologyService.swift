public import Foundation

/// Each incident's append-only chronology and a child's chronology across incidents, through
/// the session's gate.
///
/// The DSL (and deputies, and the head for non-restricted incidents) manage an incident; the
/// reporter may add notes to their own report. An incident the principal may not see is answered
/// as one that does not exist.
public struct ChronologyService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// Appends an entry to an incident's chronology and refreshes its steps.
    ///
    /// Only the DSL or a deputy records a decision on viewing imagery. A correction must name an
    /// entry of the same incident, a risk assessment cover only people involved in it
    /// (`invalidInput` at `entry.personIDs`), and `satisfies` only steps the incident's procedure
    /// has.
    /// Throws `notFound` (the incident is not visible), `forbidden` (not one who manages it),
    /// `invalidInput`, and `constraintViolation` (imagery for an incident that refuses it).
    @discardableResult
    public func append(
        _ content: ChronologyContent, to id: IncidentID, occurredAt: Date? = nil, satisfies: [String] = []
    ) async throws -> ChronologyEntry {
        let principal = principal
        let session = session
        let action = AuditAction.chronology(content)
        return try await session.gate(action, ChronologyEntry.recordKind, subject: id.uuid, authority: .allowed) { context in
            let incident = try await IncidentService.visible(id, context)
            let isNote = if case .note = content { true } else { false }
            guard AccessPolicy.canManage(incident, principal) || (isNote && incident.reporterID == principal.person.id) else {
                throw SafetyError(
                    .forbidden, "only the DSL and deputies manage an incident; the reporter may add notes to their own report")
            }
            if case .imageViewing = content, !AccessPolicy.isSafeguardingLead(principal) {
                throw SafetyError(.forbidden, "only the DSL or a deputy may decide to view imagery, and only when there is no other option")
            }
            try content.validate()
            if case .attachment(let reference) = content, reference.isImagery, incident.category.refusesImagery {
                throw SafetyError(
                    .constraintViolation,
                    "imagery is never stored for this kind of incident: record the device's storage location in the custody register "
                        + "and the IWF report instead")
            }
            if !satisfies.isEmpty {
                let steps = try await context.tx.procedures.get(ProcedureStatusID(incident.id.uuid))?.steps ?? []
                for code in satisfies {
                    guard let step = steps.first(where: { $0.code == code }) else {
                        throw SafetyError.invalid("entry.satisfies", "an entry can satisfy only steps of this incident's procedure")
                    }
                    guard step.evidence == .explicit || step.evidence.isSatisfied(by: content) else {
                        throw SafetyError.invalid(
                            "entry.satisfies", "that step is satisfied only by its own kind of entry (a referral, a risk assessment…)")
                    }
                }
            }
            var updated = incident
            switch content {
            case .correction(let entryID, _, _):
                guard let original = try await context.tx.chronology.get(entryID), original.incidentID == incident.id else {
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
            case .riskAssessment(let assessment):
                // Whom it covers is named by the incident: an identifier of no one, or of someone
                // not involved, is a mistake that the chronology would keep for good.
                for personID in assessment.personIDs where !incident.participants.contains(where: { $0.personID == personID }) {
                    throw SafetyError.invalid("entry.personIDs", "a risk assessment covers people involved in the incident")
                }
            case .parentNotification(let notification):
                guard incident.participants.contains(where: { $0.personID == notification.learnerID && $0.isLearner }) else {
                    throw SafetyError.invalid("entry.learnerID", "parents are notified about a learner involved in the incident")
                }
            case .deviceCustody(let deviceID, _, _):
                guard try await context.tx.devices.get(deviceID)?.incidentID == incident.id else {
                    throw SafetyError.invalid("entry.deviceID", "the device is not in the register for this incident")
                }
            default: break
            }
            let entry = ChronologyEntry(
                incidentID: incident.id, schoolID: incident.schoolIDValue,
                sequence: try await IncidentService.nextSequence(incident.id, context.tx), restricted: incident.isRestricted,
                recordedAt: session.clock.now(), recordedBy: principal.person.id, occurredAt: occurredAt.map(SafetyClock.truncated),
                content: content, satisfies: satisfies, incidentReportedAt: incident.reportedAt)
            let stored = try await context.tx.chronology.insert(entry.checkedForInsert())
            if updated != incident { updated = try await context.tx.incidents.update(updated) }
            try await IncidentService.changed(updated, context)
            return stored
        }
    }

    /// Records facts (they may add steps, due from now). Throws as ``append(_:to:occurredAt:satisfies:)``.
    @discardableResult
    public func recordFacts(_ facts: [IncidentFact], on id: IncidentID) async throws -> ChronologyEntry {
        try await append(.factsRecorded(facts), to: id)
    }

    /// Closes one participant's part with its outcome (required). Throws as ``append(_:to:occurredAt:satisfies:)``.
    @discardableResult
    public func close(_ personID: PersonID, in id: IncidentID, outcome: String) async throws -> ChronologyEntry {
        try await append(.participantClosure(personID: personID, outcome: outcome), to: id)
    }

    /// Refuses image and video attachments for nude-image and IIOC incidents; records a reference
    /// otherwise. Throws as ``append(_:to:occurredAt:satisfies:)``.
    @discardableResult
    public func attach(_ reference: AttachmentReference, to id: IncidentID) async throws -> ChronologyEntry {
        try await append(.attachment(reference), to: id)
    }

    /// An incident's chronology in recording order, for those who manage it, read and audited
    /// in one transaction. Throws `notFound` when the principal does not manage the incident.
    public func entries(of id: IncidentID) async throws -> [ChronologyEntry] {
        try await session.gate(.chronologyRead, Incident.recordKind, subject: id.uuid, authority: .allowed) { context in
            let incident = try await IncidentService.visible(id, manage: true, context)
            return try await context.tx.chronology.find(ChronologyQuery(incidentIDs: [incident.id]))
        }
    }

    /// Everything about one child across incidents, in time order, as the DSL sees it. Requires
    /// `readAllIncidents`; throws `notFound` for a child out of the session's reach.
    public func childChronology(
        of personID: PersonID, categories: [String]? = nil, from: Date? = nil, to: Date? = nil
    ) async throws -> [ChildChronologyItem] {
        let decision = AccessPolicy.require(.readAllIncidents, principal, to: "read a child's chronology")
        let query = IncidentQuery(
            schoolIDs: [principal.school.id], categoryCodes: categories, participantID: personID,
            includeRestricted: AccessPolicy.holds(.readRestrictedIncidents, at: principal.school.id, principal))
        let principal = principal
        return try await session.gate(
            .personChronology, Person.recordKind, subject: personID.uuid, restricted: query.includeRestricted, authority: decision
        ) { context in
            _ = try await context.person(personID)
            let incidents = try await context.tx.incidents.find(query).filter { AccessPolicy.canManage($0, principal) }
            guard !incidents.isEmpty else { return [] }
            let entries = try await context.tx.chronology.find(ChronologyQuery(incidentIDs: incidents.map(\.id)))
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
}
