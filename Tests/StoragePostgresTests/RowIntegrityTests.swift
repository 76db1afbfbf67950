import Foundation
import Testing

@testable import StoragePostgres

/// A row's and an audit event's MAC are HMAC-SHA256 over a fixed layout: rows written by any
/// version verify under every later one. The expected values were worked out apart from the SDK
/// (Python's `hmac` module) from the same key and bytes.
@Suite("PostgreSQL: row and audit MACs")
struct RowIntegrityTests {
    private static let key = try! IntegrityKey(Data((1...32).map { UInt8($0) }))
    private static let id = UUID(uuidString: "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0")!

    @Test func macsAreHMACSHA256OfTheirLayoutAndTheSameOnEveryCall() async {
        let integrity = RowIntegrity(Self.key)
        let row = "060b7cf15ff78373734c814950fea247e004a811bbc70f6a9dafc39a0799dbd3"
        let audit = "2a772ba43ff0d021bc1998712ab09d1c43c2614cb4c2895f334fcba3564c384e"
        #expect(integrity.mac(table: "people", id: Self.id, revision: 3, doc: "{\"givenName\":\"Zoë\"}") == row)
        #expect(integrity.mac(chain: "school:abc", sequence: 42, hash: "deadbeef") == audit)
        let body = Array("{\"givenName\":\"Zoë\"}".utf8)
        #expect(body.withUnsafeBytes { integrity.mac(table: "people", id: Self.id, revision: 3, body: $0) } == row, "the same from bytes")
        // One keyed HMAC is copied for every MAC: calls at once, and after others, give the same.
        let results = await withTaskGroup(of: String.self) { group in
            for index in 0..<64 {
                group.addTask {
                    index.isMultiple(of: 2)
                        ? integrity.mac(table: "people", id: Self.id, revision: 3, doc: "{\"givenName\":\"Zoë\"}")
                        : integrity.mac(chain: "school:abc", sequence: 42, hash: "deadbeef")
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(results) == [row, audit])
        #expect(integrity.mac(table: "people", id: Self.id, revision: 4, doc: "{\"givenName\":\"Zoë\"}") != row)
    }
}
