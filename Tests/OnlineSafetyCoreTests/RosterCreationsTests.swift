import Foundation
import Testing

@testable @_spi(StorageBackend) import OnlineSafetyCore

@Suite("An import's audit of what it creates")
struct RosterCreationsTests {
    private static func draft(_ action: AuditAction, _ kind: String, _ file: String?, _ listed: [UUID]) -> AuditDraft {
        AuditDraft(
            at: Date(timeIntervalSince1970: 0), actorID: nil, schoolID: nil, action: action, subjectKind: kind, subjectID: nil,
            reason: file ?? "no file", listed: listed)
    }

    @Test func createdRecordsAreListedByActionKindAndFileInEventsOfBoundedSize() {
        let ids = (0..<7).map { _ in UUID() }
        var creations = RosterCreations()
        // Five people from two files, interleaved, then two contact links and a role with no file.
        creations.add(.personInsert, Person.recordKind, ids[0], from: "a.csv")
        creations.add(.personInsert, Person.recordKind, ids[1], from: "b.xml")
        creations.add(.personInsert, Person.recordKind, ids[2], from: "a.csv")
        creations.add(.personInsert, Person.recordKind, ids[3], from: "a.csv")
        creations.add(.personInsert, Person.recordKind, ids[4], from: "b.xml")
        creations.add(.contactInsert, ContactLink.recordKind, ids[5], from: "a.csv")
        creations.add(.roleGrantInsert, RoleGrant.recordKind, ids[6], from: nil)

        let drafts = creations.drafts(perEvent: 2, Self.draft)
        #expect(drafts.map(\.reason) == ["a.csv", "a.csv", "b.xml", "a.csv", "no file"])
        #expect(drafts.map(\.action) == [.personInsert, .personInsert, .personInsert, .contactInsert, .roleGrantInsert])
        #expect(drafts.map(\.listed) == [[ids[0], ids[2]], [ids[3]], [ids[1], ids[4]], [ids[5]], [ids[6]]])
        #expect(drafts.allSatisfy { $0.subjectID == nil })
    }

    @Test func nothingCreatedWritesNoEvent() {
        #expect(RosterCreations().drafts(Self.draft).isEmpty)
    }

    @Test func aTrustsCreationsNeedAFewEventsNotOneEach() {
        var creations = RosterCreations()
        for _ in 0..<2_500 { creations.add(.personInsert, Person.recordKind, UUID(), from: "users.csv") }
        let drafts = creations.drafts(Self.draft)
        #expect(drafts.map(\.listed.count) == [1_000, 1_000, 500])
        #expect(Set(drafts.flatMap(\.listed)).count == 2_500)
    }
}

@Suite("A plan's counts")
struct RosterCountsTests {
    @Test func countsEveryEntryBySubjectAndActionWhateverTheirOrder() {
        let pairs: [(RosterAction, RosterSubject)] = [
            (.create, .learner), (.create, .learner), (.unchanged, .learner), (.create, .learner), (.create, .contact),
            (.reject, .row), (.create, .learner), (.create, .contact), (.create, .contact), (.leaver, .learner),
        ]
        let entries = pairs.map { RosterPlanEntry($0.0, $0.1, school: nil, at: nil, code: "c", "r") }
        let counts = RosterCounts(entries)
        #expect(counts[.learner, .create] == 4)
        #expect(counts[.learner, .unchanged] == 1)
        #expect(counts[.learner, .leaver] == 1)
        #expect(counts[.contact, .create] == 3)
        #expect(counts[.row, .reject] == 1)
        #expect(counts.total(.create) == 7)
        #expect(RosterCounts([]).counts.isEmpty)
    }
}
