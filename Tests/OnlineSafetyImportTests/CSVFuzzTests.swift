import Foundation
import OnlineSafetyCore
import OnlineSafetyImport
import Testing

/// Random and mutated CSV input for both readers: they never crash or hang, and every problem
/// locates itself. `ONLINESAFETY_FUZZ_CASES` sets the number of cases (10,000 by default),
/// shared between the two readers.
@Suite("CSV fuzz")
struct CSVFuzzTests {
    static let cases: Int = {
        let text = ProcessInfo.processInfo.environment["ONLINESAFETY_FUZZ_CASES"] ?? ""
        return max(1, Int(text) ?? 10_000)
    }()

    /// SplitMix64: small, fast and reproducible.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let interesting: [[UInt8]] = [
        Array("\"".utf8), Array("\"\"".utf8), Array("\r".utf8), Array("\n".utf8), Array("\r\n".utf8), Array(",".utf8),
        [0xEF, 0xBB, 0xBF], [0x00], [0xFF], [0xC3], Array(";".utf8), Array("{LDAP:12}".utf8), Array("31/02/2015".utf8),
        Array("13/25/2015".utf8), Array("2016-02-30".utf8), Array("A801200005001".utf8), Array("é".utf8),
    ]

    /// One mutation of `bytes`.
    static func mutate(_ bytes: inout [UInt8], _ random: inout Generator) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
        switch Int.random(in: 0..<8, using: &random) {
        case 0: bytes.insert(contentsOf: interesting.randomElement(using: &random)!, at: position)
        case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
        case 2:
            if !bytes.isEmpty {
                let end = min(bytes.count, position + Int.random(in: 1...20, using: &random))
                if position < end { bytes.removeSubrange(position..<end) }
            }
        case 3: bytes = Array(bytes.prefix(position))
        case 4: if position < bytes.count { bytes[position] = UInt8.random(in: 0...255, using: &random) }
        case 5:
            let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
            if position < end { bytes.insert(contentsOf: bytes[position..<end], at: position) }
        case 6: bytes.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)
        default:
            bytes = bytes.map { $0 == UInt8(ascii: "\n") && Bool.random(using: &random) ? UInt8(ascii: "\r") : $0 }
        }
    }

    /// Either mutated from `seed` or wholly random.
    static func input(from seed: String, _ random: inout Generator) -> Data {
        var bytes: [UInt8]
        if Int.random(in: 0..<10, using: &random) == 0 {
            let alphabet = Array("ab,\"\r\n;1/-".utf8)
            bytes = (0..<Int.random(in: 0...200, using: &random)).map { _ in
                Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
        } else {
            bytes = Array(seed.utf8)
            for _ in 0..<Int.random(in: 1...6, using: &random) { mutate(&bytes, &random) }
        }
        return Data(bytes)
    }

    static func check(_ problem: RosterProblem) {
        #expect(!problem.location.file.isEmpty)
        #expect(problem.location.line >= 0)
        #expect(!problem.code.isEmpty)
    }

    static func check(_ batch: RosterBatch) {
        for problem in batch.problems { check(problem) }
        for section in batch.sections {
            for learner in section.learners { #expect(learner.location.line >= 1 && !learner.location.file.isEmpty) }
            for contact in section.contacts { #expect(contact.location.line >= 1) }
            for staff in section.staff { #expect(staff.location.line >= 1) }
        }
    }

    @Test func mappedReaderSurvivesMutatedInput() {
        let presets: [(CSVMapping, String)] = [
            (.bromcomStudents, CSVFixtures.bromcomStudents), (.bromcomContacts, CSVFixtures.bromcomContacts),
            (.tapestryChildren, CSVFixtures.tapestryChildren), (.tapestryRelatives, CSVFixtures.tapestryRelatives),
        ]
        var random = Generator(state: 0x5EED_0001)
        let exportedOn = CalendarDate(year: 2024, month: 9, day: 10)!
        for index in 0..<(Self.cases / 2) {
            let (mapping, seed) = presets[index % presets.count]
            let reader = MappedCSVReader(mapping: mapping, school: RosterSchoolKey(urn: "118377"), coverage: .full, exportedOn: exportedOn)
            let data = Self.input(from: seed, &random)
            do {
                Self.check(try reader.read(data: data, name: "fuzz.csv"))
            } catch {
                Self.check(error)
            }
        }
    }

    @Test func oneRosterReaderSurvivesMutatedInput() {
        let reader = OneRosterReader()
        let base = OneRosterFixtures.files
        let names = base.keys.sorted()
        var random = Generator(state: 0x5EED_0002)
        let exportedOn = CalendarDate(year: 2024, month: 9, day: 10)!
        for _ in 0..<(Self.cases - Self.cases / 2) {
            var files = base
            for _ in 0..<Int.random(in: 1...2, using: &random) {
                let name = names.randomElement(using: &random)!
                let seed = String(decoding: files[name]!, as: UTF8.self)
                files[name] = Self.input(from: seed, &random)
            }
            if Int.random(in: 0..<20, using: &random) == 0 { files[names.randomElement(using: &random)!] = nil }
            do {
                Self.check(try reader.read(files: files, name: "fuzz", exportedOn: exportedOn))
            } catch {
                Self.check(error)
            }
        }
    }
}
