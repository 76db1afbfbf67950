import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@testable import StorageFile

/// Reads the file store splits between the cores give the same answers as one pass.
@Suite("File store: counts split between cores")
struct ParallelCountsTests {
    @Test func partsComeBackInOrderAndTheFirstFailureIsTheOneRethrown() throws {
        let squares = try Parallel.map(1_000) { $0 * $0 }
        #expect(squares == (0..<1_000).map { $0 * $0 })
        do {
            _ = try Parallel.map(64) { index -> Int in
                if index == 9 || index == 40 { throw SafetyError.invalid("part.\(index)", "part \(index) fails") }
                return index
            }
            Issue.record("a failing part is rethrown")
        } catch let error as SafetyError {
            #expect(error.code == .invalidInput && error.location == "part.9")
        }
        #expect(Parallel.parts(of: 10, minimum: 20) == 1)
        #expect(Parallel.parts(of: 0, minimum: 20) == 1)
        #expect(Parallel.parts(of: 1_000_000, minimum: 20) == ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func incidentCountsSplitIntoPartsEqualOnePassAndEachPeriodsOwnCount() async throws {
        let store = try await FileStore.open(at: Scratch.directory(), logger: quietLogger())
        let access = FileAccess(store: store, transaction: nil)
        let school = try await FileRepository<School, SchoolQuery>(access: access).insert(SeedSchools.mersham()).id
        let incidents = FileRepository<Incident, IncidentQuery>(access: access)
        let year = ReportPeriod.academicYear(containing: CalendarDate(year: 2026, month: 11, day: 2)!)
        let periods = [year] + year.terms + year.terms.map(\.lastYear)
        let categories: [(IncidentCategory, RiskArea)] = [
            (.cyberbullying, .contact), (.filteringBreach, .content), (.nudeImageSharing, .conduct), (.childOnChildAbuse, .conduct),
        ]
        // 240 incidents over two years, a few days apart, of four categories (one restricted).
        var written: [Incident] = []
        for index in 0..<240 {
            let day = year.start.addingTimeInterval(Double(index * 3 - 360) * 86_400 + 3_600)
            let (category, area) = categories[index % categories.count]
            written.append(
                Incident(
                    schoolID: school, reporterID: PersonID(), occurredAt: day, reportedAt: day, location: .onSite, equipment: .school,
                    summary: "A concern", riskArea: area, category: category,
                    participants: [Participant(personID: PersonID(), part: .victim)]))
        }
        try await incidents.insertMany(written)
        let split = try await store.engine.incidentCounts(at: [school, SchoolID()], in: periods, in: nil, partMinimum: 7)
        let whole = try await store.engine.incidentCounts(at: [school, SchoolID()], in: periods, in: nil, partMinimum: 1_000_000)
        #expect(split == whole)
        let keys: [GroupKey] = [.column("school_id"), .column("category"), .column("restricted"), .column("risk_area")]
        for (index, period) in periods.enumerated() {
            let query = IncidentQuery(schoolIDs: [school], includeRestricted: true, occurredFrom: period.start, occurredTo: period.end)
            #expect(split[index] == (try await incidents.countGrouped(query, by: keys)), "period \(period)")
        }
        #expect(split[0].reduce(0) { $0 + $1.count } > 100, "the year holds most of the incidents")
        // In a transaction that has written an incident, the counts are of what it sees: the
        // incident it wrote included, and each period's equal to its own grouped count there.
        let inside: [[GroupedCount]] = try await store.withTransaction { tx in
            _ = try await tx.incidents.insert(
                Incident(
                    schoolID: school, reporterID: PersonID(), occurredAt: year.start.addingTimeInterval(86_400),
                    reportedAt: year.start.addingTimeInterval(86_400),
                    location: .onSite, equipment: .school, summary: "A concern", riskArea: .contact, category: .cyberbullying,
                    participants: [Participant(personID: PersonID(), part: .victim)]))
            let counted = try #require(try await tx.reports.incidentCounts(at: [school], in: periods))
            for (index, period) in periods.enumerated() {
                let query = IncidentQuery(schoolIDs: [school], includeRestricted: true, occurredFrom: period.start, occurredTo: period.end)
                #expect(counted[index] == (try await tx.incidents.countGrouped(query, by: keys)), "period \(period), in the transaction")
            }
            return counted
        }
        #expect(inside[0].reduce(0) { $0 + $1.count } == split[0].reduce(0) { $0 + $1.count } + 1, "the written incident is counted")
        try await store.close()
    }
}
