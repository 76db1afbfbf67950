public import Foundation

/// Where a seized device is in its custody.
public enum DeviceStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// Held by the school, stored securely.
    case held
    /// Returned to a parent or carer.
    case returnedToParent
    /// Handed to the police.
    case handedToPolice
    /// Content deleted (never for evidence of an offence or a suspected indecent image).
    case contentDeleted
    /// Quarantined until police advice (school devices).
    case quarantined
}

/// One change of a device's custody.
public struct CustodyEvent: Hashable, Sendable, Codable {
    /// The status it moved to.
    public var status: DeviceStatus
    /// When.
    public var at: Date
    /// By whom.
    public var by: PersonID
    /// A note.
    public var note: String?

    /// Creates an event.
    public init(status: DeviceStatus, at: Date, by: PersonID, note: String? = nil) {
        self.status = status
        self.at = at
        self.by = by
        self.note = note
    }
}

/// Identifies a ``DeviceRecord``.
public typealias DeviceRecordID = Identifier<DeviceRecord>

/// The device custody register's record of one seized or quarantined device.
public struct DeviceRecord: Aggregate {
    /// The record's identifier.
    public var id: DeviceRecordID
    /// The school.
    public var schoolIDValue: SchoolID
    /// The incident it belongs to, if any.
    public var incidentID: IncidentID?
    /// Whether the incident is restricted.
    public var restricted: Bool
    /// What the item is, for example "black iPhone in a green case".
    public var item: String
    /// Whose device it is (`nil` for a school device).
    public var ownerID: PersonID?
    /// Who seized it.
    public var seizedBy: PersonID
    /// When.
    public var seizedAt: Date
    /// Why.
    public var reason: String
    /// Where it is stored.
    public var storageLocation: String
    /// Who examined it.
    public var examinedBy: [PersonID]
    /// Whether it holds suspected evidence of an offence or a suspected indecent image of a child:
    /// then its content is never deleted; it goes to the police.
    public var holdsEvidence: Bool
    /// Custody events, oldest first; the last is the current status.
    public var history: [CustodyEvent]
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a record; its first event is `held` (or `quarantined`) at the seizure.
    public init(
        id: DeviceRecordID = DeviceRecordID(), schoolID: SchoolID, incidentID: IncidentID?, restricted: Bool = false, item: String,
        ownerID: PersonID?, seizedBy: PersonID, seizedAt: Date, reason: String, storageLocation: String,
        examinedBy: [PersonID] = [], holdsEvidence: Bool, initialStatus: DeviceStatus = .held, revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.incidentID = incidentID
        self.restricted = restricted
        self.item = item
        self.ownerID = ownerID
        self.seizedBy = seizedBy
        self.seizedAt = seizedAt
        self.reason = reason
        self.storageLocation = storageLocation
        self.examinedBy = examinedBy
        self.holdsEvidence = holdsEvidence
        self.history = [CustodyEvent(status: initialStatus, at: seizedAt, by: seizedBy)]
        self.revision = revision
    }

    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// The current status.
    public var status: DeviceStatus { history.last?.status ?? .held }

    /// Moves the device to a new status; refuses to delete the content of evidence.
    public mutating func move(to status: DeviceStatus, at: Date, by: PersonID, note: String?) throws(SafetyError) {
        if status == .contentDeleted && holdsEvidence {
            throw SafetyError(
                .constraintViolation,
                "a device holding suspected evidence of an offence or an indecent image of a child is never wiped: hand it to the police")
        }
        if self.status == .handedToPolice || self.status == .contentDeleted || self.status == .returnedToParent {
            throw SafetyError(.constraintViolation, "the device has left the school's custody; record a new seizure instead")
        }
        history.append(CustodyEvent(status: status, at: at, by: by, note: note))
    }

    /// Checks the description.
    public func validate() throws(SafetyError) {
        if item.isBlank { throw .invalid("device.item", "describe the item") }
        if reason.isBlank { throw .invalid("device.reason", "say why it was seized") }
        if storageLocation.isBlank {
            throw .invalid("device.storageLocation", "say where it is stored")
        }
        if holdsEvidence && history.contains(where: { $0.status == .contentDeleted }) {
            throw .invalid("device.history", "evidence cannot have been deleted")
        }
    }
}
