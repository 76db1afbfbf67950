import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("Capabilities")
struct CapabilityTests {
    @Test func onlyTheDSLAndDeputiesReadRestrictedIncidents() {
        let holders = Set(Role.allCases.filter { Capability.granted(to: $0).contains(.readRestrictedIncidents) })
        #expect(holders == [.designatedSafeguardingLead, .deputyDesignatedSafeguardingLead])
    }

    @Test(arguments: [Role.designatedSafeguardingLead, .deputyDesignatedSafeguardingLead])
    func dslAndDeputySeeEveryIncidentAndEveryone(role: Role) {
        let capabilities = Capability.granted(to: role)
        #expect(capabilities.contains(.readRestrictedIncidents))
        #expect(capabilities.contains(.readAllIncidents))
        #expect(capabilities.contains(.readAnyPersonRecord))
        #expect(capabilities.contains(.recordConcern))
    }

    @Test(arguments: [Role.staff, .technicalStaff])
    func staffRecordConcernsButDoNotBrowse(role: Role) {
        let capabilities = Capability.granted(to: role)
        #expect(capabilities.contains(.recordConcern))
        #expect(!capabilities.contains(.readRestrictedIncidents))
        #expect(!capabilities.contains(.readAllIncidents))
        #expect(!capabilities.contains(.readAnyPersonRecord))
    }

    @Test(arguments: [Role.governor, .chairOfGovernors])
    func governorsReadOnlyAggregates(role: Role) {
        #expect(Capability.granted(to: role) == [.readAggregates])
    }

    @Test(arguments: [Role.learner, .parentCarer])
    func learnersAndParentsHoldNoCapability(role: Role) {
        #expect(Capability.granted(to: role).isEmpty)
    }

    @Test(arguments: [
        Role.headteacher, .leadership, .designatedSafeguardingLead, .deputyDesignatedSafeguardingLead, .staff, .technicalStaff,
    ])
    func everyAdultWorkingAtTheSchoolMayRecordAConcern(role: Role) {
        #expect(Capability.granted(to: role).contains(.recordConcern))
    }
}

/// Chilton with an Oak teacher, the DSL, a deputy and a governor, two learners, and a Mersham learner.
private struct Community {
    let trust = SeedSchools.vikingAcademyTrust()
    let chilton: School
    let mersham = SeedSchools.mersham()
    let start: CalendarDate
    let teacher: Person
    let dsl: Person
    let governor: Person
    let oakLearner: Person
    let ashLearner: Person
    let mershamOakLearner: Person

    init() throws {
        chilton = SeedSchools.chilton(trustID: trust.id)
        start = try day("2025-09-01")
        teacher = Person(tenancy: .school(chilton.id), kind: .staff, givenName: "Tom", familyName: "Teacher")
        dsl = Person(tenancy: .school(chilton.id), kind: .staff, givenName: "Kate", familyName: "Law")
        governor = Person(tenancy: .school(chilton.id), kind: .governor, givenName: "Hannah", familyName: "Cheshire")
        oakLearner = try learner(at: chilton.id, upn: "B801200005001", group: "Oak")
        ashLearner = try learner(at: chilton.id, upn: "N886201800123", group: "Ash", givenName: "Ben")
        mershamOakLearner = try learner(at: mersham.id, upn: "V936202300017", group: "Oak", givenName: "Cara")
    }

    func grant(_ role: Role, to person: Person, groups: [String] = []) -> RoleGrant {
        RoleGrant(personID: person.id, role: role, scope: .school(chilton.id), starts: start, groups: groups)
    }

    func principal(_ person: Person, _ roles: [Role], groups: [String] = []) -> Principal {
        Principal(person: person, school: chilton, grants: roles.map { grant($0, to: person, groups: groups) })
    }

    var oakTeacher: Principal { principal(teacher, [.staff], groups: ["Oak"]) }
}

@Suite("Access policy")
struct AccessPolicyTests {
    @Test func principalHoldsTheCapabilitiesOfItsRoles() throws {
        let community = try Community()
        let principal = community.principal(community.dsl, [.designatedSafeguardingLead, .headteacher])
        #expect(principal.roles == [.designatedSafeguardingLead, .headteacher])
        #expect(principal.can(.readRestrictedIncidents))
        #expect(principal.can(.manageRoles))
        #expect(!community.oakTeacher.can(.readRestrictedIncidents))
        #expect(community.oakTeacher.teachingGroups == ["Oak"])
    }

    @Test func staffReadLearnersInTheGroupsTheyTeach() throws {
        let community = try Community()
        #expect(AccessPolicy.readPerson(community.oakLearner, community.oakTeacher) == .allowed)
    }

    @Test func staffCannotReadLearnersOfOtherGroups() throws {
        let community = try Community()
        let reason = try #require(AccessPolicy.readPerson(community.ashLearner, community.oakTeacher).deniedReason)
        #expect(reason.contains("groups they teach"))
        #expect(!reason.contains("Ben"))
    }

    @Test func staffWithSeveralGroupsReadEachOfThem() throws {
        let community = try Community()
        let teacher = community.principal(community.teacher, [.staff], groups: ["Oak", "Ash"])
        #expect(AccessPolicy.readPerson(community.oakLearner, teacher) == .allowed)
        #expect(AccessPolicy.readPerson(community.ashLearner, teacher) == .allowed)
    }

    @Test func staffCannotReadLearnersWithoutAGroupOrOtherAdults() throws {
        let community = try Community()
        let ungrouped = try learner(at: community.chilton.id, upn: "P000000000001", group: nil)
        #expect(AccessPolicy.readPerson(ungrouped, community.oakTeacher).deniedReason != nil)
        #expect(AccessPolicy.readPerson(community.dsl, community.oakTeacher).deniedReason != nil)
        #expect(AccessPolicy.readPerson(community.governor, community.oakTeacher).deniedReason != nil)
    }

    @Test func staffWithoutGroupsReadNoLearner() throws {
        let community = try Community()
        let teacher = community.principal(community.teacher, [.staff])
        #expect(AccessPolicy.readPerson(community.oakLearner, teacher).deniedReason != nil)
    }

    @Test(arguments: [Role.staff, .governor, .designatedSafeguardingLead, .learner, .parentCarer])
    func anyoneMayReadThemselves(role: Role) throws {
        let community = try Community()
        #expect(AccessPolicy.readPerson(community.teacher, community.principal(community.teacher, [role])) == .allowed)
    }

    @Test(arguments: [Role.designatedSafeguardingLead, .deputyDesignatedSafeguardingLead, .headteacher, .dataManager])
    func schoolWideRolesReadAnyoneAtTheSchool(role: Role) throws {
        let community = try Community()
        let principal = community.principal(community.dsl, [role])
        for target in [community.oakLearner, community.ashLearner, community.teacher, community.governor] {
            #expect(AccessPolicy.readPerson(target, principal) == .allowed)
        }
    }

    @Test func governorsCannotReadANamedChild() throws {
        let community = try Community()
        let governor = community.principal(community.governor, [.governor])
        let reason = try #require(AccessPolicy.readPerson(community.oakLearner, governor).deniedReason)
        #expect(reason.contains("governor"))
    }

    @Test(arguments: [Role.designatedSafeguardingLead, .headteacher, .dataManager, .staff])
    func nobodyReadsAnotherSchoolsPersonThroughThisSchool(role: Role) throws {
        let community = try Community()
        // The Oak teacher at Chilton must not read Mersham's Oak class either.
        let principal = community.principal(community.dsl, [role], groups: ["Oak"])
        let reason = try #require(AccessPolicy.readPerson(community.mershamOakLearner, principal).deniedReason)
        #expect(reason == "the record is outside the session's reach")
        #expect(!reason.contains("Mersham") && !reason.contains("Oak"))
    }

    @Test func requireAllowsAHeldCapability() throws {
        let community = try Community()
        let dsl = community.principal(community.dsl, [.designatedSafeguardingLead])
        #expect(AccessPolicy.require(.readRestrictedIncidents, dsl, to: "read restricted incidents") == .allowed)
    }

    @Test func requireNamesTheRolesHeldWhenRefusing() throws {
        let community = try Community()
        let principal = community.principal(community.teacher, [.staff, .governor], groups: ["Oak"])
        let reason = try #require(AccessPolicy.require(.readAudit, principal, to: "read the audit trail").deniedReason)
        #expect(reason.contains("member of staff"))
        #expect(reason.contains("governor"))
        #expect(reason.contains("read the audit trail"))
        #expect(!reason.contains("designated safeguarding lead"))
    }

    @Test func aRefusalNamesWhoIsRefusedInGoodEnglish() throws {
        let community = try Community()
        let technician = community.principal(community.teacher, [.technicalStaff])
        let alone = try #require(AccessPolicy.require(.managePeople, technician, to: "add people").deniedReason)
        #expect(alone == "a member of technical staff cannot add people")
        let both = community.principal(community.teacher, [.staff, .governor], groups: ["Oak"])
        let reason = try #require(AccessPolicy.require(.readAudit, both, to: "read the audit trail").deniedReason)
        #expect(reason == "a governor and member of staff cannot read the audit trail")
        let leader = community.principal(community.teacher, [.leadership])
        let restricted = try #require(AccessPolicy.require(.readRestrictedIncidents, leader, to: "read it").deniedReason)
        #expect(restricted == "a member of the leadership team cannot read it")
    }

    @Test func requireRefusesSomeoneWithNoRole() throws {
        let community = try Community()
        let principal = Principal(person: community.teacher, school: community.chilton, grants: [])
        let reason = try #require(AccessPolicy.require(.recordConcern, principal, to: "record a concern").deniedReason)
        #expect(reason.contains("no role"))
        #expect(reason.contains("record a concern"))
    }
}

@Suite("Role grants")
struct RoleGrantTests {
    private func grant(scope: RoleScope, ends: CalendarDate? = nil) throws -> RoleGrant {
        RoleGrant(personID: PersonID(), role: .staff, scope: scope, starts: try day("2025-09-01"), ends: ends)
    }

    @Test func grantIsActiveFromItsFirstDayToItsLastDayInclusive() throws {
        let grant = try grant(scope: .school(SchoolID()), ends: try day("2026-07-31"))
        #expect(!grant.isActive(on: try day("2025-08-31")))
        #expect(grant.isActive(on: try day("2025-09-01")))
        #expect(grant.isActive(on: try day("2026-01-15")))
        #expect(grant.isActive(on: try day("2026-07-31")))
        #expect(!grant.isActive(on: try day("2026-08-01")))
    }

    @Test func openEndedGrantStaysActive() throws {
        let grant = try grant(scope: .school(SchoolID()))
        #expect(!grant.isActive(on: try day("2025-08-31")))
        #expect(grant.isActive(on: try day("2025-09-01")))
        #expect(grant.isActive(on: try day("2040-01-01")))
    }

    @Test func schoolScopedGrantAppliesOnlyAtThatSchool() throws {
        let trust = SeedSchools.vikingAcademyTrust()
        let chilton = SeedSchools.chilton(trustID: trust.id)
        let sister = SeedSchools.dormansland(trustID: trust.id)
        let grant = try grant(scope: .school(chilton.id))
        #expect(grant.applies(to: chilton))
        #expect(!grant.applies(to: sister))
        #expect(!grant.applies(to: SeedSchools.mersham()))
        #expect(grant.schoolID == chilton.id)
        #expect(grant.trustID == nil)
    }

    @Test func trustScopedGrantAppliesAtEverySchoolOfTheTrustOnly() throws {
        let trust = SeedSchools.vikingAcademyTrust()
        let chilton = SeedSchools.chilton(trustID: trust.id)
        let sister = SeedSchools.dormansland(trustID: trust.id)
        let grant = try grant(scope: .trust(trust.id))
        #expect(grant.applies(to: chilton))
        #expect(grant.applies(to: sister))
        #expect(!grant.applies(to: SeedSchools.mersham()))
        #expect(!grant.applies(to: SeedSchools.chilton(trustID: TrustID())))
        #expect(grant.trustID == trust.id)
        #expect(grant.schoolID == nil)
    }

    /// A grant ends on or after its first day, or the day before it when withdrawn before it
    /// began (never in force); any earlier end is refused.
    @Test func grantEndingBeforeItStartsIsRefused() throws {
        let grant = try grant(scope: .school(SchoolID()), ends: try day("2025-08-30"))
        let error = #expect(throws: SafetyError.self) { try grant.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "roleGrant.ends")
        let withdrawn = try self.grant(scope: .school(SchoolID()), ends: try day("2025-08-31"))
        try withdrawn.validate()
        let first = try day("2025-09-01")
        #expect(withdrawn.neverInForce && !withdrawn.isActive(on: first))
        let oneDay = try self.grant(scope: .school(SchoolID()), ends: try day("2025-09-01"))
        try oneDay.validate()
        #expect(!oneDay.neverInForce && oneDay.isActive(on: first))
    }
}
