import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety register`: the filtering and monitoring register.
struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "The filtering and monitoring register: who is responsible, changes, checks and the annual review.",
        discussion: """
            The providers and connection come from the school's policy settings. Staff ask for a change; the DSL or a \
            senior leader approves or refuses it with a reason; only technical staff record that it was applied, and \
            never before it is approved. A failed check stays open until its action is recorded. The annual review \
            needs the named senior leader and governor to take part.

            Example:
              onlinesafety register show --store STORE --as kate.law@chilton.example --school 999001
            """,
        subcommands: [Show.self, Assign.self, Changes.self, Checks.self, Review.self]
    )

    /// `register show`: the register's state.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the register: providers, who is responsible, changes, open checks and the review.",
            discussion: """
                Example:
                  onlinesafety register show --store STORE --as kate.law@chilton.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The day to describe (YYYY-MM-DD); today by default.")
        var on: String?

        @Flag(help: "Print the state as JSON.")
        var json = false

        func run() async throws {
            let day = try parseDate(on, option: "--on")
            try await withSession(storeOptions, acting) { session in
                let state = try await session.filtering.state(on: day)
                if json { return try printJSON(state) }
                let names = await names(
                    of: state.responsibilityHistory.map(\.personID)
                        + [state.lastReview?.governorID, state.lastReview?.seniorLeaderID]
                        .compactMap { $0 }, in: session)
                say("Filtering: \(state.filteringProvider); monitoring: \(state.monitoringProvider); connection: \(state.connection)")
                for (title, holder) in [("Senior leader", state.seniorLeader), ("Governor", state.governor)] {
                    say("\(title): " + (holder.map { "\(label($0.personID, names)) since \($0.from)" } ?? "not named"))
                }
                say(
                    "Changes: \(state.pendingChanges.count) pending, \(state.approvedChanges.count) approved, "
                        + "\(state.refusedChanges.count) refused, \(state.appliedChanges.count) applied; "
                        + "\(state.temporaryAllowsDueForReview.count) temporary allows due for review")
                say("Checks: \(state.checks.count), \(state.openFailedChecks.count) failed and open")
                let last = state.lastReview.map { "last review \($0.reviewedOn)" } ?? "no review recorded"
                say("Review: \(last); next due \(state.nextReviewDue)\(state.reviewIsOverdue ? " (overdue)" : "")")
                say("Monitoring alerts: \(state.alerts.count), \(state.alertsNeedingAction.count) became incidents")
            }
        }
    }

    /// `register assign`: name the senior leader or governor.
    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Name the senior leader or the governor responsible for filtering and monitoring.",
            discussion: """
                Example:
                  onlinesafety register assign --store STORE --as kate.law@chilton.example --school 999001 \\
                    --responsibility governor --person hannah.cheshire@chilton.example --from 2026-09-01
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "Which responsibility: \(choices(FilteringResponsibility.self)).")
        var responsibility: FilteringResponsibility

        @Option(help: "Who: a UUID or an email address.")
        var person: String

        @Option(help: "From this day (YYYY-MM-DD); today by default.")
        var from: String?

        func run() async throws {
            let day = try parseDate(from, option: "--from")
            try await withSession(storeOptions, acting) { session in
                let provision = try await withPerson(person, in: session) { id in
                    try await session.filtering.assign(responsibility, to: id, from: day)
                }
                let holder = provision.holder(of: responsibility, on: day ?? session.today)
                say("Named the \(responsibility.title) from \(holder?.from.description ?? "\(day ?? session.today)")")
            }
        }
    }

    /// `register changes`: the change log.
    struct Changes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "changes", abstract: "Ask for, decide, apply and list filtering changes.",
            subcommands: [Request.self, Decide.self, Apply.self, List.self])

        /// `register changes request`.
        struct Request: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Ask for a site or category to be blocked or allowed.",
                discussion: """
                    Example:
                      onlinesafety register changes request --store STORE --as tom.hughes@chilton.example --school 999001 \\
                        --action allow --site scratch.mit.edu --profile learners --reason "Year 5 coding unit" \\
                        --risk-assessment "Moderated community; teacher supervises" --review-on 2026-12-18
                    """)

            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions

            @Option(help: "Block or allow: \(choices(FilteringAction.self)).")
            var action: FilteringAction

            @Option(help: "The site (a URL or domain).")
            var site: String?

            @Option(help: "The filtering provider's category.")
            var category: String?

            @Option(help: "Whose filtering: \(choices(FilteringProfile.self)).")
            var profile: FilteringProfile

            @Option(help: "Why it is needed.")
            var reason: String

            @Option(help: "The risk assessment.")
            var riskAssessment: String

            @Option(help: "For a temporary allow: the day it is reviewed (YYYY-MM-DD).")
            var reviewOn: String?

            @Option(help: "The incident that prompted it (a UUID).")
            var incident: String?

            func validate() throws {
                guard (site == nil) != (category == nil) else { throw ValidationError("Give one of --site or --category.") }
                if let incident, IncidentID(uuidString: incident) == nil { throw ValidationError("--incident takes a UUID.") }
            }

            func run() async throws {
                let review = try parseDate(reviewOn, option: "--review-on")
                let target: FilteringTarget = site.map { .site($0) } ?? .category(category ?? "")
                try await withSession(storeOptions, acting) { session in
                    let change = try await session.filtering.requestChange(
                        FilteringChangeRequest(
                            action: action, target: target, profile: profile, reason: reason, riskAssessment: riskAssessment,
                            reviewOn: review, incidentID: incident.flatMap { IncidentID(uuidString: $0) }))
                    say("Requested filtering change \(change.id) (\(change.action.rawValue) \(change.target)): pending")
                }
            }
        }

        /// `register changes decide`.
        struct Decide: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Approve or refuse a pending change, with a reason.",
                discussion: """
                    Example:
                      onlinesafety register changes decide CHANGE-ID --approve --reason "Supports the curriculum" \\
                        --store STORE --as kate.law@chilton.example --school 999001
                    """)

            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions

            @Argument(help: "The change (a UUID).")
            var change: String

            @Flag(help: "Approve it.")
            var approve = false

            @Flag(help: "Refuse it.")
            var refuse = false

            @Option(help: "Why (required either way).")
            var reason: String

            func validate() throws {
                guard approve != refuse else { throw ValidationError("Give one of --approve or --refuse.") }
                guard FilteringChangeID(uuidString: change) != nil else { throw ValidationError("The change is given as a UUID.") }
            }

            func run() async throws {
                try await withSession(storeOptions, acting) { session in
                    let decided = try await session.filtering.decide(
                        FilteringChangeID(uuidString: change)!, approve: approve, reason: reason)
                    say("Filtering change \(decided.id): \(decided.status.rawValue)")
                }
            }
        }

        /// `register changes apply`.
        struct Apply: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record that an approved change was applied (technical staff).",
                discussion: """
                    Example:
                      onlinesafety register changes apply CHANGE-ID --note "Netsweeper ticket 4411" \\
                        --store STORE --as ian.cole@chilton.example --school 999001
                    """)

            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions

            @Argument(help: "The change (a UUID).")
            var change: String

            @Option(help: "A note, such as the provider's ticket.")
            var note: String?

            func validate() throws {
                guard FilteringChangeID(uuidString: change) != nil else { throw ValidationError("The change is given as a UUID.") }
            }

            func run() async throws {
                try await withSession(storeOptions, acting) { session in
                    let applied = try await session.filtering.markApplied(FilteringChangeID(uuidString: change)!, note: note)
                    say("Filtering change \(applied.id): applied")
                }
            }
        }

        /// `register changes list`.
        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List the change log, oldest first.",
                discussion: """
                    Example:
                      onlinesafety register changes list --status pending --store STORE --as kate.law@chilton.example --school 999001
                    """)

            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions

            @Option(help: "Only changes in this state (repeat for several): \(choices(FilteringChangeStatus.self)).")
            var status: [FilteringChangeStatus] = []

            @Flag(help: "Print the list as JSON.")
            var json = false

            func run() async throws {
                try await withSession(storeOptions, acting) { session in
                    let changes = try await session.filtering.changes(status.isEmpty ? nil : Set(status))
                    if json { return try printJSON(changes) }
                    let rows = changes.map { change in
                        [
                            change.id.uuidString, change.status.rawValue, change.action.rawValue, change.target.description,
                            change.profile.rawValue, CalendarDate(change.requestedAt).description, change.reviewOn?.description ?? "",
                        ]
                    }
                    say(lines: table(["id", "status", "action", "target", "profile", "requested", "review on"], rows))
                }
            }
        }
    }

    /// `register checks`: the checks log.
    struct Checks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checks", abstract: "Record, resolve and list filtering and monitoring checks.",
            subcommands: [Record.self, Resolve.self, List.self])

        /// `register checks record`.
        struct Record: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record a check; a failed one stays open until its action is recorded.",
                discussion: """
                    Example:
                      onlinesafety register checks record --store STORE --as ian.cole@chilton.example --school 999001 \\
                        --on 2026-11-23 --device "Year 5 iPad 12" --where "learner profile, Oak class" \\
                        --tested "SWGfL test filtering" --result failed
                    """)

            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions

            @Option(help: "The day of the check (YYYY-MM-DD); today by default.")
            var on: String?

            @Option(help: "The device used.")
            var device: String

            @Option(name: .customLong("where"), help: "The location or user group checked.")
            var location: String

            @Option(help: "What was tested.")
            var tested: String

            @Option(help: "The result: \(choices(FilteringCheckResult.self)).")
            var result: FilteringCheckResult

            @Option(help: "For a failure: the action taken, if known.")
            var action: String?

            func run() async throws {
                let day = try parseDate(on, option: "--on")
                try await withSession(storeOptions, acting) { session in
                    let check = try await session.filtering.recordCheck(
                        NewFilteringCheck(
                            checkedOn: day ?? session.today, device: device, locationOrGroup: location, tested: tested, result: result,
                            action: action))
                    say("Recorded filtering check \(check.id): \(check.result.rawValue)\(check.isOpen ? ", open" : "")")
                }
            }
        }

        /// `register checks resolve`.
        struct Resolve: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record the action taken on a failed check, which closes it.",
                discussion: """
                    Example:
                      onlinesafety register checks resolve CHECK-ID --action "Category re-enabled; retested" \\
                        --store STORE --as ian.cole@chilton.example --school 999001
                    """)

            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions

            @Argument(help: "The check (a UUID).")
            var check: String

            @Option(help: "What was done.")
            var action: String

            func validate() throws {
                guard FilteringCheckID(uuidString: check) != nil else { throw ValidationError("The check is given as a UUID.") }
            }

            func run() async throws {
                try await withSession(storeOptions, acting) { session in
                    let resolved = try await session.filtering.resolveCheck(FilteringCheckID(uuidString: check)!, action: action)
                    say("Filtering check \(resolved.id): closed")
                }
            }
        }

        /// `register checks list`.
        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List the checks log, oldest first.",
                discussion: """
                    Example:
                      onlinesafety register checks list --open --store STORE --as kate.law@chilton.example --school 999001
                    """)

            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions

            @Flag(help: "Only failed checks with no action recorded.")
            var open = false

            @Flag(help: "Print the list as JSON.")
            var json = false

            func run() async throws {
                try await withSession(storeOptions, acting) { session in
                    let checks = try await session.filtering.checks(openOnly: open)
                    if json { return try printJSON(checks) }
                    let rows = checks.map { check in
                        [
                            check.id.uuidString, check.checkedOn.description, check.result.rawValue, check.isOpen ? "open" : "",
                            check.device, check.locationOrGroup, check.tested, check.action?.description ?? "",
                        ]
                    }
                    say(lines: table(["id", "on", "result", "open", "device", "where", "tested", "action"], rows))
                }
            }
        }
    }

    /// `register review`: the annual review.
    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review", abstract: "Record and show the annual filtering and monitoring review.",
            subcommands: [Record.self, Show.self])

        /// `register review record`.
        struct Record: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Record the review; the named senior leader and governor must take part.",
                discussion: """
                    An action is given as DESCRIPTION|OWNER|YYYY-MM-DD, the owner by UUID or email address.

                    Example:
                      onlinesafety register review record --store STORE --as kate.law@chilton.example --school 999001 \\
                        --on 2026-11-23 --participant kate.law@chilton.example --participant hannah.cheshire@chilton.example \\
                        --considered "DfE standards" --considered "checks log" --finding "Over-blocking of BBC Bitesize" \\
                        --action "Allow BBC Bitesize|ian.cole@chilton.example|2026-12-01" --minutes FGB/2026-11/4
                    """)

            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions

            @Option(help: "The day of the review (YYYY-MM-DD); today by default.")
            var on: String?

            @Option(help: "Someone who took part (repeat): a UUID or an email address.")
            var participant: [String] = []

            @Option(help: "What it considered (repeat).")
            var considered: [String] = []

            @Option(help: "What it found (repeat).")
            var finding: [String] = []

            @Option(help: "An action agreed (repeat): DESCRIPTION|OWNER|YYYY-MM-DD.")
            var action: [String] = []

            @Option(help: "Where the minutes are.")
            var minutes: String?

            func validate() throws {
                for item in action {
                    let parts = item.split(separator: "|", omittingEmptySubsequences: false)
                    guard parts.count == 3, CalendarDate(iso: String(parts[2])) != nil else {
                        throw ValidationError("--action takes DESCRIPTION|OWNER|YYYY-MM-DD.")
                    }
                }
            }

            func run() async throws {
                let day = try parseDate(on, option: "--on")
                try await withSession(storeOptions, acting) { session in
                    let actionParts = action.map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
                    let review = try await withPeople(participant + actionParts.map { $0[1] }, in: session) { ids in
                        let actions = zip(actionParts, ids.dropFirst(participant.count)).map { parts, ownerID in
                            FilteringReviewAction(description: parts[0], ownerID: ownerID, dueOn: CalendarDate(iso: parts[2])!)
                        }
                        return try await session.filtering.recordReview(
                            NewFilteringReview(
                                reviewedOn: day ?? session.today, participants: Array(ids.prefix(participant.count)),
                                considered: considered,
                                findings: finding, actions: actions, minutesReference: minutes))
                    }
                    say("Recorded filtering review \(review.id) on \(review.reviewedOn); next due \(review.nextDue)")
                }
            }
        }

        /// `register review show`.
        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show the reviews, latest last, and when the next is due.",
                discussion: """
                    Example:
                      onlinesafety register review show --store STORE --as kate.law@chilton.example --school 999001
                    """)

            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions

            @Flag(help: "Print the reviews as JSON.")
            var json = false

            func run() async throws {
                try await withSession(storeOptions, acting) { session in
                    let reviews = try await session.filtering.reviews()
                    if json { return try printJSON(reviews) }
                    guard !reviews.isEmpty else { return say("No filtering review recorded.") }
                    let names = await names(of: reviews.flatMap { $0.participants + $0.actions.map(\.ownerID) }, in: session)
                    for review in reviews {
                        say("Review \(review.id) on \(review.reviewedOn) (minutes: \(review.minutesReference ?? "none"))")
                        say("  took part: " + review.participants.map { label($0, names) }.joined(separator: "; "))
                        for item in review.considered { say("  considered: \(item)") }
                        for item in review.findings { say("  finding: \(item)") }
                        for item in review.actions { say("  action: \(item.description) — \(label(item.ownerID, names)) by \(item.dueOn)") }
                        say("  next due \(review.nextDue)")
                    }
                }
            }
        }
    }
}

/// `onlinesafety calendar`: the governance calendar, and recording meetings and reviews.
struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "The governance calendar: what falls due, what is done and what is overdue.",
        discussion: """
            Example:
              onlinesafety calendar show --store STORE --as kate.law@chilton.example --school 999001
            """,
        subcommands: [Show.self, Record.self], defaultSubcommand: Show.self
    )

    /// `calendar show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the academic year's items, each due, done or overdue.",
            discussion: """
                With --trust, every school of the trust in turn, by URN (needs a trust-wide role: the \
                trust's data manager or a trust-wide DSL).

                Examples:
                  onlinesafety calendar show --store STORE --as kate.law@chilton.example --school 999001 --outstanding
                  onlinesafety calendar show --store STORE --as dana.price@viking.example --school 999001 --trust --outstanding
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The day to work the statuses out on (YYYY-MM-DD); today by default.")
        var on: String?

        @Flag(help: "Leave out items that are done.")
        var outstanding = false

        @Flag(help: "Every school of the trust, by URN (needs a trust-wide role).")
        var trust = false

        @Flag(help: "Print the calendar as JSON (with --trust, a list of the schools' calendars).")
        var json = false

        func run() async throws {
            let day = try parseDate(on, option: "--on")
            try await withSession(storeOptions, acting) { safety, session in
                guard trust else {
                    let calendar = try await session.governance.calendar(on: day)
                    if json { return try printJSON(calendar) }
                    return await show(calendar, school: nil, in: session)
                }
                let calendars = try await session.governance.trustCalendars(on: day)
                if json { return try printJSON(calendars) }
                let schools = Dictionary(
                    try await session.organisation.schools().map { ($0.id, "\($0.name) (URN \($0.urn))") }, uniquingKeysWith: { a, _ in a })
                for (index, calendar) in calendars.enumerated() {
                    if index > 0 { say("") }
                    // Names are read at each school, by the acting person's session there.
                    let there = try await safety.session(actingAs: session.principal.person.id, at: calendar.schoolID)
                    await show(calendar, school: schools[calendar.schoolID] ?? calendar.schoolID.description, in: there)
                }
            }
        }

        private func show(_ calendar: GovernanceCalendar, school: String?, in session: SafetySession) async {
            let items = calendar.items.filter { !outstanding || $0.status != .done }
            let names = await names(of: items.compactMap(\.personID), in: session)
            if let school { say(school) }
            let overdue = calendar.overdue.count
            say(
                "Academic year \(calendar.academicYear.first) to \(calendar.academicYear.last), as of \(calendar.asOf)"
                    + (school == nil ? "" : ": \(overdue) overdue"))
            let rows = items.map { item in
                [
                    item.dueOn.description, item.status.rawValue, item.kind.rawValue,
                    item.title + (item.personID.map { " — \(label($0, names))" } ?? ""),
                    item.satisfiedBy.map { "\($0.on)" + ($0.minutesReference.map { " (\($0))" } ?? "") } ?? "",
                ]
            }
            say(lines: table(["due", "status", "kind", "what", "done"], rows))
        }
    }

    /// `calendar record`.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a meeting or review that was held, with a reference to its minutes.",
            discussion: """
                Example:
                  onlinesafety calendar record --store STORE --as kate.law@chilton.example --school 999001 \\
                    --activity dslGovernorMeeting --on 2026-11-12 --participant hannah.cheshire@chilton.example \\
                    --minutes FGB/2026-11/4
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "What was held: \(choices(GovernanceActivity.self)).")
        var activity: GovernanceActivity

        @Option(help: "The day it was held (YYYY-MM-DD); today by default.")
        var on: String?

        @Option(help: "Someone who took part (repeat): a UUID or an email address.")
        var participant: [String] = []

        @Option(help: "Where the minutes are.")
        var minutes: String

        @Option(help: "A short note of what it covered.")
        var note: String?

        func run() async throws {
            let day = try parseDate(on, option: "--on")
            try await withSession(storeOptions, acting) { session in
                let record = try await withPeople(participant, in: session) { participants in
                    try await session.governance.record(
                        activity, heldOn: day ?? session.today, participants: participants, minutesReference: minutes, note: note)
                }
                say("Recorded \(activity.title) on \(record.heldOn): \(record.id)")
            }
        }
    }
}
