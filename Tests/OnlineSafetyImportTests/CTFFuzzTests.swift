import Foundation
import OnlineSafetyCore
import OnlineSafetyImport
import Testing

/// Random and mutated CTFs: the reader never crashes or hangs, and every problem it returns or
/// throws is located (a file name, a line of 0 or more) and quotes nothing from the file.
///
/// `ONLINESAFETY_FUZZ_CASES` sets the number of cases (default 10,000, split over the shards);
/// `ONLINESAFETY_FUZZ_SEED` sets the seed, so that a failure can be replayed.
@Suite("CTF reader fuzzing")
struct CTFFuzzTests {
    private static let shards = 4
    private static let fileName = "fuzz.xml"

    private static var totalCases: Int {
        ProcessInfo.processInfo.environment["ONLINESAFETY_FUZZ_CASES"].flatMap { Int($0) }.map { max($0, 0) } ?? 10_000
    }

    private static var seed: UInt64 {
        ProcessInfo.processInfo.environment["ONLINESAFETY_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_C7F0_2025
    }

    private static let fixtures: [[UInt8]] = [
        CTFFixtures.ctf25Full, CTFFixtures.ctf24PrefixedPartial, CTFFixtures.ctf25DefaultNamespace, CTFFixtures.ctf23,
        CTFFixtures.malformed,
    ].map { Array($0.utf8) }

    @Test(.timeLimit(.minutes(5)), arguments: 0..<shards)
    func theReaderSurvivesRandomAndMutatedInput(shard: Int) {
        let cases = Self.totalCases / Self.shards + (shard < Self.totalCases % Self.shards ? 1 : 0)
        var seeds = SplitMix64(seed: Self.seed)
        for _ in 0..<shard { _ = seeds.next() }
        var random = SplitMix64(seed: seeds.next())
        let reader = CTFReader()
        var failures = 0
        var outcomes = (read: 0, refused: 0)
        let started = Date()
        for index in 0..<cases {
            let input = Self.makeCase(&random)
            let found: [String]
            do {
                let batch = try reader.read(data: Data(input.bytes), name: Self.fileName)
                outcomes.read += 1
                found = Self.violations(in: batch)
            } catch {
                outcomes.refused += 1
                found = Self.violations(in: error)
            }
            if !found.isEmpty {
                failures += 1
                Issue.record("shard \(shard) case \(index) (\(input.kind)), seed \(Self.seed): \(found.joined(separator: "; "))")
                if failures >= 5 { return }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print("CTF fuzz shard \(shard): \(cases) cases, \(outcomes.read) read, \(outcomes.refused) refused, \(seconds) s")
        if cases >= 100 {
            #expect(outcomes.read > 0, "some mutated files should still be read")
            #expect(outcomes.refused > 0, "some mutated files should be refused")
        }
    }

    // MARK: - Properties

    private static func violations(in problem: RosterProblem) -> [String] {
        var found: [String] = []
        if problem.location.file.isEmpty { found.append("\(problem.code) has no file name") }
        if problem.location.file != fileName { found.append("\(problem.code) names another file") }
        if problem.location.line < 0 { found.append("\(problem.code) has a negative line") }
        if let column = problem.location.column, column < 0 { found.append("\(problem.code) has a negative column") }
        if problem.code.isEmpty || problem.reason.isEmpty { found.append("a problem without a code or reason") }
        let description = problem.description
        for value in CTFFixtures.personalValues where description.contains(value) {
            found.append("\(problem.code) quotes a fixture value")
        }
        return found
    }

    private static func violations(in batch: RosterBatch) -> [String] {
        var found = batch.problems.flatMap { violations(in: $0) }
        if batch.files.count != 1 || batch.sections.count != 1 { found.append("one file and one section expected") }
        for section in batch.sections {
            let learnerRefs = Set(section.learners.map(\.source))
            if learnerRefs.count != section.learners.count { found.append("two learners share a source id") }
            for learner in section.learners {
                if learner.location.file != fileName || learner.location.line < 0 { found.append("a learner is badly located") }
                if learner.upn?.value != learner.source.id { found.append("a learner's source id is not its UPN") }
                if learner.givenName.isEmpty || learner.familyName.isEmpty { found.append("a learner without a name") }
            }
            for contact in section.contacts {
                if !learnerRefs.contains(contact.learner) { found.append("a contact of a learner not read") }
                if (contact.priority ?? 1) < 1 { found.append("a contact priority below 1") }
                if contact.location.line < 0 { found.append("a contact is badly located") }
            }
            if let file = batch.files.first, file.rows < section.learners.count { found.append("fewer rows than learners") }
        }
        return found
    }

    // MARK: - Cases

    private struct Case {
        var kind: String
        var bytes: [UInt8]
    }

    private static let entities: [[UInt8]] = [
        "&amp;", "&lt;", "&gt;", "&apos;", "&quot;", "&#233;", "&#x1F600;", "&#0;", "&#xD800;", "&#1114112;", "&bogus;", "&",
        "&#;", "&#x;", "&amp", "]]>", "<![CDATA[Quillfeather]]>", "<!-- a comment -->", "<?pi data?>",
    ].map { Array($0.utf8) }

    private static let values: [[UInt8]] = [
        "", " ", "X", "R", "N1", "14", "15", "0", "-1", "99999999999999999999", "2019-02-30", "2019-13-01", "0000-01-01",
        "2025-09-15T25:61:61", "true", "false", "maybe", "full", "partial", "delta", "A801200005001", "X00180001701A",
        "Y123456789001", "24.0", "26.1", "v25", "PAM", "ZZQ", "\u{0}", "ü", String(repeating: "W", count: 2_000),
    ].map { Array($0.utf8) }

    private static func makeCase(_ random: inout SplitMix64) -> Case {
        let kind = random.next(below: 8)
        if kind == 0 {
            let length = random.next(below: 300)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if random.next(below: 2) == 0 { bytes = Array("<CTfile><Header>".utf8) + bytes }
            return Case(kind: "random bytes", bytes: bytes)
        }
        var bytes = fixtures[random.next(below: fixtures.count)]
        let rounds = 1 + random.next(below: 3)
        var kinds: [String] = []
        for _ in 0..<rounds {
            switch kind {
            case 1:
                kinds.append("byte flips")
                for _ in 0..<(1 + random.next(below: 8)) where !bytes.isEmpty {
                    bytes[random.next(below: bytes.count)] = UInt8(truncatingIfNeeded: random.next())
                }
            case 2:
                kinds.append("truncation")
                bytes = Array(bytes.prefix(random.next(below: bytes.count + 1)))
            case 3:
                kinds.append("duplicated element")
                if let range = randomElement(in: bytes, &random) {
                    bytes.insert(contentsOf: bytes[range], at: range.upperBound)
                }
            case 4:
                kinds.append("removed element")
                if let range = randomElement(in: bytes, &random) { bytes.removeSubrange(range) }
            case 5:
                kinds.append("removed or duplicated tag")
                if let range = randomTag(in: bytes, &random) {
                    if random.next(below: 2) == 0 {
                        bytes.removeSubrange(range)
                    } else {
                        bytes.insert(contentsOf: bytes[range], at: range.lowerBound)
                    }
                }
            case 6:
                kinds.append("inserted entity")
                let position = textPosition(in: bytes, &random)
                bytes.insert(contentsOf: entities[random.next(below: entities.count)], at: position)
            default:
                kinds.append("replaced value")
                if let range = randomText(in: bytes, &random) {
                    bytes.replaceSubrange(range, with: values[random.next(below: values.count)])
                }
            }
        }
        return Case(kind: kinds.joined(separator: ", "), bytes: bytes)
    }

    /// The byte ranges of every tag (`<...>`).
    private static func tags(in bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start: Int?
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "<") {
                start = index
            } else if byte == UInt8(ascii: ">"), let open = start {
                ranges.append(open..<(index + 1))
                start = nil
            }
        }
        return ranges
    }

    private static func randomTag(in bytes: [UInt8], _ random: inout SplitMix64) -> Range<Int>? {
        let all = tags(in: bytes)
        return all.isEmpty ? nil : all[random.next(below: all.count)]
    }

    /// A whole element, from a start tag to its matching end tag.
    private static func randomElement(in bytes: [UInt8], _ random: inout SplitMix64) -> Range<Int>? {
        let all = tags(in: bytes)
        let starts = all.filter {
            bytes.count > $0.lowerBound + 1 && bytes[$0.lowerBound + 1] != UInt8(ascii: "/")
                && bytes[$0.lowerBound + 1] != UInt8(ascii: "?") && bytes[$0.upperBound - 2] != UInt8(ascii: "/")
        }
        guard !starts.isEmpty else { return nil }
        let start = starts[random.next(below: starts.count)]
        let nameEnd = bytes[start].firstIndex { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ">") } ?? start.upperBound - 1
        let name = Array(bytes[(start.lowerBound + 1)..<nameEnd])
        let closing = Array("</".utf8) + name + Array(">".utf8)
        var depth = 0
        for tag in all where tag.lowerBound >= start.lowerBound {
            let body = Array(bytes[tag])
            if body == closing {
                depth -= 1
                if depth == 0 { return start.lowerBound..<tag.upperBound }
            } else if body.count > name.count + 1, Array(body[1...name.count]) == name,
                body[name.count + 1] == UInt8(ascii: ">") || body[name.count + 1] == UInt8(ascii: " ")
            {
                depth += 1
            }
        }
        return nil
    }

    /// A range of text between a `>` and the next `<`.
    private static func randomText(in bytes: [UInt8], _ random: inout SplitMix64) -> Range<Int>? {
        let all = tags(in: bytes)
        guard all.count > 1 else { return nil }
        let index = random.next(below: all.count - 1)
        return all[index].upperBound..<all[index + 1].lowerBound
    }

    private static func textPosition(in bytes: [UInt8], _ random: inout SplitMix64) -> Int {
        if let range = randomText(in: bytes, &random), random.next(below: 4) != 0 {
            return range.lowerBound + random.next(below: range.count + 1)
        }
        return random.next(below: bytes.count + 1)
    }
}

/// A small, seeded pseudo-random generator (SplitMix64), so that every fuzz run can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A value in `0..<bound` (0 when `bound` is 0 or less).
    mutating func next(below bound: Int) -> Int {
        bound <= 0 ? 0 : Int(next() % UInt64(bound))
    }
}
