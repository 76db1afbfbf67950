import Foundation

/// Which acceptable use policies to return: a school's own and its trust's.
public struct AUPDocumentQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = AUPDocument
    /// Documents of this school.
    public var schoolID: SchoolID?
    /// Documents of this trust.
    public var trustID: TrustID?
    /// Only documents for these audiences.
    public var audiences: [AUPAudience]?
    /// Only documents in force by this day.
    public var effectiveBy: CalendarDate?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query returning the documents of a school and of its trust.
    public init(
        schoolID: SchoolID?, trustID: TrustID?, audiences: [AUPAudience]? = nil, effectiveBy: CalendarDate? = nil, limit: Int? = nil,
        offset: Int = 0
    ) {
        self.schoolID = schoolID
        self.trustID = trustID
        self.audiences = audiences
        self.effectiveBy = effectiveBy
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var scope: [Condition] = []
        if let schoolID { scope.append(.equals("school_id", .id(schoolID))) }
        if let trustID { scope.append(.equals("trust_id", .id(trustID))) }
        var result: [Condition] = [scope.count == 2 ? .or(scope[0], scope[1]) : scope.first ?? .isNull("version_key")]
        if let audiences { result.append(.oneOf("audience", audiences.map { .text($0.rawValue) })) }
        if let effectiveBy { result.append(.atMost("effective_from", .date(effectiveBy))) }
        return result
    }
}

/// Which acceptances to return.
public struct AUPAcceptanceQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = AUPAcceptance
    /// Only acceptances of people of this school.
    public var schoolID: SchoolID?
    /// Only this person's.
    public var personID: PersonID?
    /// Only acceptances of these documents.
    public var documentIDs: [AUPDocumentID]?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(
        schoolID: SchoolID? = nil, personID: PersonID? = nil, documentIDs: [AUPDocumentID]? = nil, limit: Int? = nil, offset: Int = 0
    ) {
        self.schoolID = schoolID
        self.personID = personID
        self.documentIDs = documentIDs
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let personID { result.append(.equals("person_id", .id(personID))) }
        if let documentIDs { result.append(.oneOf("document_id", documentIDs.map { .id($0) })) }
        return result
    }
}

/// Which entries of the access register to return.
public struct AccessGrantQuery: AggregateQuery {
    /// The kind returned.
    public typealias Value = AccessGrant
    /// Only at this school.
    public var schoolID: SchoolID?
    /// Only this person's.
    public var personID: PersonID?
    /// Only for this system.
    public var system: SystemCode?
    /// Only grants giving access on this day.
    public var activeOn: CalendarDate?
    /// At most this many.
    public var limit: Int?
    /// Skip this many.
    public var offset: Int

    /// Creates a query.
    public init(
        schoolID: SchoolID? = nil, personID: PersonID? = nil, system: SystemCode? = nil, activeOn: CalendarDate? = nil, limit: Int? = nil,
        offset: Int = 0
    ) {
        self.schoolID = schoolID
        self.personID = personID
        self.system = system
        self.activeOn = activeOn
        self.limit = limit
        self.offset = offset
    }

    /// The conditions.
    public var conditions: [Condition] {
        var result: [Condition] = []
        if let schoolID { result.append(.equals("school_id", .id(schoolID))) }
        if let personID { result.append(.equals("person_id", .id(personID))) }
        if let system { result.append(.equals("system", .text(system.rawValue))) }
        if let activeOn {
            result.append(.atMost("granted_on", .date(activeOn)))
            result.append(.or(.isNull("revoked_on"), .atLeast("revoked_on", .date(activeOn.adding(days: 1)))))
        }
        return result
    }
}

extension AUPDocument {
    /// `aupDocument`.
    public static var recordKind: String { "aupDocument" }
    /// Documents are never changed once published.
    public static var isAppendOnly: Bool { true }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("school_id", .uuid), IndexColumn("trust_id", .uuid), IndexColumn("audience", .text),
            IndexColumn("version", .integer), IndexColumn("effective_from", .date), IndexColumn("version_key", .text, unique: true),
        ]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        [
            "school_id": .id(schoolID), "trust_id": .id(trustID), "audience": .text(audience.rawValue), "version": .integer(version),
            "effective_from": .date(effectiveFrom), "version_key": .text(versionKey),
        ]
    }
    /// Sorted by audience, then effective date, then version.
    public var sortKey: String { "\(audience.rawValue)\u{1F}\(effectiveFrom)\u{1F}\(SortKey.padded(version, width: 6))" }
}

extension AUPAcceptance {
    /// `aupAcceptance`.
    public static var recordKind: String { "aupAcceptance" }
    /// Acceptances are never changed.
    public static var isAppendOnly: Bool { true }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [IndexColumn("school_id", .uuid), IndexColumn("person_id", .uuid), IndexColumn("document_id", .uuid)]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        ["school_id": .id(schoolID), "person_id": .id(personID), "document_id": .id(documentID)]
    }
    /// Sorted by when it was accepted.
    public var sortKey: String { SortKey.instant(acceptedAt) }
}

extension AccessGrant {
    /// `accessGrant`.
    public static var recordKind: String { "accessGrant" }
    /// Queryable columns.
    public static var indexColumns: [IndexColumn] {
        [
            IndexColumn("school_id", .uuid), IndexColumn("person_id", .uuid), IndexColumn("system", .text),
            IndexColumn("granted_on", .date),
            IndexColumn("revoked_on", .date),
        ]
    }
    /// Index values.
    public var indexValues: [String: IndexValue] {
        [
            "school_id": .id(schoolIDValue), "person_id": .id(personID), "system": .text(system.rawValue), "granted_on": .date(grantedOn),
            "revoked_on": .optionalDate(revokedOn),
        ]
    }
    /// Sorted by system, then when it was granted.
    public var sortKey: String { "\(system.rawValue)\u{1F}\(SortKey.instant(grantedAt))" }
}

/// Sort keys that order as text the way their values order, built without `String(format:)`
/// (listings of tens of thousands of records compute one per record).
enum SortKey {
    /// A non-negative number, zero-padded to a width.
    static func padded(_ number: Int, width: Int) -> String {
        let digits = String(max(0, number))
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// An instant as zero-padded milliseconds since 1970.
    static func instant(_ date: Date) -> String { padded(Int(SafetyClock.milliseconds(date)), width: 15) }
}
