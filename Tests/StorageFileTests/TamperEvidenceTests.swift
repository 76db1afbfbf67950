import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@testable import StorageFile

/// Someone with the store's files edits a committed record: a teacher's role grant becomes the
/// DSL's. The store never applies it: an edit with its checksum recomputed breaks the hash chain,
/// and a chain recomputed too is caught by the anchor kept outside the directory.
@Suite("Flat file: tamper evidence")
struct TamperEvidenceTests {
    /// A store with a trust, a school, a teacher and their staff grant, and the line of the grant.
    private static func storeWithAGrant(anchor: JournalAnchor? = nil) async throws -> (URL, RoleGrant, line: Int) {
        let directory = Scratch.directory()
        let store = try await FileStore.open(at: directory, logger: quietLogger(), options: .init(anchor: anchor))
        let trust = try await store.trusts.insert(SeedSchools.vikingAcademyTrust())
        let school = try await store.schools.insert(SeedSchools.chilton(trustID: trust.id))
        let teacher = try await store.people.insert(
            Person(tenancy: .school(school.id), kind: .staff, givenName: "Tom", familyName: "Teacher"))
        let grant = try await store.roleGrants.insert(
            RoleGrant(personID: teacher.id, role: .staff, scope: .school(school.id), starts: CalendarDate(year: 2025, month: 9, day: 1)!))
        _ = try await store.trusts.insert(Trust(name: "Written after the grant"))
        try await store.close()
        let line = try StoreFiles.lines(directory).firstIndex { $0.contains(#""role":"staff""#) }! + 1
        return (directory, grant, line)
    }

    /// The grant's line with the role changed to DSL, the frame recomputed; with `rehash`, every
    /// hash from that line on recomputed as well, as someone who knows the format would.
    private static func promote(in directory: URL, line: Int, rehash: Bool) throws {
        var lines = try StoreFiles.lines(directory)
        lines[line - 1] = StoreFiles.reframed(
            lines[line - 1].replacingOccurrences(of: #""role":"staff""#, with: #""role":"designatedSafeguardingLead""#))
        if rehash { lines = try rehashed(lines) }
        try StoreFiles.write(lines: lines, to: directory)
    }

    private static func rehashed(_ lines: [String]) throws -> [String] {
        var previous = JournalFormat.genesis
        return try lines.map { line in
            let json = Array(StoreFiles.json(of: line).utf8)
            let object = try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any]
            let seq = Int64(object["seq"] as! Int)
            let header = JournalHeader(seq: seq, prev: object["prev"] as! String, hash: object["hash"] as! String)
            let body = JournalFormat.body(of: json[...], header: header)!
            let hash = JournalFormat.hash(prev: previous, seq: seq, body: body)
            var rebuilt = JournalFormat.prefix
            rebuilt.append(contentsOf: body)
            rebuilt.append(contentsOf: JournalFormat.suffix(hash: hash, prev: previous, seq: seq))
            previous = hash
            return StoreFiles.reframed(String(decoding: rebuilt, as: UTF8.self))
        }
    }

    @Test func anEditedRecordIsRefusedAndNeverApplied() async throws {
        let (directory, grant, line) = try await Self.storeWithAGrant()
        try Self.promote(in: directory, line: line, rehash: false)
        let refusal = await #expect(throws: SafetyError.self) { try await FileStore.open(at: directory, logger: quietLogger()) }
        #expect(refusal?.code == .corruptData && refusal?.location == "journal.jsonl:\(line)")
        let readOnly = try await FileStore.openReadOnly(at: directory, logger: quietLogger())
        #expect(readOnly.journalReport.damaged.first?.problem == .chainBroken)
        #expect(readOnly.journalReport.damaged.first?.touches.contains(.record(kind: RoleGrant.recordKind, id: grant.id.uuid)) == true)
        #expect(try await readOnly.roleGrants.get(grant.id) == nil, "the edited grant is not applied")
        #expect(try await readOnly.trusts.count(TrustQuery()) == 1, "the records before it are read; those after are held back")
        try await readOnly.close()
    }

    @Test func aRehashedChainOpensWithoutAnAnchorButIsRefusedWithOne() async throws {
        let (plain, grant, line) = try await Self.storeWithAGrant()
        try Self.promote(in: plain, line: line, rehash: true)
        let opened = try await FileStore.open(at: plain, logger: quietLogger())
        #expect(try await opened.roleGrants.get(grant.id)?.role == .designatedSafeguardingLead, "what the anchor is for")
        try await opened.close()

        let anchor = JournalAnchor(url: Scratch.directory().appendingPathExtension("head"))
        try FileManager.default.createDirectory(at: anchor.url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let (directory, _, anchoredLine) = try await Self.storeWithAGrant(anchor: anchor)
        try Self.promote(in: directory, line: anchoredLine, rehash: true)
        let refusal = await #expect(throws: SafetyError.self) {
            try await FileStore.open(at: directory, logger: quietLogger(), options: .init(anchor: anchor))
        }
        #expect(refusal?.code == .corruptData && refusal?.reason.contains("rewritten") == true)
        await #expect(throws: SafetyError.self) {
            try await FileStore.openReadOnly(at: directory, logger: quietLogger(), options: .init(anchor: anchor))
        }
    }

    @Test func recordsCutFromTheEndAreRefusedByTheAnchor() async throws {
        let anchor = JournalAnchor(url: Scratch.directory().appendingPathExtension("head"))
        try FileManager.default.createDirectory(at: anchor.url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let (directory, _, _) = try await Self.storeWithAGrant(anchor: anchor)
        let lines = try StoreFiles.lines(directory)
        #expect(try String(contentsOf: anchor.url, encoding: .utf8).hasPrefix("\(lines.count) "), "the anchor holds the last record")
        try StoreFiles.write(lines: Array(lines.dropLast()), to: directory)
        let refusal = await #expect(throws: SafetyError.self) {
            try await FileStore.open(at: directory, logger: quietLogger(), options: .init(anchor: anchor))
        }
        #expect(refusal?.code == .corruptData && refusal?.reason.contains("removed") == true)
    }

    @Test func anAnchorOneRecordBehindAfterACrashStillMatches() async throws {
        let anchor = JournalAnchor(url: Scratch.directory().appendingPathExtension("head"))
        try FileManager.default.createDirectory(at: anchor.url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let (directory, _, _) = try await Self.storeWithAGrant(anchor: anchor)
        let lines = try StoreFiles.lines(directory)
        let previous = try JSONSerialization.jsonObject(with: Data(StoreFiles.json(of: lines[lines.count - 2]).utf8)) as! [String: Any]
        try anchor.write(seq: Int64(lines.count - 1), hash: previous["hash"] as! String)
        let store = try await FileStore.open(at: directory, logger: quietLogger(), options: .init(anchor: anchor))
        #expect(try await store.trusts.count(TrustQuery()) == 2)
        try await store.close()
        #expect(try String(contentsOf: anchor.url, encoding: .utf8).hasPrefix("\(lines.count) "), "opening advances the anchor")
    }
}
