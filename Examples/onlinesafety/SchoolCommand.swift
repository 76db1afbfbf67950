import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety school`: the school, its policy settings, and the trust's schools.
struct SchoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "school",
        abstract: "Show the school and its policy settings, change a setting, and list or add the trust's schools.",
        subcommands: [Show.self, SetSetting.self, List.self, Add.self]
    )

    // MARK: - school show

    /// `school show`: URN, DfE number, name, phase and every policy setting.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the school: URN, DfE number, name, phase, and its policy settings.",
            discussion: """
                Each setting is shown under the name `school set` takes.

                Example:
                  onlinesafety school show --store STORE --as kate.law@chilton.example \\
                    --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let school = try await session.organisation.school()
                let trust = try await session.organisation.trust()
                say(school.name)
                say("  URN \(school.urn), DfE number \(school.dfeNumber), \(school.phase.rawValue)")
                say("  key stages: \(school.keyStages.map(\.rawValue).joined(separator: ", "))")
                say("  trust: \(trust?.name ?? "none")")
                say("  id: \(school.id)")
                say()
                say("Policy settings (change one with `onlinesafety school set SETTING VALUE`):")
                let settings = school.settings
                let rows = SchoolSetting.all.map { [$0.name, $0.value(settings) ?? "-"] }
                say(lines: table(["SETTING", "VALUE"], rows).dropFirst().map { "  \($0)" })
                let deputies = settings.deputyDesignatedSafeguardingLeads.map(\.name).joined(separator: ", ")
                say("  deputy DSLs (not set here): \(deputies.isEmpty ? "none named" : deputies)")
            }
        }
    }

    // MARK: - school set

    /// `school set`: one policy setting of the session's school.
    struct SetSetting: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change one of the school's policy settings.",
            discussion: """
                Needs the headteacher or a data manager. `school show` lists each setting with its value. \
                Settings that may be empty are cleared with --clear. Lists (progressApps, socialMediaChannels) are \
                comma-separated; holidays are FIRST..LAST ranges, comma-separated.

                Settings:
                \(SchoolSetting.helpLines.joined(separator: "\n"))

                Examples:
                  onlinesafety school set filteringProvider Smoothwall --store STORE \\
                    --as dana.price@vikingtrust.example --school 999001
                  onlinesafety school set learnerConsentAge 12 --store STORE \\
                    --as dana.price@vikingtrust.example --school 999001
                  onlinesafety school set holidays \\
                    2026-10-26..2026-10-30,2026-12-21..2027-01-01 --store STORE \\
                    --as dana.price@vikingtrust.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Argument(help: ArgumentHelp("The setting, as `school show` names it.", valueName: "setting"))
        var setting: String

        /// The new value: every input left over, so that one that looks like an option (`-3`) is read as
        /// the value rather than refused; ``validate()`` takes one at most.
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Its new value.", valueName: "value"))
        var values: [String] = []

        private var value: String? { values.first }

        @Flag(help: "Clear the setting (for settings that may be empty).")
        var clear = false

        private func chosen() throws -> SchoolSetting {
            guard let chosen = SchoolSetting.all.first(where: { $0.name == setting }) else {
                throw ValidationError("<setting> is not a setting `school set` changes; `school set --help` lists them.")
            }
            return chosen
        }

        func validate() throws {
            let chosen = try chosen()
            if let unknown = values.first(where: { $0.hasPrefix("-") && Double($0) == nil }) {
                throw ValidationError("Unknown option '\(unknown)'.")
            }
            guard values.count <= 1 else {
                throw ValidationError("Give \(chosen.name) one value; quote a value with spaces (\"Head of School\").")
            }
            switch (value, clear) {
            case (nil, false): throw ValidationError("Give \(chosen.name) a value, or --clear.")
            case (.some, true): throw ValidationError("Give a value or --clear, not both.")
            case (.some(let value), false) where value.trimmingCharacters(in: .whitespaces).isEmpty:
                throw ValidationError("\(chosen.name) needs a value; --clear empties a setting that may be empty.")
            default: break
            }
            // Read the value here, not in run(): a usage error thrown there is shown with the top-level usage.
            var settings = SeedSchools.chiltonSettings()
            try chosen.apply(&settings, clear ? nil : value)
        }

        func run() async throws {
            let chosen = try chosen()
            try await withSession(storeOptions, acting) { session in
                var school = try await session.organisation.school()
                try chosen.apply(&school.settings, clear ? nil : value)
                let stored = try await session.organisation.updateSchool(school)
                say("\(stored.name): \(chosen.name) is now \(chosen.value(stored.settings) ?? "empty").")
            }
        }
    }

    // MARK: - school list

    /// `school list`: the schools of the session's trust.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the schools of the trust.",
            discussion: """
                Example:
                  onlinesafety school list --store STORE --as dana.price@vikingtrust.example \\
                    --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let trust = try await session.organisation.trust()
                let schools = try await session.organisation.schools()
                say("\(schools.count) \(schools.count == 1 ? "school" : "schools")\(trust.map { " in the \($0.name)" } ?? "")")
                let rows = schools.map { school in
                    [school.urn, "\(school.dfeNumber)", school.name, school.phase.rawValue, school.id.uuidString]
                }
                say(lines: table(["URN", "DFE", "NAME", "PHASE", "ID"], rows))
            }
        }
    }

    // MARK: - school add

    /// `school add`: a new school in the session's trust.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new school to the trust (needs a trust-wide role).",
            discussion: """
                The new school's policy settings start from the acting school's local ones: its safeguarding advice \
                line, LADO, police, filtering provider, internet service provider, learning platform, trust \
                safeguarding governor and the policy's figures. Its DSL and head are --dsl and --head; every other \
                named person and list starts empty. Check them with `school show --school URN` and change them with \
                `school set`. A trust-wide role works at the new school at once.

                Example:
                  onlinesafety school add --urn 999004 --dfe-number 886/9004 \\
                    --name "Upton Junior School" --phase junior --dsl "Rae Moss" \\
                    --head "Rae Moss" --store STORE --as dana.price@vikingtrust.example \\
                    --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: ArgumentHelp("The new school's unique reference number (6 digits).", valueName: "urn"))
        var urn: String

        @Option(help: ArgumentHelp("Its DfE number: LLL/EEEE or LLLEEEE.", valueName: "number"))
        var dfeNumber: String

        @Option(help: ArgumentHelp("Its name.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("Its phase: \(choices(SchoolPhase.self)).", valueName: "phase"))
        var phase: String

        @Option(
            help: ArgumentHelp(
                "The key stages taught, comma-separated: \(choices(KeyStage.self)) (default: from the phase).", valueName: "stages"))
        var keyStages: String?

        @Option(help: ArgumentHelp("The designated safeguarding lead's name.", valueName: "name"))
        var dsl: String

        @Option(help: ArgumentHelp("The headteacher's name.", valueName: "name"))
        var head: String

        @Option(help: ArgumentHelp("What the school calls its head (default Headteacher).", valueName: "title"))
        var headTitle: String = "Headteacher"

        func validate() throws {
            _ = try stages()
        }

        private func stages() throws -> [KeyStage] {
            let phase: SchoolPhase = try parseChoice(phase, option: "--phase")
            if let keyStages {
                let stages = try parseList(keyStages).map { try parseChoice($0, option: "--key-stages") as KeyStage }
                guard !stages.isEmpty else { throw ValidationError("--key-stages lists at least one key stage.") }
                return stages
            }
            switch phase {
            case .nursery: return [.eyfs]
            case .infant: return [.eyfs, .ks1]
            case .junior: return [.ks2]
            case .primary: return [.eyfs, .ks1, .ks2]
            case .secondary: return [.ks3, .ks4]
            case .allThrough: return KeyStage.allCases
            case .special, .alternativeProvision: throw ValidationError("A \(phase.rawValue) school needs --key-stages.")
            }
        }

        func run() async throws {
            let phase: SchoolPhase = try parseChoice(phase, option: "--phase")
            let stages = try stages()
            try await withSession(storeOptions, acting) { session in
                let dfe: DfENumber
                do throws(SafetyError) {
                    dfe = try DfENumber(dfeNumber)
                } catch {
                    throw SafetyError(.invalidInput, error.reason, location: "--dfe-number")
                }
                let current = try await session.organisation.school().settings
                let settings = PolicySettings(
                    designatedSafeguardingLead: NamedContact(name: dsl, title: "Designated Safeguarding Lead"),
                    headteacher: NamedContact(name: head, title: headTitle), headteacherTitle: headTitle,
                    trustSafeguardingGovernor: current.trustSafeguardingGovernor, safeguardingAdvice: current.safeguardingAdvice,
                    lado: current.lado, police: current.police, filteringProvider: current.filteringProvider,
                    monitoringProvider: current.monitoringProvider, internetServiceProvider: current.internetServiceProvider,
                    learningPlatform: current.learningPlatform,
                    policyReviewIntervalMonths: current.policyReviewIntervalMonths, staffPasswordRotation: current.staffPasswordRotation,
                    dslGovernorMeetingsPerYear: current.dslGovernorMeetingsPerYear,
                    dslTrustGovernorMeetingsPerYear: current.dslTrustGovernorMeetingsPerYear, learnerConsentAge: current.learnerConsentAge,
                    ladoContactWorkingDays: current.ladoContactWorkingDays, immediateActionMinutes: current.immediateActionMinutes,
                    parentNotificationWorkingDays: current.parentNotificationWorkingDays, debriefWorkingDays: current.debriefWorkingDays,
                    governorReportThreshold: current.governorReportThreshold)
                let school = try await session.organisation.addSchool(
                    School(
                        trustID: session.principal.school.trustID, urn: urn.trimmingCharacters(in: .whitespaces), dfeNumber: dfe,
                        name: name, phase: phase, keyStages: stages, settings: settings))
                say("Added \(school.name) (URN \(school.urn), DfE number \(school.dfeNumber)) to the trust: \(school.id)")
                say(
                    "Its settings started from \(session.principal.school.name)'s; check them with `onlinesafety school show --school \(school.urn)`."
                )
            }
        }
    }
}

/// One policy setting `school set` changes and `school show` prints: its name, what it takes,
/// how to read it and how to change it (`nil` clears it).
struct SchoolSetting {
    /// The name on the command line, for example `filteringProvider` or `lado.phone`.
    let name: String
    /// What it is and what it takes.
    let help: String
    /// Its value in words, or `nil` when empty.
    let value: (PolicySettings) -> String?
    /// Sets it (`nil` clears it); throws a usage error naming the setting for a value it does not take.
    let apply: (inout PolicySettings, String?) throws -> Void

    /// One line per setting for `school set --help`; a contact's or an agency's fields share one
    /// line (`lado.{name,area,phone,email,website}`).
    static var helpLines: [String] {
        var lines: [String] = []
        var done: [String] = []
        for setting in all {
            guard let dot = setting.name.firstIndex(of: ".") else {
                lines.append("  \(setting.name): \(setting.help)")
                continue
            }
            let prefix = String(setting.name[..<dot])
            guard !done.contains(prefix) else { continue }
            done.append(prefix)
            let fields = all.filter { $0.name.hasPrefix(prefix + ".") }.map { $0.name.dropFirst(prefix.count + 1) }
            lines.append("  \(prefix).{\(fields.joined(separator: ","))}: \(setting.help)")
        }
        return lines
    }

    /// Every setting, in the order `school show` prints them.
    static var all: [SchoolSetting] {
        var settings: [SchoolSetting] = []
        settings += contact("designatedSafeguardingLead", "the DSL", \.designatedSafeguardingLead)
        settings += contact("headteacher", "the headteacher or head of school", \.headteacher)
        settings.append(text("headteacherTitle", "what the school calls its head (\"Head of School\")", \.headteacherTitle))
        settings += optionalContact("chairOfGovernors", "the chair of governors", \.chairOfGovernors)
        settings += optionalContact("safeguardingGovernor", "the safeguarding governor", \.safeguardingGovernor)
        settings += optionalContact("trustSafeguardingGovernor", "the trust safeguarding governor", \.trustSafeguardingGovernor)
        settings += optionalContact("senco", "the SENCO", \.senco)
        settings += agency("safeguardingAdvice", "the safeguarding partnership or advice line", \.safeguardingAdvice)
        settings += agency("lado", "the local authority designated officer", \.lado)
        settings += agency("police", "the police force", \.police)
        settings.append(text("filteringProvider", "the filtering provider (\"Netsweeper\")", \.filteringProvider))
        settings.append(
            optionalText(
                "monitoringProvider", "the monitoring provider, when not the filtering provider (\"Smoothwall Monitor\")",
                \.monitoringProvider))
        settings.append(text("internetServiceProvider", "the internet service provider", \.internetServiceProvider))
        settings.append(optionalText("learningPlatform", "the learning platform (\"Microsoft Teams\")", \.learningPlatform))
        settings.append(list("progressApps", "progress and communication apps, comma-separated", \.progressApps))
        settings.append(list("socialMediaChannels", "official social media channels, comma-separated", \.socialMediaChannels))
        settings.append(text("staffPasswordRotation", "how often staff change passwords, in the policy's words", \.staffPasswordRotation))
        settings.append(number("policyReviewIntervalMonths", "months between policy reviews (1 to 12)", \.policyReviewIntervalMonths))
        settings.append(
            number("dslGovernorMeetingsPerYear", "DSL meetings a year with the safeguarding governor", \.dslGovernorMeetingsPerYear))
        settings.append(
            number(
                "dslTrustGovernorMeetingsPerYear", "DSL meetings a year with the trust safeguarding governor",
                \.dslTrustGovernorMeetingsPerYear))
        settings.append(number("learnerConsentAge", "the age from which learners decide consent themselves (1 to 20)", \.learnerConsentAge))
        settings.append(number("ladoContactWorkingDays", "working days within which the LADO is contacted", \.ladoContactWorkingDays))
        settings.append(
            number("immediateActionMinutes", "minutes within which \"immediately\" is due (1 to 1440)", \.immediateActionMinutes))
        settings.append(
            number("parentNotificationWorkingDays", "working days within which parents are told", \.parentNotificationWorkingDays))
        settings.append(number("debriefWorkingDays", "working days from closure to the debrief", \.debriefWorkingDays))
        settings.append(
            number(
                "governorReportThreshold", "the governors' report prints smaller counts as \"fewer than\" it (2 to 100)",
                \.governorReportThreshold))
        settings.append(holidays())
        return settings
    }

    private static func text(_ name: String, _ help: String, _ path: WritableKeyPath<PolicySettings, String>) -> SchoolSetting {
        SchoolSetting(
            name: name, help: help, value: { $0[keyPath: path] },
            apply: { settings, value in
                guard let value else { throw ValidationError("\(name) cannot be empty.") }
                settings[keyPath: path] = value
            })
    }

    private static func optionalText(_ name: String, _ help: String, _ path: WritableKeyPath<PolicySettings, String?>) -> SchoolSetting {
        SchoolSetting(
            name: name, help: help + " (may be cleared)", value: { $0[keyPath: path] },
            apply: { settings, value in
                settings[keyPath: path] = value
            })
    }

    private static func number(_ name: String, _ help: String, _ path: WritableKeyPath<PolicySettings, Int>) -> SchoolSetting {
        SchoolSetting(
            name: name, help: help, value: { "\($0[keyPath: path])" },
            apply: { settings, value in
                guard let value, let number = Int(value.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("\(name) takes a whole number.")
                }
                settings[keyPath: path] = number
            })
    }

    private static func list(_ name: String, _ help: String, _ path: WritableKeyPath<PolicySettings, [String]>) -> SchoolSetting {
        SchoolSetting(
            name: name, help: help + " (may be cleared)",
            value: { $0[keyPath: path].isEmpty ? nil : $0[keyPath: path].joined(separator: ", ") },
            apply: { settings, value in
                settings[keyPath: path] = parseList(value)
            })
    }

    private static func holidays() -> SchoolSetting {
        SchoolSetting(
            name: "holidays", help: "school holidays, skipped when counting working days: FIRST..LAST, comma-separated (may be cleared)",
            value: { $0.holidays.isEmpty ? nil : $0.holidays.map { "\($0.first)..\($0.last)" }.joined(separator: ", ") },
            apply: { settings, value in
                settings.holidays = try parseList(value).map { range in
                    let ends = range.components(separatedBy: "..")
                    guard ends.count == 2, let first = CalendarDate(iso: ends[0]), let last = CalendarDate(iso: ends[1]) else {
                        throw ValidationError("holidays takes ranges of dates as 2026-10-26..2026-10-30, comma-separated.")
                    }
                    return DateRange(first: first, last: last)
                }
            })
    }

    private static func contact(_ name: String, _ who: String, _ path: WritableKeyPath<PolicySettings, NamedContact>) -> [SchoolSetting] {
        let fields: [(String, WritableKeyPath<NamedContact, String?>)] = [("title", \.title), ("phone", \.phone), ("email", \.email)]
        return [
            SchoolSetting(
                name: "\(name).name", help: "\(who) (the name cannot be cleared)",
                value: { $0[keyPath: path].name },
                apply: { settings, value in
                    guard let value else { throw ValidationError("The policy must name \(who): \(name).name cannot be empty.") }
                    settings[keyPath: path].name = value
                })
        ]
            + fields.map { field, fieldPath in
                SchoolSetting(
                    name: "\(name).\(field)", help: "\(who) (the name cannot be cleared)",
                    value: { $0[keyPath: path][keyPath: fieldPath] },
                    apply: { settings, value in
                        settings[keyPath: path][keyPath: fieldPath] = try checked(field, of: name, value)
                    })
            }
    }

    private static func optionalContact(
        _ name: String, _ who: String, _ path: WritableKeyPath<PolicySettings, NamedContact?>
    ) -> [SchoolSetting] {
        let fields: [(String, WritableKeyPath<NamedContact, String?>)] = [("title", \.title), ("phone", \.phone), ("email", \.email)]
        return [
            SchoolSetting(
                name: "\(name).name", help: "\(who) (clearing the name removes them)",
                value: { $0[keyPath: path]?.name },
                apply: { settings, value in
                    if let value {
                        if settings[keyPath: path] == nil {
                            settings[keyPath: path] = NamedContact(name: value)
                        } else {
                            settings[keyPath: path]?.name = value
                        }
                    } else {
                        settings[keyPath: path] = nil
                    }
                })
        ]
            + fields.map { field, fieldPath in
                SchoolSetting(
                    name: "\(name).\(field)", help: "\(who) (clearing the name removes them)",
                    value: { $0[keyPath: path]?[keyPath: fieldPath] },
                    apply: { settings, value in
                        guard settings[keyPath: path] != nil else {
                            throw ValidationError("No \(who) is named yet: set \(name).name first.")
                        }
                        settings[keyPath: path]?[keyPath: fieldPath] = try checked(field, of: name, value)
                    })
            }
    }

    /// A contact's or an agency's field as given, refusing an `email` that is not an email address.
    private static func checked(_ field: String, of name: String, _ value: String?) throws -> String? {
        if field == "email", let value { try checkEmail(value, option: "\(name).email") }
        return value
    }

    private static func agency(_ name: String, _ what: String, _ path: WritableKeyPath<PolicySettings, Agency>) -> [SchoolSetting] {
        let fields: [(String, WritableKeyPath<Agency, String?>)] = [
            ("area", \.area), ("phone", \.phone), ("email", \.email), ("website", \.website),
        ]
        return [
            SchoolSetting(
                name: "\(name).name", help: "\(what) (the name cannot be cleared)",
                value: { $0[keyPath: path].name },
                apply: { settings, value in
                    guard let value else { throw ValidationError("\(name).name cannot be empty.") }
                    settings[keyPath: path].name = value
                })
        ]
            + fields.map { field, fieldPath in
                SchoolSetting(
                    name: "\(name).\(field)", help: "\(what) (the name cannot be cleared)",
                    value: { $0[keyPath: path][keyPath: fieldPath] },
                    apply: { settings, value in
                        settings[keyPath: path][keyPath: fieldPath] = try checked(field, of: name, value)
                    })
            }
    }
}
