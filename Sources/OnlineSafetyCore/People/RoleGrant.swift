import Foundation

/// The roles of a school's online safety policy (§4), plus the trust's data manager.
public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
    /// The headteacher or head of school.
    case headteacher
    /// A member of the senior leadership team.
    case leadership
    /// The designated safeguarding lead.
    case designatedSafeguardingLead
    /// A deputy designated safeguarding lead.
    case deputyDesignatedSafeguardingLead
    /// Any member of staff (teaching or support). A grant may list the groups they teach.
    case staff
    /// Technical staff: the IT team and filtering administrators.
    case technicalStaff
    /// A governor.
    case governor
    /// The chair of governors (allegations about the head go to them).
    case chairOfGovernors
    /// A learner.
    case learner
    /// A parent or carer.
    case parentCarer
    /// A trust or school data manager: keeps the organisation, people and roles up to date.
    case dataManager

    /// Whether a person of a kind may hold the role: a learner holds the learner role alone and
    /// a parent or carer the parent role alone; the safeguarding, leadership and data roles are
    /// for staff; governors' roles for governors and staff; staff and technical roles for any
    /// other adult (a volunteer, a contractor).
    public func canBeHeld(by kind: PersonKind) -> Bool {
        switch self {
        case .learner: kind == .learner
        case .parentCarer: kind == .parentCarer
        case .headteacher, .leadership, .designatedSafeguardingLead, .deputyDesignatedSafeguardingLead, .dataManager:
            kind == .staff
        case .governor, .chairOfGovernors: kind == .governor || kind == .staff
        case .staff, .technicalStaff: kind != .learner && kind != .parentCarer
        }
    }

    /// Words for the role, for lists and messages.
    public var title: String {
        switch self {
        case .headteacher: "headteacher"
        case .leadership: "leadership"
        case .designatedSafeguardingLead: "designated safeguarding lead"
        case .deputyDesignatedSafeguardingLead: "deputy designated safeguarding lead"
        case .staff: "member of staff"
        case .technicalStaff: "technical staff"
        case .governor: "governor"
        case .chairOfGovernors: "chair of governors"
        case .learner: "learner"
        case .parentCarer: "parent or carer"
        case .dataManager: "data manager"
        }
    }
}

/// The organisation a record belongs to: one school, or a trust.
///
/// Every stored record that belongs to an organisation carries one; there is no value that means
/// "every organisation".
public enum Tenancy: Hashable, Sendable, Codable {
    /// One school.
    case school(SchoolID)
    /// A trust (for a role grant: every school of the trust).
    case trust(TrustID)

    /// The school, for a school's record.
    public var schoolID: SchoolID? {
        if case .school(let id) = self { return id }
        return nil
    }

    /// The trust, for a trust's record.
    public var trustID: TrustID? {
        if case .trust(let id) = self { return id }
        return nil
    }

    /// Whether a record of this tenancy is within reach of a session at `school`: it belongs to
    /// that school, or to the school's trust.
    public func isWithin(_ school: School) -> Bool {
        switch self {
        case .school(let id): id == school.id
        case .trust(let id): id == school.trustID
        }
    }
}

/// Where a role grant applies: a school, or every school of a trust.
public typealias RoleScope = Tenancy

/// Identifies a ``RoleGrant``.
public typealias RoleGrantID = Identifier<RoleGrant>

/// A role held by a person at a school or across a trust, for a period.
public struct RoleGrant: Aggregate {
    /// The grant's identifier.
    public var id: RoleGrantID
    /// Who holds the role.
    public var personID: PersonID
    /// The role.
    public var role: Role
    /// Where it applies.
    public var scope: RoleScope
    /// The first day it applies.
    public var starts: CalendarDate
    /// The last day it applies (`nil` while open-ended). A grant withdrawn before its first day
    /// (its holder left before it began) ends the day before it starts: it was never in force.
    public var ends: CalendarDate?
    /// For staff: the teaching or registration groups they teach, whose learners they may read.
    public var groups: [String]
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a grant.
    public init(
        id: RoleGrantID = RoleGrantID(), personID: PersonID, role: Role, scope: RoleScope, starts: CalendarDate,
        ends: CalendarDate? = nil, groups: [String] = [], revision: Int = 0
    ) {
        self.id = id
        self.personID = personID
        self.role = role
        self.scope = scope
        self.starts = starts
        self.ends = ends
        self.groups = groups
        self.revision = revision
    }

    /// The school of a school-scoped grant.
    public var schoolID: SchoolID? { scope.schoolID }

    /// The trust of a trust-scoped grant.
    public var trustID: TrustID? { scope.trustID }

    /// Whether the grant applies on a day.
    public func isActive(on date: CalendarDate) -> Bool { starts <= date && (ends.map { date <= $0 } ?? true) }

    /// Whether the grant applies at a school (directly or through its trust).
    public func applies(to school: School) -> Bool { scope.isWithin(school) }

    /// Whether the grant was withdrawn before its first day, and so never applied.
    public var neverInForce: Bool { ends.map { $0 < starts } ?? false }

    /// Checks the dates: a grant ends on or after its first day, or on the day before it when
    /// it is withdrawn before it began (``neverInForce``). Throws `invalidInput` at
    /// `roleGrant.starts` or `roleGrant.ends` otherwise.
    public func validate() throws(SafetyError) {
        _ = try starts.checked("roleGrant.starts", .record)
        if let ends { _ = try ends.checked("roleGrant.ends", .record) }
        if let ends, ends < starts.adding(days: -1) { throw .invalid("roleGrant.ends", "a role cannot end before it starts") }
    }
}
