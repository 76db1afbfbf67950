import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety audit`: who read or changed a record, and whether the audit chains verify.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List who read or changed a record, and verify the audit trail's hash chains.",
        discussion: """
            Needs the headteacher, the DSL, a deputy DSL or a data manager; reading the trail is itself recorded in it. \
            The DSL and deputies also see the events about restricted records. `audit verify` checks the hash chains \
            of the audit trail in any store; `store verify` checks a flat-file store's journal as a file.
            """,
        subcommands: [Trail.self, Verify.self]
    )

    /// `audit trail`: the events about one record.
    struct Trail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List who read or changed one record (a person, an incident, a grant...), in order.",
            discussion: """
                The record is named by its UUID, or a person by their UPN or email address.

                Example:
                  onlinesafety audit trail B801200005001 --store STORE \\
                    --as kate.law@chilton.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Argument(help: ArgumentHelp("The record: a UUID, or a person's UPN or email address.", valueName: "ref"))
        var reference: String

        @Option(parsing: .unconditional, help: ArgumentHelp("Show at most the last N events.", valueName: "n"))
        var last: Int?

        func validate() throws {
            if let last, last < 1 { throw ValidationError("--last takes a number from 1.") }
        }

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                // Any record's UUID is taken as it is; a UPN or email address names a person.
                let subject: UUID
                var events: [AuditEvent]
                if let uuid = UUID(uuidString: reference) {
                    subject = uuid
                    events = try await session.audit.trail(of: uuid)
                } else {
                    let trail = try await withPerson(reference, in: session) { id in
                        let events = try await session.audit.trail(of: id.uuid)
                        return (subject: id.uuid, events: events)
                    }
                    subject = trail.subject
                    events = trail.events
                }
                if let last, events.count > last { events = Array(events.suffix(last)) }
                let names = await names(of: events.compactMap(\.draft.actorID), in: session)
                say("\(events.count) audit \(events.count == 1 ? "event" : "events") about \(subject.uuidString)")
                guard !events.isEmpty else { return }
                let rows = events.map { event in
                    let draft = event.draft
                    return [
                        show(draft.at), draft.action.rawValue, draft.outcome.rawValue,
                        draft.actorID.map { label($0, names) } ?? "the SDK",
                        draft.reason ?? AuditCommand.listedWith(draft.listed.count - 1),
                    ]
                }
                say(lines: table(["WHEN", "ACTION", "OUTCOME", "BY", "REASON"], rows))
            }
        }
    }

    /// How a listing's event reads in a record's trail: with how many other records it named.
    static func listedWith(_ others: Int) -> String {
        others < 1 ? "" : "listed with \(others) other \(others == 1 ? "record" : "records")"
    }

    /// `audit verify`: the hash chains the acting person may read.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the hash chains of the school's audit trail, and print their heads.",
            discussion: """
                Exit status 0 when every chain verifies, 65 when an event was altered or removed from the middle of a \
                chain. Removing events from the end leaves a chain that still verifies: keep the heads printed here \
                somewhere else (a governors' report) and compare them later.

                Example:
                  onlinesafety audit verify --store STORE --as kate.law@chilton.example \\
                    --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let verification = try await session.audit.verify()
                let school = session.principal.school
                say(
                    "\(school.name): \(verification.eventsChecked) audit events on \(verification.heads.count) "
                        + "\(verification.heads.count == 1 ? "chain" : "chains"), \(verification.isIntact ? "intact" : "BROKEN")")
                for head in verification.heads {
                    let kind = head.chain == .school(school.id, restricted: true) ? "restricted events" : "events"
                    say("  \(kind): last event \(head.sequence), hash \(head.hash)")
                }
                if let broken = verification.firstBreak {
                    say("  first broken link: \(broken)")
                    throw ExitCode(Exit.dataError)
                }
            }
        }
    }
}
