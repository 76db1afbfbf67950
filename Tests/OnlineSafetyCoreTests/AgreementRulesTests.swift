import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("Acceptable use rules")
struct AgreementRulesTests {
    private let school = SeedSchools.chilton(trustID: TrustID())

    private func document(
        _ audience: AUPAudience, version: Int, effective: String, trustWide: Bool = false, hash: String = String(repeating: "a", count: 64)
    ) throws -> AUPDocument {
        AUPDocument(
            schoolID: trustWide ? nil : school.id, trustID: trustWide ? school.trustID : nil, audience: audience, version: version,
            title: "AUP", effectiveFrom: try day(effective), contentHash: hash, publishedAt: Date(timeIntervalSince1970: 0),
            publishedBy: PersonID())
    }

    private func person(_ kind: PersonKind, year: NCYear? = nil) throws -> Person {
        Person(
            tenancy: .school(school.id), kind: kind, givenName: "A", familyName: "B",
            learner: year.map {
                LearnerDetails(upn: try! UPN("B801200005001"), dateOfBirth: CalendarDate(year: 2018, month: 1, day: 1)!, ncYear: $0)
            })
    }

    @Test(arguments: [NCYear.nursery1, .reception, .year1, .year2])
    func eyfsAndKeyStage1LearnersAreYoungerLearners(year: NCYear) throws {
        #expect(AUPAudience.of(try person(.learner, year: year)) == .youngerLearners)
    }

    @Test(arguments: [NCYear.year3, .year6, .year9, .year13])
    func keyStage2AndAboveAreOlderLearners(year: NCYear) throws {
        #expect(AUPAudience.of(try person(.learner, year: year)) == .olderLearners)
    }

    @Test func adultsBelongToTheAudienceOfTheirPart() throws {
        #expect(AUPAudience.of(try person(.staff)) == .staffAndVolunteers)
        #expect(AUPAudience.of(try person(.volunteer)) == .staffAndVolunteers)
        #expect(AUPAudience.of(try person(.governor)) == .governors)
        #expect(AUPAudience.of(try person(.parentCarer)) == .parentsAndCarers)
        #expect(AUPAudience.of(try person(.visitor)) == .visitors)
        #expect(AUPAudience.of(try person(.contractor)) == .visitors)
    }

    @Test func theLatestEffectiveVersionIsInForce() throws {
        let v1 = try document(.staffAndVolunteers, version: 1, effective: "2025-09-01")
        let v2 = try document(.staffAndVolunteers, version: 2, effective: "2026-09-01")
        let v3 = try document(.staffAndVolunteers, version: 3, effective: "2027-09-01")
        let all = [v3, v1, v2]
        #expect(AgreementRules.current(for: .staffAndVolunteers, among: all, on: try day("2026-08-31"))?.id == v1.id)
        #expect(AgreementRules.current(for: .staffAndVolunteers, among: all, on: try day("2026-09-01"))?.id == v2.id)
        #expect(AgreementRules.current(for: .staffAndVolunteers, among: all, on: try day("2027-09-01"))?.id == v3.id)
        #expect(AgreementRules.current(for: .staffAndVolunteers, among: all, on: try day("2025-08-31")) == nil)
        #expect(AgreementRules.current(for: .governors, among: all, on: try day("2026-09-01")) == nil)
    }

    @Test func aSchoolsOwnPolicyWinsOnTheSameDayAndTheLaterOneOtherwise() throws {
        let trust = try document(.parentsAndCarers, version: 4, effective: "2026-09-01", trustWide: true)
        let own = try document(.parentsAndCarers, version: 1, effective: "2026-09-01")
        #expect(AgreementRules.current(for: .parentsAndCarers, among: [trust, own], on: try day("2026-10-01"))?.id == own.id)
        let laterTrust = try document(.parentsAndCarers, version: 5, effective: "2026-10-01", trustWide: true)
        #expect(
            AgreementRules.current(for: .parentsAndCarers, among: [trust, own, laterTrust], on: try day("2026-10-01"))?.id == laterTrust.id)
    }

    @Test func theContentHashIsSHA256InLowerCaseHex() {
        #expect(AUPDocument.contentHash(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(AUPDocument.contentHash(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func aDocumentBelongsToOneScopeAndCarriesAValidHash() throws {
        var both = try document(.visitors, version: 1, effective: "2026-09-01")
        both.trustID = TrustID()
        let refusal1 = #expect(throws: SafetyError.self) { try both.validate() }
        #expect(refusal1?.code == .invalidInput)
        let upper = try document(.visitors, version: 1, effective: "2026-09-01", hash: String(repeating: "A", count: 64))
        let refusal2 = #expect(throws: SafetyError.self) { try upper.validate() }
        #expect(refusal2?.code == .invalidInput)
        let zero = try document(.visitors, version: 0, effective: "2026-09-01")
        let refusal3 = #expect(throws: SafetyError.self) { try zero.validate() }
        #expect(refusal3?.code == .invalidInput)
        #expect(
            try document(.visitors, version: 1, effective: "2026-09-01").name
                == "the visitors and community users acceptable use policy, version 1 (effective 2026-09-01)")
    }

    @Test func anAcceptanceIsKeyedByPersonAndDocument() throws {
        let (person, other) = (PersonID(), PersonID())
        let document = try document(.olderLearners, version: 1, effective: "2026-09-01")
        #expect(AUPAcceptance.id(person: person, document: document.id) == AUPAcceptance.id(person: person, document: document.id))
        #expect(AUPAcceptance.id(person: person, document: document.id) != AUPAcceptance.id(person: other, document: document.id))
        let acceptance = AUPAcceptance(
            schoolID: school.id, personID: person, document: document, acceptedBy: other, method: .signedOnPaper, acceptedAt: Date(),
            recordedBy: other)
        #expect(acceptance.onBehalf)
        try acceptance.validate()
        var forged = acceptance
        forged.personID = other
        let refusal4 = #expect(throws: SafetyError.self) { try forged.validate() }
        #expect(refusal4?.code == .invalidInput)
    }

    @Test func systemCodesAreShortLowerCaseWords() throws {
        #expect(try SystemCode("reading-eggs").rawValue == "reading-eggs")
        #expect(SystemCode.learningPlatform.title == "the learning platform")
        for bad in ["", "Email", "my system", String(repeating: "x", count: 65)] {
            let refusal5 = #expect(throws: SafetyError.self) { try SystemCode(bad) }
            #expect(refusal5?.code == .invalidInput)
        }
    }

    @Test func revokedAccessEndsAtTheStartOfItsDay() throws {
        var grant = AccessGrant(
            schoolID: school.id, personID: PersonID(), system: .email, grantedOn: try day("2026-09-01"), grantedAt: Date(),
            grantedBy: PersonID(), documentID: AUPDocumentID(), acceptanceID: AUPAcceptanceID())
        #expect(grant.isActive(on: try day("2026-09-01")))
        #expect(!grant.isActive(on: try day("2026-08-31")))
        grant.revokedOn = try day("2026-11-20")
        let refusal6 = #expect(throws: SafetyError.self) { try grant.validate() }
        #expect(refusal6?.code == .invalidInput)
        grant.revocationReason = "leaver"
        try grant.validate()
        #expect(grant.isActive(on: try day("2026-11-19")))
        #expect(!grant.isActive(on: try day("2026-11-20")))
    }
}
