import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety people`: list, show, add and change people, and record and correct leavers.
struct PeopleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people",
        abstract: "List, show, add and change the people of a school, and record and correct leavers.",
        discussion: """
            A person is named by a UUID, a learner's UPN or an email address. Lists and records show only what the \
            acting person may read: a class teacher sees the learners of the groups they teach, and anyone else they \
            ask for is answered as if no one matched. Adding and changing people needs a role that manages people \
            (a data manager, the headteacher or leadership).
            """,
        subcommands: [List.self, Show.self, Add.self, Update.self, Leaver.self, CorrectLeaving.self]
    )

    // MARK: - people list

    /// `people list`: the people the acting person may read, as a table or JSON.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the people at the school that you may read.",
            discussion: """
                Leavers are left out unless --include-leavers is given; someone whose leaving day is still to come is \
                listed, with that day ("leaves on"). Each person is listed by the name they are known by (a learner's \
                preferred names, where the school's data has them), in the order of those names; `people show` gives \
                the legal name too. A learner's date of birth is not listed; `people show` \
                gives it. Each person listed is recorded in the audit trail as read.

                Example:
                  onlinesafety people list --store STORE --as dana.price@vikingtrust.example \\
                    --school 999001 --kind learner --group Oak
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(
            name: .customLong("kind"),
            help: ArgumentHelp("Only people of this kind (repeat for several): \(choices(PersonKind.self)).", valueName: "kind"))
        var kinds: [String] = []

        @Option(help: ArgumentHelp("Only learners in this registration group.", valueName: "group"))
        var group: String?

        @Flag(help: "Include people who have left.")
        var includeLeavers = false

        @Flag(help: "Print the list as JSON.")
        var json = false

        func validate() throws {
            _ = try parsedKinds()
        }

        private func parsedKinds() throws -> Set<PersonKind>? {
            guard !kinds.isEmpty else { return nil }
            return Set(try kinds.map { try parseChoice($0, option: "--kind") as PersonKind })
        }

        func run() async throws {
            let kinds = try parsedKinds()
            try await withSession(storeOptions, acting) { session in
                let today = session.today
                let query = PersonQuery(
                    scope: .everywhere, kinds: kinds, registrationGroup: group, presentOn: includeLeavers ? nil : today)
                // The store lists people by their legal names; the list shows and orders them by the
                // names they are known by.
                let people = try await session.people.list(query).sorted { listOrder($0) < listOrder($1) }
                if json {
                    try printJSON(people.map { PersonView($0, in: session, detailed: false) })
                    return
                }
                say("\(people.count) \(people.count == 1 ? "person" : "people") at \(session.principal.school.name)")
                guard !people.isEmpty else { return }
                let rows = people.map { person in
                    [
                        person.displayName, person.kind.rawValue, person.learner?.upn.value ?? person.email ?? "",
                        person.learner.map { "\($0.ncYear.rawValue)" } ?? "", person.learner?.registrationGroup ?? "",
                        person.jobTitle ?? "", leaving(of: person, asOf: today) ?? "", person.id.uuidString,
                    ]
                }
                say(lines: table(["NAME", "KIND", "UPN / EMAIL", "YEAR", "GROUP", "JOB TITLE", "LEAVING", "ID"], rows))
            }
        }

        /// Where a person comes in the list: by the family and given names they are known by,
        /// without case (as the store orders legal names), then by identifier.
        private func listOrder(_ person: Person) -> (String, String) {
            ("\(person.knownAsFamilyName.lowercased())\u{1F}\(person.knownAsGivenName.lowercased())", person.id.uuidString)
        }
    }

    // MARK: - people show

    /// `people show`: one person's record.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one person's record.",
            discussion: """
                The record is headed by the name the person is known by; a learner known by a name other than their \
                legal one has both shown ("legal name" and "known as"). A person you may not read (a class teacher \
                asking for a child of another class) is answered exactly as a reference no one has: exit status 66. \
                The read is recorded in the audit trail.

                Example:
                  onlinesafety people show B801200005001 --store STORE \\
                    --as dana.price@vikingtrust.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Argument(help: ArgumentHelp("The person: a UUID, a learner's UPN or an email address.", valueName: "ref"))
        var reference: String

        @Flag(help: "Print the record as JSON.")
        var json = false

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let person = try await readablePerson(reference, in: session)
                if json {
                    try printJSON(PersonView(person, in: session, detailed: true))
                } else {
                    say(lines: describe(person, in: session))
                }
            }
        }

        /// The record as lines: what the session returned, nothing more.
        func describe(_ person: Person, in session: SafetySession) -> [String] {
            var lines = [
                "\(person.displayName) (\(person.kind.rawValue), \(organisation(of: person, in: session)))", "  id: \(person.id)",
            ]
            if person.isKnownByAnotherName {
                lines.append("  legal name: \(person.fullName)")
                lines.append("  known as: \(person.displayName)")
            }
            if let email = person.email { lines.append("  email: \(email)") }
            if let title = person.jobTitle { lines.append("  job title: \(title)") }
            if let learner = person.learner {
                lines.append("  UPN: \(learner.upn.value)")
                lines.append("  date of birth: \(learner.dateOfBirth)")
                lines.append("  year group: \(learner.ncYear.rawValue)\(learner.keyStage.map { " (\($0.rawValue))" } ?? "")")
                lines.append("  registration group: \(learner.registrationGroup ?? "none")")
                if !learner.groups.isEmpty { lines.append("  other groups: \(learner.groups.joined(separator: ", "))") }
                if let keyPerson = learner.keyPerson { lines.append("  key person: \(keyPerson)") }
                let flags = [(learner.lookedAfter, "looked after"), (learner.send, "SEND"), (learner.eal, "EAL")].filter(\.0).map(\.1)
                if !flags.isEmpty { lines.append("  \(flags.joined(separator: ", "))") }
            }
            if let leaving = leaving(of: person, asOf: session.today) { lines.append("  \(leaving)") }
            return lines
        }
    }

    // MARK: - people add

    /// `people add`: a new person at the school, or at its trust.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a person: a learner, a member of staff, a governor, a parent or carer, a volunteer...",
            discussion: """
                A learner needs --upn, --date-of-birth and --year (and usually --group); a learner known by names \
                other than their legal ones has them in --preferred-given-name and --preferred-family-name (shown to \
                staff, the legal names kept beside them). The others take --email and --job-title. A person added has \
                no role yet: give them one with `roles grant`. With --trust-level the person belongs to the trust \
                (trust staff and trustees), which needs a trust-wide role.

                Examples:
                  onlinesafety people add --store STORE --as dana.price@vikingtrust.example \\
                    --school 999001 --kind staff --given-name Sam --family-name Patel \\
                    --email sam.patel@chilton.example --job-title "Class teacher"
                  onlinesafety people add --store STORE --as dana.price@vikingtrust.example \\
                    --school 999001 --kind learner --given-name Dev --family-name Rao \\
                    --upn N801200025004 --date-of-birth 2017-02-03 --year 3 --group Ash
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: ArgumentHelp("What part they play: \(choices(PersonKind.self)).", valueName: "kind"))
        var kind: String

        @Option(help: ArgumentHelp("Given name.", valueName: "name"))
        var givenName: String

        @Option(help: ArgumentHelp("Family name.", valueName: "name"))
        var familyName: String

        @Option(help: ArgumentHelp("Email address (staff sign in with it: --as).", valueName: "address"))
        var email: String?

        @Option(help: ArgumentHelp("Job title, for staff.", valueName: "title"))
        var jobTitle: String?

        @Option(help: ArgumentHelp("A learner's unique pupil number (13 characters, with its check letter).", valueName: "upn"))
        var upn: String?

        @Option(help: ArgumentHelp("A learner's date of birth (YYYY-MM-DD).", valueName: "date"))
        var dateOfBirth: String?

        @Option(help: ArgumentHelp("A learner's year group: N1, N2, R, 1 to 14, or X (outside year groups).", valueName: "year"))
        var year: String?

        @Option(help: ArgumentHelp("A learner's registration group or class, for example Oak.", valueName: "group"))
        var group: String?

        @Option(help: ArgumentHelp("The given name a learner is known by, when it is not their legal one.", valueName: "name"))
        var preferredGivenName: String?

        @Option(help: ArgumentHelp("The family name a learner is known by, when it is not their legal one.", valueName: "name"))
        var preferredFamilyName: String?

        @Flag(help: "The person belongs to the trust rather than the school (trust staff and trustees).")
        var trustLevel = false

        func validate() throws {
            let kind: PersonKind = try parseChoice(kind, option: "--kind")
            if kind == .learner {
                guard upn != nil else { throw ValidationError("A learner needs --upn.") }
                guard let dateOfBirth else { throw ValidationError("A learner needs --date-of-birth.") }
                guard let year else { throw ValidationError("A learner needs --year.") }
                _ = try requireDate(dateOfBirth, option: "--date-of-birth")
                _ = try parseYearGroup(year, option: "--year")
                if trustLevel { throw ValidationError("A learner belongs to a school: leave out --trust-level.") }
            } else if upn != nil || dateOfBirth != nil || year != nil || group != nil {
                throw ValidationError("--upn, --date-of-birth, --year and --group are for learners only.")
            }
            if kind == .learner && jobTitle != nil { throw ValidationError("A learner has no job title: leave out --job-title.") }
            if kind != .learner && (preferredGivenName != nil || preferredFamilyName != nil) {
                throw ValidationError(
                    "--preferred-given-name and --preferred-family-name are for learners only: anyone else is known by their legal names.")
            }
            try checkPreferredNames(given: preferredGivenName, family: preferredFamilyName, orElse: "leave it out")
            if let email { try checkEmail(email, option: "--email") }
        }

        func run() async throws {
            let kind: PersonKind = try parseChoice(kind, option: "--kind")
            var details: (upn: String, born: CalendarDate, year: NCYear)?
            if kind == .learner, let upn, let dateOfBirth, let year {
                details = (upn, try requireDate(dateOfBirth, option: "--date-of-birth"), try parseYearGroup(year, option: "--year"))
            }
            try await withSession(storeOptions, acting) { session in
                let school = session.principal.school
                let tenancy: Tenancy
                if trustLevel {
                    guard let trustID = school.trustID else {
                        throw SafetyError(.invalidInput, "this school belongs to no trust", location: "--trust-level")
                    }
                    tenancy = .trust(trustID)
                } else {
                    tenancy = .school(school.id)
                }
                let learner = try details.map { details in
                    LearnerDetails(
                        upn: try parseUPN(details.upn), dateOfBirth: details.born, ncYear: details.year, registrationGroup: group,
                        preferredGivenName: preferredGivenName, preferredFamilyName: preferredFamilyName)
                }
                let person = try await session.people.add(
                    Person(
                        tenancy: tenancy, kind: kind, givenName: givenName, familyName: familyName, email: email, jobTitle: jobTitle,
                        learner: learner))
                say("Added \(person.displayName) (\(person.kind.rawValue), \(organisation(of: person, in: session))): \(person.id)")
                if kind != .learner && kind != .parentCarer {
                    say("They hold no role yet: `onlinesafety roles grant \(person.email ?? person.id.uuidString) ROLE` gives them one.")
                }
            }
        }
    }

    // MARK: - people update

    /// `people update`: names, email, job title, a learner's preferred names, group or year of a
    /// person within reach.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a person's names, email address, job title, or a learner's preferred names, registration group or year.",
            discussion: """
                Only what is given changes. A person stays with the organisation they belong to. A learner's \
                preferred names are the names they are known by, shown to staff beside their legal ones: \
                --preferred-given-name and --preferred-family-name set them, --clear-preferred-names clears them (with \
                one of the two, it clears the other), so that the learner is known by their legal names again.

                Examples:
                  onlinesafety people update B801200005001 --store STORE \\
                    --as dana.price@vikingtrust.example --school 999001 --group Ash
                  onlinesafety people update B801200005001 --store STORE \\
                    --as dana.price@vikingtrust.example --school 999001 --preferred-given-name Jo
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Argument(help: ArgumentHelp("The person: a UUID, a learner's UPN or an email address.", valueName: "ref"))
        var reference: String

        @Option(help: ArgumentHelp("A new given name.", valueName: "name"))
        var givenName: String?

        @Option(help: ArgumentHelp("A new family name.", valueName: "name"))
        var familyName: String?

        @Option(help: ArgumentHelp("A new email address.", valueName: "address"))
        var email: String?

        @Option(help: ArgumentHelp("A new job title.", valueName: "title"))
        var jobTitle: String?

        @Option(help: ArgumentHelp("A learner's new registration group.", valueName: "group"))
        var group: String?

        @Option(help: ArgumentHelp("A learner's new year group: N1, N2, R, 1 to 14, or X.", valueName: "year"))
        var year: String?

        @Option(help: ArgumentHelp("The given name a learner is known by, when it is not their legal one.", valueName: "name"))
        var preferredGivenName: String?

        @Option(help: ArgumentHelp("The family name a learner is known by, when it is not their legal one.", valueName: "name"))
        var preferredFamilyName: String?

        @Flag(help: "Clear a learner's preferred names (with one of --preferred-given-name or --preferred-family-name, the other).")
        var clearPreferredNames = false

        func validate() throws {
            let given = [givenName, familyName, preferredGivenName, preferredFamilyName, email, jobTitle, group, year]
            guard given.contains(where: { $0 != nil }) || clearPreferredNames else {
                throw ValidationError(
                    "Give what changes: --given-name, --family-name, --preferred-given-name, --preferred-family-name, "
                        + "--clear-preferred-names, --email, --job-title, --group or --year.")
            }
            try checkPreferredNames(given: preferredGivenName, family: preferredFamilyName, orElse: "--clear-preferred-names clears it")
            if clearPreferredNames && preferredGivenName != nil && preferredFamilyName != nil {
                throw ValidationError(
                    "--clear-preferred-names clears the preferred name not given: leave it out when giving both preferred names.")
            }
            if let year { _ = try parseYearGroup(year, option: "--year") }
            if let email { try checkEmail(email, option: "--email") }
        }

        func run() async throws {
            let year = try year.map { try parseYearGroup($0, option: "--year") }
            try await withSession(storeOptions, acting) { session in
                var person = try await readablePerson(reference, in: session)
                var changed: [String] = []
                if let givenName {
                    person.givenName = givenName
                    changed.append("given name")
                }
                if let familyName {
                    person.familyName = familyName
                    changed.append("family name")
                }
                if preferredGivenName != nil || preferredFamilyName != nil || clearPreferredNames {
                    // A usage error, as `people add` gives for anyone but a learner; nothing is written.
                    guard var learner = person.learner else {
                        throw ValidationError(
                            "--preferred-given-name, --preferred-family-name and --clear-preferred-names are for learners only: "
                                + "anyone else is known by their legal names.")
                    }
                    if preferredGivenName != nil || clearPreferredNames { learner.preferredGivenName = preferredGivenName }
                    if preferredFamilyName != nil || clearPreferredNames { learner.preferredFamilyName = preferredFamilyName }
                    person.learner = learner
                    if clearPreferredNames && preferredGivenName == nil && preferredFamilyName == nil {
                        changed.append("preferred names cleared")
                    } else {
                        if preferredGivenName != nil {
                            changed.append("preferred given name")
                        } else if clearPreferredNames {
                            changed.append("preferred given name cleared")
                        }
                        if preferredFamilyName != nil {
                            changed.append("preferred family name")
                        } else if clearPreferredNames {
                            changed.append("preferred family name cleared")
                        }
                    }
                }
                if let email {
                    person.email = email
                    changed.append("email")
                }
                if let jobTitle {
                    guard person.kind != .learner else {
                        throw SafetyError(.invalidInput, "a learner has no job title", location: "--job-title")
                    }
                    person.jobTitle = jobTitle
                    changed.append("job title")
                }
                if group != nil || year != nil {
                    guard var learner = person.learner else {
                        throw SafetyError(.invalidInput, "only a learner has a registration group and a year group", location: "--group")
                    }
                    if let group {
                        learner.registrationGroup = group
                        changed.append("registration group")
                    }
                    if let year {
                        learner.ncYear = year
                        changed.append("year group")
                    }
                    person.learner = learner
                }
                let stored = try await session.people.update(person)
                say("Updated \(stored.displayName) (\(changed.joined(separator: ", "))): \(stored.id)")
            }
        }
    }

    // MARK: - people leaver

    /// `people leaver`: the person has left; their roles end and their access is revoked.
    struct Leaver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a person has left: their roles end and their access to systems is revoked that day.",
            discussion: """
                The record and its history stay. Every role the person holds on --on ends that day (their last day), \
                every access grant in the access register is revoked from it (reason "leaver"), and once the day has \
                come no session can be opened for them. Recording the same person again on another day is refused \
                (exit status 65): a day recorded by mistake is put right with `people correct-leaving`, with a reason.

                Example:
                  onlinesafety people leaver tom.hughes@chilton.example --on 2026-07-22 \\
                    --store STORE --as dana.price@vikingtrust.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Argument(help: ArgumentHelp("The person: a UUID, a learner's UPN or an email address.", valueName: "ref"))
        var reference: String

        @Option(help: ArgumentHelp("The day they leave (YYYY-MM-DD): their last day.", valueName: "date"))
        var on: String

        func validate() throws {
            _ = try requireDate(on, option: "--on")
        }

        func run() async throws {
            let day = try requireDate(on, option: "--on")
            try await withSession(storeOptions, acting) { session in
                let person = try await withPerson(reference, in: session) { id in try await session.people.recordLeaver(id, on: day) }
                let leaves = day > session.today ? "leaves" : "left"
                say("Recorded that \(person.displayName) \(leaves) on \(day): their roles end on that day at the latest,")
                say("their access to systems is revoked from it, and from that day on no session can be opened for them.")
            }
        }
    }

    // MARK: - people correct-leaving

    /// `people correct-leaving`: a leaving day recorded by mistake, moved or taken back, with a reason.
    struct CorrectLeaving: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "correct-leaving",
            abstract: "Correct a leaving day recorded by mistake: move it, or record that the person did not leave.",
            discussion: """
                --day moves the leaving day. An earlier day ends the person's roles and revokes their access from it, as \
                `people leaver` would have; a later day gives nothing back: the roles and access that ended on the day \
                first recorded stay ended, so grant again (`roles grant`, `access grant`) what the person needs until \
                the new day. --not-left records that they did not leave: they are on roll again, but hold no role and \
                no access, and so cannot act, until these are granted again. --reason says why; it is kept in the \
                audit trail. Correcting needs a role that manages people (exit status 77 otherwise), and no one \
                corrects their own leaving.

                Examples:
                  onlinesafety people correct-leaving tom.hughes@chilton.example --day 2026-07-22 \\
                    --reason "the 2nd was typed for the 22nd" \\
                    --store STORE --as dana.price@vikingtrust.example --school 999001
                  onlinesafety people correct-leaving tom.hughes@chilton.example --not-left \\
                    --reason "recorded against the wrong member of staff" \\
                    --store STORE --as dana.price@vikingtrust.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Argument(help: ArgumentHelp("The person: a UUID, a learner's UPN or an email address.", valueName: "ref"))
        var reference: String

        @Option(help: ArgumentHelp("The day they really leave (YYYY-MM-DD): their last day.", valueName: "date"))
        var day: String?

        @Flag(help: "They did not leave: restore them (their roles and access are not given back).")
        var notLeft = false

        @Option(help: ArgumentHelp("Why the leaving day is corrected (kept in the audit trail).", valueName: "text"))
        var reason: String

        func validate() throws {
            guard (day != nil) != notLeft else { throw ValidationError("Give one of --day or --not-left.") }
            if let day { _ = try requireDate(day, option: "--day") }
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError("--reason says why the leaving day is corrected.")
            }
        }

        func run() async throws {
            let newDay = try day.map { try requireDate($0, option: "--day") }
            try await withSession(storeOptions, acting) { session in
                let person = try await withPerson(reference, in: session) { id in
                    try await session.people.correctLeaving(id, to: newDay, reason: reason)
                }
                if let newDay {
                    say("Corrected: \(person.displayName) leaves on \(newDay). Any role or access held after that day ends on it;")
                    say("any that ended with the day first recorded stays ended (`roles grant`, `access grant` give them again).")
                } else {
                    say("Corrected: \(person.displayName) did not leave and is on roll again. The roles and access that ended")
                    say("with the leaving are not given back: `roles grant` and `access grant` give again what they need.")
                }
            }
        }
    }
}

/// A person's leaving day in words, as `people list` and `people show` give it: "leaves on DAY"
/// for a day after `today` (the session's), "left on DAY" for one on or before it; `nil` for
/// someone not recorded as leaving.
func leaving(of person: Person, asOf today: CalendarDate) -> String? {
    person.leftOn.map { day in day > today ? "leaves on \(day)" : "left on \(day)" }
}

/// Fails validation naming the option when a preferred name is given blank (only spaces or line
/// breaks): a learner known by their legal name has none. `otherwise` says what to do instead.
func checkPreferredNames(given: String?, family: String?, orElse otherwise: String) throws {
    for (option, name) in [("--preferred-given-name", given), ("--preferred-family-name", family)] {
        if let name, name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("\(option) takes a name: a learner known by their legal name has none (\(otherwise)).")
        }
    }
}

/// A person named by UUID, UPN or email whom the acting person may read, or `notFound` with
/// ``noOneMatches``: the same words for a reference no one has and for a record out of reach.
func readablePerson(_ reference: String, in session: SafetySession) async throws -> Person {
    do {
        return try await session.people.get(try await resolvePerson(reference, in: session))
    } catch let error as SafetyError where error.code == .notFound {
        throw SafetyError(.notFound, noOneMatches)
    }
}

/// Parses a UPN given on the command line; a refusal names `--upn`, never the value.
func parseUPN(_ text: String) throws -> UPN {
    do throws(SafetyError) {
        return try UPN(text)
    } catch {
        throw SafetyError(.invalidInput, error.reason, location: "--upn")
    }
}

/// A plausible email address: one `@` with text either side, a dot inside the domain, no spaces
/// (the rule the import readers apply).
func isPlausibleEmail(_ text: String) -> Bool {
    let parts = text.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else {
        return false
    }
    return !text.contains(where: \.isWhitespace)
}

/// Fails validation naming the option when `text` is not an email address (without repeating it).
func checkEmail(_ text: String, option: String) throws {
    guard isPlausibleEmail(text) else {
        throw ValidationError("\(option) takes an email address, such as sam.patel@example.org.")
    }
}

/// Where a person belongs, in words: the session's school by name, or the trust.
func organisation(of person: Person, in session: SafetySession) -> String {
    switch person.tenancy {
    case .school(let id) where id == session.principal.school.id: session.principal.school.name
    case .school: "another school"
    case .trust: "the trust"
    }
}

/// A person as the tool prints them in JSON: what the session returned, with their legal names,
/// the name they are known by, and a learner's preferred names when held; with `detailed`, a
/// learner's date of birth and flags too (`people show`).
struct PersonView: Encodable {
    /// A learner's details.
    struct LearnerView: Encodable {
        let upn: String
        let dateOfBirth: String?
        let yearGroup: String
        let keyStage: String?
        let registrationGroup: String?
        let groups: [String]?
        let keyPerson: String?
        let preferredGivenName: String?
        let preferredFamilyName: String?
        let lookedAfter: Bool?
        let send: Bool?
        let eal: Bool?
    }

    let id: String
    let kind: String
    /// The legal given name.
    let givenName: String
    /// The legal family name.
    let familyName: String
    /// The name the person is known by (``Person/displayName``).
    let displayName: String
    let organisation: String
    let email: String?
    let jobTitle: String?
    let leftOn: String?
    let learner: LearnerView?

    init(_ person: Person, in session: SafetySession, detailed: Bool) {
        id = person.id.uuidString
        kind = person.kind.rawValue
        givenName = person.givenName
        familyName = person.familyName
        displayName = person.displayName
        organisation = onlinesafety.organisation(of: person, in: session)
        email = person.email
        jobTitle = person.jobTitle
        leftOn = person.leftOn.map { "\($0)" }
        learner = person.learner.map { learner in
            LearnerView(
                upn: learner.upn.value, dateOfBirth: detailed ? "\(learner.dateOfBirth)" : nil, yearGroup: learner.ncYear.rawValue,
                keyStage: learner.keyStage?.rawValue, registrationGroup: learner.registrationGroup,
                groups: detailed && !learner.groups.isEmpty ? learner.groups : nil, keyPerson: detailed ? learner.keyPerson : nil,
                preferredGivenName: learner.preferredGivenName, preferredFamilyName: learner.preferredFamilyName,
                lookedAfter: detailed ? learner.lookedAfter : nil, send: detailed ? learner.send : nil, eal: detailed ? learner.eal : nil)
        }
    }
}

/// Prints a value as pretty, key-sorted JSON (JSON escapes control characters itself; each line
/// still goes through ``say(_:)``).
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    say(lines: String(decoding: try encoder.encode(value), as: UTF8.self).components(separatedBy: "\n"))
}
