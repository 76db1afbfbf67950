public import Foundation

/// Which incidents to return.
public struct IncidentQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = Incident
    /// Only incidents at these schools.
    public var schoolIDs: [SchoolID]?
    /// Only incidents in these categories (codes).
    public var categoryCodes: [String]?
    /// Only incidents reported by this person.
    public var reporterID: PersonID?
    /// Only incidents involving this person.
    public var participantID: PersonID?
    /// Include restricted incidents (the session sets this from the principal's capabilities).
    public var includeRestricted: Bool
    /// Only incidents that happened at or after this instant.
    public var occurredFrom: Date?
    /// Only incidents that happened at or before this instant.
    public var occurredTo: Date?
    /// Only open (`true`) or closed (`false`) incidents.
    public var open: Bool?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(
        schoolIDs: [SchoolID]? = nil, categoryCodes: [String]? = nil, reporterID: PersonID? = nil, participantID: PersonID? = nil,
        includeRestricted: Bool = false, occurredFrom: Date? = nil, occurredTo: Date? = nil, open: Bool? = nil, limit: Int? = nil,
        offset: Int = 0
    ) {
        self.schoolIDs = schoolIDs
        self.categoryCodes = categoryCodes
        self.reporterID = reporterID
        self.participantID = participantID
        self.includeRestricted = includeRestricted
        self.occurredFrom = occurredFrom
        self.occurredTo = occurredTo
        self.open = open
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolIDs { result.append(.oneOf("school_id", schoolIDs.map { .id($0) })) }
        if let categoryCodes { result.append(.oneOf("category", categoryCodes.map { .text($0) })) }
        if let reporterID { result.append(.equals("reporter_id", .id(reporterID))) }
        if let participantID { result.append(.includes("participant_ids", participantID.uuid)) }
        if !includeRestricted { result.append(.equals("restricted", .boolean(false))) }
        if let occurredFrom { result.append(.atLeast("occurred_at", .timestamp(occurredFrom))) }
        if let occurredTo { result.append(.atMost("occurred_at", .timestamp(occurredTo))) }
        if let open { result.append(.equals("open", .boolean(open))) }
        return result
    }
}

/// Which chronology entries to return.
public struct ChronologyQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = ChronologyEntry
    /// Only entries of these incidents.
    public var incidentIDs: [IncidentID]
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Only entries at these schools (for figures across incidents; `nil` with ``incidentIDs``).
    public var schoolIDs: [SchoolID]?
    /// Only entries of these kinds (``ChronologyContent/kind``), for figures.
    public var kinds: [String]?
    /// Include entries of restricted incidents (figures only).
    public var includeRestricted: Bool
    /// Only entries of incidents reported at or after this instant.
    public var reportedFrom: Date?
    /// Only entries of incidents reported at or before this instant.
    public var reportedTo: Date?
    /// Only referrals with a follow-up due at or before this instant (read from a column, so the
    /// referrals followed up later, or never, are not read).
    public var followUpDueBy: Date?

    /// Creates a query.
    public init(incidentIDs: [IncidentID], limit: Int? = nil, offset: Int = 0) {
        self.incidentIDs = incidentIDs
        self.limit = limit
        self.offset = offset
        self.includeRestricted = true
    }

    /// A query across the incidents of some schools, for grouped figures: entries of some kinds,
    /// of incidents reported within a range.
    public init(
        schoolIDs: [SchoolID], kinds: [String]? = nil, includeRestricted: Bool, reportedFrom: Date? = nil, reportedTo: Date? = nil
    ) {
        self.incidentIDs = []
        self.schoolIDs = schoolIDs
        self.kinds = kinds
        self.includeRestricted = includeRestricted
        self.reportedFrom = reportedFrom
        self.reportedTo = reportedTo
        self.limit = nil
        self.offset = 0
    }

    /// The conditions.
    public var conditions: [Condition] {
        guard let schoolIDs else { return [.oneOf("incident_id", incidentIDs.map { .id($0) })] }
        var result: [Condition] = [.oneOf("school_id", schoolIDs.map { .id($0) })]
        if let kinds { result.append(.oneOf("entry_kind", kinds.map { .text($0) })) }
        if !includeRestricted { result.append(.equals("restricted", .boolean(false))) }
        if let reportedFrom { result.append(.atLeast("incident_reported_at", .timestamp(reportedFrom))) }
        if let reportedTo { result.append(.atMost("incident_reported_at", .timestamp(reportedTo))) }
        if let followUpDueBy { result.append(.atMost("follow_up_due", .timestamp(followUpDueBy))) }
        return result
    }
}

/// Which procedure statuses to return.
public struct ProcedureStatusQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = ProcedureStatus
    /// Only at these schools.
    public var schoolIDs: [SchoolID]
    /// Include restricted incidents.
    public var includeRestricted: Bool
    /// Only incidents with a step outstanding and due by this instant, as it stood then.
    public var dueBy: Date?
    /// Only incidents with any step outstanding now.
    public var outstandingOnly: Bool
    /// Only incidents with a step not yet satisfied that fell due before this instant: exactly the
    /// incidents overdue then, for an instant after every satisfaction recorded (now, or later).
    public var unsatisfiedDueBefore: Date?
    /// Only incidents whose earliest deadline not yet satisfied is at or after this instant.
    public var unsatisfiedDueFrom: Date?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(
        schoolIDs: [SchoolID], includeRestricted: Bool, dueBy: Date? = nil, outstandingOnly: Bool = false,
        unsatisfiedDueBefore: Date? = nil, unsatisfiedDueFrom: Date? = nil, limit: Int? = nil, offset: Int = 0
    ) {
        self.unsatisfiedDueFrom = unsatisfiedDueFrom
        self.schoolIDs = schoolIDs
        self.includeRestricted = includeRestricted
        self.dueBy = dueBy
        self.outstandingOnly = outstandingOnly
        self.unsatisfiedDueBefore = unsatisfiedDueBefore
        self.limit = limit
        self.offset = offset
    }

    /// The same query, at most `limit` records.
    public func limited(_ limit: Int) -> ProcedureStatusQuery {
        var query = self
        query.limit = limit
        return query
    }

    /// The conditions: a step can be overdue at `dueBy` only if an unsatisfied step is due by then,
    /// or a step due by then was satisfied only after it.
    public var conditions: [Condition] {
        var result: [Condition] = [.oneOf("school_id", schoolIDs.map { .id($0) })]
        if !includeRestricted { result.append(.equals("restricted", .boolean(false))) }
        if let dueBy {
            result.append(
                .or(
                    .atMost("next_due", .timestamp(dueBy)),
                    .and(.atMost("first_due", .timestamp(dueBy)), .atLeast("last_satisfied_at", .timestamp(dueBy)))))
        }
        if outstandingOnly { result.append(.atLeast("outstanding", .integer(1))) }
        // Stored instants are whole milliseconds: "before t" is "at most the last millisecond before
        // t", and "from t" is "at least the first millisecond at or after t".
        if let unsatisfiedDueBefore {
            let floor = SafetyClock.truncated(unsatisfiedDueBefore)
            result.append(.atMost("next_due", .timestamp(floor == unsatisfiedDueBefore ? floor.addingTimeInterval(-0.001) : floor)))
        }
        if let unsatisfiedDueFrom {
            let floor = SafetyClock.truncated(unsatisfiedDueFrom)
            result.append(.atLeast("next_due", .timestamp(floor == unsatisfiedDueFrom ? floor : floor.addingTimeInterval(0.001))))
        }
        return result
    }
}

/// Which devices in the custody register to return.
public struct DeviceQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = DeviceRecord
    /// Only at these schools.
    public var schoolIDs: [SchoolID]
    /// Only devices of this incident.
    public var incidentID: IncidentID?
    /// Only devices owned by this person.
    public var ownerID: PersonID?
    /// Only devices with these statuses.
    public var statuses: [DeviceStatus]?
    /// Include devices of restricted incidents.
    public var includeRestricted: Bool
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(
        schoolIDs: [SchoolID], incidentID: IncidentID? = nil, ownerID: PersonID? = nil, statuses: [DeviceStatus]? = nil,
        includeRestricted: Bool = false, limit: Int? = nil, offset: Int = 0
    ) {
        self.schoolIDs = schoolIDs
        self.incidentID = incidentID
        self.ownerID = ownerID
        self.statuses = statuses
        self.includeRestricted = includeRestricted
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = [.oneOf("school_id", schoolIDs.map { .id($0) })]
        if let incidentID { result.append(.equals("incident_id", .id(incidentID))) }
        if let ownerID { result.append(.equals("owner_id", .id(ownerID))) }
        if let statuses { result.append(.oneOf("status", statuses.map { .text($0.rawValue) })) }
        if !includeRestricted { result.append(.equals("restricted", .boolean(false))) }
        return result
    }
}

/// Which custom categories to return.
public struct CategoryQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = CustomCategory
    /// Categories of this school.
    public var schoolID: SchoolID?
    /// Categories of this trust.
    public var trustID: TrustID?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query returning a school's categories and its trust's.
    public init(schoolID: SchoolID?, trustID: TrustID?, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.trustID = trustID
        self.limit = limit
        self.offset = offset
    }

    /// The conditions: the school's own, or the trust's (a school with no trust: its own only).
    public var conditions: [Condition] { [.ownedBy(school: schoolID, orTrust: trustID)] }
}

extension Incident {
    /// `incident`.
    public static var recordKind: String { "incident" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("school_id", .uuid), IndexColumn("category", .text), IndexColumn("restricted", .boolean),
            IndexColumn("reporter_id", .uuid), IndexColumn("participant_ids", .uuidList), IndexColumn("occurred_at", .timestamp),
            IndexColumn("open", .boolean), IndexColumn("risk_area", .text),
        ]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        [
            "school_id": .id(schoolIDValue), "category": .text(category.code), "restricted": .boolean(isRestricted),
            "reporter_id": .id(reporterID), "participant_ids": .uuids(participants.map(\.personID.uuid)),
            "occurred_at": .timestamp(occurredAt), "open": .boolean(isOpen), "risk_area": .text(riskArea.rawValue),
        ]
    }
    /// Sorted by when it happened.
    public var sortKey: String { String(format: "%015.3f", occurredAt.timeIntervalSince1970) }
}

extension ChronologyEntry {
    /// `chronologyEntry`.
    public static var recordKind: String { "chronologyEntry" }
    /// Entries are never changed.
    public static var isAppendOnly: Bool { true }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("incident_id", .uuid), IndexColumn("school_id", .uuid), IndexColumn("restricted", .boolean),
            IndexColumn("entry_kind", .text), IndexColumn("referral_agency", .text), IndexColumn("incident_reported_at", .timestamp),
            IndexColumn("response_minutes", .integer), IndexColumn("follow_up_due", .timestamp),
        ]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        var agency = IndexValue.null
        var followUp = IndexValue.null
        if case .referral(let referral) = content {
            agency = .text(referral.agency.rawValue)
            followUp = referral.followUpDue.map { .timestamp($0) } ?? .null
        }
        return [
            "incident_id": .id(incidentID), "school_id": .id(schoolIDValue), "restricted": .boolean(restricted),
            "entry_kind": .text(content.kind), "referral_agency": agency, "follow_up_due": followUp,
            "incident_reported_at": incidentReportedAt.map { .timestamp($0) } ?? .null,
            "response_minutes": responseMinutes.map { .integer($0) } ?? .null,
        ]
    }
    /// Sorted by position in the incident's chronology.
    public var sortKey: String { String(format: "%010d", sequence) }
}

extension ProcedureStatus {
    /// `procedureStatus`.
    public static var recordKind: String { "procedureStatus" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("school_id", .uuid), IndexColumn("restricted", .boolean), IndexColumn("next_due", .timestamp),
            IndexColumn("first_due", .timestamp), IndexColumn("last_satisfied_at", .timestamp), IndexColumn("outstanding", .integer),
        ]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        [
            "school_id": .id(schoolIDValue), "restricted": .boolean(restricted), "next_due": nextDue.map { .timestamp($0) } ?? .null,
            "first_due": firstDue.map { .timestamp($0) } ?? .null,
            "last_satisfied_at": lastSatisfiedAt.map { .timestamp($0) } ?? .null,
            "outstanding": .integer(steps.filter { $0.satisfiedAt == nil }.count),
        ]
    }
    /// Sorted by the earliest outstanding deadline.
    public var sortKey: String { nextDue.map { String(format: "%015.3f", $0.timeIntervalSince1970) } ?? "~" }
}

extension DeviceRecord {
    /// `device`.
    public static var recordKind: String { "device" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("school_id", .uuid), IndexColumn("incident_id", .uuid), IndexColumn("owner_id", .uuid),
            IndexColumn("status", .text), IndexColumn("restricted", .boolean),
        ]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        [
            "school_id": .id(schoolIDValue), "incident_id": .id(incidentID), "owner_id": .id(ownerID), "status": .text(status.rawValue),
            "restricted": .boolean(restricted),
        ]
    }
    /// Sorted by seizure time.
    public var sortKey: String { String(format: "%015.3f", seizedAt.timeIntervalSince1970) }
}

extension CustomCategory {
    /// `category`.
    public static var recordKind: String { "category" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] { [IndexColumn("school_id", .uuid), IndexColumn("trust_id", .uuid)] }
    /// Index values.
    public var indexValues: [String: IndexValue] { ["school_id": .id(schoolID), "trust_id": .id(trustID)] }
    /// Sorted by name.
    public var sortKey: String { name }
}
