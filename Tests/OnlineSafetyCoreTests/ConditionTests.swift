import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

/// Backends may test records with compiled conditions; they must answer exactly as `matches` does.
@Suite("Query conditions")
struct ConditionTests {
    static let columns = ["school_id", "due", "name", "people", "flag"]
    static let school = UUID()
    static let person = UUID()
    static let noon = Date(timeIntervalSince1970: 1_795_428_000)

    static let records: [[String: IndexValue]] = [
        ["school_id": .uuid(school), "due": .timestamp(noon), "name": .text("Oakley"), "people": .uuids([person]), "flag": .boolean(true)],
        ["school_id": .uuid(UUID()), "due": .null, "name": .text("ash"), "people": .uuids([]), "flag": .boolean(false)],
        ["school_id": .null, "due": .timestamp(noon.addingTimeInterval(60)), "name": .null, "people": .null, "flag": .null],
        [:],
    ]

    static let conditions: [Condition] = [
        .equals("school_id", .uuid(school)), .equals("due", .null), .oneOf("school_id", [.uuid(school), .null]),
        .atMost("due", .timestamp(noon)), .atLeast("due", .timestamp(noon)), .isNull("name"), .contains("name", "OAK"),
        .includes("people", person), .or(.isNull("due"), .atMost("due", .timestamp(noon))),
        .and(.equals("flag", .boolean(true)), .contains("name", "ley")), .equals("missing_column", .null),
    ]

    @Test func compiledConditionsAnswerAsMatchesDoes() {
        for condition in Self.conditions {
            let test = condition.compiled(columns: Self.columns)
            for record in Self.records {
                let laidOut = Self.columns.map { record[$0] ?? .null }
                #expect(test(laidOut) == condition.matches(record), "\(condition) on \(record)")
            }
        }
    }

    @Test func nullNeverSatisfiesARangeButSatisfiesIsNull() {
        let empty = Self.columns.map { _ in IndexValue.null }
        #expect(!Condition.atMost("due", .timestamp(Self.noon)).compiled(columns: Self.columns)(empty))
        #expect(!Condition.atLeast("due", .timestamp(Self.noon)).compiled(columns: Self.columns)(empty))
        #expect(Condition.isNull("due").compiled(columns: Self.columns)(empty))
    }
}
