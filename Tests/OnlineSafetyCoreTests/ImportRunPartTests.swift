import Foundation
import OnlineSafetyCore
import Testing

/// What a role at one school sees of an import run: its own school's files and counts, never
/// another school's.
@Suite("An import run's part for one school")
struct ImportRunPartTests {
    private static func counts(_ entries: [(RosterAction, RosterSubject, Int)]) -> RosterCounts {
        RosterCounts(
            entries.flatMap { action, subject, count in
                (0..<count).map { _ in RosterPlanEntry(action, subject, school: nil, at: nil, code: "test", "test") }
            })
    }

    private static func run(schools: [ImportRunSchool]?, urns: [String]) -> ImportRun {
        let files = ["a.xml", "b.csv", "set.zip"].map {
            RosterFile(name: $0, format: "test", sha256: String(repeating: "0", count: 64), rows: 1)
        }
        return ImportRun(
            tenancy: .trust(TrustID()), actorID: PersonID(), appliedAt: Date(), files: files, schoolURNs: urns,
            counts: counts([(.create, .learner, 7)]), schools: schools, strict: false)
    }

    @Test func aSchoolSeesItsOwnFilesAndCountsOnly() throws {
        let harbour = ImportRunSchool(urn: "1", files: ["a.xml", "set.zip"], counts: Self.counts([(.create, .learner, 3)]))
        let cliff = ImportRunSchool(urn: "2", files: ["b.csv", "set.zip"], counts: Self.counts([(.create, .learner, 4)]))
        let whole = Self.run(schools: [harbour, cliff], urns: ["1", "2"])
        let part = try #require(whole.part(forSchool: "1"))
        #expect(part.schoolURNs == ["1"])
        #expect(part.files.map(\.name) == ["a.xml", "set.zip"])
        #expect(part.counts == harbour.counts && part.counts.total(.create) == 3)
        #expect(part.schools == [harbour])
        #expect(whole.part(forSchool: "3") == nil, "a run that did not touch a school is not shown there")
    }

    @Test func aRunRecordedWithoutPartsShowsOnlyWhereItTouchedOneSchool() {
        #expect(Self.run(schools: nil, urns: ["1"]).part(forSchool: "1") != nil)
        #expect(Self.run(schools: nil, urns: ["1", "2"]).part(forSchool: "1") == nil, "no other school's figures")
    }
}
