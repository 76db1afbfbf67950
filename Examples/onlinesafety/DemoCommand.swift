import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety demo`: creates the Viking Academy Trust with Chilton Primary from its policy's
/// settings, adds a few people and roles, and prints who holds which role and the audit result.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create the Viking Academy Trust with Chilton Primary and show its roles and audit trail."
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors {
            try await runDemo()
        }
    }

    /// Creates the store if it is missing (the demo is one of the two commands that may), and
    /// the community if the store does not hold it yet.
    private func runDemo() async throws {
        try await withStore(storeOptions, create: true) { store in
            let safety = OnlineSafety(backend: store, clock: .system, logger: storeOptions.logger)
            let session: SafetySession
            do {
                session = try await safety.session(as: .email(Self.administratorEmail), at: .urn(SeedSchools.chilton(trustID: nil).urn))
                say(lines: ["The store already holds the demo community; showing it.", ""])
            } catch let error as SafetyError where error.code == .forbidden {
                let admin = try await createCommunity(safety)
                session = try await safety.session(actingAs: admin.person, at: admin.school)
            }
            try await printReport(session, safety: safety)
        }
    }

    private struct Admin {
        let person: PersonID
        let school: SchoolID
    }

    /// The demo data manager's address, which the demo signs in with when it runs again.
    static let administratorEmail = "dana.price@vikingtrust.example"

    private func createCommunity(_ safety: OnlineSafety) async throws -> Admin {
        let trust = SeedSchools.vikingAcademyTrust()
        let boot = try await safety.bootstrap(
            trust: trust, school: SeedSchools.chilton(trustID: trust.id),
            administrator: Person(
                tenancy: .trust(trust.id), kind: .staff, givenName: "Dana", familyName: "Price", email: Self.administratorEmail,
                jobTitle: "Trust data manager"))
        let session = try await safety.session(actingAs: boot.administrator.id, at: boot.school.id)
        let school = boot.school
        let start = CalendarDate(year: 2025, month: 9, day: 1)!
        func staff(_ given: String, _ family: String, _ title: String, _ roles: [Role], groups: [String] = []) async throws -> Person {
            let email = "\(given).\(family)@chilton.example".lowercased()
            let person = try await session.people.add(
                Person(tenancy: .school(school.id), kind: .staff, givenName: given, familyName: family, email: email, jobTitle: title))
            for role in roles {
                try await session.roles.grant(
                    RoleGrant(
                        personID: person.id, role: role, scope: .school(school.id), starts: start, groups: role == .staff ? groups : []))
            }
            return person
        }
        _ = try await staff("Kate", "Law", "Head of School", [.headteacher, .designatedSafeguardingLead, .staff])
        _ = try await staff("Priya", "Shah", "Deputy DSL", [.deputyDesignatedSafeguardingLead, .staff], groups: ["Ash"])
        _ = try await staff("Tom", "Hughes", "Class teacher", [.staff], groups: ["Oak"])
        _ = try await staff("Ian", "Cole", "IT technician", [.technicalStaff])
        let governor = try await session.people.add(
            Person(
                tenancy: .school(school.id), kind: .governor, givenName: "Hannah", familyName: "Cheshire",
                email: "hannah.cheshire@chilton.example"))
        try await session.roles.grant(RoleGrant(personID: governor.id, role: .governor, scope: .school(school.id), starts: start))
        let learners: [(String, String, String, NCYear, String)] = [
            ("Ava", "Miller", "B801200005001", .year4, "Oak"), ("Ben", "Clarke", "", .year5, "Ash"), ("Cleo", "Evans", "", .year1, "Oak"),
        ]
        for (index, (given, family, upn, year, group)) in learners.enumerated() {
            let body = "8869001" + "25" + String(format: "%03d", index + 1)
            let value = upn.isEmpty ? String(UPN.checkLetter(for: Array(body))!) + body : upn
            try await session.people.add(
                Person(
                    tenancy: .school(school.id), kind: .learner, givenName: given, familyName: family,
                    learner: LearnerDetails(
                        upn: try UPN(value), dateOfBirth: CalendarDate(year: 2014 + index, month: 5, day: 1 + index)!, ncYear: year,
                        registrationGroup: group)))
        }
        say(lines: ["Created the Viking Academy Trust with Chilton Primary School from its policy settings.", ""])
        return Admin(person: boot.administrator.id, school: school.id)
    }

    private func printReport(_ session: SafetySession, safety: OnlineSafety) async throws {
        let school = try await session.organisation.school()
        if let trust = try await session.organisation.trust() { say("Trust: \(trust.name)") }
        for each in try await session.organisation.schools() {
            say("  School: \(each.name) (URN \(each.urn), DfE \(each.dfeNumber), \(each.phase.rawValue))")
        }
        let settings = school.settings
        say(lines: ["", "\(school.name): policy settings"])
        say("  DSL: \(settings.designatedSafeguardingLead.name)\(settings.designatedSafeguardingLead.title.map { ", \($0)" } ?? "")")
        say("  Safeguarding advice: \(describe(settings.safeguardingAdvice))")
        say("  LADO: \(describe(settings.lado))")
        say("  Police: \(describe(settings.police))")
        say("  Filtering: \(settings.filteringProvider) via \(settings.internetServiceProvider)")
        say("  DSL meets the safeguarding governor \(settings.dslGovernorMeetingsPerYear) times a year")

        say(lines: ["", "Who holds which role today:"])
        for holder in try await session.roles.holders() {
            let groups = holder.grant.groups.isEmpty ? "" : " (teaches \(holder.grant.groups.joined(separator: ", ")))"
            let scope = holder.grant.trustID != nil ? " [trust-wide]" : ""
            say("  \(holder.grant.role.title): \(holder.person.displayName)\(groups)\(scope)")
        }

        let learners = try await session.people.list(PersonQuery(scope: .everywhere, kinds: [.learner]))
        say(lines: ["", "Learners on roll: \(learners.count)"])
        if let teacher = try await session.roles.holders().first(where: { $0.person.jobTitle == "Class teacher" }),
            let other = learners.first(where: { !teacher.grant.groups.contains($0.learner?.registrationGroup ?? "") })
        {
            let teacherSession = try await safety.session(actingAs: teacher.person.id, at: school.id)
            do {
                _ = try await teacherSession.people.get(other.id)
            } catch let error as SafetyError {
                say("A class teacher reading a child from another class: \(error)")
            }
        }

        let verification = try await session.audit.verify()
        say(lines: ["", "Audit trail: \(verification.eventsChecked) events, hash chain \(verification.isIntact ? "intact" : "BROKEN")"])
        if let broken = verification.firstBreak { say("  first broken link: \(broken)") }
        say("  head: event \(verification.headSequence), \(verification.headHash.prefix(16))…")
        say(lines: [
            "",
            "Next, record a concern as the class teacher and see what Chilton's policy requires (run in the same store):",
            "  onlinesafety incident record --store STORE --as tom.hughes@chilton.example --school \(school.urn) \\",
            "    --category nudeImageSharing --risk conduct --victim B801200005001 --fact sexualActs \\",
            "    --summary \"A learner says an image of them is being shared\"",
            "  onlinesafety incident overdue --store STORE --as kate.law@chilton.example --school \(school.urn) --outstanding",
            "",
            "Or keep the records up to date as the trust's data manager (people, contacts, roles, school, audit):",
            "  onlinesafety whoami --store STORE --as \(Self.administratorEmail) --school \(school.urn)",
            "  onlinesafety people list --store STORE --as \(Self.administratorEmail) --school \(school.urn)",
        ])
    }

    private func describe(_ agency: Agency) -> String {
        [agency.name, agency.area, agency.phone].compactMap { $0 }.joined(separator: ", ")
    }
}
