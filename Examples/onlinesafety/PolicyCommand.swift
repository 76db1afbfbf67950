import ArgumentParser
import Foundation
import OnlineSafetyCore
import OnlineSafetyPolicyText

/// `onlinesafety policy`: the school's own policy as steps.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show, check, adopt and compare versions of the school's online safety policy.",
        subcommands: [Show.self, Validate.self, Adopt.self, Diff.self]
    )

    /// Reads and checks a policy file, printing each problem as file:line:column: field: message
    /// and failing with 65 when there is one.
    static func read(_ path: String, settings: PolicySettings = .neutral) throws -> PolicyDocument {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            complain("\(path): the file cannot be read")
            throw ExitCode(Exit.notFound)
        }
        let issues = PolicyLoader.check(text, file: path, settings: settings)
        if !issues.isEmpty {
            for issue in issues { complain(issue.description) }
            throw ExitCode(Exit.dataError)
        }
        do {
            return try PolicyLoader.load(text, file: path)
        } catch {
            complain(error.description)
            throw ExitCode(Exit.dataError)
        }
    }

    /// `policy show`: the policy in force at the school.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The policy in force at the school: each category's steps and sections.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The day (YYYY-MM-DD); today by default.")
        var on: String?

        func run() async throws {
            let day = try parseDate(on, option: "--on")
            try await withSession(storeOptions, acting) { session in
                let document = try await session.policies.inForce(on: day)
                say("\(document.title) (version \(document.version))")
                for procedure in document.procedures {
                    say("\(procedure.categories.joined(separator: ", ")):")
                    for step in procedure.steps { say("  \(step.code) — \(step.title) [\(step.due); \(step.section)]") }
                }
                say("every category:")
                for step in document.common { say("  \(step.code) — \(step.title) [\(step.due); \(step.section)]") }
                // A version adopted before the floor or the school's settings changed can fall below it.
                let issues = try await session.policies.floorIssues(on: day)
                if issues.isEmpty {
                    say("It meets the statutory floor under the school's settings.")
                } else {
                    say("It falls below the statutory floor under the school's settings; adopt a version that meets it:")
                    for issue in issues { say("  \(issue)") }
                }
            }
        }
    }

    /// `policy validate FILE`: check a file without a store.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy file (YAML or JSON) against its shape and the statutory floor.",
            discussion: "Prints each problem as FILE:LINE:COLUMN: FIELD: MESSAGE and exits 65 when there is one.")

        @Argument(help: "The policy file.")
        var file: String

        func run() async throws {
            let document = try PolicyCommand.read(file)
            say("\(file): \(document.title) (version \(document.version)) meets the statutory floor")
        }
    }

    /// `policy adopt FILE --effective DATE`.
    struct Adopt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adopt a version of the school's policy from a file; incidents reported from --effective follow it.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Argument(help: "The policy file.")
        var file: String

        @Option(help: "The first day it applies (YYYY-MM-DD).")
        var effective: String

        @Flag(help: "Adopt it as the trust's policy, for every school of the trust without its own (a trust-wide role).")
        var trustWide = false

        @Option(
            name: .customLong("at-review"),
            help: "Adopted at the annual policy review: the reference to its minutes (the calendar's review is then done).")
        var minutes: String?

        func run() async throws {
            guard let effective = try parseDate(effective, option: "--effective") else { return }
            let document = try PolicyCommand.read(file)
            try await withSession(storeOptions, acting) { session in
                let adopted = try await session.policies.adopt(
                    document, effectiveFrom: effective, trustWide: trustWide, atReview: minutes)
                say(
                    "Adopted \(document.title) (version \(document.version)) from \(effective)"
                        + "\(trustWide ? " for the trust's schools" : ""): \(adopted.id)")
            }
        }
    }

    /// `policy diff OLD NEW`: which steps change, for which categories.
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Which steps change between two policy files, for which categories.")

        @Argument(help: "The older file.")
        var old: String

        @Argument(help: "The newer file.")
        var new: String

        func run() async throws {
            let changes = PolicyDiff.changes(from: try PolicyCommand.read(old), to: try PolicyCommand.read(new))
            if changes.isEmpty { say("No steps change.") }
            for change in changes { say(change.description) }
        }
    }
}
