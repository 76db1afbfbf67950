import ArgumentParser
import Foundation
import OnlineSafetyCore

/// `onlinesafety incident`: record concerns and see what the school's policy requires next.
struct IncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "Record incidents, add to their chronology, and see the steps the policy requires.",
        subcommands: [Record.self, List.self, Show.self, Add.self, Device.self, Steps.self, Overdue.self, Chronology.self]
    )

    /// Runs `body` with a session for the acting person, on the chosen store.
    static func withSession<R: Sendable>(
        _ store: StoreOptions, _ acting: ActingOptions, _ body: (SafetySession) async throws -> R
    ) async throws -> R {
        try await onlinesafety.withSession(store, acting, body)
    }

    static func incidentID(_ text: String) throws -> IncidentID {
        guard let id = IncidentID(uuidString: text) else { throw ValidationError("An incident is named by its identifier (a UUID).") }
        return id
    }

    /// The people an entry of an incident names (those a risk assessment covers, the learner whose
    /// parents were told, the participant whose part closes), by UUID, UPN or email address.
    ///
    /// Only those who manage the incident add these entries, and they may read anyone's record: to
    /// them a reference no one has is answered as such. Anyone else is refused by the incident
    /// alone, whoever the references name: a reference no one has is passed on as an identifier
    /// that names no one, and the chronology refuses the entry before it reads whom it names,
    /// exactly as for a person who exists. (Not ``withPeople(_:in:_:)``: to those who manage the
    /// incident, a reference no one has is said as such, before the chronology refuses the
    /// identifier of no one as not involved.)
    static func entryPeople(_ references: [String], of id: IncidentID, in session: SafetySession) async throws -> [PersonID] {
        let (ids, namesNoOne) = try await identifiedPeople(references, in: session)
        guard namesNoOne else { return ids }
        // `notFound` for an incident out of sight, as the entry would be answered.
        let incident = try await session.incidents.get(id)
        if AccessPolicy.canManage(incident, session.principal) { throw SafetyError(.notFound, noOneMatches) }
        return ids
    }

    /// An entry of an incident's chronology, by its number in it (as `incident show` prints it) or
    /// its identifier; a number or identifier the chronology does not have fails validation.
    static func entryID(_ text: String, of id: IncidentID, in session: SafetySession) async throws -> ChronologyEntryID {
        let entries = try await session.chronology.entries(of: id)
        let found =
            if let sequence = Int(text) {
                entries.first { $0.sequence == sequence }
            } else {
                ChronologyEntryID(uuidString: text).flatMap { wanted in entries.first { $0.id == wanted } }
            }
        guard let found else { throw ValidationError("--corrects takes the number or identifier of an entry of this incident.") }
        return found.id
    }

    /// After an incident is recorded: its steps, for those who manage it; for anyone else, that the
    /// DSL has them. Never throws: the incident is already saved.
    static func printNextSteps(of incident: Incident, in session: SafetySession) async {
        guard AccessPolicy.canManage(incident, session.principal) else {
            say("The DSL has been given the steps the policy requires.")
            return
        }
        do {
            let steps = try await session.steps.steps(for: incident.id)
            say("What the policy requires next:")
            printSteps(steps, asOf: Date())
        } catch {
            warn("the incident is saved, but its steps cannot be shown now (\(error))")
        }
    }

    /// After an entry is added: the steps still outstanding, for those who may read them. Never
    /// throws: the entry is already saved.
    static func printOutstandingSteps(of id: IncidentID, in session: SafetySession) async {
        let steps: [ProcedureStep]
        do {
            let incident = try await session.incidents.get(id)
            guard AccessPolicy.canManage(incident, session.principal) else {
                say("The DSL sees the steps the policy requires.")
                return
            }
            steps = try await session.steps.steps(for: id)
        } catch {
            say("The DSL sees the steps the policy requires.")
            return
        }
        let outstanding = steps.filter { $0.isOutstanding(asOf: Date()) }
        say(outstanding.isEmpty ? "Every step the policy requires is done." : "Still outstanding:")
        printSteps(outstanding, asOf: Date())
    }

    static func printSteps(_ steps: [ProcedureStep], asOf time: Date) {
        for step in steps.sorted(by: { ($0.due ?? .distantFuture) < ($1.due ?? .distantFuture) }) {
            let state =
                step.satisfiedAt != nil && !step.isOutstanding(asOf: time)
                ? "done" : step.isOverdue(asOf: time) ? "OVERDUE" : "due"
            say("  [\(state)] \(step.title)")
            say("      who: \(step.responsible.description); by: \(show(step.due)); step: \(step.code)")
            for contact in step.contacts {
                say(
                    "      contact: \([contact.name, contact.area, contact.phone, contact.email].compactMap { $0 }.joined(separator: ", "))"
                )
            }
            say("      why: \(step.rule)")
        }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a concern.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions
        @Option(help: "The category code (see `incident record --help`): \(IncidentCategory.builtIns.map(\.code).joined(separator: ", ")).")
        var category: String
        @Option(help: "What happened.") var summary: String
        @Option(help: "When it happened: 2026-11-23T09:30, a date, or now.") var occurred: String = "now"
        @Option(help: "Where it happened.") var location: IncidentLocation = .unknown
        @Option(help: "Whose equipment was used.") var equipment: Equipment = .unknown
        @Option(help: "The area of risk.") var risk: RiskArea
        @Option(help: "A victim (UUID, UPN or email); repeat for more.") var victim: [String] = []
        @Option(help: "An alleged perpetrator; repeat for more.") var perpetrator: [String] = []
        @Option(help: "A witness; repeat for more.") var witness: [String] = []
        @Option(help: "The person the concern is about; repeat for more.") var subject: [String] = []
        @Option(help: "A fact recorded; repeat for more.") var fact: [IncidentFact] = []

        func validate() throws {
            if victim.isEmpty && perpetrator.isEmpty && witness.isEmpty && subject.isEmpty {
                throw ValidationError("Name at least one person involved (--victim, --perpetrator, --witness or --subject).")
            }
        }

        func run() async throws {
            let occurredAt = try parseInstant(occurred, option: "--occurred")
            try await IncidentCommand.withSession(storeOptions, acting) { session in
                var people: [ParticipantPart: [PersonID]] = [:]
                for (part, references) in [
                    (ParticipantPart.victim, victim), (.allegedPerpetrator, perpetrator), (.witness, witness), (.subject, subject),
                ] where !references.isEmpty {
                    var ids: [PersonID] = []
                    for reference in references {
                        ids.append(try await resolvePerson(reference, in: session))
                    }
                    people[part] = ids
                }
                let incident = try await session.incidents.record(
                    NewIncident(
                        occurredAt: occurredAt, location: location, equipment: equipment, summary: summary, riskArea: risk,
                        categoryCode: category, participants: people, facts: fact))
                say("Recorded incident \(incident.id) (\(incident.category.name)).")
                // The concern is saved: whatever follows only informs, and never fails the command.
                await IncidentCommand.printNextSteps(of: incident, in: session)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an incident and its chronology.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions
        @Argument(help: "The incident's identifier.") var incident: String

        func run() async throws {
            let id = try IncidentCommand.incidentID(incident)
            try await IncidentCommand.withSession(storeOptions, acting) { session in
                let found = try await session.incidents.get(id)
                say("Incident \(found.id): \(found.category.name)\(found.isRestricted ? " [restricted: DSL and deputies only]" : "")")
                say(
                    "  happened \(show(found.occurredAt)), reported \(show(found.reportedAt)), \(found.location.rawValue), \(found.equipment.rawValue) equipment"
                )
                say("  \(found.summary)")
                for participant in found.participants {
                    let state = participant.closedAt.map { "closed \(show($0)): \(participant.outcome ?? "")" } ?? "open"
                    say("  \(participant.part.rawValue): \(participant.personID) (\(state))")
                }
                if !found.facts.isEmpty { say("  facts: \(found.facts.map(\.fact.words).joined(separator: "; "))") }
                guard AccessPolicy.canManage(found, session.principal) else { return }
                say("Chronology:")
                let entries = try await session.chronology.entries(of: id)
                let numbers = Dictionary(entries.map { ($0.id, $0.sequence) }, uniquingKeysWith: { first, _ in first })
                for entry in entries {
                    let happened = entry.occurredAt.map { " (happened \(show($0)))" } ?? ""
                    say(
                        "  \(entry.sequence). \(show(entry.recordedAt))\(happened) \(entry.content.kind): \(describe(entry.content, numbers: numbers))"
                    )
                }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an entry to an incident's chronology.",
            discussion: "Kinds: note, action, decision (--reason), referral (--agency, --method, --reference), escalation (--to), "
                + "parents (--learner, informed or --withheld-because), close (--person, --outcome), debrief (--text), "
                + "riskAssessment (--text, --review-on, --covers), imageViewing (--decision, --reason), "
                + "correction (--corrects, --reason, --text), fact (--fact). Devices are seized and moved with `incident device`.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions
        @Argument(help: "The incident's identifier.") var incident: String
        @Argument(help: "The kind of entry.") var kind: EntryKind
        @Option(help: "The text of a note, action, decision or debrief.") var text: String?
        @Option(help: "The reason for a decision.") var reason: String?
        @Option(help: "The agency referred to.") var agency: ReferralAgency?
        @Option(help: "How the agency or the parents were contacted.") var method: ContactMethod = .phone
        @Option(help: "The agency's reference.") var reference: String?
        @Option(help: "Escalated to.") var to: EscalationTarget?
        @Option(help: "The learner whose parents were (or were not) told.") var learner: String?
        @Option(help: "Why parents were not told (the risk of significant harm).") var withheldBecause: String?
        @Option(help: "The person whose part is closed.") var person: String?
        @Option(help: "The outcome, when closing.") var outcome: String?
        @Option(help: "A step code this entry satisfies; repeat for more.") var satisfies: [String] = []
        @Option(help: "When a risk assessment must next be reviewed (YYYY-MM-DD).") var reviewOn: String?
        @Option(help: "A person a risk assessment covers (UUID, UPN or email); repeat for more; every participant if none.")
        var covers: [String] = []
        @Option(help: "Whether imagery is viewed: \(choices(ImageViewingDecision.self)).") var decision: String?
        @Option(help: "The entry a correction corrects: its number in the chronology or its identifier.") var corrects: String?
        @Option(help: "A fact learnt after the report: \(choices(IncidentFact.self)); repeat for more.") var fact: [String] = []
        @Option(help: "When what the entry records happened, if earlier (2026-11-23T09:30 or a date).") var happened: String?

        func validate() throws {
            if let reviewOn { _ = try requireDate(reviewOn, option: "--review-on") }
            if let decision { let _: ImageViewingDecision = try parseChoice(decision, option: "--decision") }
            for each in fact { let _: IncidentFact = try parseChoice(each, option: "--fact") }
            if let happened { _ = try parseInstant(happened, option: "--happened") }
            switch kind {
            case .riskAssessment:
                if text == nil || reviewOn == nil { throw ValidationError("A risk assessment needs --text and --review-on.") }
            case .imageViewing:
                if decision == nil || reason == nil {
                    throw ValidationError("A decision on viewing imagery needs --decision and --reason.")
                }
            case .correction:
                if corrects == nil || reason == nil || text == nil {
                    throw ValidationError("A correction needs --corrects, --reason and --text.")
                }
            case .fact:
                if fact.isEmpty { throw ValidationError("Facts recorded later need at least one --fact.") }
            default: break
            }
        }

        func run() async throws {
            let id = try IncidentCommand.incidentID(incident)
            let happenedAt = try happened.map { try parseInstant($0, option: "--happened") }
            try await IncidentCommand.withSession(storeOptions, acting) { session in
                let content: ChronologyContent
                switch kind {
                case .riskAssessment:
                    let people =
                        covers.isEmpty
                        ? try await session.incidents.get(id).participants.map(\.personID)
                        : try await IncidentCommand.entryPeople(covers, of: id, in: session)
                    content = .riskAssessment(
                        RiskAssessment(
                            personIDs: people, summary: text ?? "", reviewDate: try requireDate(reviewOn ?? "", option: "--review-on")))
                case .imageViewing:
                    let choice: ImageViewingDecision = try parseChoice(decision ?? "", option: "--decision")
                    content = .imageViewing(view: choice == .view, justification: reason ?? "")
                case .correction:
                    let entryID = try await IncidentCommand.entryID(corrects ?? "", of: id, in: session)
                    content = .correction(entryID: entryID, reason: reason ?? "", text: text ?? "")
                case .fact:
                    content = .factsRecorded(try fact.map { try parseChoice($0, option: "--fact") as IncidentFact })
                case .note: content = .note(text ?? "")
                case .action: content = .action(text ?? "")
                case .decision: content = .decision(decision: text ?? "", reason: reason ?? "")
                case .debrief: content = .debrief(lessonsLearnt: text ?? "")
                case .referral:
                    guard let agency else { throw ValidationError("A referral needs --agency.") }
                    content = .referral(Referral(agency: agency, reference: reference, method: method, detail: text))
                case .escalation:
                    guard let to else { throw ValidationError("An escalation needs --to.") }
                    content = .escalation(to: to, note: text)
                case .parents:
                    guard let learner else { throw ValidationError("Give --learner.") }
                    let learnerID = try await IncidentCommand.entryPeople([learner], of: id, in: session)[0]
                    content =
                        withheldBecause.map { .parentNotification(.withheld(learnerID, reason: $0)) }
                        ?? .parentNotification(.informed(learnerID, contact: nil, method: method))
                case .close:
                    guard let person else { throw ValidationError("Closing a participant's part needs --person.") }
                    let personID = try await IncidentCommand.entryPeople([person], of: id, in: session)[0]
                    content = .participantClosure(personID: personID, outcome: outcome ?? "")
                }
                let entry = try await session.chronology.append(content, to: id, occurredAt: happenedAt, satisfies: satisfies)
                say("Added entry \(entry.sequence) (\(entry.content.kind)).")
                // The entry is saved: what follows only informs, and never fails the command (a
                // retry would add the entry twice to an append-only chronology).
                await IncidentCommand.printOutstandingSteps(of: id, in: session)
            }
        }
    }

    struct Steps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The steps the policy requires for an incident.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions
        @Argument(help: "The incident's identifier.") var incident: String
        @Option(help: "As of a time (2026-11-23T09:30, a date, or now).") var asOf: String = "now"

        func run() async throws {
            let id = try IncidentCommand.incidentID(incident)
            let time = try parseInstant(asOf, option: "--as-of")
            try await IncidentCommand.withSession(storeOptions, acting) { session in
                IncidentCommand.printSteps(try await session.steps.steps(for: id, asOf: time), asOf: time)
            }
        }
    }

    struct Overdue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Overdue steps at the school, or across the trust.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions
        @Option(help: "As of a time (2026-11-23T09:30, a date, or now).") var asOf: String = "now"
        @Flag(help: "Across every school of the trust (a trust-wide DSL).") var trust = false
        @Flag(help: "Every outstanding step, not only overdue ones.") var outstanding = false

        func run() async throws {
            let time = try parseInstant(asOf, option: "--as-of")
            try await IncidentCommand.withSession(storeOptions, acting) { session in
                let report =
                    outstanding
                    ? try await session.steps.outstanding(asOf: time, acrossTrust: trust)
                    : try await session.steps.overdue(asOf: time, acrossTrust: trust)
                say(
                    "\(report.count) incident\(report.count == 1 ? "" : "s") with \(outstanding ? "outstanding" : "overdue") steps as of \(show(time))"
                )
                for item in report {
                    say("Incident \(item.incidentID) (\(item.categoryCode)):")
                    IncidentCommand.printSteps(item.steps, asOf: time)
                }
            }
        }
    }

    struct Chronology: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A child's chronology across incidents, as the DSL sees it.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions
        @Option(help: "The child (UUID or UPN).") var child: String
        @Option(help: "Only these category codes; repeat for more.") var category: [String] = []
        @Option(help: "From a time or date.") var from: String?
        @Option(help: "To a time or date.") var to: String?

        func run() async throws {
            let fromDate = try from.map { try parseInstant($0, option: "--from") }
            let toDate = try to.map { try parseInstant($0, option: "--to") }
            try await IncidentCommand.withSession(storeOptions, acting) { session in
                let items = try await withPerson(child, in: session) { childID in
                    try await session.chronology.childChronology(
                        of: childID, categories: category.isEmpty ? nil : category, from: fromDate, to: toDate)
                }
                for item in items {
                    let what = item.entry.map { "\($0.content.kind): \(describe($0.content))" } ?? "reported: \(item.summary ?? "")"
                    say("\(show(item.at))  [\(item.category.name), \(item.part.rawValue)] \(what)")
                }
                if items.isEmpty { say("Nothing recorded for this child in that range.") }
            }
        }
    }
}

/// One line describing an entry; a correction names the entry it corrects by its number in
/// `numbers` when it is there.
func describe(_ content: ChronologyContent, numbers: [ChronologyEntryID: Int] = [:]) -> String {
    switch content {
    case .note(let text), .action(let text): text
    case .decision(let decision, let reason): "\(decision) (because \(reason))"
    case .referral(let referral):
        "\(referral.agency.rawValue) by \(referral.method.rawValue)\(referral.reference.map { ", ref \($0)" } ?? "")"
    case .parentNotification(let notice): notice.informed ? "parents informed" : "parents not informed: \(notice.reason ?? "")"
    case .riskAssessment(let assessment): "\(assessment.summary) (review by \(assessment.reviewDate))"
    case .imageViewing(let view, let justification): "\(view ? "view" : "do not view"): \(justification)"
    case .deviceCustody(let id, let status, let note): "device \(id) \(status.rawValue)\(note.map { ": \($0)" } ?? "")"
    case .escalation(let target, let note): "passed to \(target.rawValue)\(note.map { ": \($0)" } ?? "")"
    case .correction(let entryID, let reason, let text):
        "corrects \(numbers[entryID].map { "entry \($0)" } ?? "\(entryID)"): \(text) (because \(reason))"
    case .participantClosure(let person, let outcome): "closed for \(person): \(outcome)"
    case .debrief(let lessons): lessons
    case .factsRecorded(let facts): facts.map(\.words).joined(separator: "; ")
    case .attachment(let reference): "\(reference.fileName) (\(reference.mediaType))"
    }
}
