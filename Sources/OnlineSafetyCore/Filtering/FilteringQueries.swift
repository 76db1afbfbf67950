import Foundation

/// Which schools' filtering provisions to return.
public struct FilteringProvisionQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = FilteringProvision
    /// Only this school's.
    public var schoolID: SchoolID?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(schoolID: SchoolID? = nil, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] { schoolID.map { [.equals("school_id", .id($0))] } ?? [] }
}

/// Which filtering changes to return.
public struct FilteringChangeQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = FilteringChange
    /// Only at this school.
    public var schoolID: SchoolID?
    /// Only changes in one of these states.
    public var statuses: Set<FilteringChangeStatus>?
    /// Only changes linked to this incident.
    public var incidentID: IncidentID?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(
        schoolID: SchoolID? = nil, statuses: Set<FilteringChangeStatus>? = nil, incidentID: IncidentID? = nil, limit: Int? = nil,
        offset: Int = 0
    ) {
        self.schoolID = schoolID
        self.statuses = statuses
        self.incidentID = incidentID
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let statuses { result.append(.oneOf("status", statuses.map(\.rawValue).sorted().map { .text($0) })) }
        if let incidentID { result.append(.equals("incident_id", .id(incidentID))) }
        return result
    }
}

/// Which filtering checks to return.
public struct FilteringCheckQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = FilteringCheck
    /// Only at this school.
    public var schoolID: SchoolID?
    /// Only failed checks with no action recorded.
    public var openOnly: Bool
    /// Only checks made on or after this day.
    public var from: CalendarDate?
    /// Only checks made on or before this day.
    public var through: CalendarDate?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(
        schoolID: SchoolID? = nil, openOnly: Bool = false, from: CalendarDate? = nil, through: CalendarDate? = nil, limit: Int? = nil,
        offset: Int = 0
    ) {
        self.schoolID = schoolID
        self.openOnly = openOnly
        self.from = from
        self.through = through
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if openOnly { result.append(.equals("is_open", .boolean(true))) }
        if let from { result.append(.atLeast("checked_on", .date(from))) }
        if let through { result.append(.atMost("checked_on", .date(through))) }
        return result
    }
}

/// Which filtering reviews to return.
public struct FilteringReviewQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = FilteringReview
    /// Only at this school.
    public var schoolID: SchoolID?
    /// Only reviews held on or before this day.
    public var through: CalendarDate?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(schoolID: SchoolID? = nil, through: CalendarDate? = nil, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.through = through
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let through { result.append(.atMost("reviewed_on", .date(through))) }
        return result
    }
}

/// Which monitoring alerts to return.
public struct MonitoringAlertQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = MonitoringAlert
    /// Only at this school.
    public var schoolID: SchoolID?
    /// Only the alert linked to this incident.
    public var incidentID: IncidentID?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(schoolID: SchoolID? = nil, incidentID: IncidentID? = nil, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.incidentID = incidentID
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let incidentID { result.append(.equals("incident_id", .id(incidentID))) }
        return result
    }
}

extension FilteringProvision {
    /// `filteringProvision`.
    public static var recordKind: String { "filteringProvision" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] { [IndexColumn("school_id", .uuid, unique: true)] }
    /// Index values.
    public var indexValues: [String: IndexValue] { ["school_id": .id(schoolIDValue)] }
    /// One per school.
    public var sortKey: String { "" }
}

extension FilteringChange {
    /// `filteringChange`.
    public static var recordKind: String { "filteringChange" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("school_id", .uuid), IndexColumn("status", .text), IndexColumn("requested_at", .timestamp),
            IndexColumn("review_on", .date), IndexColumn("incident_id", .uuid),
        ]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        [
            "school_id": .id(schoolIDValue), "status": .text(status.rawValue), "requested_at": .timestamp(requestedAt),
            "review_on": .optionalDate(reviewOn), "incident_id": .id(incidentID),
        ]
    }
    /// Sorted by when it was requested.
    public var sortKey: String { SortKey.instant(requestedAt) }
}

extension FilteringCheck {
    /// `filteringCheck`.
    public static var recordKind: String { "filteringCheck" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [IndexColumn("school_id", .uuid), IndexColumn("checked_on", .date), IndexColumn("is_open", .boolean)]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        ["school_id": .id(schoolIDValue), "checked_on": .date(checkedOn), "is_open": .boolean(isOpen)]
    }
    /// Sorted by the day of the check, then when it was recorded.
    public var sortKey: String { "\(checkedOn)\u{1F}\(SortKey.instant(recordedAt))" }
}

extension FilteringReview {
    /// `filteringReview`.
    public static var recordKind: String { "filteringReview" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] { [IndexColumn("school_id", .uuid), IndexColumn("reviewed_on", .date)] }
    /// Index values.
    public var indexValues: [String: IndexValue] { ["school_id": .id(schoolIDValue), "reviewed_on": .date(reviewedOn)] }
    /// Sorted by the day of the review, then when it was recorded.
    public var sortKey: String { "\(reviewedOn)\u{1F}\(SortKey.instant(recordedAt))" }
}

extension MonitoringAlert {
    /// `monitoringAlert`.
    public static var recordKind: String { "monitoringAlert" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [IndexColumn("school_id", .uuid), IndexColumn("raised_at", .timestamp), IndexColumn("incident_id", .uuid)]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        ["school_id": .id(schoolIDValue), "raised_at": .timestamp(raisedAt), "incident_id": .id(incidentID)]
    }
    /// Sorted by when it was raised.
    public var sortKey: String { SortKey.instant(raisedAt) }
}
