import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety access`: the access register.
struct AccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Grant and revoke access to devices and systems; list who has access and grants without a current AUP.",
        subcommands: [Grant.self, Revoke.self, List.self, Exceptions.self, History.self]
    )

    /// `access grant`: refused, naming the missing agreement, unless the person accepted the policy in force.
    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a person access to a system.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "Who: a UUID, a learner's UPN or an email address.")
        var person: String

        @Option(help: "The system: network, email, learning-platform, mcas, tapestry, or the school's own code.")
        var system: String

        @Option(help: "A note, such as the account name.")
        var note: String?

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let system = try SystemCode(system)
                let grant = try await withPerson(person, in: session) { id in try await session.access.grant(system, to: id, note: note) }
                say("Granted access to \(system.title) from \(grant.grantedOn): \(grant.id)")
            }
        }
    }

    /// `access revoke`: with a reason; the grant stays in the register.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a grant, with a reason.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The grant (UUID).")
        var grant: String

        @Option(help: "Why.")
        var reason: String

        func run() async throws {
            guard let id = AccessGrantID(uuidString: grant) else { throw ValidationError("--grant takes a grant's UUID.") }
            try await withSession(storeOptions, acting) { session in
                let revoked = try await session.access.revoke(id, reason: reason)
                say("Revoked access to \(revoked.system.title) from \(revoked.revokedOn.map { "\($0)" } ?? "today")")
            }
        }
    }

    /// `access list`: who has access to a system today.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List who has access to a system today.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The system's code.")
        var system: String

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let system = try SystemCode(system)
                let grants = try await session.access.holders(of: system)
                let names = await names(of: grants.map(\.personID), in: session)
                say("\(grants.count) with access to \(system.title)")
                for grant in grants {
                    say("  \(label(grant.personID, names))  since \(grant.grantedOn)  grant \(grant.id)")
                }
            }
        }
    }

    /// `access exceptions`: grants with no current agreement behind them (the target is none).
    struct Exceptions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List grants whose holder has not accepted the policy now in force.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let exceptions = try await session.access.withoutCurrentAUP()
                let names = await names(of: exceptions.map(\.grant.personID), in: session)
                say("\(exceptions.count) grants without a current acceptable use policy (the target is 0)")
                for exception in exceptions {
                    let audience = exception.audience.rawValue
                    let needs =
                        exception.holderHasLeft
                        ? "the holder has left"
                        : exception.requiredVersion.map { "needs \(audience) v\($0)" } ?? "no \(audience) policy published"
                    say(
                        "  \(label(exception.grant.personID, names))  \(exception.grant.system)  \(needs)")
                }
            }
        }
    }

    /// `access history`: every grant a person has held, revoked ones included.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every grant a person has held at the school.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "Who: a UUID, a learner's UPN or an email address.")
        var person: String

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let grants = try await withPerson(person, in: session) { id in try await session.access.grants(for: id) }
                for grant in grants {
                    let status = grant.revokedOn.map { "revoked \($0): \(grant.revocationReason ?? "")" } ?? "in force"
                    say("\(grant.system)  from \(grant.grantedOn)  \(status)")
                }
            }
        }
    }
}
