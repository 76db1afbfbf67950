import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

/// Every seed school × every category × each condition that changes the steps, against the
/// steps each school's own policy gives, each citing that school's own section.
@Suite("Seed policies as data")
struct PolicySeedTests {
    static let monday = ProcedureScenarioTests.monday

    struct School: Sendable, CustomStringConvertible {
        let name: String
        let policy: PolicyDocument
        let settings: PolicySettings
        /// The sections (number as `§n`, or heading) each category's own steps may cite.
        let sections: [String: Set<String>]
        /// The sections the steps shared by every category cite.
        let common: Set<String>
        var description: String { name }
    }

    static let chilton = School(
        name: "Chilton", policy: SeedPolicies.chilton, settings: SeedSchools.chiltonSettings(),
        sections: [
            "filteringBreach": ["§6.3.2"], "cyberbullying": ["§10.1.3"], "childOnChildAbuse": ["§9.1"],
            "sexualViolenceHarassment": ["§10.1.1"], "nudeImageSharing": ["§10.1.2"], "sexualAbuseExploitation": ["§10.2"],
            "indecentImages": ["§10.3"], "onlineHate": ["§10.4"], "radicalisation": ["§10.5"], "cybercrime": ["§10.6"],
            "staffConduct": ["§8.2"], "parentConduct": ["§8.3"], "learningPlatformContent": ["§6.9"],
        ], common: ["§8", "§8.1"])
    static let mersham = School(
        name: "Mersham", policy: SeedPolicies.mersham, settings: SeedSchools.mershamSettings(),
        sections: [
            "filteringBreach": ["§7.3.2", "§7.3.1"], "cyberbullying": ["§11.5"], "childOnChildAbuse": ["§11.1"],
            "sexualViolenceHarassment": ["§11.1"], "nudeImageSharing": ["§11.2"], "sexualAbuseExploitation": ["§11.3"],
            "indecentImages": ["§11.4"], "onlineHate": ["§11.6"], "radicalisation": ["§11.7"], "cybercrime": [],
            "staffConduct": ["§10.2"], "parentConduct": [], "learningPlatformContent": [],
        ], common: ["§10", "§10.1"])
    static let dormansland = School(
        name: "Dormansland", policy: SeedPolicies.dormansland, settings: SeedSchools.dormanslandSettings(),
        sections: [
            "filteringBreach": ["Dealing with filtering breaches", "Filtering and Monitoring"], "cyberbullying": ["Cyberbullying"],
            "childOnChildAbuse": ["Concerns about Pupils Welfare"], "sexualViolenceHarassment": ["Concerns about Pupils Welfare"],
            "nudeImageSharing": ["Dealing with 'Sexting'"],
            "sexualAbuseExploitation": ["Dealing with Online Child Sexual Abuse and Exploitation"], "indecentImages": ["§11.3"],
            "onlineHate": ["Online Hate"], "radicalisation": ["Online Radicalisation and Extremism"], "cybercrime": [],
            "staffConduct": ["Staff Misuse"], "parentConduct": [], "learningPlatformContent": [],
        ], common: ["Responding to Online Safety Incidents and Concerns", "Concerns about Pupils Welfare"])

    /// One row: a school, a category, the facts, the learner's birth date (nil: no learner), and
    /// the step codes expected (per-learner codes without the learner's identifier).
    struct Row: Sendable, CustomStringConvertible {
        let school: School
        let category: IncidentCategory
        let facts: [IncidentFact]
        let born: CalendarDate?
        let codes: Set<String>
        var description: String { "\(school) \(category.code) \(facts.map(\.rawValue)) born \(born.map { "\($0)" } ?? "-")" }
    }

    static let twelve = CalendarDate(year: 2014, month: 6, day: 1)
    static let fifteen = CalendarDate(year: 2011, month: 6, day: 1)

    static func rows() -> [Row] {
        var rows: [Row] = []
        func row(
            _ school: School, _ category: IncidentCategory, facts: [IncidentFact] = [], born: CalendarDate?? = .some(twelve),
            _ codes: [String]
        ) {
            let learner = (born ?? nil) != nil && category != .staffConduct
            rows.append(
                Row(
                    school: school, category: category, facts: facts, born: born ?? nil,
                    codes: Set(codes + (learner ? ["parents.informed"] : []))))
        }
        for school in [chilton, mersham, dormansland] {
            let filtering = ["it.reported", "dsl.informed", "filtering.reviewed"]
            row(school, .filteringBreach, filtering)
            row(school, .filteringBreach, facts: [.criminalOffenceSuspected], filtering + ["referral.illegalContent"])
            row(school, .filteringBreach, facts: [.immediateRiskOfHarm], filtering + ["police.emergency"])
            row(school, .cyberbullying, ["antiBullying.response"])
            row(school, .cyberbullying, facts: [.criminalOffenceSuspected], ["antiBullying.response", "police.contacted"])
            row(school, .cyberbullying, facts: [.immediateRiskOfHarm], ["antiBullying.response", "police.emergency"])
            let childOnChild: [String] =
                switch school.name {
                case "Chilton": ["riskAssessment"]
                case "Mersham": ["dsl.informed", "support.provided"]
                default: ["dsl.informed"]
                }
            for category in [IncidentCategory.childOnChildAbuse, .sexualViolenceHarassment] {
                row(school, category, childOnChild)
                row(school, category, facts: [.adultInvolved], childOnChild + ["referral.socialCareOrPolice"])
                row(school, category, facts: [.criminalOffenceSuspected], childOnChild + ["referral.socialCareOrPolice"])
            }
            let nudeCommon: [String] =
                switch school.name {
                case "Chilton": ["riskAssessment", "device.secured", "imagery.deletionDecision"]
                case "Mersham": ["riskAssessment", "device.secured", "support.provided", "imagery.deletionDecision"]
                default: ["dsl.informed", "riskAssessment", "device.secured", "support.provided", "imagery.deletionDecision"]
                }
            row(school, .nudeImageSharing, nudeCommon + ["decision.referral"])
            row(school, .nudeImageSharing, facts: [.sexualActs], nudeCommon + ["referral.socialCareOrPolice"])
            row(school, .nudeImageSharing, facts: [.sexualActs], born: fifteen, nudeCommon + ["decision.referral"])
            for fact in StatutoryFloor.immediateReferralFacts {
                row(school, .nudeImageSharing, facts: [fact], born: fifteen, nudeCommon + ["referral.socialCareOrPolice"])
            }
            row(
                school, .nudeImageSharing, facts: [.contentOnSchoolNetwork], born: fifteen,
                nudeCommon + ["decision.referral", "network.blockAndIsolate"])
            let exploitation: [String] =
                school.name == "Dormansland"
                ? ["dsl.informed", "device.secured", "police.report", "referral.socialCare", "intelligence.shared", "riskAssessment"]
                : ["device.secured", "referral.socialCareOrPolice", "intelligence.shared", "riskAssessment"]
            row(school, .sexualAbuseExploitation, exploitation)
            row(school, .sexualAbuseExploitation, facts: [.contentOnSchoolNetwork], exploitation + ["network.blockAndIsolate"])
            let indecent = ["iwf.report", "police.report", "copies.deleted", "device.secured"]
            row(school, .indecentImages, indecent)
            row(
                school, .indecentImages, facts: [.staffInvolved], born: .some(nil),
                indecent + ["head.informed", "lado.contacted", "device.quarantined"])
            row(school, .indecentImages, facts: [.criminalOffenceSuspected], indecent)
            row(school, .onlineHate, ["hate.response"])
            row(school, .onlineHate, facts: [.criminalOffenceSuspected], ["hate.response", "police.contacted"])
            // Prevent is the statutory floor's at every school, whatever the school's own words.
            let radical = ["dsl.informed", "prevent.considered"]
            row(school, .radicalisation, radical)
            row(school, .radicalisation, facts: [.staffInvolved], radical + ["head.informed"])
            row(school, .cybercrime, school.name == "Chilton" ? ["cyberChoices.considered"] : [])
            row(
                school, .cybercrime, facts: [.criminalOffenceSuspected],
                (school.name == "Chilton" ? ["cyberChoices.considered"] : []) + ["police.contacted"])
            row(school, .staffConduct, born: .some(nil), ["head.informed", "lado.contacted"])
            row(school, .staffConduct, facts: [.headteacherInvolved], born: .some(nil), ["head.informed", "lado.contacted"])
            row(school, .parentConduct, school.name == "Chilton" ? ["head.informed", "dsl.informed"] : [])
            row(school, .learningPlatformContent, school.name == "Chilton" ? ["content.removed", "dsl.informed"] : [])
        }
        return rows
    }

    static func cited(_ step: ProcedureStep) -> String? {
        step.source.map { source in source.section.map { "§\($0)" } ?? source.heading }
    }

    static let commonCodes: Set<String> = ["police.contacted", "police.emergency", "parents.informed", "debrief"]

    @Test(arguments: rows())
    func stepsFollowTheSchoolsOwnPolicy(row: Row) throws {
        let incident = ProcedureScenarioTests.incident(row.category, facts: row.facts, learnerBorn: row.born)
        let steps = ProcedureEngine.steps(for: incident, policy: row.school.policy, settings: row.school.settings, entries: [])
        let codes = Set(steps.map { $0.code.hasPrefix("parents.informed.") ? "parents.informed" : $0.code })
        #expect(codes == row.codes, "\(row)")
        for step in steps {
            let base = step.code.hasPrefix("parents.informed.") ? "parents.informed" : step.code
            let allowed = Self.commonCodes.contains(base) ? row.school.common : row.school.sections[row.category.code] ?? []
            #expect(Self.cited(step).map(allowed.contains) == true, "\(row): \(step.code) cites \(Self.cited(step) ?? "nothing")")
            #expect(step.source?.policy == row.school.policy.title, "\(row): \(step.code)")
            #expect(step.rule.hasPrefix(row.school.policy.title), "\(row): the rule cites the school's policy")
            if step.responsible.role == .designatedSafeguardingLead {
                #expect(step.responsible.name == row.school.settings.designatedSafeguardingLead.name)
            }
        }
    }

    @Test(arguments: [chilton, mersham, dormansland])
    func eachSeedPolicyMeetsTheStatutoryFloor(school: School) {
        #expect(StatutoryFloor.check(school.policy, settings: school.settings) == [], "\(school)")
        #expect(StatutoryFloor.check(school.policy) == [], "\(school) with neutral settings")
    }

    @Test func childSexualExploitationIntelligenceGoesWhereEachPolicySays() throws {
        let incident = ProcedureScenarioTests.incident(.sexualAbuseExploitation)
        let routes: [(School, String, StepEvidence)] = [
            (Self.chilton, "Kent Police", .referral([.police101, .police999])),
            (Self.mersham, "Child Sexual Exploitation Team (CSET)", .referral([.childSexualExploitationTeam])),
            (Self.dormansland, "Surrey Police", .referral([.police101, .police999])),
        ]
        for (school, agency, evidence) in routes {
            let steps = ProcedureEngine.steps(for: incident, policy: school.policy, settings: school.settings, entries: [])
            let step = try #require(steps.first { $0.code == "intelligence.shared" }, "\(school)")
            #expect(step.contacts.map(\.name) == [agency], "\(school)")
            #expect(step.evidence == evidence, "\(school)")
        }
        let mershamStep = ProcedureEngine.steps(for: incident, policy: SeedPolicies.mersham, settings: Self.mersham.settings, entries: [])
            .first { $0.code == "intelligence.shared" }
        #expect(mershamStep?.source?.citation == "Mersham Primary School online safety policy, reviewed September 2018, §11.3")
    }

    @Test func consensualImageWithoutReferralConditionNeedsARecordedDecisionWithRationale() throws {
        let incident = ProcedureScenarioTests.incident(.nudeImageSharing, learnerBorn: Self.fifteen)
        let note = ChronologyEntry(
            incidentID: incident.id, schoolID: incident.schoolIDValue, restricted: true, recordedAt: Self.monday.addingTimeInterval(600),
            recordedBy: PersonID(), content: .note("Spoke to both learners"), satisfies: ["decision.referral"])
        let decision = ChronologyEntry(
            incidentID: incident.id, schoolID: incident.schoolIDValue, restricted: true, recordedAt: Self.monday.addingTimeInterval(1200),
            recordedBy: PersonID(),
            content: .decision(decision: "Handle in school", reason: "Consensual, same age, no aggravating factor under UKCIS"))
        for school in [Self.chilton, Self.mersham, Self.dormansland] {
            let steps = ProcedureEngine.steps(for: incident, policy: school.policy, settings: school.settings, entries: [note, decision])
            let step = try #require(steps.first { $0.code == "decision.referral" }, "\(school)")
            #expect(step.evidence == .decision)
            #expect(step.satisfiedBy == decision.id, "only a decision with its reason satisfies it, not a note naming it")
        }
    }

    @Test func indecentImageCopiesAreDeletedOnlyAfterPoliceAdvice() throws {
        let incident = ProcedureScenarioTests.incident(.indecentImages)
        for school in [Self.chilton, Self.mersham, Self.dormansland] {
            let before = ProcedureEngine.steps(for: incident, policy: school.policy, settings: school.settings, entries: [])
            let pending = try #require(before.first { $0.code == "copies.deleted" }, "\(school)")
            #expect(pending.awaiting == ["police.report"])
            #expect(pending.due == nil && !pending.isOutstanding(asOf: Self.monday.addingTimeInterval(86_400 * 30)))
            let police = ChronologyEntry(
                incidentID: incident.id, schoolID: incident.schoolIDValue, restricted: true,
                recordedAt: Self.monday.addingTimeInterval(1800), recordedBy: PersonID(),
                content: .referral(Referral(agency: .police101, method: .phone)))
            let after = ProcedureEngine.steps(for: incident, policy: school.policy, settings: school.settings, entries: [police])
            let step = try #require(after.first { $0.code == "copies.deleted" })
            #expect(step.requiredFrom == police.recordedAt, "\(school): required once the police have advised")
            #expect(step.due != nil && step.isOutstanding(asOf: Self.monday.addingTimeInterval(3600)))
        }
    }

    // MARK: The floor refuses a document that removes or loosens a step

    static func editing(_ category: String, _ edit: (inout [PolicyStep]) -> Void) -> PolicyDocument {
        var document = SeedPolicies.chilton
        let index = document.procedures.firstIndex { $0.categories.contains(category) }!
        edit(&document.procedures[index].steps)
        return document
    }

    static func floorSteps(_ document: PolicyDocument) -> [String] {
        StatutoryFloor.check(document, settings: chilton.settings).compactMap(\.floorStep)
    }

    @Test func removingTheImmediateReferralIsRefusedByName() throws {
        let document = Self.editing("nudeImageSharing") { $0.removeAll { $0.code == "referral.socialCareOrPolice" } }
        let issue = try #require(StatutoryFloor.check(document, settings: Self.chilton.settings).first)
        #expect(issue.floorStep == "referral.socialCareOrPolice")
        #expect(issue.message.contains("'referral.socialCareOrPolice'") && issue.message.contains("UKCIS"))
        #expect(issue.field == "procedures[4].steps")
    }

    @Test func callingNineNineNineAtImmediateRiskIsRequiredInEveryCategory() throws {
        var removed = SeedPolicies.chilton
        removed.common.removeAll { $0.code == "police.emergency" }
        let issue = try #require(
            StatutoryFloor.check(removed, settings: Self.chilton.settings).first { $0.floorStep == "police.emergency" })
        #expect(issue.message.contains("999") && issue.message.contains("Keeping children safe in education"))

        var narrowed = SeedPolicies.chilton
        let index = try #require(narrowed.common.firstIndex { $0.code == "police.emergency" })
        narrowed.common[index].exceptCategories = [IncidentCategory.cyberbullying.code]
        let issues = StatutoryFloor.check(narrowed, settings: Self.chilton.settings).filter { $0.floorStep == "police.emergency" }
        #expect(issues.count == 1 && issues.first?.field == "common[\(index)].when", "leaving out one category is refused")
        #expect(issues.first?.message.contains("for cyberbullying") == true)

        // A category whose own referral step may be the 999 call meets it with that step.
        for school in [Self.chilton, Self.mersham, Self.dormansland] {
            let nude = ProcedureScenarioTests.incident(.nudeImageSharing, facts: [.immediateRiskOfHarm])
            let steps = ProcedureEngine.steps(for: nude, policy: school.policy, settings: school.settings, entries: [])
            #expect(steps.contains { $0.code == "referral.socialCareOrPolice" || $0.code == "police.emergency" }, "\(school)")
            let bullying = ProcedureScenarioTests.incident(.cyberbullying, facts: [.immediateRiskOfHarm])
            let called = ProcedureEngine.steps(for: bullying, policy: school.policy, settings: school.settings, entries: [])
            #expect(called.contains { $0.code == "police.emergency" }, "\(school)")
        }
    }

    @Test func aPreventReferralIsConsideredForEveryRadicalisationConcern() throws {
        let removed = Self.editing("radicalisation") { $0.removeAll { $0.code == "prevent.considered" } }
        let issue = try #require(StatutoryFloor.check(removed, settings: Self.chilton.settings).first)
        #expect(issue.floorStep == "prevent.considered" && issue.message.contains("Prevent duty"))
        let escalated = Self.editing("radicalisation") { steps in
            steps[steps.firstIndex { $0.code == "prevent.considered" }!].evidence = .escalation(["dsl"])
        }
        #expect(Self.floorSteps(escalated) == ["prevent.considered"])
        let decided = Self.editing("radicalisation") { steps in
            steps[steps.firstIndex { $0.code == "prevent.considered" }!].evidence = .decision
        }
        #expect(Self.floorSteps(decided).isEmpty, "a recorded decision meets it as a referral does")
        for school in [Self.chilton, Self.mersham, Self.dormansland] {
            let incident = ProcedureScenarioTests.incident(.radicalisation)
            let steps = ProcedureEngine.steps(for: incident, policy: school.policy, settings: school.settings, entries: [])
            let prevent = try #require(steps.first { $0.code == "prevent.considered" }, "\(school)")
            #expect(prevent.responsible.role == .designatedSafeguardingLead, "\(school)")
        }
    }

    @Test func narrowingTheReferralConditionsIsRefused() throws {
        let document = Self.editing("nudeImageSharing") { steps in
            let index = steps.firstIndex { $0.code == "referral.socialCareOrPolice" }!
            steps[index].when = PolicyCondition(anyFacts: [.adultInvolved])
        }
        let issues = StatutoryFloor.check(document, settings: Self.chilton.settings)
        let issue = try #require(issues.first { $0.floorStep == "referral.socialCareOrPolice" })
        #expect(issue.message.contains("leaves it out when"))
        #expect(issue.field == "procedures[4].steps[1].when")
    }

    @Test func loosenedDeadlinesAndWrongRoutesAreRefused() {
        let lado = Self.editing("staffConduct") { steps in steps[steps.firstIndex { $0.code == "lado.contacted" }!].due = .workingDays(3) }
        #expect(Self.floorSteps(lado) == ["lado.contacted"])
        #expect(StatutoryFloor.check(lado, settings: Self.chilton.settings).first?.field.hasSuffix(".due") == true)
        let risk = Self.editing("nudeImageSharing") { steps in steps[0].due = .workingDays(1) }
        #expect(Self.floorSteps(risk) == ["riskAssessment"])
        let head = Self.editing("staffConduct") { steps in steps[0].responsible = .headteacher }
        #expect(Self.floorSteps(head) == ["head.informed"])
        let iwf = Self.editing("indecentImages") { steps in steps.removeAll { $0.code == "iwf.report" } }
        #expect(Self.floorSteps(iwf) == ["iwf.report"])
        var parents = SeedPolicies.chilton
        parents.common.removeAll { $0.code == "parents.informed" }
        #expect(Set(Self.floorSteps(parents)) == ["parents.informed"])
    }

    @Test func aStepMayFallDueByADayButAFloorStepMayNotWaitForOne() throws {
        let due = try #require(PolicyDue(text: "by 2027-07-31"))
        #expect(due == .by(CalendarDate(year: 2027, month: 7, day: 31)!))
        #expect(due.description == "by 2027-07-31")
        #expect(PolicyDue(text: "by 31/07/2027") == nil, "a day is written YYYY-MM-DD")
        let deadline = try #require(due.deadline(from: Date(timeIntervalSince1970: 0), Self.chilton.settings))
        #expect(CalendarDate(deadline) == CalendarDate(year: 2027, month: 7, day: 31), "by the end of that day")
        #expect(CalendarDate(deadline.addingTimeInterval(1)) == CalendarDate(year: 2027, month: 8, day: 1))
        let waiting = Self.editing("staffConduct") { steps in
            steps[steps.firstIndex { $0.code == "lado.contacted" }!].due = .by(CalendarDate(year: 2027, month: 7, day: 31)!)
        }
        #expect(Self.floorSteps(waiting) == ["lado.contacted"], "a fixed day can be months after the concern: looser than a working day")
    }

    @Test func deletingIndecentImagesBeforePoliceAdviceIsRefused() {
        let document = Self.editing("indecentImages") { steps in steps[steps.firstIndex { $0.code == "copies.deleted" }!].after = nil }
        #expect(Self.floorSteps(document) == ["police.report"])
    }

    @Test func addingStepsAndTighteningDeadlinesIsAllowed() {
        let document = Self.editing("staffConduct") { steps in
            steps[steps.firstIndex { $0.code == "lado.contacted" }!].due = .hours(4)
            steps.append(
                PolicyStep(
                    code: "hr.informed", title: "Tell HR", responsible: .headteacher, due: .workingDays(2),
                    section: PolicySection(number: "8.2", heading: "Concerns about staff online behaviour and/or welfare"),
                    rule: "HR is told.", evidence: .explicit))
        }
        #expect(StatutoryFloor.check(document, settings: Self.chilton.settings) == [])
    }

    @Test func structuralProblemsNameTheirField() {
        var document = SeedPolicies.mersham
        document.procedures[0].steps[0].contacts = ["nowhere"]
        document.procedures[1].categories = ["bogus"]
        let fields = StatutoryFloor.check(document).map(\.field)
        #expect(fields.contains("procedures[0].steps[0].contacts[0]"))
        #expect(fields.contains("procedures[1].categories[0]"))
    }

    @Test func textFormsRoundTrip() throws {
        for text in ["now", "immediately", "4 hours", "1 working day", "3 days", "settings.ladoContactWorkingDays", "none"] {
            #expect(PolicyDue(text: text)?.description == text)
        }
        #expect(PolicyDue(text: "soon") == nil)
        #expect(PolicyEvidence(text: "referral iwf police101") == .referral([.iwf, .police101]))
        #expect(PolicyEvidence(text: "referral nobody") == nil)
        #expect(PolicySection(text: "§11.2 Youth Produced Sexual Imagery").number == "11.2")
        #expect(PolicySection(text: "Staff Misuse").citation == "“Staff Misuse”")
        let data = try JSONEncoder().encode(SeedPolicies.dormansland)
        #expect(try JSONDecoder().decode(PolicyDocument.self, from: data) == SeedPolicies.dormansland)
    }

    @Test func diffNamesTheStepsThatChangeByCategory() {
        let edited = Self.editing("staffConduct") { steps in steps[steps.firstIndex { $0.code == "lado.contacted" }!].due = .hours(4) }
        let changes = PolicyDiff.changes(from: SeedPolicies.chilton, to: edited)
        #expect(changes.map(\.description) == ["staffConduct: changed lado.contacted (due settings.ladoContactWorkingDays → 4 hours)"])
        #expect(PolicyDiff.changes(from: SeedPolicies.chilton, to: SeedPolicies.chilton).isEmpty)
    }

    // MARK: Key-stage conditions

    /// One row: a key-stage condition, the learner's key stage (nil: outside year groups), and
    /// whether the step it guards applies.
    struct KeyStageRow: Sendable, CustomStringConvertible {
        let condition: PolicyCondition
        let stage: KeyStage?
        let applies: Bool
        var description: String {
            "keyStages \(condition.keyStages?.map(\.rawValue) ?? []) atMost \(condition.keyStageAtMost?.rawValue ?? "-") "
                + "atLeast \(condition.keyStageAtLeast?.rawValue ?? "-") learner in \(stage?.rawValue ?? "no key stage")"
        }
    }

    static func keyStageRows() -> [KeyStageRow] {
        let conditions: [(PolicyCondition, Set<KeyStage>)] = [
            (PolicyCondition(keyStageAtMost: .ks1), [.eyfs, .ks1]),
            (PolicyCondition(keyStages: [.eyfs, .ks1]), [.eyfs, .ks1]),
            (PolicyCondition(keyStages: [.ks2]), [.ks2]),
            (PolicyCondition(keyStageAtLeast: .ks3), [.ks3, .ks4, .ks5]),
            (PolicyCondition(keyStageAtMost: .ks4, keyStageAtLeast: .ks2), [.ks2, .ks3, .ks4]),
            (PolicyCondition(keyStages: [.ks1, .ks4], keyStageAtLeast: .ks2), [.ks4]),
            (PolicyCondition(noneOf: [PolicyCondition(keyStageAtMost: .ks1)]), [.ks2, .ks3, .ks4, .ks5]),
            (PolicyCondition(anyOf: [PolicyCondition(keyStages: [.eyfs]), PolicyCondition(keyStages: [.ks5])]), [.eyfs, .ks5]),
        ]
        return conditions.flatMap { condition, matching in
            ([nil] + KeyStage.allCases).map { stage in
                // `noneOf` holds for a learner outside year groups too.
                let applies = stage.map(matching.contains) ?? (condition.noneOf != nil)
                return KeyStageRow(condition: condition, stage: stage, applies: applies)
            }
        }
    }

    static func withKeyStageStep(_ condition: PolicyCondition) -> PolicyDocument {
        editing("cyberbullying") { steps in
            steps.append(
                PolicyStep(
                    code: "parents.meeting", title: "Invite the learner's parents in", responsible: .dsl, due: .workingDays(3),
                    when: condition, section: PolicySection(number: "10.1.3", heading: "Cyberbullying"),
                    rule: "Parents of the youngest children are invited in.", evidence: .explicit))
        }
    }

    static func incident(_ category: IncidentCategory, keyStage: KeyStage?, facts: [IncidentFact] = []) -> Incident {
        var incident = ProcedureScenarioTests.incident(category, facts: facts)
        incident.participants[0].keyStage = keyStage
        return incident
    }

    @Test(arguments: keyStageRows())
    func keyStageConditionsFollowTheLearnersKeyStage(row: KeyStageRow) throws {
        let document = Self.withKeyStageStep(row.condition)
        if row.stage == nil {  // once per condition: the check tries every key stage itself
            #expect(StatutoryFloor.check(document, settings: Self.chilton.settings) == [], "\(row)")
        }
        let steps = ProcedureEngine.steps(
            for: Self.incident(.cyberbullying, keyStage: row.stage), policy: document, settings: Self.chilton.settings, entries: [])
        let step = steps.first { $0.code == "parents.meeting" }
        #expect((step != nil) == row.applies, "\(row)")
        if let step, let stage = row.stage, row.condition.noneOf == nil {
            #expect(step.rule.contains("Applies because a learner is in \(stage.words)"), "\(row): \(step.rule)")
            #expect(step.source?.section == "10.1.3")
        }
    }

    @Test func aKeyStageConditionIsNotMetByAStaffMemberOrAnotherPart() {
        let document = Self.withKeyStageStep(PolicyCondition(keyStageAtMost: .ks2))
        var incident = Self.incident(.cyberbullying, keyStage: .ks1)
        incident.participants[0].isLearner = false
        let steps = ProcedureEngine.steps(for: incident, policy: document, settings: Self.chilton.settings, entries: [])
        #expect(!steps.contains { $0.code == "parents.meeting" }, "only a learner's key stage counts")
    }

    @Test(arguments: [KeyStage.eyfs, .ks2, .ks5])
    func switchingOffAFloorStepForAKeyStageIsRefusedByName(stage: KeyStage) throws {
        let document = Self.editing("nudeImageSharing") { steps in
            let index = steps.firstIndex { $0.code == "riskAssessment" }!
            steps[index].when = PolicyCondition(noneOf: [PolicyCondition(keyStages: [stage])])
        }
        let issue = try #require(StatutoryFloor.check(document, settings: Self.chilton.settings).first)
        #expect(issue.floorStep == "riskAssessment")
        #expect(issue.field == "procedures[4].steps[0].when")
        #expect(issue.message.contains("in \(stage.words)"), "\(issue.message)")
        for other in KeyStage.allCases where other != stage {
            let steps = ProcedureEngine.steps(
                for: Self.incident(.nudeImageSharing, keyStage: other), policy: document, settings: Self.chilton.settings, entries: [])
            #expect(steps.contains { $0.code == "riskAssessment" }, "\(other)")
        }
    }

    @Test func keyStageConditionsRoundTripAsText() throws {
        let condition = PolicyCondition(keyStages: [.eyfs, .ks1], keyStageAtMost: .ks2, keyStageAtLeast: .eyfs)
        let data = try JSONEncoder().encode(condition)
        #expect(String(decoding: data, as: UTF8.self).contains("\"keyStageAtMost\":\"ks2\""))
        #expect(try JSONDecoder().decode(PolicyCondition.self, from: data) == condition)
        #expect(
            PolicyDiff.changes(from: SeedPolicies.chilton, to: Self.withKeyStageStep(condition)).map(\.description)
                == ["cyberbullying: added parents.meeting"])
    }
}
