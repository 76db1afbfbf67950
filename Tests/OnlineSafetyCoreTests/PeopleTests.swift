import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("UPN")
struct UPNTests {
    @Test func validUPNIsAccepted() throws {
        let upn = try UPN("B801200005001")
        #expect(upn.value == "B801200005001")
    }

    @Test func upnWithWrongCheckLetterIsRefused() {
        let error = #expect(throws: SafetyError.self) { try UPN("A801200005001") }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "upn")
    }

    @Test(arguments: ["B80120000500", "B8012000050012", "", "B"])
    func upnOfWrongLengthIsRefused(text: String) {
        let error = #expect(throws: SafetyError.self) { try UPN(text) }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "upn")
    }

    @Test(arguments: ["B80120O005001", "B8012 0005001", "B80120000500-", "B80120000500I", "B80120000500O", "B80120000500S"])
    func upnWithNonDigitsInTheBodyIsRefused(text: String) {
        let error = #expect(throws: SafetyError.self) { try UPN(text) }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "upn")
    }

    /// Thousands of near-UPNs, in upper and lower case, with letters outside the check alphabet
    /// and characters that are not ASCII: each is accepted exactly when its characters are those
    /// of a UPN and its check letter matches, and then holds its upper-case text.
    @Test func upnsAreAcceptedExactlyWhenTheirCheckLetterMatches() throws {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab xé٣")
        let letters = Array("ABCDEFGHJKLMNPQRTUVWXYZ")
        var numbers = SeededNumbers(state: 13)
        var accepted = 0
        for round in 0..<4_000 {
            var body = (0..<12).map { index -> Character in
                let digit = Character(String(Int.random(in: 0...9, using: &numbers)))
                // Mostly digits, so that many are UPNs; now and then anything.
                return index < 11 && Int.random(in: 0..<20, using: &numbers) > 0 ? digit : alphabet.randomElement(using: &numbers)!
            }
            if round % 7 == 0 { body.removeLast() }
            let check = UPN.checkLetter(for: body) ?? "A"
            let first = round.isMultiple(of: 2) ? check : letters.randomElement(using: &numbers)!
            var text = String(first) + String(body)
            if round % 5 == 0 { text = text.lowercased() }
            let upper = Array(text.uppercased())
            let isDigit: (Character) -> Bool = { ("0"..."9").contains($0) }
            let expected =
                upper.count == 13 && upper[1..<12].allSatisfy(isDigit) && (isDigit(upper[12]) || letters.contains(upper[12]))
                && UPN.checkLetter(for: upper[1...]) == upper[0]
            let upn = try? UPN(text)
            #expect((upn != nil) == expected, "round \(round)")
            if let upn {
                #expect(upn.value == text.uppercased())
                accepted += 1
            }
        }
        #expect(accepted > 600)
    }

    @Test func lowerCaseUPNIsAcceptedAndUpperCased() throws {
        let upn = try UPN("b801200005001")
        #expect(upn.value == "B801200005001")
        #expect(upn == (try UPN("B801200005001")))
    }

    @Test(arguments: ["A801200005001", "B80120000500", "B80120X005001", "b80120000500s", "N886201800124"])
    func refusalNeverContainsTheUPNText(text: String) {
        let error = #expect(throws: SafetyError.self) { try UPN(text) }
        #expect(error?.code == .invalidInput)
        let description = error.map { String(describing: $0) } ?? ""
        #expect(!description.isEmpty)
        #expect(!description.contains(text))
        #expect(!description.uppercased().contains(text.uppercased()))
        #expect(!description.contains(String(text.dropFirst())))
    }

    @Test func descriptionIsMasked() throws {
        let upn = try UPN("B801200005001")
        #expect(!"\(upn)".contains("801200005001"))
        #expect(!String(reflecting: upn).contains("801200005001"))
        #expect("\(upn)".contains("***"))
    }

    @Test func interpolatedLearnerDetailsDoNotRevealTheUPN() throws {
        let details = LearnerDetails(upn: try UPN("B801200005001"), dateOfBirth: try day("2017-03-14"), ncYear: .year4)
        #expect(!"\(details)".contains("801200005001"))
    }

    /// Expected letters worked by hand with the DfE algorithm: weights 2 to 13, sum modulo 23,
    /// alphabet ABCDEFGHJKLMNPQRTUVWXYZ. For example 886201800123: 16+24+24+10+0+7+64+0+0+11+24+39 = 219,
    /// 219 mod 23 = 12, the 13th letter N.
    @Test(arguments: [
        ("801200005001", Character("B")),
        ("000000000000", Character("A")),
        ("000000000001", Character("P")),
        ("886201800123", Character("N")),
        ("936202300017", Character("V")),
        ("999001240042", Character("H")),
    ])
    func checkLetterIsComputedForABody(body: String, expected: Character) throws {
        let letter = try #require(UPN.checkLetter(for: body))
        #expect(letter == expected)
        let upn = try UPN(String(letter) + body)
        #expect(upn.value == String(expected) + body)
    }

    @Test func checkLetterOfAMalformedBodyIsNil() {
        #expect(UPN.checkLetter(for: "80120000500") == nil)
        #expect(UPN.checkLetter(for: "8012000050011") == nil)
        #expect(UPN.checkLetter(for: "80120000500?") == nil)
    }

    @Test func transposedDigitsAreDetected() throws {
        _ = try UPN("N886201800123")
        let error = #expect(throws: SafetyError.self) { try UPN("N886201800132") }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "upn")
    }

    /// 88620180012 then A (value 0): 219 - 39 = 180, 180 mod 23 = 19, W.
    @Test func temporaryUPNEndingInALetterIsAccepted() throws {
        #expect(UPN.checkLetter(for: "88620180012A") == "W")
        let upn = try UPN("W88620180012A")
        #expect(upn.value == "W88620180012A")
        let lowerCase = try UPN("w88620180012a")
        #expect(lowerCase == upn)
        #expect(UPN.checkLetter(for: "88620180012Z") == "G")
        _ = try UPN("G88620180012Z")
    }

    @Test func temporaryUPNWithWrongCheckLetterIsRefused() {
        let error = #expect(throws: SafetyError.self) { try UPN("W88620180012Z") }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "upn")
    }

    @Test func upnRoundTripsThroughJSONAndInvalidTextIsRefusedOnDecode() throws {
        let upn = try UPN("B801200005001")
        let data = try JSONEncoder().encode(upn)
        #expect(String(decoding: data, as: UTF8.self) == "\"B801200005001\"")
        #expect(try JSONDecoder().decode(UPN.self, from: data) == upn)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(UPN.self, from: Data("\"A801200005001\"".utf8)) }
    }

    /// Learner details written before groups and a key person were kept read with none, and
    /// encode back to the very same bytes, so a stored record's integrity code still holds.
    @Test func learnerDetailsWrittenWithoutGroupsReadAndEncodeUnchanged() throws {
        let older = Data(
            #"{"dateOfBirth":"2017-03-14","eal":false,"lookedAfter":true,"ncYear":"4","registrationGroup":"Oak","send":false,"upn":"B801200005001"}"#
                .utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let details = try JSONDecoder().decode(LearnerDetails.self, from: older)
        #expect(details.groups.isEmpty && details.keyPerson == nil && details.lookedAfter)
        #expect(try encoder.encode(details) == older)

        var grouped = details
        grouped.groups = ["Robins", "Wrens"]
        grouped.keyPerson = "Kate Law"
        let again = try JSONDecoder().decode(LearnerDetails.self, from: try encoder.encode(grouped))
        #expect(again == grouped)
    }

    /// Learner details written before preferred names were kept read with none and encode back
    /// to the same bytes; preferred names are written only when held, and read back.
    @Test func learnerDetailsWrittenWithoutPreferredNamesReadAndEncodeUnchanged() throws {
        let older = Data(
            #"{"dateOfBirth":"2017-03-14","eal":false,"groups":["Robins"],"keyPerson":"Kate Law","lookedAfter":false,"ncYear":"4","send":true,"upn":"B801200005001"}"#
                .utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let details = try JSONDecoder().decode(LearnerDetails.self, from: older)
        #expect(details.preferredGivenName == nil && details.preferredFamilyName == nil)
        #expect(details.groups == ["Robins"] && details.keyPerson == "Kate Law" && details.send)
        #expect(try encoder.encode(details) == older)

        var known = details
        known.preferredGivenName = "Avie"
        let written = try encoder.encode(known)
        #expect(String(decoding: written, as: UTF8.self).contains(#""ncYear":"4","preferredGivenName":"Avie","send""#))
        #expect(!String(decoding: written, as: UTF8.self).contains("preferredFamilyName"), "a name not held is not written")
        #expect(try JSONDecoder().decode(LearnerDetails.self, from: written) == known)
    }
}

@Suite("Year groups and key stages")
struct KeyStageTests {
    static let expected: [(NCYear, KeyStage?)] = [
        (.nursery1, .eyfs), (.nursery2, .eyfs), (.reception, .eyfs),
        (.year1, .ks1), (.year2, .ks1),
        (.year3, .ks2), (.year4, .ks2), (.year5, .ks2), (.year6, .ks2),
        (.year7, .ks3), (.year8, .ks3), (.year9, .ks3),
        (.year10, .ks4), (.year11, .ks4),
        (.year12, .ks5), (.year13, .ks5), (.year14, .ks5), (.outsideYearGroups, nil),
    ]

    @Test(arguments: expected)
    func yearGroupBelongsToItsKeyStage(year: NCYear, stage: KeyStage?) {
        #expect(year.keyStage == stage)
    }

    @Test func everyYearGroupIsMapped() {
        #expect(Set(Self.expected.map(\.0)) == Set(NCYear.allCases))
        #expect(Self.expected.count == NCYear.allCases.count)
    }

    @Test func yearGroupsUseTheCommonTransferFileCodes() {
        #expect(NCYear(rawValue: "N1") == .nursery1)
        #expect(NCYear(rawValue: "N2") == .nursery2)
        #expect(NCYear(rawValue: "R") == .reception)
        #expect(NCYear(rawValue: "1") == .year1)
        #expect(NCYear(rawValue: "13") == .year13)
        #expect(NCYear(rawValue: "14") == .year14)
        #expect(NCYear(rawValue: "X") == .outsideYearGroups)
        #expect(NCYear(rawValue: "15") == nil)
    }

    @Test func yearGroupsOrderFromYoungestToOldest() {
        let shuffled: [NCYear] = [.year13, .reception, .year2, .nursery2, .year10, .nursery1, .year1, .year9]
        #expect(shuffled.sorted() == [.nursery1, .nursery2, .reception, .year1, .year2, .year9, .year10, .year13])
        #expect(NCYear.reception < .year1)
        #expect(NCYear.year9 < .year10)
        #expect(!(NCYear.year10 < .year9))
    }

    @Test func keyStagesOrderFromYoungestToOldest() {
        #expect([KeyStage.ks5, .eyfs, .ks3, .ks1, .ks4, .ks2].sorted() == [.eyfs, .ks1, .ks2, .ks3, .ks4, .ks5])
        #expect(!(KeyStage.ks2 < .ks2))
    }

    @Test func keyStageNeverGoesDownAsYearGroupsGoUp() {
        let stages = NCYear.allCases.sorted().compactMap(\.keyStage)
        #expect(stages == stages.sorted())
    }

    @Test func learnerDetailsDeriveTheKeyStage() throws {
        let details = LearnerDetails(upn: try UPN("B801200005001"), dateOfBirth: try day("2020-01-10"), ncYear: .reception)
        #expect(details.keyStage == .eyfs)
    }
}

@Suite("Person")
struct PersonTests {
    @Test func learnerWithDetailsValidates() throws {
        try learner(at: SchoolID(), upn: "B801200005001", group: "Oak").validate()
    }

    @Test func learnerWithoutDetailsIsRefused() {
        let person = Person(tenancy: .school(SchoolID()), kind: .learner, givenName: "Ava", familyName: "Oakley")
        let error = #expect(throws: SafetyError.self) { try person.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "person.learner")
    }

    @Test(arguments: [PersonKind.staff, .governor, .parentCarer, .volunteer, .visitor, .contractor])
    func nonLearnerWithLearnerDetailsIsRefused(kind: PersonKind) throws {
        var person = try learner(at: SchoolID(), upn: "B801200005001", group: "Oak")
        person.kind = kind
        let error = #expect(throws: SafetyError.self) { try person.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "person.learner")
    }

    @Test(arguments: ["", " ", "   "])
    func emptyGivenNameIsRefused(name: String) {
        let person = Person(tenancy: .school(SchoolID()), kind: .staff, givenName: name, familyName: "Law")
        let error = #expect(throws: SafetyError.self) { try person.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "person.givenName")
    }

    @Test(arguments: ["", "  "])
    func emptyFamilyNameIsRefused(name: String) {
        let person = Person(tenancy: .school(SchoolID()), kind: .staff, givenName: "Kate", familyName: name)
        let error = #expect(throws: SafetyError.self) { try person.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "person.familyName")
    }

    /// The legal names stay on the person; the name shown is the preferred one where held, each
    /// part falling back to the legal one.
    @Test func aLearnerIsShownByTheNameTheyAreKnownBy() throws {
        var person = try learner(at: SchoolID(), upn: "B801200005001", group: "Oak", givenName: "Joanna")
        #expect(person.displayName == "Joanna Learner" && !person.isKnownByAnotherName)
        person.learner?.preferredGivenName = "Jojo"
        #expect(person.fullName == "Joanna Learner", "the legal name")
        #expect(person.displayName == "Jojo Learner" && person.isKnownByAnotherName)
        #expect(person.knownAsGivenName == "Jojo" && person.knownAsFamilyName == "Learner")
        person.learner?.preferredFamilyName = "Smith"
        #expect(person.displayName == "Jojo Smith" && person.fullName == "Joanna Learner")
        try person.validate()

        let staff = Person(tenancy: .school(SchoolID()), kind: .staff, givenName: "Kate", familyName: "Law")
        #expect(staff.displayName == staff.fullName)
    }

    @Test(arguments: ["", "  "])
    func blankPreferredNamesAreRefused(name: String) throws {
        var given = try learner(at: SchoolID(), upn: "B801200005001", group: "Oak")
        given.learner?.preferredGivenName = name
        let error = #expect(throws: SafetyError.self) { try given.validate() }
        #expect(error?.code == .invalidInput)
        #expect(error?.location == "person.preferredGivenName")

        var family = try learner(at: SchoolID(), upn: "B801200005001", group: "Oak")
        family.learner?.preferredFamilyName = name
        let familyError = #expect(throws: SafetyError.self) { try family.validate() }
        #expect(familyError?.location == "person.preferredFamilyName")
    }

    @Test func leaverHasLeftFromTheirLeavingDay() throws {
        let person = Person(
            tenancy: .school(SchoolID()), kind: .staff, givenName: "Tom", familyName: "Teacher", leftOn: try day("2026-07-22"))
        #expect(!person.hasLeft(by: try day("2026-07-21")))
        #expect(person.hasLeft(by: try day("2026-07-22")))
        #expect(person.hasLeft(by: try day("2026-09-01")))
        let stayer = Person(tenancy: .school(SchoolID()), kind: .staff, givenName: "Kate", familyName: "Law")
        #expect(!stayer.hasLeft(by: try day("2099-01-01")))
    }
}
