import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("Consent rules")
struct ConsentRulesTests {
    private let school = SchoolID()
    private let learner = PersonID()
    private let mother = PersonID()
    private let website = ConsentPurpose.websiteImages.code

    private func at(_ text: String, hour: Int = 9) throws -> Date {
        try day(text).startOfDay.addingTimeInterval(Double(hour) * 3_600)
    }

    private func decision(_ choice: ConsentChoice, effective: Date, recorded: Date? = nil, purpose: String? = nil) -> ConsentDecision {
        ConsentDecision(
            schoolID: school, learnerID: learner, purposeCode: purpose ?? website, choice: choice, decidedBy: mother, byLearner: false,
            relationship: .mother, method: .written, effectiveAt: effective, recordedAt: recorded ?? effective, recordedBy: mother)
    }

    @Test func noDecisionMeansNo() throws {
        let answer = ConsentRules.answer(learnerID: learner, purpose: website, decisions: [], on: try day("2026-11-23"))
        #expect(!answer.allowed && answer.reason == .noRecord && answer.reason.description == "no consent recorded")
    }

    @Test func theLatestDecisionRules() throws {
        let given = decision(.granted, effective: try at("2026-09-03"))
        let refused = decision(.refused, effective: try at("2026-10-01"))
        let again = decision(.granted, effective: try at("2026-11-01"))
        let all = [again, given, refused]
        #expect(ConsentRules.answer(learnerID: learner, purpose: website, decisions: all, on: try day("2026-09-30")).allowed)
        #expect(!ConsentRules.answer(learnerID: learner, purpose: website, decisions: all, on: try day("2026-10-01")).allowed)
        let now = ConsentRules.answer(learnerID: learner, purpose: website, decisions: all, on: try day("2026-11-23"))
        #expect(now.allowed && now.decisionID == again.id)
        #expect(now.reason.description == "given on 2026-11-01 by an adult with parental responsibility (written)")
        #expect(!ConsentRules.answer(learnerID: learner, purpose: website, decisions: all, on: try day("2026-09-02")).allowed)
    }

    @Test func aWithdrawalAppliesFromItsDayAndAnOlderFormDoesNotOverrideIt() throws {
        let given = decision(.granted, effective: try at("2026-09-03"))
        let withdrawn = decision(.withdrawn, effective: try at("2026-11-20", hour: 15))
        let lateForm = decision(.granted, effective: try at("2026-09-10"), recorded: try at("2026-11-21"))
        let all = [given, withdrawn, lateForm]
        let answer = ConsentRules.answer(learnerID: learner, purpose: website, decisions: all, on: try day("2026-11-20"))
        #expect(!answer.allowed)
        #expect(answer.reason == .withdrawn(by: mother, byLearner: false, on: try day("2026-11-20")))
        #expect(ConsentRules.answer(learnerID: learner, purpose: website, decisions: all, on: try day("2026-11-19")).allowed)
    }

    @Test func otherPurposesAndOtherLearnersDoNotCount() throws {
        let press = decision(.granted, effective: try at("2026-09-03"), purpose: ConsentPurpose.pressImages.code)
        #expect(!ConsentRules.answer(learnerID: learner, purpose: website, decisions: [press], on: try day("2026-11-23")).allowed)
        #expect(
            !ConsentRules.answer(
                learnerID: PersonID(), purpose: ConsentPurpose.pressImages.code, decisions: [press], on: try day("2026-11-23")
            ).allowed)
    }

    @Test func aLearnerDecidesFromTheirBirthdayAtTheConsentAge() throws {
        let teen = Person(
            tenancy: .school(school), kind: .learner, givenName: "T", familyName: "L",
            learner: LearnerDetails(upn: try UPN("B801200005001"), dateOfBirth: try day("2013-11-24"), ncYear: .year8))
        #expect(!ConsentRules.learnerDecides(teen, on: try day("2026-11-23"), consentAge: 13))
        #expect(ConsentRules.learnerDecides(teen, on: try day("2026-11-24"), consentAge: 13))
        #expect(ConsentRules.learnerDecides(teen, on: try day("2026-11-23"), consentAge: 12))
        let adult = Person(tenancy: .school(school), kind: .parentCarer, givenName: "P", familyName: "C")
        #expect(!ConsentRules.learnerDecides(adult, on: try day("2026-11-23"), consentAge: 13))
    }

    @Test func theStateKeepsTheDecisionInForcePerPurpose() throws {
        var state = ConsentState(learnerID: learner, schoolID: school)
        let given = decision(.granted, effective: try at("2026-11-01"))
        let older = decision(.refused, effective: try at("2026-10-01"), recorded: try at("2026-11-22"))
        let press = decision(.refused, effective: try at("2026-10-01"), purpose: ConsentPurpose.pressImages.code)
        state.apply(given, over: nil)
        state.apply(older, over: given)
        state.apply(press, over: nil)
        #expect(state.entry(for: website)?.decisionID == given.id)
        #expect(state.entries.map(\.purposeCode) == [ConsentPurpose.pressImages.code, website])
        let later = decision(.withdrawn, effective: try at("2026-11-22"))
        state.apply(later, over: given)
        #expect(state.entry(for: website)?.choice == .withdrawn)
        #expect(state.id.uuid == learner.uuid)
        try state.validate()
    }

    @Test func aWithdrawalCannotBeBackdated() throws {
        let backdated = decision(.withdrawn, effective: try at("2026-11-01"), recorded: try at("2026-11-22"))
        let refusal1 = #expect(throws: SafetyError.self) { try backdated.validate() }
        #expect(refusal1?.code == .invalidInput)
        let future = decision(.granted, effective: try at("2026-12-01"), recorded: try at("2026-11-22"))
        let refusal2 = #expect(throws: SafetyError.self) { try future.validate() }
        #expect(refusal2?.code == .invalidInput)
    }

    @Test func theCatalogueHasTheSeedPoliciesPurposes() {
        let codes = ConsentPurpose.builtIns.map(\.code)
        #expect(Set(codes).count == 7)
        #expect(codes.contains("videoconferencing") && codes.contains("search.phone") && codes.contains("tapestry.shared-images"))
        let custom = CustomConsentPurpose(schoolID: school, trustID: nil, code: "choir", name: "Choir recordings")
        #expect(custom.purpose.code == "custom.choir")
        let refusal3 = #expect(throws: SafetyError.self) {
            try CustomConsentPurpose(schoolID: school, trustID: nil, code: "a b", name: "x").validate()
        }
        #expect(refusal3?.code == .invalidInput)
    }
}
