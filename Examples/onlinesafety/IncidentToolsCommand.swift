import ArgumentParser
import Foundation
import OnlineSafetyCore

extension IncidentCommand {
    /// `incident list`: the incidents the session lets the acting person see, filtered.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List incidents: for the DSL every one at the school, for anyone else only what they reported.",
            discussion: "The list never prints what happened: `incident show` does, for those who may read it.")
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var acting: ActingOptions
        @Option(help: "Only this category code (see `incident record --help`); repeat for more.") var category: [String] = []
        @Flag(help: "Only open or only closed incidents.") var state: IncidentState?
        @Option(help: "Only incidents that happened at or after a time or date.") var from: String?
        @Option(help: "Only incidents that happened at or before a time, or by the end of a date.") var to: String?
        @Option(help: "Only incidents involving this person (UUID, UPN or email).") var participant: String?
        @Option(
            name: .customLong("in"),
            help: "Only incidents at this school of the trust (UUID or URN), for a trust-wide DSL; repeat for more.")
        var schools: [String] = []
        @Flag(help: "Print JSON instead of a table.") var json = false

        func validate() throws {
            if let from { _ = try parseInstant(from, option: "--from") }
            if let to { _ = try parseInstant(to, option: "--to") }
        }

        func run() async throws {
            let fromDate = try from.map { try parseInstant($0, option: "--from") }
            let toDate = try to.map { text in
                // A date alone means through the end of that day.
                if let date = CalendarDate(iso: text) { return date.adding(days: 1).startOfDay.addingTimeInterval(-0.001) }
                return try parseInstant(text, option: "--to")
            }
            try await withSession(storeOptions, acting) { session in
                if !category.isEmpty {
                    let known = try await session.incidents.categories().map(\.code)
                    for code in category where !known.contains(code) {
                        throw ValidationError("--category takes one of: \(known.joined(separator: ", ")).")
                    }
                }
                let schoolIDs = try await Self.schoolIDs(schools, in: session)
                // A participant no one has filters as one whose incidents the acting person may not
                // see: by an identifier that names no one, so nothing matches, as for anyone else.
                var participantID: PersonID?
                if let participant { participantID = try await identifiedPeople([participant], in: session).ids[0] }
                let query = IncidentQuery(
                    schoolIDs: schoolIDs, categoryCodes: category.isEmpty ? nil : category, participantID: participantID,
                    occurredFrom: fromDate, occurredTo: toDate, open: state.map { $0 == .open })
                // The session scopes the query to what the acting person may see; a school named
                // with --in that the session does not reach gives nothing, not another school's list.
                let incidents = try await session.incidents.list(query).filter { schoolIDs?.contains($0.schoolIDValue) ?? true }
                    .sorted { $0.occurredAt < $1.occurredAt }
                if json {
                    try printJSON(incidents.map(ListedIncident.init))
                    return
                }
                guard !incidents.isEmpty else {
                    say("No incidents match.")
                    return
                }
                say(
                    lines: table(
                        ["ID", "HAPPENED", "CATEGORY", "STATUS", "PEOPLE"],
                        incidents.map { incident in
                            [
                                incident.id.uuidString, show(incident.occurredAt), incident.category.code,
                                incident.isOpen ? "open" : "closed",
                                "\(incident.participants.count)",
                            ]
                        }))
            }
        }

        /// The schools named with `--in`, among those the session lists; `nil` for none named.
        static func schoolIDs(_ references: [String], in session: SafetySession) async throws -> [SchoolID]? {
            guard !references.isEmpty else { return nil }
            let known = try await session.organisation.schools()
            return try references.map { reference in
                guard let school = known.first(where: { $0.id.uuidString == reference.uppercased() || $0.urn == reference }) else {
                    throw SafetyError(.notFound, "no school of the trust matches --in (give a UUID or a URN)")
                }
                return school.id
            }
        }
    }

    /// One incident as `incident list --json` prints it: no summary, no names.
    struct ListedIncident: Encodable {
        let id: String
        let occurredAt: String
        let category: String
        let status: String
        let participants: Int
        let restricted: Bool

        init(_ incident: Incident) {
            id = incident.id.uuidString
            occurredAt = ISO8601DateFormatter().string(from: incident.occurredAt)
            category = incident.category.code
            status = incident.isOpen ? "open" : "closed"
            participants = incident.participants.count
            restricted = incident.isRestricted
        }
    }

    /// `incident device`: the device custody register, whose seizures and moves are entries of the
    /// incident's chronology too.
    struct Device: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seize, move and list devices in the custody register.", subcommands: [Seize.self, Move.self, List.self])

        struct Seize: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Record a device seized (or quarantined) for an incident.")
            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions
            @Argument(help: "The incident's identifier.") var incident: String
            @Option(help: "What the item is, for example \"black phone in a green case\".") var item: String
            @Option(help: "Whose device it is (UUID, UPN or email); none for a school device.") var owner: String?
            @Option(help: "Why it was seized.") var reason: String
            @Option(help: "Where it is stored.") var storedAt: String
            @Flag(help: "It holds suspected evidence of an offence: its content is never deleted.") var holdsEvidence = false
            @Option(help: "Its status when seized: held or quarantined.") var status: String = DeviceStatus.held.rawValue

            func validate() throws {
                let chosen: DeviceStatus = try parseChoice(status, option: "--status")
                guard chosen == .held || chosen == .quarantined else { throw ValidationError("--status takes one of: held, quarantined.") }
            }

            func run() async throws {
                let id = try IncidentCommand.incidentID(incident)
                let chosen: DeviceStatus = try parseChoice(status, option: "--status")
                try await withSession(storeOptions, acting) { session in
                    let device = try await withPeople(owner.map { [$0] } ?? [], in: session) { owners in
                        try await session.devices.seize(
                            for: id, item: item, ownerID: owners.first, reason: reason, storageLocation: storedAt,
                            holdsEvidence: holdsEvidence, status: chosen)
                    }
                    say("Recorded device \(device.id) (\(device.status.rawValue)).")
                    await IncidentCommand.printOutstandingSteps(of: id, in: session)
                }
            }
        }

        struct Move: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Move a device to a new status in the custody register.")
            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions
            @Argument(help: "The device's identifier.") var device: String
            @Option(help: "The new status: \(choices(DeviceStatus.self)).") var to: String
            @Option(help: "A note of the move.") var note: String?
            @Option(help: "Who examined the device (UUID or email).") var examinedBy: String?

            func validate() throws {
                let _: DeviceStatus = try parseChoice(to, option: "--to")
                guard DeviceRecordID(uuidString: device) != nil else {
                    throw ValidationError("A device is named by its identifier (a UUID).")
                }
            }

            func run() async throws {
                let status: DeviceStatus = try parseChoice(to, option: "--to")
                guard let deviceID = DeviceRecordID(uuidString: device) else {
                    throw ValidationError("A device is named by its identifier (a UUID).")
                }
                try await withSession(storeOptions, acting) { session in
                    let moved = try await withPeople(examinedBy.map { [$0] } ?? [], in: session) { examiners in
                        try await session.devices.move(deviceID, to: status, note: note, examinedBy: examiners.first)
                    }
                    say("Device \(moved.id) is now \(moved.status.rawValue).")
                    if let incidentID = moved.incidentID { await IncidentCommand.printOutstandingSteps(of: incidentID, in: session) }
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The custody register at the school.")
            @OptionGroup var storeOptions: StoreOptions
            @OptionGroup var acting: ActingOptions
            @Option(help: "Only devices with this status: \(choices(DeviceStatus.self)); repeat for more.") var status: [String] = []

            func validate() throws {
                for each in status { let _: DeviceStatus = try parseChoice(each, option: "--status") }
            }

            func run() async throws {
                let statuses = try status.map { try parseChoice($0, option: "--status") as DeviceStatus }
                try await withSession(storeOptions, acting) { session in
                    let devices = try await session.devices.list(statuses.isEmpty ? nil : statuses)
                    guard !devices.isEmpty else {
                        say("No devices in the register match.")
                        return
                    }
                    say(
                        lines: table(
                            ["ID", "INCIDENT", "SEIZED", "STATUS", "EVIDENCE", "STORED AT"],
                            devices.map { device in
                                [
                                    device.id.uuidString, device.incidentID?.uuidString ?? "-", show(device.seizedAt),
                                    device.status.rawValue,
                                    device.holdsEvidence ? "yes" : "no", device.storageLocation,
                                ]
                            }))
                }
            }
        }
    }
}
