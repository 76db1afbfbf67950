import Foundation

/// The device custody register, through the session's gate: devices seized or quarantined for
/// an incident, where they are kept and what happened to them.
public struct DeviceCustodyService: Sendable {
    let session: SafetySession

    private var principal: Principal { session.principal }

    /// Records a seized (or quarantined) device in the custody register, linked to an incident.
    /// Throws `notFound` when the principal does not manage the incident, `invalidInput`.
    @discardableResult
    public func seize(
        for id: IncidentID, item: String, ownerID: PersonID?, reason: String, storageLocation: String, holdsEvidence: Bool,
        status: DeviceStatus = .held
    ) async throws -> DeviceRecord {
        let principal = principal
        let session = session
        return try await session.gate(.deviceSeize, DeviceRecord.recordKind, subject: id.uuid, authority: .allowed) { context in
            let incident = try await IncidentService.visible(id, manage: true, context)
            if let ownerID { _ = try await context.person(ownerID) }
            let record = DeviceRecord(
                schoolID: incident.schoolIDValue, incidentID: incident.id, restricted: incident.isRestricted, item: item, ownerID: ownerID,
                seizedBy: principal.person.id, seizedAt: session.clock.now(), reason: reason, storageLocation: storageLocation,
                holdsEvidence: holdsEvidence || incident.category.refusesImagery, initialStatus: status)
            let device = try await context.tx.devices.insert(record.checkedForInsert())
            let entry = ChronologyEntry(
                incidentID: incident.id, schoolID: incident.schoolIDValue,
                sequence: try await IncidentService.nextSequence(incident.id, context.tx), restricted: incident.isRestricted,
                recordedAt: session.clock.now(), recordedBy: principal.person.id,
                content: .deviceCustody(deviceID: device.id, status: status, note: "seized: \(storageLocation)"),
                incidentReportedAt: incident.reportedAt)
            _ = try await context.tx.chronology.insert(entry.checkedForInsert())
            try await IncidentService.changed(incident, context)
            return device
        }
    }

    /// Moves a device to a new status; evidence can never move to `contentDeleted`. Throws
    /// `notFound` ("no such device") alike for a device that does not exist and one whose
    /// incident the principal does not manage, and `constraintViolation` for a move the register
    /// refuses.
    @discardableResult
    public func move(_ deviceID: DeviceRecordID, to status: DeviceStatus, note: String? = nil, examinedBy: PersonID? = nil) async throws
        -> DeviceRecord
    {
        let principal = principal
        let session = session
        return try await session.gate(.deviceMove, DeviceRecord.recordKind, subject: deviceID.uuid, authority: .allowed) { context in
            guard var current = try await context.tx.devices.get(deviceID), let incidentID = current.incidentID else {
                throw SafetyError.notFound("device")
            }
            let incident: Incident
            do {
                incident = try await IncidentService.visible(incidentID, manage: true, context)
            } catch let error as SafetyError where error.code == .notFound {
                throw SafetyError.notFound("device")
            }
            if let examinedBy { _ = try await context.person(examinedBy) }
            try current.move(to: status, at: session.clock.now(), by: principal.person.id, note: note)
            if let examinedBy, !current.examinedBy.contains(examinedBy) { current.examinedBy.append(examinedBy) }
            let device = try await context.tx.devices.update(current)
            let entry = ChronologyEntry(
                incidentID: incident.id, schoolID: incident.schoolIDValue,
                sequence: try await IncidentService.nextSequence(incident.id, context.tx), restricted: incident.isRestricted,
                recordedAt: session.clock.now(), recordedBy: principal.person.id,
                content: .deviceCustody(deviceID: device.id, status: status, note: note), incidentReportedAt: incident.reportedAt)
            _ = try await context.tx.chronology.insert(entry.checkedForInsert())
            try await IncidentService.changed(incident, context)
            return device
        }
    }

    /// The custody register at the school (restricted incidents' devices only for the DSL).
    /// Requires `readAllIncidents`; throws `forbidden`.
    public func list(_ statuses: [DeviceStatus]? = nil) async throws -> [DeviceRecord] {
        let decision = AccessPolicy.require(.readAllIncidents, principal, to: "read the device custody register")
        let includeRestricted = AccessPolicy.holds(.readRestrictedIncidents, at: principal.school.id, principal)
        let query = DeviceQuery(schoolIDs: [principal.school.id], statuses: statuses, includeRestricted: includeRestricted)
        return try await session.gate(
            .deviceList, DeviceRecord.recordKind, subject: nil, restricted: includeRestricted, authority: decision,
            subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            try await context.tx.devices.find(query)
        }
    }
}
