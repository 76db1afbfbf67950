public import Foundation
import Logging
@_spi(StorageBackend) public import OnlineSafetyCore

/// A small Chilton community on a store: the Viking Academy Trust, Chilton Primary from its seed
/// settings, a data manager, the DSL, a class teacher of Oak class, and two learners (one in Oak,
/// one in Ash) with a parent.
public struct Fixture: Sendable {
    /// The entry point, on a fixed clock.
    public let safety: OnlineSafety
    /// The trust.
    public let trust: Trust
    /// Chilton Primary.
    public let school: School
    /// The trust's data manager.
    public let admin: Person
    /// The DSL.
    public let dsl: Person
    /// A class teacher of Oak.
    public let teacher: Person
    /// A learner in Oak.
    public let oakLearner: Person
    /// A learner in Ash.
    public let ashLearner: Person
    /// The Ash learner's mother.
    public let parent: Person

    /// The fixed instant the fixture's clock reads: 2026-11-23 09:30 UK time.
    public static let now = Date(timeIntervalSince1970: 1_795_426_200)

    /// The fixture's day.
    public static var today: CalendarDate { CalendarDate(now) }

    /// Builds the community through sessions, as an application would.
    @_spi(StorageBackend)
    public static func make(on store: any OnlineSafetyStore) async throws -> Fixture {
        var logger = Logger(label: "conformance")
        logger.logLevel = .warning
        let safety = OnlineSafety(backend: store, clock: .fixed(now), logger: logger)
        let trust = SeedSchools.vikingAcademyTrust()
        let boot = try await safety.bootstrap(
            trust: trust, school: SeedSchools.chilton(trustID: trust.id),
            administrator: Person(
                tenancy: .trust(trust.id), kind: .staff, givenName: "Dana", familyName: "Manager", jobTitle: "Trust data manager"))
        let admin = try await safety.session(actingAs: boot.administrator.id, at: boot.school.id)
        let school = boot.school
        let start = CalendarDate(year: 2024, month: 9, day: 1)!
        let dsl = try await admin.people.add(
            Person(
                tenancy: .school(school.id), kind: .staff, givenName: "Kate", familyName: "Law", email: "kate.law@chilton.example",
                jobTitle: "Head of School"))
        let teacher = try await admin.people.add(
            Person(
                tenancy: .school(school.id), kind: .staff, givenName: "Tom", familyName: "Teacher", email: "Tom.Teacher@chilton.example",
                jobTitle: "Class teacher"))
        _ = try await admin.roles.grant(
            RoleGrant(personID: dsl.id, role: .designatedSafeguardingLead, scope: .school(school.id), starts: start))
        _ = try await admin.roles.grant(RoleGrant(personID: dsl.id, role: .headteacher, scope: .school(school.id), starts: start))
        _ = try await admin.roles.grant(
            RoleGrant(personID: teacher.id, role: .staff, scope: .school(school.id), starts: start, groups: ["Oak"]))
        let oak = try await admin.people.add(
            Person(
                tenancy: .school(school.id), kind: .learner, givenName: "Ava", familyName: "Oakley",
                learner: LearnerDetails(
                    upn: try UPN("B801200005001"), dateOfBirth: CalendarDate(year: 2017, month: 3, day: 14)!, ncYear: .year4,
                    registrationGroup: "Oak", send: true)))
        let ash = try await admin.people.add(
            Person(
                tenancy: .school(school.id), kind: .learner, givenName: "Ben", familyName: "Ashworth",
                learner: LearnerDetails(
                    upn: try UPN(Fixture.upn(serial: 2)), dateOfBirth: CalendarDate(year: 2016, month: 10, day: 2)!, ncYear: .year5,
                    registrationGroup: "Ash", lookedAfter: true)))
        let parent = try await admin.people.add(
            Person(tenancy: .school(school.id), kind: .parentCarer, givenName: "Cara", familyName: "Ashworth"))
        _ = try await admin.people.addContact(
            ContactLink(
                schoolID: school.id, learnerID: ash.id, adultID: parent.id, relationship: .mother, parentalResponsibility: true, priority: 1
            ))
        return Fixture(
            safety: safety, trust: boot.trust!, school: school, admin: boot.administrator, dsl: dsl, teacher: teacher,
            oakLearner: oak, ashLearner: ash, parent: parent)
    }

    /// A valid UPN for Kent (886), establishment 2074, allocated in 2020, with a serial number.
    public static func upn(serial: Int) -> String {
        let body = "8862074" + "20" + String(format: "%03d", serial)
        return String(UPN.checkLetter(for: Array(body))!) + body
    }
}
