import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety training`: records and status.
struct TrainingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training",
        abstract: "Record training and list who is compliant, due soon, overdue or has never done it.",
        subcommands: [Record.self, Status.self]
    )

    /// `training record`: a completed course.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a completed course.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "Who: a UUID or an email address.")
        var person: String

        @Option(help: "The topic.")
        var topic: TrainingTopic

        @Option(help: "The course's name.")
        var course: String

        @Option(help: "Who provided it.")
        var provider: String

        @Option(help: "The day it was completed (YYYY-MM-DD).")
        var completed: String

        @Option(help: "Where the evidence is: a certificate number or file.")
        var evidence: String?

        func run() async throws {
            guard let completed = try parseDate(completed, option: "--completed") else { return }
            try await withSession(storeOptions, acting) { session in
                let record = try await withPerson(person, in: session) { id in
                    try await session.training.record(
                        topic, for: id, course: course, provider: provider, completedOn: completed, evidence: evidence)
                }
                say("Recorded \(topic.title) completed \(record.completedOn): \(record.id)")
            }
        }
    }

    /// `training status`: everyone holding a role, or one person.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each role holder's standing against each requirement of their roles.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "Only this person: a UUID or an email address.")
        var person: String?

        @Option(parsing: .unconditional, help: "Training due within this many days counts as due soon.")
        var dueSoonDays: Int = 30

        @Flag(help: "Leave out those who are compliant.")
        var outstanding = false

        func validate() throws {
            guard dueSoonDays >= 0 else { throw ValidationError("--due-soon-days cannot be negative.") }
        }

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let statuses =
                    if let person {
                        try await withPerson(person, in: session) { id in
                            try await session.training.status(of: id, dueSoonDays: dueSoonDays)
                        }
                    } else {
                        try await session.training.statuses(dueSoonDays: dueSoonDays)
                    }
                let shown = statuses.filter { !outstanding || $0.state != .compliant }
                let names = await names(of: shown.map(\.personID), in: session)
                for status in shown {
                    let last = status.lastCompleted.map { "last \($0), due \(status.dueBy.map { "\($0)" } ?? "")" } ?? "never done"
                    let roles = status.roles.map(\.title).joined(separator: ", ")
                    let state = status.state.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                    let name = label(status.personID, names)
                    say("\(state)  \(name)  \(status.requirementCode) (\(roles))  \(last)")
                }
            }
        }
    }
}
