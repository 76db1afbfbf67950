import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety aup`: acceptable use policies, acceptances and who is due.
struct AUPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aup",
        abstract: "Publish acceptable use policies, record acceptances and list who is due.",
        subcommands: [Publish.self, List.self, Accept.self, Due.self]
    )

    /// `aup publish`: the next version of a policy for an audience.
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish the next version of a policy; its SHA-256 is kept.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The audience.")
        var audience: AUPAudience

        @Option(help: "The policy's title.")
        var title: String

        @Option(help: "The file holding the policy's text (it is hashed, not stored).")
        var file: String

        @Option(help: "The first day it is in force (YYYY-MM-DD).")
        var effective: String

        @Flag(help: "Publish it for every school of the trust.")
        var trustWide = false

        func run() async throws {
            guard let effective = try parseDate(effective, option: "--effective") else { return }
            let content: Data
            do {
                content = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("Cannot read \(file).")
            }
            try await withSession(storeOptions, acting) { session in
                let document = try await session.agreements.publish(
                    audience: audience, title: title, content: content, effectiveFrom: effective, reference: file, trustWide: trustWide)
                say("Published \(document.name): \(document.id)")
                say("  SHA-256 \(document.contentHash)")
            }
        }
    }

    /// `aup list`: every version that applies at the school.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the policies that apply at the school, marking those in force.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                let documents = try await session.agreements.documents()
                let current = Set(AgreementRules.currentByAudience(among: documents, on: session.today).values.map(\.id))
                if documents.isEmpty { say("No acceptable use policy is published yet.") }
                for document in documents {
                    let scope = document.isTrustWide ? "trust" : "school"
                    let mark =
                        current.contains(document.id)
                        ? "in force" : (document.effectiveFrom > session.today ? "from \(document.effectiveFrom)" : "superseded")
                    say("\(document.id)  \(document.audience.rawValue) v\(document.version) (\(scope), \(mark))  \(document.title)")
                }
            }
        }
    }

    /// `aup accept`: a person's acceptance, or a learner's by an adult with parental responsibility.
    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a person accepted a policy (for a learner: by a parent).")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "The policy's UUID (default: the one in force for the person's audience).")
        var document: String?

        @Option(help: "Whose agreement it is: a UUID, a learner's UPN or an email address.")
        var person: String

        @Option(help: "Who accepted, when not the person: an adult with parental responsibility (UUID or email).")
        var by: String?

        @Option(help: "How it was accepted.")
        var method: AcceptanceMethod = .online

        func run() async throws {
            try await withSession(storeOptions, acting) { session in
                var chosen: AUPDocumentID?
                if let document {
                    guard let id = AUPDocumentID(uuidString: document) else { throw ValidationError("--document takes a policy's UUID.") }
                    chosen = id
                }
                let acceptance = try await withPeople([person] + (by.map { [$0] } ?? []), in: session) { ids in
                    let documentID: AUPDocumentID
                    if let chosen {
                        documentID = chosen
                    } else {
                        let audience = AUPAudience.of(try await session.people.get(ids[0]))
                        guard let current = try await session.agreements.current(for: audience) else {
                            throw ValidationError("No policy for \(audience.title) is in force: publish one first.")
                        }
                        documentID = current.id
                    }
                    return try await session.agreements.accept(documentID, for: ids[0], by: ids.dropFirst().first, method: method)
                }
                let onBehalf = acceptance.onBehalf ? " on their behalf" : ""
                say("Recorded acceptance of version \(acceptance.version) (\(acceptance.audience.rawValue))\(onBehalf): \(acceptance.id)")
            }
        }
    }

    /// `aup due`: who must accept the policy in force for their audience.
    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List who must accept the policy in force for their audience.")

        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions

        @Option(help: "Only this audience.")
        var audience: AUPAudience?

        @Option(help: "On this day (YYYY-MM-DD; default today).")
        var on: String?

        func run() async throws {
            let audiences: Set<AUPAudience>? = audience.map { [$0] }
            let day = try parseDate(on, option: "--on")
            try await withSession(storeOptions, acting) { session in
                let due = try await session.agreements.due(audiences: audiences, on: day)
                let names = await names(of: due.map(\.personID), in: session)
                say("\(due.count) due")
                for entry in due {
                    let before = entry.lastAcceptedVersion.map { ", accepted v\($0) before" } ?? ""
                    say("  \(label(entry.personID, names))  \(entry.audience.rawValue) v\(entry.version)\(before)")
                }
            }
        }
    }
}
