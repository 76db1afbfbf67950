import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@Suite("Compliance figures")
struct ComplianceCalculatorTests {
    /// A school of two KS2 learners, a KS1 learner, two staff and a governor, with one visiting
    /// trust technician holding a grant.
    private struct Small {
        var school = SeedSchools.chilton(trustID: TrustID())
        let today = CalendarDate(year: 2026, month: 11, day: 23)!
        let ks2a: Person
        let ks2b: Person
        let ks1: Person
        let teacher: Person
        let dsl: Person
        let governor: Person
        let visitor: Person

        init() throws {
            school.name = "Chilton Primary School, Ramsgate"
            let id = school.id
            func learner(_ serial: Int, _ year: NCYear) throws -> Person {
                let body = "8862074" + "20" + String(format: "%03d", serial)
                return Person(
                    tenancy: .school(id), kind: .learner, givenName: "L\(serial)", familyName: "X",
                    learner: LearnerDetails(
                        upn: try UPN(String(UPN.checkLetter(for: Array(body))!) + body),
                        dateOfBirth: CalendarDate(year: 2017, month: 1, day: 1)!,
                        ncYear: year))
            }
            ks2a = try learner(1, .year4)
            ks2b = try learner(2, .year5)
            ks1 = try learner(3, .year1)
            teacher = Person(tenancy: .school(id), kind: .staff, givenName: "T", familyName: "T")
            dsl = Person(tenancy: .school(id), kind: .staff, givenName: "D", familyName: "D")
            governor = Person(tenancy: .school(id), kind: .governor, givenName: "G", familyName: "G")
            visitor = Person(tenancy: .trust(school.trustID!), kind: .staff, givenName: "V", familyName: "V")
        }

        func inputs() -> ComplianceInputs {
            let publishedAt = Date(timeIntervalSince1970: 0)
            let staffV1 = AUPDocument(
                schoolID: nil, trustID: school.trustID, audience: .staffAndVolunteers, version: 1, title: "Staff",
                effectiveFrom: today.adding(days: -90),
                contentHash: String(repeating: "1", count: 64), publishedAt: publishedAt, publishedBy: dsl.id)
            let staffV2 = AUPDocument(
                schoolID: school.id, trustID: nil, audience: .staffAndVolunteers, version: 1, title: "Staff",
                effectiveFrom: today.adding(days: -5),
                contentHash: String(repeating: "2", count: 64), publishedAt: publishedAt, publishedBy: dsl.id)
            let older = AUPDocument(
                schoolID: school.id, trustID: nil, audience: .olderLearners, version: 1, title: "KS2",
                effectiveFrom: today.adding(days: -90),
                contentHash: String(repeating: "3", count: 64), publishedAt: publishedAt, publishedBy: dsl.id)
            func accept(_ person: Person, _ document: AUPDocument) -> AUPAcceptance {
                AUPAcceptance(
                    schoolID: person.schoolID, personID: person.id, document: document, acceptedBy: person.id, method: .online,
                    acceptedAt: publishedAt, recordedBy: person.id)
            }
            func grant(_ person: Person, _ system: SystemCode, _ document: AUPDocument, revoked: Bool = false) -> AccessGrant {
                AccessGrant(
                    schoolID: school.id, personID: person.id, system: system, grantedOn: today.adding(days: -60), grantedAt: publishedAt,
                    grantedBy: dsl.id, documentID: document.id, acceptanceID: AUPAcceptance.id(person: person.id, document: document.id),
                    revokedOn: revoked ? today.adding(days: -1) : nil, revocationReason: revoked ? "moved" : nil)
            }
            func consent(_ learner: Person, _ choice: ConsentChoice) -> ConsentState {
                var state = ConsentState(learnerID: learner.id, schoolID: school.id)
                state.apply(
                    ConsentDecision(
                        schoolID: school.id, learnerID: learner.id, purposeCode: ConsentPurpose.websiteImages.code, choice: choice,
                        decidedBy: teacher.id, byLearner: false, relationship: .mother, method: .written, effectiveAt: publishedAt,
                        recordedAt: publishedAt, recordedBy: dsl.id), over: nil)
                return state
            }
            let start = today.adding(days: -400)
            return ComplianceInputs(
                school: school, people: [ks2a, ks2b, ks1, teacher, dsl, governor],
                documents: [staffV1, staffV2, older],
                acceptances: [
                    accept(teacher, staffV1), accept(teacher, staffV2), accept(dsl, staffV1), accept(ks2a, older), accept(visitor, staffV2),
                ],
                grants: [
                    grant(teacher, .email, staffV1), grant(dsl, .email, staffV1), grant(ks2a, .learningPlatform, older),
                    grant(ks2b, .learningPlatform, older), grant(visitor, .network, staffV2), grant(teacher, .mcas, staffV1, revoked: true),
                ],
                otherHolders: [visitor], purposes: [.websiteImages, .pressImages],
                consentStates: [consent(ks2a, .granted), consent(ks2b, .withdrawn)],
                roleGrants: [
                    RoleGrant(personID: teacher.id, role: .staff, scope: .school(school.id), starts: start),
                    RoleGrant(personID: dsl.id, role: .staff, scope: .school(school.id), starts: start),
                    RoleGrant(personID: dsl.id, role: .designatedSafeguardingLead, scope: .school(school.id), starts: start),
                    RoleGrant(personID: governor.id, role: .governor, scope: .school(school.id), starts: start),
                ],
                trainingSummaries: [
                    TrainingSummary(
                        personID: teacher.id, schoolID: school.id,
                        latest: [TrainingLatest(topic: .onlineSafety, completedOn: today.adding(days: -20), recordID: TrainingRecordID())]),
                    TrainingSummary(
                        personID: dsl.id, schoolID: school.id,
                        latest: [
                            TrainingLatest(topic: .onlineSafety, completedOn: today.adding(days: -350), recordID: TrainingRecordID())
                        ]),
                ])
        }
    }

    @Test func figuresCountEachAudiencePurposeAndRole() throws {
        let small = try Small()
        let inputs = small.inputs()
        let part = ComplianceCalculator.school(
            inputs, on: small.today, dueSoonDays: 30, requirements: TrainingRequirement.defaults, detailed: true)
        let figures = part.figures
        let staff = try #require(figures.aup.first { $0.audience == .staffAndVolunteers })
        #expect(staff.people == 2 && staff.accepted == 1 && staff.due == 1 && staff.currentVersion == 1 && staff.published)
        let older = try #require(figures.aup.first { $0.audience == .olderLearners })
        #expect(older.people == 2 && older.accepted == 1)
        let younger = try #require(figures.aup.first { $0.audience == .youngerLearners })
        #expect(!younger.published && younger.due == 1)
        #expect(figures.aup.map(\.audience) == [.youngerLearners, .olderLearners, .staffAndVolunteers, .governors])

        #expect(figures.access == AccessCoverage(activeGrants: 5, withoutCurrentAUP: 2))
        #expect(Set(part.accessExceptions.map(\.grant.personID)) == [small.dsl.id, small.ks2b.id])
        #expect(part.accessExceptions.first { $0.grant.personID == small.dsl.id }?.requiredVersion == 1)

        let website = try #require(figures.consent.first { $0.purposeCode == ConsentPurpose.websiteImages.code })
        #expect(website.learners == 3 && website.granted == 1 && website.withdrawn == 1 && website.noRecord == 1)
        #expect(figures.consent.first { $0.purposeCode == ConsentPurpose.pressImages.code }?.noRecord == 3)

        let staffTraining = try #require(figures.training.first { $0.role == .staff })
        #expect(staffTraining.people == 2 && staffTraining.compliant == 1 && staffTraining.dueSoon == 1)
        #expect(
            figures.training.filter { $0.role == .designatedSafeguardingLead }.map(\.requirementCode) == [
                "staff-online-safety", "dsl-formal", "dsl-refresh",
            ])
        #expect(figures.training.first { $0.role == .governor }?.neverDone == 1)

        let figuresOnly = ComplianceCalculator.school(
            inputs, on: small.today, dueSoonDays: 30, requirements: TrainingRequirement.defaults, detailed: false)
        #expect(figuresOnly.accessExceptions.isEmpty && figuresOnly.figures == figures)
    }

    @Test func totalsAddSchoolsUp() throws {
        let small = try Small()
        let part = ComplianceCalculator.school(
            small.inputs(), on: small.today, dueSoonDays: 30, requirements: TrainingRequirement.defaults, detailed: true)
        let extra = TrainingCoverage(
            role: .staff, requirementCode: "staff-online-safety", people: 1, compliant: 0, dueSoon: 0, overdue: 1, neverDone: 0)
        let sum = ComplianceFigures.sum([part.figures, part.figures], extraTraining: [extra])
        #expect(sum.access == AccessCoverage(activeGrants: 10, withoutCurrentAUP: 4))
        #expect(sum.aup.first { $0.audience == .staffAndVolunteers }?.people == 4)
        #expect(sum.aup.first { $0.audience == .staffAndVolunteers }?.currentVersion == 1, "the same document in both: its version stays")
        #expect(sum.consent.first { $0.purposeCode == ConsentPurpose.websiteImages.code }?.noRecord == 2)
        let staff = sum.training.first { $0.role == .staff }
        #expect(staff?.people == 5 && staff?.overdue == 1)
    }

    @Test func csvHasOneFigurePerRowAndQuotesNames() throws {
        let small = try Small()
        let part = ComplianceCalculator.school(
            small.inputs(), on: small.today, dueSoonDays: 30, requirements: TrainingRequirement.defaults, detailed: true)
        let report = ComplianceReport(
            trustID: nil, asOf: small.today, generatedAt: Date(timeIntervalSince1970: 0), dueSoonDays: 30, detailed: true, schools: [part],
            trustWideTraining: [], totals: ComplianceFigures.sum([part.figures]))
        let lines = report.csv().split(separator: "\n").map(String.init)
        #expect(lines[0] == "school_urn,school_name,section,item,measure,value")
        let urn = small.school.urn
        #expect(lines.contains("\(urn),\"Chilton Primary School, Ramsgate\",access,grants,without_current_aup,2"))
        #expect(lines.contains("\(urn),\"Chilton Primary School, Ramsgate\",aup,youngerLearners,version,"))
        #expect(lines.contains(",Total,consent,images.website,withdrawn,1"))
        #expect(lines.contains(",Total,training,staff/staff-online-safety,due_soon,1"))
        #expect(lines.filter { $0.contains(",access_exception,") }.count == 8)
        #expect(lines.allSatisfy { !$0.contains("L1") }, "no learner's name")
    }

    @Test func capabilitiesForComplianceFollowRoles() {
        let manage: Set<Capability> = [.manageAgreements, .manageAccess, .manageConsent, .manageTraining, .readCompliance]
        for role in [Role.headteacher, .leadership, .dataManager] { #expect(Capability.granted(to: role).isSuperset(of: manage)) }
        #expect(Capability.granted(to: .technicalStaff).intersection(manage) == [.manageAccess])
        #expect(Capability.granted(to: .designatedSafeguardingLead).intersection(manage) == [.readCompliance])
        #expect(Capability.granted(to: .staff).isDisjoint(with: manage))
        #expect(Capability.granted(to: .governor).isDisjoint(with: manage))
    }
}
