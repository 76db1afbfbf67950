import Foundation

/// Which consent decisions to return.
public struct ConsentDecisionQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = ConsentDecision
    /// Only at this school.
    public var schoolID: SchoolID?
    /// Only for these learners.
    public var learnerIDs: [PersonID]?
    /// Only for this purpose.
    public var purposeCode: String?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(schoolID: SchoolID? = nil, learnerIDs: [PersonID]? = nil, purposeCode: String? = nil, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.learnerIDs = learnerIDs
        self.purposeCode = purposeCode
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let learnerIDs { result.append(.oneOf("learner_id", learnerIDs.map { .id($0) })) }
        if let purposeCode { result.append(.equals("purpose", .text(purposeCode))) }
        return result
    }
}

/// Which learners' consent states to return.
public struct ConsentStateQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = ConsentState
    /// Only at this school.
    public var schoolID: SchoolID
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(schoolID: SchoolID, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] { [.equals("school_id", .id(schoolID))] }
}

/// Which custom consent purposes to return: a school's own and its trust's.
public struct ConsentPurposeQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = CustomConsentPurpose
    /// Purposes of this school.
    public var schoolID: SchoolID?
    /// Purposes of this trust.
    public var trustID: TrustID?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query returning a school's purposes and its trust's.
    public init(schoolID: SchoolID?, trustID: TrustID?, limit: Int? = nil, offset: Int = 0) {
        self.schoolID = schoolID
        self.trustID = trustID
        self.limit = limit
        self.offset = offset
    }

    /// The conditions: the school's own, or the trust's (a school with no trust: its own only).
    public var conditions: [Condition] { [.ownedBy(school: schoolID, orTrust: trustID)] }
}

extension ConsentDecision {
    /// `consentDecision`.
    public static var recordKind: String { "consentDecision" }
    /// Decisions are never changed.
    public static var isAppendOnly: Bool { true }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [IndexColumn("school_id", .uuid), IndexColumn("learner_id", .uuid), IndexColumn("purpose", .text)]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        ["school_id": .id(schoolIDValue), "learner_id": .id(learnerID), "purpose": .text(purposeCode)]
    }
    /// Sorted by when it applies, then when it was recorded.
    public var sortKey: String {
        "\(SortKey.instant(effectiveAt))\u{1F}\(SortKey.instant(recordedAt))"
    }
}

extension ConsentState {
    /// `consentState`.
    public static var recordKind: String { "consentState" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] { [IndexColumn("school_id", .uuid)] }
    /// Index values.
    public var indexValues: [String: IndexValue] { ["school_id": .id(schoolIDValue)] }
    /// Sorted by learner.
    public var sortKey: String { learnerID.uuidString }
}

extension CustomConsentPurpose {
    /// `consentPurpose`.
    public static var recordKind: String { "consentPurpose" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [IndexColumn("school_id", .uuid), IndexColumn("trust_id", .uuid), IndexColumn("code", .text)]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] { ["school_id": .id(schoolID), "trust_id": .id(trustID), "code": .text(code)] }
    /// Sorted by name.
    public var sortKey: String { name }
}
