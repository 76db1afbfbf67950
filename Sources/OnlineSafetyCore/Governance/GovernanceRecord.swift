public import Foundation

/// A meeting or review the policy's governance section requires (§3).
public enum GovernanceActivity: String, Hashable, Sendable, Codable, CaseIterable {
    /// The review of the online safety policy (at least annually).
    case policyReview
    /// A meeting of the DSL with the governor with lead responsibility for safeguarding.
    case dslGovernorMeeting
    /// A meeting of the DSL with the trust governor with lead responsibility for safeguarding.
    case dslTrustGovernorMeeting

    /// Words for the activity.
    public var title: String {
        switch self {
        case .policyReview: "online safety policy review"
        case .dslGovernorMeeting: "DSL meeting with the safeguarding governor"
        case .dslTrustGovernorMeeting: "DSL meeting with the trust safeguarding governor"
        }
    }
}

/// Identifies a ``GovernanceRecord``.
public typealias GovernanceRecordID = Identifier<GovernanceRecord>

/// The record of a governance meeting or review that was held, with a reference to its minutes.
/// Records are never changed.
public struct GovernanceRecord: Aggregate {
    /// The record's identifier.
    public var id: GovernanceRecordID
    /// The school.
    public var schoolIDValue: SchoolID
    /// What was held.
    public var activity: GovernanceActivity
    /// The day it was held.
    public var heldOn: CalendarDate
    /// Who took part, where they have records in the SDK.
    public var participants: [PersonID]
    /// Where the minutes are (a document reference or file name).
    public var minutesReference: String
    /// A short note of what it covered, if given.
    public var note: String?
    /// Who recorded it.
    public var recordedBy: PersonID
    /// When.
    public var recordedAt: Date
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a record.
    public init(
        id: GovernanceRecordID = GovernanceRecordID(), schoolID: SchoolID, activity: GovernanceActivity, heldOn: CalendarDate,
        participants: [PersonID], minutesReference: String, note: String? = nil, recordedBy: PersonID, recordedAt: Date, revision: Int = 0
    ) {
        self.id = id
        self.schoolIDValue = schoolID
        self.activity = activity
        self.heldOn = heldOn
        self.participants = participants
        self.minutesReference = minutesReference
        self.note = note
        self.recordedBy = recordedBy
        self.recordedAt = SafetyClock.truncated(recordedAt)
        self.revision = revision
    }

    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// Records are never changed.
    public static var isAppendOnly: Bool { true }

    /// `governanceRecord`.
    public static var recordKind: String { "governanceRecord" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [IndexColumn("school_id", .uuid), IndexColumn("activity", .text), IndexColumn("held_on", .date)]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        ["school_id": .id(schoolIDValue), "activity": .text(activity.rawValue), "held_on": .date(heldOn)]
    }
    /// Sorted by the day it was held, then when it was recorded.
    public var sortKey: String { "\(heldOn)\u{1F}\(SortKey.instant(recordedAt))" }

    /// Checks the day is not after it was recorded and the minutes are referenced.
    public func validate() throws(SafetyError) {
        _ = try heldOn.checked("governance.heldOn", .record, asOf: CalendarDate(recordedAt))
        guard heldOn <= CalendarDate(recordedAt) else {
            throw .invalid("governance.heldOn", "a meeting is recorded on or after the day it was held")
        }
        if minutesReference.isBlank {
            throw .invalid("governance.minutesReference", "a meeting or review is recorded with a reference to its minutes")
        }
    }
}

/// Which governance records to return.
public struct GovernanceRecordQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = GovernanceRecord
    /// Only at this school.
    public var schoolID: SchoolID?
    /// Only of these activities.
    public var activities: Set<GovernanceActivity>?
    /// Only held on or after this day.
    public var from: CalendarDate?
    /// Only held on or before this day.
    public var through: CalendarDate?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(
        schoolID: SchoolID? = nil, activities: Set<GovernanceActivity>? = nil, from: CalendarDate? = nil, through: CalendarDate? = nil,
        limit: Int? = nil, offset: Int = 0
    ) {
        self.schoolID = schoolID
        self.activities = activities
        self.from = from
        self.through = through
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let activities { result.append(.oneOf("activity", activities.map(\.rawValue).sorted().map { .text($0) })) }
        if let from { result.append(.atLeast("held_on", .date(from))) }
        if let through { result.append(.atMost("held_on", .date(through))) }
        return result
    }
}
