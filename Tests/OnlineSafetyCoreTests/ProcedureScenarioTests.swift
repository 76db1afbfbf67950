import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

/// Each category run through the procedure engine for each seed school: the steps name that
/// school's own people and contacts.
@Suite("Procedure scenarios from the seed schools")
struct ProcedureScenarioTests {
    // Monday 23 November 2026, 10:00 UK time.
    static let monday = Date(timeIntervalSince1970: 1_795_428_000)

    static let schools: [(String, PolicySettings)] = [
        ("Chilton", SeedSchools.chiltonSettings()), ("Mersham", SeedSchools.mershamSettings()),
        ("Dormansland", SeedSchools.dormanslandSettings()),
    ]

    static func incident(
        _ category: IncidentCategory, facts: [IncidentFact] = [], learnerBorn: CalendarDate? = CalendarDate(year: 2014, month: 6, day: 1),
        reportedAt: Date = monday
    ) -> Incident {
        var participants: [Participant] = []
        if let learnerBorn {
            participants.append(Participant(personID: PersonID(), part: .victim, isLearner: true, dateOfBirth: learnerBorn))
        } else {
            participants.append(Participant(personID: PersonID(), part: .subject))
        }
        return Incident(
            schoolID: SchoolID(), reporterID: PersonID(), occurredAt: reportedAt.addingTimeInterval(-3600), reportedAt: reportedAt,
            location: .offSite, equipment: .personal, summary: "A concern", riskArea: .contact, category: category,
            participants: participants, facts: facts.map { RecordedFact($0, at: reportedAt) })
    }

    static func step(_ code: String, in steps: [ProcedureStep]) -> ProcedureStep? { steps.first { $0.code == code } }

    /// The seed policy of the seed school whose settings these are.
    static func policy(for settings: PolicySettings) -> PolicyDocument {
        switch settings.designatedSafeguardingLead.name {
        case SeedSchools.mershamSettings().designatedSafeguardingLead.name: SeedPolicies.mersham
        case SeedSchools.dormanslandSettings().designatedSafeguardingLead.name: SeedPolicies.dormansland
        default: SeedPolicies.chilton
        }
    }

    @Test func nudeImageOfTwelveYearOldShowingSexualActsAtChiltonRefersImmediatelyWithKentAdvice() throws {
        // Born 1 June 2014: 12 years old in November 2026.
        let incident = Self.incident(.nudeImageSharing, facts: [.sexualActs])
        let steps = ProcedureEngine.steps(
            for: incident, policy: Self.policy(for: SeedSchools.chiltonSettings()), settings: SeedSchools.chiltonSettings(), entries: [])
        let referral = try #require(Self.step("referral.socialCareOrPolice", in: steps))
        #expect(referral.title.contains("children's social care and/or the police immediately"))
        #expect(referral.rule.contains("sexual acts and a child under 13"))
        #expect(referral.contacts.contains { $0.name == "Kent Education Safeguarding Service" && $0.phone == "03000 418 503" })
        #expect(referral.rule.contains("Kent Education Safeguarding Service"))
        #expect(referral.responsible.name == "Kate Law")
        #expect(referral.due == Self.monday.addingTimeInterval(3600))
        #expect(referral.evidence == .referral([.childrensSocialCare, .police101, .police999]))
    }

    @Test func sameNudeImageAtDormanslandNamesSurreyPartnership() throws {
        let incident = Self.incident(.nudeImageSharing, facts: [.sexualActs])
        let steps = ProcedureEngine.steps(
            for: incident, policy: Self.policy(for: SeedSchools.dormanslandSettings()), settings: SeedSchools.dormanslandSettings(),
            entries: [])
        let referral = try #require(Self.step("referral.socialCareOrPolice", in: steps))
        #expect(referral.contacts.contains { $0.name.contains("Surrey Safeguarding Children Partnership") })
        #expect(referral.rule.contains("Surrey Safeguarding Children Partnership"))
        #expect(!referral.rule.contains("Kent"))
    }

    @Test func nudeImageOfThirteenYearOldWithoutOtherFactsNeedsNoImmediateReferral() {
        let incident = Self.incident(.nudeImageSharing, facts: [.sexualActs], learnerBorn: CalendarDate(year: 2013, month: 1, day: 1))
        let steps = ProcedureEngine.steps(
            for: incident, policy: Self.policy(for: SeedSchools.chiltonSettings()), settings: SeedSchools.chiltonSettings(), entries: [])
        #expect(Self.step("referral.socialCareOrPolice", in: steps) == nil)
        #expect(Self.step("riskAssessment", in: steps) != nil)
        #expect(Self.step("device.secured", in: steps) != nil)
    }

    @Test(arguments: [
        IncidentFact.adultInvolved, .coercionBlackmailOrGrooming, .capacityToConsentDoubt, .unusualOrViolent, .immediateRiskOfHarm,
    ])
    func eachImmediateReferralConditionForNudeImagesTriggersReferral(fact: IncidentFact) throws {
        let incident = Self.incident(.nudeImageSharing, facts: [fact], learnerBorn: CalendarDate(year: 2010, month: 1, day: 1))
        for (name, settings) in Self.schools {
            let steps = ProcedureEngine.steps(for: incident, policy: Self.policy(for: settings), settings: settings, entries: [])
            let referral = try #require(Self.step("referral.socialCareOrPolice", in: steps), "\(name)")
            #expect(referral.rule.contains(fact.words), "\(name)")
            #expect(referral.contacts.contains(settings.safeguardingAdvice), "\(name)")
        }
    }

    @Test func nudeImageOnSchoolNetworkIsBlockedAndIsolatedByTechnicalStaff() throws {
        let incident = Self.incident(.nudeImageSharing, facts: [.contentOnSchoolNetwork])
        for (name, settings) in Self.schools {
            let steps = ProcedureEngine.steps(for: incident, policy: Self.policy(for: settings), settings: settings, entries: [])
            let block = try #require(Self.step("network.blockAndIsolate", in: steps), "\(name)")
            #expect(block.responsible.role == .technicalStaff)
            #expect(block.responsible.name?.contains(settings.filteringProvider) == true)
        }
    }

    @Test func indecentImagesHeldByStaffGoToHeadLADOAndQuarantine() throws {
        let incident = Self.incident(.indecentImages, facts: [.staffInvolved], learnerBorn: nil)
        for (name, settings) in Self.schools {
            let steps = ProcedureEngine.steps(for: incident, policy: Self.policy(for: settings), settings: settings, entries: [])
            let codes = Set(steps.map(\.code))
            #expect(
                codes.isSuperset(of: [
                    "iwf.report", "police.report", "copies.deleted", "head.informed", "lado.contacted", "device.quarantined",
                ]), "\(name)")
            let head = try #require(Self.step("head.informed", in: steps))
            #expect(head.responsible.name == settings.headteacher.name, "\(name)")
            let lado = try #require(Self.step("lado.contacted", in: steps))
            #expect(lado.contacts.contains(settings.lado), "\(name)")
            #expect(Self.step("copies.deleted", in: steps)?.awaiting == ["police.report"], "deleting copies waits for police advice")
            #expect(Self.step("device.quarantined", in: steps)?.evidence == .deviceCustody([.quarantined]))
        }
    }

    @Test func staffMisuseGoesToTheHeadOrToTheChairWhenItIsAboutTheHead() throws {
        let settings = SeedSchools.chiltonSettings()
        let aboutStaff = ProcedureEngine.steps(
            for: Self.incident(.staffConduct, learnerBorn: nil), policy: Self.policy(for: settings), settings: settings, entries: [])
        let head = try #require(Self.step("head.informed", in: aboutStaff))
        #expect(head.responsible.role == .headteacher)
        #expect(head.responsible.name == "Kate Law")
        #expect(head.evidence == .escalation([.headteacher]))
        let aboutHead = ProcedureEngine.steps(
            for: Self.incident(.staffConduct, facts: [.headteacherInvolved], learnerBorn: nil), policy: Self.policy(for: settings),
            settings: settings, entries: [])
        let chair = try #require(Self.step("head.informed", in: aboutHead))
        #expect(chair.responsible.role == .chairOfGovernors)
        #expect(chair.evidence == .escalation([.chairOfGovernors]))
        #expect(chair.rule.contains("chair of governors"))
    }

    @Test func ladoWithinOneWorkingDaySkipsWeekendsAndHolidays() throws {
        // Friday 27 November 2026, 15:00: one working day runs to the end of Monday 30th.
        let friday = Date(timeIntervalSince1970: 1_795_791_600)
        var settings = SeedSchools.chiltonSettings()
        let steps = ProcedureEngine.steps(
            for: Self.incident(.staffConduct, learnerBorn: nil, reportedAt: friday), policy: Self.policy(for: settings), settings: settings,
            entries: [])
        let due = try #require(Self.step("lado.contacted", in: steps)?.due)
        #expect(CalendarDate(due) == CalendarDate(year: 2026, month: 11, day: 30))
        // With Monday 30th a holiday (an INSET day), it runs to Tuesday.
        settings.holidays = [
            DateRange(first: CalendarDate(year: 2026, month: 11, day: 30)!, last: CalendarDate(year: 2026, month: 11, day: 30)!)
        ]
        let withHoliday = ProcedureEngine.steps(
            for: Self.incident(.staffConduct, learnerBorn: nil, reportedAt: friday), policy: Self.policy(for: settings), settings: settings,
            entries: [])
        #expect(
            CalendarDate(try #require(Self.step("lado.contacted", in: withHoliday)?.due)) == CalendarDate(year: 2026, month: 12, day: 1))
    }

    @Test func filteringBreachTellsITAndDSLAndInformsParentsOfLearner() throws {
        for (name, settings) in Self.schools {
            let incident = Self.incident(.filteringBreach)
            let steps = ProcedureEngine.steps(for: incident, policy: Self.policy(for: settings), settings: settings, entries: [])
            #expect(Self.step("it.reported", in: steps)?.evidence == .escalation([.technicalStaff]), "\(name)")
            #expect(Self.step("dsl.informed", in: steps)?.evidence == .escalation([.dsl]), "\(name)")
            #expect(Self.step("filtering.reviewed", in: steps)?.title.contains(settings.filteringProvider) == true, "\(name)")
            let learner = incident.participants[0].personID
            #expect(Self.step("parents.informed.\(learner.uuidString)", in: steps) != nil, "\(name)")
        }
    }

    @Test func everyCategoryYieldsStepsNamingTheSchoolsDSLForEachSeedSchool() {
        for category in IncidentCategory.builtIns {
            for (name, settings) in Self.schools {
                let steps = ProcedureEngine.steps(
                    for: Self.incident(category, facts: [.criminalOffenceSuspected]), policy: Self.policy(for: settings),
                    settings: settings, entries: [])
                #expect(!steps.isEmpty, "\(category.code) at \(name)")
                #expect(steps.allSatisfy { !$0.rule.isEmpty && !$0.title.isEmpty }, "\(category.code) at \(name)")
                let dslSteps = steps.filter { $0.responsible.role == .designatedSafeguardingLead }
                #expect(
                    dslSteps.allSatisfy { $0.responsible.name == settings.designatedSafeguardingLead.name }, "\(category.code) at \(name)")
                #expect(Set(steps.map(\.code)).count == steps.count, "step codes are unique for \(category.code)")
            }
        }
    }

    @Test func stepsAreSatisfiedByMatchingEntriesAndOverdueOtherwise() throws {
        let incident = Self.incident(.nudeImageSharing, facts: [.immediateRiskOfHarm])
        let settings = SeedSchools.chiltonSettings()
        let referral = ChronologyEntry(
            incidentID: incident.id, schoolID: incident.schoolIDValue, restricted: true, recordedAt: Self.monday.addingTimeInterval(1800),
            recordedBy: PersonID(), content: .referral(Referral(agency: .police999, method: .phone)))
        let steps = ProcedureEngine.steps(for: incident, policy: Self.policy(for: settings), settings: settings, entries: [referral])
        let step = try #require(Self.step("referral.socialCareOrPolice", in: steps))
        #expect(step.satisfiedBy == referral.id)
        let later = Self.monday.addingTimeInterval(7200)
        #expect(!step.isOverdue(asOf: later))
        #expect(step.isOutstanding(asOf: Self.monday.addingTimeInterval(600)), "before the referral it was outstanding")
        let assessment = try #require(Self.step("riskAssessment", in: steps))
        #expect(assessment.isOverdue(asOf: later))
    }

    @Test func debriefIsRequiredOnceEveryParticipantIsClosed() throws {
        var incident = Self.incident(.cyberbullying)
        let settings = SeedSchools.mershamSettings()
        #expect(
            Self.step(
                "debrief", in: ProcedureEngine.steps(for: incident, policy: Self.policy(for: settings), settings: settings, entries: []))
                == nil)
        incident.participants[0].outcome = "Resolved with restorative work"
        incident.participants[0].closedAt = Self.monday.addingTimeInterval(86_400)
        let debrief = try #require(
            Self.step(
                "debrief", in: ProcedureEngine.steps(for: incident, policy: Self.policy(for: settings), settings: settings, entries: [])))
        #expect(debrief.evidence == .debrief)
        #expect(debrief.requiredFrom == Self.monday.addingTimeInterval(86_400))
    }

    @Test func factRecordedLaterMakesItsStepDueFromThen() throws {
        var incident = Self.incident(.staffConduct, learnerBorn: nil)
        let later = Self.monday.addingTimeInterval(3 * 3600)
        incident.facts = [RecordedFact(.headteacherInvolved, at: later)]
        let steps = ProcedureEngine.steps(
            for: incident, policy: Self.policy(for: SeedSchools.chiltonSettings()), settings: SeedSchools.chiltonSettings(), entries: [])
        let chair = try #require(Self.step("head.informed", in: steps))
        #expect(chair.requiredFrom == later)
        #expect(chair.due == later.addingTimeInterval(3600))
    }
}
