import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety contacts`: a learner's parents, carers and other contacts.
struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "Link a learner to the adults to contact about them, and list a learner's contacts.",
        discussion: """
            The adult must be on record first (`people add --kind parentCarer`). Only an adult with parental \
            responsibility may consent or accept a policy for the learner.
            """,
        subcommands: [Add.self, List.self]
    )

    /// `contacts add`: a link from a learner to an adult.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link a learner to an adult contact, with their relationship and the order to call them in.",
            discussion: """
                Example:
                  onlinesafety contacts add --learner B801200005001 \\
                    --adult sam.miller@example.com --relationship mother \\
                    --parental-responsibility --priority 1 --store STORE \\
                    --as dana.price@vikingtrust.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: ArgumentHelp("The learner: a UUID, a UPN or an email address.", valueName: "ref"))
        var learner: String

        @Option(help: ArgumentHelp("The adult: a UUID or an email address.", valueName: "ref"))
        var adult: String

        @Option(help: ArgumentHelp("How the adult is related to the learner: \(choices(Relationship.self)).", valueName: "relationship"))
        var relationship: String

        @Flag(help: "The adult has parental responsibility for the learner.")
        var parentalResponsibility = false

        @Option(parsing: .unconditional, help: ArgumentHelp("The order to call contacts in: 1 is called first.", valueName: "n"))
        var priority: Int = 1

        func validate() throws {
            let _: Relationship = try parseChoice(relationship, option: "--relationship")
            guard priority >= 1 else { throw ValidationError("--priority starts at 1 (called first).") }
        }

        func run() async throws {
            let relationship: Relationship = try parseChoice(relationship, option: "--relationship")
            try await withSession(storeOptions, acting) { session in
                let link = try await withPeople([learner, adult], in: session) { ids in
                    try await session.people.addContact(
                        ContactLink(
                            schoolID: session.principal.school.id, learnerID: ids[0], adultID: ids[1], relationship: relationship,
                            parentalResponsibility: parentalResponsibility, priority: priority))
                }
                let names = await names(of: [link.learnerID, link.adultID], in: session)
                let responsibility = link.parentalResponsibility ? "parental responsibility" : "no parental responsibility"
                say(
                    "Linked \(label(link.learnerID, names)) to \(label(link.adultID, names)): \(link.relationship.rawValue), \(responsibility), "
                        + "priority \(link.priority): \(link.id)")
            }
        }
    }

    /// `contacts list`: a learner's contacts in the order to call them.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a learner's contacts in the order to call them.",
            discussion: """
                A learner you may not read is answered as one no one has (exit status 66).

                Example:
                  onlinesafety contacts list --learner B801200005001 --store STORE \\
                    --as kate.law@chilton.example --school 999001
                """)

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: ArgumentHelp("The learner: a UUID, a UPN or an email address.", valueName: "ref"))
        var learner: String

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let learnerID = try await resolvePerson(learner, in: session)
                let links: [ContactLink]
                do {
                    links = try await session.people.contacts(of: learnerID)
                } catch let error as SafetyError where error.code == .notFound {
                    throw SafetyError(.notFound, noOneMatches)
                }
                say("\(links.count) \(links.count == 1 ? "contact" : "contacts")")
                var rows: [[String]] = []
                for link in links {
                    let adult = try? await session.people.get(link.adultID)
                    rows.append([
                        "\(link.priority)", adult?.displayName ?? "(a record you may not read)", link.relationship.rawValue,
                        link.parentalResponsibility ? "yes" : "no", adult?.email ?? "", link.adultID.uuidString,
                    ])
                }
                if !rows.isEmpty {
                    say(lines: table(["PRIORITY", "NAME", "RELATIONSHIP", "PARENTAL RESPONSIBILITY", "EMAIL", "ID"], rows))
                }
            }
        }
    }
}
