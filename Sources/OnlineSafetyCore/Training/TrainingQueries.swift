import Foundation

/// Which training records to return.
public struct TrainingRecordQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = TrainingRecord
    /// Only records of people of this school.
    public var schoolID: SchoolID?
    /// Only this person's.
    public var personID: PersonID?
    /// Only these topics.
    public var topics: [TrainingTopic]?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(schoolID: SchoolID? = nil, personID: PersonID? = nil, topics: [TrainingTopic]? = nil, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.personID = personID
        self.topics = topics
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let personID { result.append(.equals("person_id", .id(personID))) }
        if let topics { result.append(.oneOf("topic", topics.map { .text($0.rawValue) })) }
        return result
    }
}

/// Which training summaries to return.
public struct TrainingSummaryQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = TrainingSummary
    /// Only summaries of people of this school.
    public var schoolID: SchoolID?
    /// Only these people's.
    public var personIDs: [PersonID]?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(schoolID: SchoolID? = nil, personIDs: [PersonID]? = nil, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.personIDs = personIDs
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let personIDs { result.append(.oneOf("person_id", personIDs.map { .id($0) })) }
        return result
    }
}

extension TrainingRecord {
    /// `trainingRecord`.
    public static var recordKind: String { "trainingRecord" }
    /// Records are never changed.
    public static var isAppendOnly: Bool { true }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [IndexColumn("school_id", .uuid), IndexColumn("person_id", .uuid), IndexColumn("topic", .text), IndexColumn("completed_on", .date)]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        ["school_id": .id(schoolID), "person_id": .id(personID), "topic": .text(topic.rawValue), "completed_on": .date(completedOn)]
    }
    /// Sorted by completion day.
    public var sortKey: String { "\(completedOn)\u{1F}\(topic.rawValue)" }
}

extension TrainingSummary {
    /// `trainingSummary`.
    public static var recordKind: String { "trainingSummary" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] { [IndexColumn("school_id", .uuid), IndexColumn("person_id", .uuid)] }
    /// Index values.
    public var indexValues: [String: IndexValue] { ["school_id": .id(schoolID), "person_id": .id(personID)] }
    /// Sorted by person.
    public var sortKey: String { personID.uuidString }
}
