import Foundation
import Testing

@testable @_spi(StorageBackend) import OnlineSafetyCore

/// Procedure statuses read straight from their stored JSON are the values `JSONDecoder` reads
/// from the same bytes, and a document the fast reader does not read is left to it.
@Suite("Stored JSON: procedure statuses read from their bytes")
struct StoredJSONProcedureTests {
    private static let pieces: [String] = [
        "a", "Z", "7", "'", "\"", "\\", "/", "<", "&", "é", "ß", "中文", "👩‍👧", "\u{301}", "\t", "\n", "\u{0}", "\u{1F}", "\u{7F}",
        "\u{2028}", "O'Brien", "'); DROP TABLE x;--", " ", "{\"_0\":1}", "§11.2",
    ]

    private static func text(_ numbers: inout SeededNumbers, upTo count: Int = 4) -> String {
        (0..<Int.random(in: 0...count, using: &numbers)).map { _ in pieces.randomElement(using: &numbers)! }.joined()
    }

    private static func maybe<T>(_ numbers: inout SeededNumbers, _ make: (inout SeededNumbers) -> T) -> T? {
        Bool.random(using: &numbers) ? make(&numbers) : nil
    }

    /// Instants as the SDK keeps them (whole milliseconds), and now and then any `Double` at all.
    private static func instant(_ numbers: inout SeededNumbers) -> Date {
        switch Int.random(in: 0..<8, using: &numbers) {
        case 0: Date(timeIntervalSinceReferenceDate: Double.random(in: -1e9...1e9, using: &numbers))
        case 1: Date(timeIntervalSinceReferenceDate: Double(Int.random(in: -1_000...1_000, using: &numbers)))
        default:
            SafetyClock.truncated(
                Date(
                    timeIntervalSince1970: Double(Int.random(in: 1_500_000_000...1_900_000_000, using: &numbers))
                        + Double(Int.random(in: 0...999, using: &numbers)) / 1_000))
        }
    }

    private static func evidence(_ numbers: inout SeededNumbers) -> StepEvidence {
        func some<T: CaseIterable>(_ type: T.Type) -> [T] {
            (0..<Int.random(in: 0...3, using: &numbers)).map { _ in T.allCases.randomElement(using: &numbers)! }
        }
        switch Int.random(in: 0..<8, using: &numbers) {
        case 0: return .referral(some(ReferralAgency.self))
        case 1: return .parentNotification(PersonID())
        case 2: return .riskAssessment
        case 3: return .deviceCustody(some(DeviceStatus.self))
        case 4: return .escalation(some(EscalationTarget.self))
        case 5: return .debrief
        case 6: return .decision
        default: return .explicit
        }
    }

    private static func step(_ numbers: inout SeededNumbers) -> ProcedureStep {
        let contacts = (0..<Int.random(in: 0...2, using: &numbers)).map { _ in
            Agency(
                name: text(&numbers), area: maybe(&numbers) { text(&$0) }, phone: maybe(&numbers) { text(&$0) },
                email: maybe(&numbers) { text(&$0) }, website: maybe(&numbers) { text(&$0) })
        }
        let satisfied = Bool.random(using: &numbers)
        return ProcedureStep(
            code: text(&numbers), title: text(&numbers),
            responsible: Responsible(role: Role.allCases.randomElement(using: &numbers)!, name: maybe(&numbers) { text(&$0) }),
            contacts: contacts, rule: text(&numbers, upTo: 8), requiredFrom: instant(&numbers), due: maybe(&numbers) { instant(&$0) },
            evidence: evidence(&numbers), satisfiedBy: satisfied ? ChronologyEntryID() : nil,
            satisfiedAt: satisfied ? instant(&numbers) : nil,
            source: maybe(&numbers) {
                StepSource(policy: text(&$0), version: text(&$0), section: maybe(&$0) { text(&$0) }, heading: text(&$0))
            },
            awaiting: maybe(&numbers) { numbers in (0..<Int.random(in: 0...2, using: &numbers)).map { _ in text(&numbers) } })
    }

    static func status(_ numbers: inout SeededNumbers) -> ProcedureStatus {
        let hasPolicy = Bool.random(using: &numbers)
        return ProcedureStatus(
            id: ProcedureStatusID(), incidentID: IncidentID(), schoolID: SchoolID(), restricted: Bool.random(using: &numbers),
            categoryCode: text(&numbers), steps: (0..<Int.random(in: 0...5, using: &numbers)).map { _ in step(&numbers) },
            policyID: hasPolicy ? AdoptedPolicyID() : nil, policyVersion: hasPolicy ? text(&numbers) : nil,
            revision: Int.random(in: 0...1_000, using: &numbers))
    }

    private static var writers: [JSONEncoder] { StoredJSONLayouts.writers }

    private static func canonical(_ value: ProcedureStatus) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try! encoder.encode(value)
    }

    private static func fast(_ bytes: [UInt8]) -> ProcedureStatus? {
        bytes.withUnsafeBufferPointer { ProcedureStatus.readStoredJSON($0) }
    }

    @Test func statusesAreReadAsJSONDecoderReadsThem() throws {
        var numbers = SeededNumbers(state: 71)
        var steps = 0
        var evidence = Set<String>()
        for _ in 0..<1_500 {
            let value = Self.status(&numbers)
            steps += value.steps.count
            for step in value.steps { evidence.insert(String(describing: step.evidence).prefix { $0 != "(" }.description) }
            for writer in Self.writers {
                let bytes = Array(try writer.encode(value))
                let decoded = try JSONDecoder().decode(ProcedureStatus.self, from: Data(bytes))
                let read = try #require(Self.fast(bytes), "the fast reader reads what the coding writes")
                #expect(read == decoded)
                #expect(Self.canonical(read) == Self.canonical(decoded), "the same text, byte for byte")
                #expect(read == value)
            }
        }
        #expect(steps > 2_000)
        #expect(evidence.count == 8, "every kind of evidence was read")
    }

    /// Mutated documents: whenever the fast reader gives a value, `JSONDecoder` reads the same
    /// bytes to the same value; it never reads a document differently, and it never crashes.
    @Test func aMutatedStatusIsReadAsJSONDecoderReadsItOrLeftToIt() throws {
        var numbers = SeededNumbers(state: 73)
        let significant = Array("{}[]\":,\\ 0123456789-.eEtrufalsn/u_\t\n".utf8) + [0x00, 0x7F, 0xC3, 0xA9, 0xFF]
        var readFast = 0
        for _ in 0..<6_000 {
            let writer = Self.writers.randomElement(using: &numbers)!
            let bytes = numbers.mutated(Array(try writer.encode(Self.status(&numbers))), from: significant)
            for candidate in [bytes, Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &numbers)))] {
                guard let read = Self.fast(candidate) else { continue }
                readFast += 1
                let decoded = try? JSONDecoder().decode(ProcedureStatus.self, from: Data(candidate))
                #expect(decoded != nil, "a document the fast reader reads is one JSONDecoder reads")
                if let decoded {
                    #expect(read == decoded)
                    #expect(Self.canonical(read) == Self.canonical(decoded))
                }
            }
        }
        #expect(readFast > 0, "some mutations (inside text or numbers) leave a document the fast reader still reads")
    }

    /// What the fast reader leaves to `JSONDecoder`: an exponent, a `null`, two cases of evidence
    /// at once, an evidence case with content, an unknown role.
    @Test func documentsItDoesNotReadAreLeftToJSONDecoder() throws {
        var numbers = SeededNumbers(state: 79)
        var value = Self.status(&numbers)
        value.steps = [Self.step(&numbers)]
        value.steps[0].evidence = .debrief
        value.steps[0].due = nil
        value.steps[0].source = nil
        value.steps[0].requiredFrom = Date(timeIntervalSinceReferenceDate: 812_345_678.25)
        let text = String(decoding: Self.canonical(value), as: UTF8.self)
        #expect(Self.fast(Array(text.utf8)) == value)
        let variants = [
            text.replacingOccurrences(of: "812345678.25", with: "8.1234567825e8"),
            text.replacingOccurrences(of: #""debrief":{}"#, with: #""debrief":{},"decision":{}"#),
            text.replacingOccurrences(of: #""debrief":{}"#, with: #""debrief":{"x":1}"#),
            text.replacingOccurrences(of: #""requiredFrom":812345678.25"#, with: #""requiredFrom":812345678.25,"due":null"#),
            text.replacingOccurrences(of: #""role":""#, with: #""role":"x"#),
        ]
        for variant in variants {
            #expect(variant != text)
            #expect(Self.fast(Array(variant.utf8)) == nil)
        }
        // JSONDecoder still reads the ones it can, to the same value where it is the same.
        #expect(try JSONDecoder().decode(ProcedureStatus.self, from: Data(variants[0].utf8)) == value)
        #expect(try JSONDecoder().decode(ProcedureStatus.self, from: Data(variants[3].utf8)) == value)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ProcedureStatus.self, from: Data(variants[1].utf8)) }
    }
}
