import Foundation

/// Who is acting in a session: a person at a school, with the roles they hold there today.
public struct Principal: Sendable, Hashable {
    /// The acting person.
    public let person: Person
    /// The school the session is opened at.
    public let school: School
    /// The role grants active at this school on the session's day.
    public let grants: [RoleGrant]

    /// Creates a principal from the grants that apply.
    public init(person: Person, school: School, grants: [RoleGrant]) {
        self.person = person
        self.school = school
        self.grants = grants
    }

    /// The roles held.
    public var roles: Set<Role> { Set(grants.map(\.role)) }

    /// The capabilities those roles carry.
    public var capabilities: Set<Capability> { roles.reduce(into: []) { $0.formUnion(Capability.granted(to: $1)) } }

    /// The groups this person teaches or supports, from their grants of roles that read taught
    /// learners (staff and technical staff).
    public var teachingGroups: Set<String> {
        Set(grants.filter { Capability.granted(to: $0.role).contains(.readTaughtLearners) }.flatMap(\.groups))
    }

    /// Whether the principal has a capability.
    public func can(_ capability: Capability) -> Bool { capabilities.contains(capability) }
}

/// An access decision: allowed, or denied with a reason that is safe to show and log.
public enum AccessDecision: Hashable, Sendable {
    /// The operation may go ahead.
    case allowed
    /// The operation is refused, with why.
    case denied(String)
}

/// The rules that decide what a principal may see and do. Pure functions; no storage.
public enum AccessPolicy {
    /// Whether the principal holds a capability, with a reason naming it when they do not.
    public static func require(_ capability: Capability, _ principal: Principal, to action: String) -> AccessDecision {
        if principal.can(capability) { return .allowed }
        return .denied("\(holder(of: principal.roles)) cannot \(action)")
    }

    /// Who holds these roles, in words that read after nothing else: "a member of technical staff",
    /// "a governor and member of staff", or "someone with no role".
    private static func holder(of roles: Set<Role>) -> String {
        let nouns = roles.map(holderNoun).sorted()
        guard let last = nouns.last else { return "someone with no role" }
        return "a " + (nouns.count == 1 ? last : nouns.dropLast().joined(separator: ", ") + " and " + last)
    }

    /// One person holding the role, after "a": a role's title where it names a person, else a member of it.
    private static func holderNoun(_ role: Role) -> String {
        switch role {
        case .leadership: "member of the leadership team"
        case .staff: "member of staff"
        case .technicalStaff: "member of technical staff"
        default: role.title
        }
    }

    /// Whether the principal may read a person's record.
    ///
    /// Anyone may read their own record. The DSL, deputies, leadership and data managers read
    /// anyone at their school. Other staff read only the learners in the groups they teach.
    ///
    /// A record outside the session's reach (another school, another trust) is never readable;
    /// services answer it, as every refused read of a record, exactly as an absent one.
    public static func readPerson(_ target: Person, _ principal: Principal) -> AccessDecision {
        if target.id == principal.person.id { return .allowed }
        guard target.tenancy.isWithin(principal.school) else { return .denied("the record is outside the session's reach") }
        if principal.can(.readAnyPersonRecord) { return .allowed }
        if principal.can(.readTaughtLearners) {
            if target.kind == .learner, let group = target.learner?.registrationGroup, principal.teachingGroups.contains(group) {
                return .allowed
            }
            return .denied("a member of staff can read only the records of the learners in the groups they teach")
        }
        return .denied("\(holder(of: principal.roles)) cannot read other people's records")
    }
}
