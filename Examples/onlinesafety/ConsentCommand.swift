import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety consent`: the catalogue of purposes, decisions and the class photo question.
struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record consent decisions and ask \"may we use this for these learners?\".",
        subcommands: [Purposes.self, AddPurpose.self, Record.self, Check.self, History.self]
    )

    /// `consent purposes`: the catalogue.
    struct Purposes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the purposes consent is asked for at the school.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                for purpose in try await session.consent.purposes() { say("\(purpose.code)  \(purpose.name)") }
            }
        }
    }

    /// `consent add-purpose`: a school's own purpose.
    struct AddPurpose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-purpose", abstract: "Add a purpose of the school's own.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "A short code (letters, digits, dashes); it is used as custom.<code>.")
        var code: String

        @Option(help: "Words for the purpose.")
        var name: String

        @Flag(help: "Add it for every school of the trust.")
        var trustWide = false

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let purpose = try await session.consent.addPurpose(code: code, name: name, trustWide: trustWide)
                say("Added \(purpose.purpose.code)")
            }
        }
    }

    /// `consent record`: a decision by an adult with parental responsibility, or by the learner.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a decision: granted, refused or withdrawn (at once).")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The learner: a UUID or UPN.")
        var learner: String

        @Option(help: "The purpose's code.")
        var purpose: String

        @Option(help: "The decision.")
        var decision: ConsentChoice

        @Option(help: "Who decided: an adult with parental responsibility (UUID or email), or the learner (UUID or UPN).")
        var by: String

        @Option(help: "How it was given.")
        var method: ConsentMethod = .written

        @Option(help: "The day a form was signed (YYYY-MM-DD; not for withdrawals).")
        var given: String?

        func run() async throws {
            let given = try parseDate(given, option: "--given")
            try await withSession(storeOptions, acting) { session in
                let recorded = try await withPeople([learner, by], in: session) { ids in
                    try await session.consent.record(
                        decision, purpose: purpose, for: ids[0], by: ids[1], method: method,
                        at: given.map { $0.startOfDay.addingTimeInterval(12 * 3_600) })
                }
                say(
                    "Recorded \(recorded.choice.rawValue) for \(recorded.purposeCode), "
                        + "in force from \(recorded.effectiveOn): \(recorded.id)"
                )
            }
        }
    }

    /// `consent check`: the question a teacher asks before posting a class photo.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "May we use a purpose for these learners on a day? Yes or no for each, with the reason.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The purpose's code, for example images.website.")
        var purpose: String

        @Option(help: "Every learner in this registration group.")
        var group: String?

        @Option(help: "A learner (UUID or UPN); repeat for several.")
        var learner: [String] = []

        @Option(help: "The day of use (YYYY-MM-DD; default today).")
        var on: String?

        func validate() throws {
            if (group == nil) == learner.isEmpty { throw ValidationError("Give either --group or one or more --learner.") }
        }

        func run() async throws {
            let day = try parseDate(on, option: "--on")
            try await withSession(storeOptions, acting) { session in
                let answers =
                    if let group {
                        try await session.consent.check(purpose: purpose, group: group, on: day)
                    } else {
                        try await withPeople(learner, in: session) { learners in
                            try await session.consent.check(purpose: purpose, learners: learners, on: day)
                        }
                    }
                let names = await names(of: answers.map(\.learnerID), in: session)
                let yes = answers.filter(\.allowed).count
                say("\(purpose) on \(answers.first?.date ?? day ?? session.today): \(yes) of \(answers.count) may be included")
                for answer in answers {
                    say(
                        "  \(answer.allowed ? "YES" : "NO ")  \(label(answer.learnerID, names))  "
                            + answer.reason.description
                    )
                }
            }
        }
    }

    /// `consent history`: a learner's decisions.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a learner's decisions, oldest first.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The learner: a UUID or UPN.")
        var learner: String

        @Option(help: "Only this purpose.")
        var purpose: String?

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let decisions = try await withPerson(learner, in: session) { id in
                    try await session.consent.history(of: id, purpose: purpose)
                }
                for decision in decisions {
                    let who =
                        decision.byLearner ? "the learner" : (decision.relationship?.rawValue ?? "an adult with parental responsibility")
                    say(
                        "\(decision.effectiveOn)  \(decision.purposeCode)  \(decision.choice.rawValue) by \(who) "
                            + "(\(decision.method.rawValue))"
                    )
                }
            }
        }
    }
}
