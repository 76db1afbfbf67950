/// What a principal may see and do with incidents.
///
/// The DSL and deputies see every incident at their school (trust-wide holders at every school of
/// the trust); restricted categories are theirs alone. The headteacher sees the others. Anyone
/// else sees only what they reported. An incident someone may not see is, to them, not there:
/// reading it gives `notFound`, exactly as for an identifier that was never used.
extension AccessPolicy {
    /// Whether the principal holds a capability at a school: directly there, or trust-wide for it.
    public static func holds(_ capability: Capability, at schoolID: SchoolID, _ principal: Principal) -> Bool {
        principal.grants.contains { grant in
            guard Capability.granted(to: grant.role).contains(capability) else { return false }
            switch grant.scope {
            case .school(let id): return id == schoolID
            case .trust: return true
            }
        }
    }

    /// Whether the principal may see an incident at all.
    public static func canSee(_ incident: Incident, _ principal: Principal) -> Bool {
        if incident.reporterID == principal.person.id { return true }
        guard incident.schoolIDValue == principal.school.id || holdsTrustWide(.readAllIncidents, principal) else { return false }
        if incident.isRestricted { return holds(.readRestrictedIncidents, at: incident.schoolIDValue, principal) }
        return holds(.readAllIncidents, at: incident.schoolIDValue, principal)
    }

    /// Whether the principal manages an incident: adds entries beyond notes, closes, handles devices.
    public static func canManage(_ incident: Incident, _ principal: Principal) -> Bool {
        guard canSee(incident, principal) else { return false }
        let capability: Capability = incident.isRestricted ? .readRestrictedIncidents : .readAllIncidents
        return holds(capability, at: incident.schoolIDValue, principal)
    }

    /// Whether the principal is a DSL or deputy (only they decide on viewing imagery).
    public static func isSafeguardingLead(_ principal: Principal) -> Bool {
        !principal.roles.isDisjoint(with: [.designatedSafeguardingLead, .deputyDesignatedSafeguardingLead])
    }

    /// Whether a capability is held through a trust-wide grant.
    public static func holdsTrustWide(_ capability: Capability, _ principal: Principal) -> Bool {
        principal.grants.contains { $0.trustID != nil && Capability.granted(to: $0.role).contains(capability) }
    }
}
