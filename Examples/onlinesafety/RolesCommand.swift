import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety roles`: who holds which role, and granting and ending roles.
struct RolesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "Grant and end roles, and list who holds which role on a day.",
        discussion: """
            The roles: \(choices(Role.self)). A role decides what its holder may do (`whoami` says what). \
            Granting and ending roles needs the data manager or the headteacher; a trust-wide role needs a \
            trust-wide data manager.
            """,
        subcommands: [Grant.self, End.self, List.self]
    )

    /// `roles grant`: a role for a person, at the school or trust-wide.
    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grant a person a role at the school, or across the trust.",
            discussion: """
                The role starts on --from (today by default) and runs until --until, its last day, or until it is \
                ended. Staff and technical staff may list the registration groups they teach (--groups): they read \
                the records of those learners only.

                Examples:
                  onlinesafety roles grant priya.shah@chilton.example \\
                    designatedSafeguardingLead --from 2026-09-01 --store STORE \\
                    --as dana.price@vikingtrust.example --school 999001
                  onlinesafety roles grant tom.hughes@chilton.example staff --groups Oak,Ash \\
                    --store STORE --as dana.price@vikingtrust.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Argument(help: ArgumentHelp("The person: a UUID or an email address.", valueName: "ref"))
        var reference: String

        @Argument(help: ArgumentHelp("The role: \(choices(Role.self)).", valueName: "role"))
        var role: String

        @Flag(help: "The role applies at every school of the trust (needs a trust-wide role).")
        var trustWide = false

        @Option(help: ArgumentHelp("For staff and technical staff: the groups they teach, comma-separated.", valueName: "groups"))
        var groups: String?

        @Option(help: ArgumentHelp("The first day (YYYY-MM-DD; default today).", valueName: "date"))
        var from: String?

        @Option(help: ArgumentHelp("The last day (YYYY-MM-DD; default open-ended).", valueName: "date"))
        var until: String?

        func validate() throws {
            let role: Role = try parseChoice(role, option: "<role>")
            if groups != nil && !Capability.granted(to: role).contains(.readTaughtLearners) {
                throw ValidationError("--groups is for the staff and technicalStaff roles only.")
            }
            let from = try parseDate(from, option: "--from")
            let until = try parseDate(until, option: "--until")
            if let from, let until, until < from { throw ValidationError("--until is the role's last day: it cannot be before --from.") }
        }

        func run() async throws {
            let role: Role = try parseChoice(role, option: "<role>")
            let from = try parseDate(from, option: "--from")
            let until = try parseDate(until, option: "--until")
            try await withSession(storeOptions, acting) { session in
                let school = session.principal.school
                let scope: RoleScope
                if trustWide {
                    guard let trustID = school.trustID else {
                        throw SafetyError(.invalidInput, "this school belongs to no trust", location: "--trust-wide")
                    }
                    scope = .trust(trustID)
                } else {
                    scope = .school(school.id)
                }
                let grant: RoleGrant
                do {
                    grant = try await withPerson(reference, in: session) { personID in
                        try await session.roles.grant(
                            RoleGrant(
                                personID: personID, role: role, scope: scope, starts: from ?? session.today, ends: until,
                                groups: parseList(groups)))
                    }
                } catch let error as SafetyError where error.code == .invalidInput && error.location == "roleGrant.scope" {
                    // A trust-level person (trust staff, trustees) holds trust-wide roles only.
                    throw SafetyError(.invalidInput, "\(error.reason): add --trust-wide", location: "--trust-wide")
                }
                let names = await names(of: [grant.personID], in: session)
                say("Granted \(role.title) to \(label(grant.personID, names)) \(describe(grant, at: school)): grant \(grant.id)")
                if let ends = grant.ends, ends != until {
                    say(
                        "It ends on \(ends), their leaving day, rather than \(until.map { "on \($0)" } ?? "open-ended"): no one holds a role after they leave."
                    )
                }
            }
        }
    }

    /// `roles end`: a grant's last day.
    struct End: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a role grant on a day (its last day).",
            discussion: """
                The grant's identifier is in `roles list`. A school's headteacher cannot end a trust-wide role.

                Example:
                  onlinesafety roles end 6F1C2A9E-0000-4000-8000-000000000000 \\
                    --on 2026-08-31 --store STORE --as dana.price@vikingtrust.example \\
                    --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Argument(help: ArgumentHelp("The grant (a UUID, as `roles list` shows it).", valueName: "grant-id"))
        var grant: String

        @Option(help: ArgumentHelp("The role's last day (YYYY-MM-DD).", valueName: "date"))
        var on: String

        func validate() throws {
            guard RoleGrantID(uuidString: grant) != nil else {
                throw ValidationError("<grant-id> is a grant's UUID, as `roles list` shows it.")
            }
            _ = try requireDate(on, option: "--on")
        }

        func run() async throws {
            guard let id = RoleGrantID(uuidString: grant) else { return }
            let day = try requireDate(on, option: "--on")
            try await withSession(storeOptions, acting) { session in
                let ended = try await session.roles.end(id, on: day)
                let names = await names(of: [ended.personID], in: session)
                say(
                    ended.neverInForce
                        ? "Withdrew \(ended.role.title) for \(label(ended.personID, names)) before its first day: it was never in force."
                        : "Ended \(ended.role.title) for \(label(ended.personID, names)): \(day) is its last day.")
            }
        }
    }

    /// `roles list`: the role holders at the school on a day.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List who holds which role at the school on a day: the DSL, deputies, staff, technical staff, governors...",
            discussion: """
                Roles held trust-wide are listed too, marked "trust-wide". Each holder listed is recorded in the \
                audit trail as read.

                Examples:
                  onlinesafety roles list --store STORE --as kate.law@chilton.example \\
                    --school 999001
                  onlinesafety roles list --role designatedSafeguardingLead \\
                    --role deputyDesignatedSafeguardingLead --on 2026-09-01 --store STORE \\
                    --as kate.law@chilton.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: ArgumentHelp("The day (YYYY-MM-DD; default today).", valueName: "date"))
        var on: String?

        @Option(
            name: .customLong("role"),
            help: ArgumentHelp("Only this role (repeat for several): \(choices(Role.self)).", valueName: "role"))
        var roles: [String] = []

        @Flag(help: "Print the list as JSON.")
        var json = false

        func validate() throws {
            _ = try parseDate(on, option: "--on")
            for role in roles { let _: Role = try parseChoice(role, option: "--role") }
        }

        func run() async throws {
            let day = try parseDate(on, option: "--on")
            let chosen = Set(try roles.map { try parseChoice($0, option: "--role") as Role })
            try await withSession(storeOptions, acting) { session in
                let school = session.principal.school
                let order = Dictionary(uniqueKeysWithValues: Role.allCases.enumerated().map { ($1, $0) })
                let holders = try await session.roles.holders(on: day).filter { chosen.isEmpty || chosen.contains($0.grant.role) }
                    .sorted { (order[$0.grant.role] ?? 0, $0.person.familyName) < (order[$1.grant.role] ?? 0, $1.person.familyName) }
                if json {
                    try printJSON(holders.map { HolderView($0) })
                    return
                }
                say("\(holders.count) role \(holders.count == 1 ? "holder" : "holders") at \(school.name) on \(day ?? session.today)")
                guard !holders.isEmpty else { return }
                let rows = holders.map { holder in
                    let grant = holder.grant
                    return [
                        grant.role.title, holder.person.displayName, holder.person.email ?? "",
                        grant.trustID != nil ? "trust-wide" : "school",
                        grant.groups.joined(separator: ","), "\(grant.starts)", grant.ends.map { "\($0)" } ?? "", grant.id.uuidString,
                    ]
                }
                say(lines: table(["ROLE", "NAME", "EMAIL", "SCOPE", "GROUPS", "FROM", "UNTIL", "GRANT"], rows))
            }
        }
    }
}

/// A grant's scope and dates, in words.
func describe(_ grant: RoleGrant, at school: School) -> String {
    let scope = grant.trustID != nil ? "across the trust" : "at \(school.name)"
    let groups = grant.groups.isEmpty ? "" : " for \(grant.groups.joined(separator: ", "))"
    if grant.neverInForce { return "\(scope)\(groups), withdrawn before its first day (\(grant.starts)): never in force" }
    let until = grant.ends.map { " until \($0)" } ?? " (open-ended)"
    return "\(scope)\(groups) from \(grant.starts)\(until)"
}

/// A role holder as `roles list --json` prints them.
struct HolderView: Encodable {
    let grantID: String
    let role: String
    let personID: String
    let name: String
    let email: String?
    let trustWide: Bool
    let groups: [String]
    let starts: String
    let ends: String?

    init(_ holder: RoleService.Holder) {
        grantID = holder.grant.id.uuidString
        role = holder.grant.role.rawValue
        personID = holder.person.id.uuidString
        name = holder.person.displayName
        email = holder.person.email
        trustWide = holder.grant.trustID != nil
        groups = holder.grant.groups
        starts = "\(holder.grant.starts)"
        ends = holder.grant.ends.map { "\($0)" }
    }
}
