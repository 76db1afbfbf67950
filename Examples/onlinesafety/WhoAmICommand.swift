import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety whoami`: the acting person, where, with which roles, and what they may do.
struct WhoAmICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Say who the acting person is, at which school, their roles today and what they may do.",
        discussion: """
            Opening the session is recorded in the audit trail, as for every command. A person who has left, or \
            holds no role at the school today, is refused (exit status 77) with the same words as someone unknown.

            Example:
              onlinesafety whoami --store STORE --as tom.hughes@chilton.example \\
                --school 999001
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var acting: ActingOptions

    func run() async throws {
        try await withSession(storeOptions, acting) { session in
            let principal = session.principal
            let person = principal.person
            let school = principal.school
            let trust = try await session.organisation.trust()
            let title = person.jobTitle.map { ", \($0)" } ?? ""
            let belongs = person.trustID != nil ? "of the \(trust?.name ?? "trust")" : "of \(school.name)"
            say("\(person.displayName)\(title) (\(person.kind.rawValue) \(belongs))")
            if let email = person.email { say("  signs in as \(email)") }
            say("  id: \(person.id)")
            say("Acting at \(school.name) (URN \(school.urn))\(trust.map { ", \($0.name)" } ?? "") on \(session.today)")
            say()
            say("Roles today:")
            for grant in principal.grants.sorted(by: { $0.role.rawValue < $1.role.rawValue }) {
                say("  \(grant.role.title) \(describe(grant, at: school))  grant \(grant.id)")
            }
            say()
            say("May:")
            for capability in Capability.allCases where principal.can(capability) {
                let trustWide = AccessPolicy.holdsTrustWide(capability, principal) ? " (trust-wide)" : ""
                say("  - \(Self.words(capability))\(trustWide)")
            }
            let groups = principal.teachingGroups.sorted()
            if !principal.can(.readAnyPersonRecord) && principal.can(.readTaughtLearners) {
                say(
                    groups.isEmpty
                        ? "  (reads no learner's record yet: none of their roles names a group they teach)"
                        : "  (reads the learners of \(groups.joined(separator: ", ")) only)")
            }
        }
    }

    /// What a capability lets its holder do, in words.
    static func words(_ capability: Capability) -> String {
        switch capability {
        case .manageOrganisation: "change the school's details and policy settings (`school set`), and add schools with a trust-wide role"
        case .managePeople: "add and change people and contacts, and record leavers (`people`, `contacts`)"
        case .manageRoles: "grant and end roles (`roles grant`, `roles end`)"
        case .readAnyPersonRecord: "read anyone's record at the school"
        case .readTaughtLearners: "read the records of the learners in the groups they teach"
        case .recordConcern: "record a concern (`incident record`)"
        case .readAllIncidents: "read every incident at the school, except restricted ones"
        case .readRestrictedIncidents: "read restricted incidents (nude images, exploitation, allegations against staff)"
        case .readAggregates: "read anonymised figures"
        case .readAudit: "read and verify the audit trail (`audit`)"
        case .manageAgreements: "publish acceptable use policies and record acceptances (`aup`)"
        case .manageAccess: "grant and revoke access to systems (`access`)"
        case .manageConsent: "record consent decisions (`consent`)"
        case .manageTraining: "record training and read everyone's training status (`training`)"
        case .readCompliance: "read the compliance report in detail (`compliance`)"
        case .purgeRecords: "purge records whose retention period is over"
        case .readFilteringRegister: "read the filtering and monitoring register (`register show`)"
        case .decideFilteringChanges: "approve or refuse filtering changes (`register changes decide`)"
        case .applyFilteringChanges: "record that a filtering change was applied (`register changes apply`)"
        case .operateFilteringAndMonitoring: "record filtering checks and their follow-up (`register checks`)"
        case .manageFilteringRegister: "name who is responsible for filtering and record its review (`register assign`, `register review`)"
        case .manageGovernance: "record governance meetings and reviews (`calendar record`)"
        }
    }
}
