import Foundation

/// Retention: removing a record's body for good once the period it must be kept for is over,
/// through the one sanctioned, audited path.
///
/// A child protection file is kept until the child's date of birth plus 25 years and then
/// reviewed; the designated safeguarding lead decides, and the decision is recorded with its
/// reason. The audit keeps the event (who purged which record, when and why) and names records
/// only by kind and identifier, so every audit chain still verifies after the body is gone.
public struct RetentionService: Sendable {
    let session: SafetySession

    /// Purges an incident, its chronology, its steps and its device custody records. Requires
    /// `purgeRecords` (the designated safeguarding lead) and a reason; the incident must be one
    /// the principal manages at the session's school or its trust. Throws `forbidden`,
    /// `invalidInput` for a blank reason, and `notFound` for an incident the principal may not
    /// see. Returns how many records were removed.
    @discardableResult
    public func purgeIncident(_ id: IncidentID, reason: String) async throws -> Int {
        let authority = AccessPolicy.require(.purgeRecords, session.principal, to: "purge records")
        return try await session.gate(.recordPurge, Incident.recordKind, subject: id.uuid, authority: authority) { context in
            let incident = try await IncidentService.visible(id, manage: true, context)
            guard !reason.isBlank else {
                throw SafetyError.invalid("purge.reason", "a purge records why the record is no longer kept")
            }
            var removed = 0
            for entry in try await context.tx.chronology.find(ChronologyQuery(incidentIDs: [incident.id])) {
                if try await context.tx.chronology.purge(entry.id) { removed += 1 }
                await context.audit(.recordPurge, ChronologyEntry.recordKind, entry.id.uuid, reason: reason)
            }
            let devices = try await context.tx.devices.find(
                DeviceQuery(schoolIDs: [incident.schoolIDValue], incidentID: incident.id, includeRestricted: true))
            for device in devices {
                if try await context.tx.devices.purge(device.id) { removed += 1 }
                await context.audit(.recordPurge, DeviceRecord.recordKind, device.id.uuid, reason: reason)
            }
            if try await context.tx.procedures.purge(ProcedureStatusID(incident.id.uuid)) { removed += 1 }
            if try await context.tx.incidents.purge(incident.id) { removed += 1 }
            return removed
        }
    }
}
