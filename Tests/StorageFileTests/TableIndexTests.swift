import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import OnlineSafetyTestKit
import Testing

@testable import StorageFile

/// A table indexes a column when a query first asks for it, and keeps it in step from then on.
/// Whatever the order of writes, purges, hand-overs and first questions, a column's index must
/// name exactly the records whose stored values hold the value asked for.
@Suite("Flat file: a table's indexes")
struct TableIndexTests {
    private static let schools = (0..<3).map { _ in SchoolID() }
    private static let families = ["Oakley", "O'Brien", "Łukasz", "Ng", "中村"]

    private static func person(_ random: inout SeededRandom, id: PersonID = PersonID()) -> Person {
        let kind: PersonKind = Bool.random(using: &random) ? .staff : .parentCarer
        let family = families.randomElement(using: &random) ?? "Ng"
        var person = Person(
            tenancy: .school(schools.randomElement(using: &random) ?? schools[0]), kind: kind, givenName: "A", familyName: family,
            email: Int.random(in: 0..<4, using: &random) == 0 ? nil : "p\(Int.random(in: 0..<40, using: &random))@example.org")
        person.id = id
        return person
    }

    /// For each value of `column`, the identifiers of the records that hold it, worked out from
    /// the records themselves.
    private static func expected(_ table: Table<Person>, _ column: String) -> [IndexValue: Set<UUID>] {
        var holders: [IndexValue: Set<UUID>] = [:]
        for entry in table.all { holders[entry.value.indexValues[column] ?? .null, default: []].insert(entry.value.id.uuid) }
        return holders
    }

    /// Every value the column takes, and one it does not.
    private static func values(_ column: String) -> [IndexValue] {
        switch column {
        case "school_id": schools.map { .id($0) } + [.id(SchoolID())]
        case "kind": [.text("staff"), .text("parentCarer"), .text("learner")]
        case "family_name": families.map { .text($0) } + [.text("Nobody")]
        case "email": (0..<40).map { .text("p\($0)@example.org") } + [.null]
        default: [.null]
        }
    }

    private static func check(_ table: Table<Person>, _ columns: [String], _ when: String) {
        for column in columns {
            let holders = expected(table, column)
            for value in values(column) {
                #expect(table.ids(where: column, is: value) == holders[value] ?? [], "\(column) \(when)")
            }
        }
    }

    @Test func aColumnIndexedOnFirstUseMatchesTheRecordsThroughWritesPurgesAndHandOvers() {
        var random = SeededRandom(seed: 29)
        let table = Table<Person>()
        var ids: [PersonID] = []
        for _ in 0..<300 {
            let person = Self.person(&random)
            ids.append(person.id)
            table.put(person)
        }
        // One column asked for now, so it is kept in step through what follows; the others are
        // first asked for afterwards, and built from the records as they then are.
        Self.check(table, ["school_id"], "built after the first writes")
        for round in 0..<200 {
            let id = ids.randomElement(using: &random) ?? ids[0]
            if round % 5 == 0 {
                table.purge(id.uuid)
            } else {
                table.put(Self.person(&random, id: id))
            }
        }
        Self.check(table, ["school_id", "kind", "family_name", "email"], "after replacements and purges")

        // A transaction that wrote more records than the table holds hands them over whole.
        let staged = Table<Person>()
        for _ in 0..<(table.count + 50) { staged.put(Self.person(&random)) }
        for id in ids.prefix(20) { staged.put(Self.person(&random, id: id)) }
        Self.check(staged, ["kind"], "in the transaction")
        let before = table.count
        table.apply(staged)
        #expect(table.count >= before + 50 && staged.count == 0, "the transaction's records join the table")
        Self.check(table, ["school_id", "kind", "family_name", "email"], "after the hand-over")
        for id in ids.suffix(30) { table.put(Self.person(&random, id: id)) }
        Self.check(table, ["school_id", "kind", "family_name", "email"], "after writes to the handed-over table")
    }
}
