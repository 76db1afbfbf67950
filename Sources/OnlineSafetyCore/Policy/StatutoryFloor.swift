import Foundation

/// What statutory guidance requires whatever a school's policy says: a document may add steps
/// and tighten deadlines, but never remove or loosen one of these.
///
/// Each requirement names a step code, the categories and circumstances in which it must be
/// derived, the latest it may fall due, what must satisfy it and the guidance it comes from. A
/// document is checked by deriving its steps for every combination of the facts and ages that
/// either the floor or the document mentions (and every key stage, when a step tests key
/// stages), so a condition that switches a floor step off in any circumstance is found.
public enum StatutoryFloor {
    /// One step the floor requires.
    public struct Requirement: Sendable {
        /// The step code the document must give.
        public let step: String
        /// What the step is, in words.
        public let summary: String
        /// The guidance it comes from.
        public let guidance: String
        /// The categories it applies to.
        public let categories: [String]
        /// The facts whose presence or absence decides whether it applies.
        public let facts: Set<IncidentFact>
        /// Whether it applies to an incident.
        public let applies: @Sendable (Incident) -> Bool
        /// The latest it may fall due.
        public let due: PolicyDue
        /// Whether a document's evidence for it is acceptable.
        public let evidence: @Sendable (PolicyEvidence) -> Bool
        /// The roles that may be responsible, when the floor fixes them (routed for `headOrChair`).
        public let responsible: [PolicyResponsible]?
        /// Whether it is one step per learner.
        public let perLearner: Bool
        /// Whether, once derived, any step whose evidence the floor accepts meets it (a call to 999
        /// may be part of a category's own referral step), not only the step of its code.
        public let metByAnyAcceptedStep: Bool

        init(
            step: String, summary: String, guidance: String, categories: [String], facts: Set<IncidentFact>,
            applies: @escaping @Sendable (Incident) -> Bool, due: PolicyDue, evidence: @escaping @Sendable (PolicyEvidence) -> Bool,
            responsible: [PolicyResponsible]?, perLearner: Bool, metByAnyAcceptedStep: Bool = false
        ) {
            self.step = step
            self.summary = summary
            self.guidance = guidance
            self.categories = categories
            self.facts = facts
            self.applies = applies
            self.due = due
            self.evidence = evidence
            self.responsible = responsible
            self.perLearner = perLearner
            self.metByAnyAcceptedStep = metByAnyAcceptedStep
        }
    }

    static let nudes = "UKCIS, Sharing nudes and semi-nudes: advice for education settings working with children and young people"
    static let iioc = "Protection of Children Act 1978 and the IWF's and police's advice on indecent images of children"
    static let allegations = "Keeping children safe in education, part four: allegations made against staff"
    static let kcsie = "Keeping children safe in education, part one and part two"
    static let prevent = "Counter-Terrorism and Security Act 2015, section 26 (the Prevent duty), and Keeping children safe in education"

    /// Evidence that includes a referral to one agency (among others).
    static func referralIncluding(_ agency: ReferralAgency) -> @Sendable (PolicyEvidence) -> Bool {
        { evidence in
            if case .referral(let agencies) = evidence { return agencies.contains(agency) }
            return false
        }
    }

    /// The facts each of which is an immediate referral condition for nude and semi-nude images
    /// (with sexual acts and a child under 13, the last).
    public static let immediateReferralFacts: [IncidentFact] = [
        .adultInvolved, .coercionBlackmailOrGrooming, .capacityToConsentDoubt, .unusualOrViolent, .immediateRiskOfHarm,
    ]

    /// Whether an incident has one of UKCIS's immediate referral conditions for nude and semi-nude images.
    public static func hasImmediateReferralCondition(_ incident: Incident) -> Bool {
        if immediateReferralFacts.contains(where: incident.has) { return true }
        let day = CalendarDate(incident.occurredAt)
        return incident.has(.sexualActs)
            && incident.participants.contains { $0.dateOfBirth.map { $0.years(until: day) < 13 } ?? false }
    }

    static func referral(_ allowed: Set<ReferralAgency>) -> @Sendable (PolicyEvidence) -> Bool {
        { evidence in
            if case .referral(let agencies) = evidence { return !agencies.isEmpty && allowed.isSuperset(of: agencies) }
            return false
        }
    }

    static func custody(_ required: DeviceStatus?) -> @Sendable (PolicyEvidence) -> Bool {
        { evidence in
            if case .deviceCustody(let statuses) = evidence { return required.map { statuses == [$0] } ?? true }
            return false
        }
    }

    static func escalationToHead(_ evidence: PolicyEvidence) -> Bool {
        if case .escalation(let routes) = evidence { return routes == ["headOrChair"] }
        return false
    }

    /// The requirements.
    public static let requirements: [Requirement] = {
        let nude = [IncidentCategory.nudeImageSharing.code]
        let indecent = [IncidentCategory.indecentImages.code]
        let staff = [IncidentCategory.staffConduct.code]
        let conditionFacts = Set(immediateReferralFacts + [.sexualActs])
        return [
            Requirement(
                step: "riskAssessment", summary: "an immediate risk assessment of the children involved", guidance: nudes,
                categories: nude, facts: [], applies: { _ in true }, due: .immediately, evidence: { $0 == .riskAssessment },
                responsible: [.dsl], perLearner: false),
            Requirement(
                step: "referral.socialCareOrPolice",
                summary: "an immediate referral to children's social care and/or the police when an immediate referral condition holds",
                guidance: nudes, categories: nude, facts: conditionFacts, applies: hasImmediateReferralCondition, due: .immediately,
                evidence: referral([.childrensSocialCare, .police101, .police999]), responsible: [.dsl], perLearner: false),
            Requirement(
                step: "decision.referral",
                summary: "the DSL's decision whether to refer, recorded with its rationale, when no immediate referral condition holds",
                guidance: nudes + "; " + kcsie, categories: nude, facts: conditionFacts, applies: { !hasImmediateReferralCondition($0) },
                due: .workingDays(1), evidence: { $0 == .decision }, responsible: [.dsl], perLearner: false),
            Requirement(
                step: "device.secured", summary: "securing the device without viewing, copying or deleting the imagery", guidance: nudes,
                categories: nude, facts: [], applies: { _ in true }, due: .immediately, evidence: custody(nil), responsible: nil,
                perLearner: false),
            Requirement(
                step: "network.blockAndIsolate", summary: "blocking and isolating imagery on the school's network", guidance: nudes,
                categories: nude, facts: [.contentOnSchoolNetwork], applies: { $0.has(.contentOnSchoolNetwork) }, due: .immediately,
                evidence: { _ in true }, responsible: nil, perLearner: false),
            Requirement(
                step: "iwf.report", summary: "reporting the URLs of suspected images to the IWF", guidance: iioc, categories: indecent,
                facts: [], applies: { _ in true }, due: .immediately, evidence: referral([.iwf]), responsible: nil, perLearner: false),
            Requirement(
                step: "police.report", summary: "informing the police (101, or 999 at immediate risk)", guidance: iioc,
                categories: indecent, facts: [], applies: { _ in true }, due: .immediately, evidence: referral([.police101, .police999]),
                responsible: nil, perLearner: false),
            Requirement(
                step: "device.secured", summary: "securing the devices without viewing, copying or deleting the images", guidance: iioc,
                categories: indecent, facts: [], applies: { _ in true }, due: .immediately, evidence: custody(nil), responsible: nil,
                perLearner: false),
            Requirement(
                step: "device.quarantined", summary: "quarantining school devices involved until police advice has been sought",
                guidance: iioc, categories: indecent, facts: [.staffInvolved], applies: { $0.has(.staffInvolved) }, due: .immediately,
                evidence: custody(.quarantined), responsible: nil, perLearner: false),
            Requirement(
                step: "head.informed", summary: "informing the head, or the chair of governors when it concerns the head",
                guidance: allegations, categories: indecent, facts: [.staffInvolved, .headteacherInvolved],
                applies: { $0.has(.staffInvolved) }, due: .immediately, evidence: escalationToHead, responsible: [.headOrChair],
                perLearner: false),
            Requirement(
                step: "lado.contacted", summary: "referring the allegation to the LADO within one working day", guidance: allegations,
                categories: indecent, facts: [.staffInvolved], applies: { $0.has(.staffInvolved) }, due: .workingDays(1),
                evidence: referral([.lado]), responsible: nil, perLearner: false),
            Requirement(
                step: "head.informed", summary: "referring the allegation to the head, or the chair of governors when it concerns the head",
                guidance: allegations, categories: staff, facts: [.headteacherInvolved], applies: { _ in true }, due: .immediately,
                evidence: escalationToHead, responsible: [.headOrChair], perLearner: false),
            Requirement(
                step: "lado.contacted", summary: "referring the allegation to the LADO within one working day", guidance: allegations,
                categories: staff, facts: [], applies: { _ in true }, due: .workingDays(1), evidence: referral([.lado]),
                responsible: nil, perLearner: false),
            Requirement(
                step: "police.emergency", summary: "calling the police on 999 when a child is at immediate risk of harm",
                guidance: kcsie, categories: IncidentCategory.builtIns.map(\.code), facts: [.immediateRiskOfHarm],
                applies: { $0.has(.immediateRiskOfHarm) }, due: .immediately, evidence: referralIncluding(.police999), responsible: nil,
                perLearner: false, metByAnyAcceptedStep: true),
            Requirement(
                step: "prevent.considered",
                summary: "the DSL considering a referral to Prevent / Channel, the referral or the decision recorded", guidance: prevent,
                categories: [IncidentCategory.radicalisation.code], facts: [], applies: { _ in true }, due: .workingDays(1),
                evidence: { $0 == .decision || referral([.prevent])($0) }, responsible: [.dsl], perLearner: false),
            Requirement(
                step: "parents.informed",
                summary: "informing each learner's parents or carers unless that would put the child at risk, the decision recorded",
                guidance: kcsie, categories: IncidentCategory.builtIns.map(\.code).filter { $0 != IncidentCategory.staffConduct.code },
                facts: [], applies: { _ in true }, due: .none, evidence: { $0 == .parentNotification }, responsible: nil,
                perLearner: true),
        ]
    }()

    /// The floor's problems with a document, each naming the floor step and its guidance, under
    /// the settings of the school adopting it (its "immediately" and working-day figures).
    public static func issues(with document: PolicyDocument, settings: PolicySettings) -> [PolicyIssue] {
        var issues: [PolicyIssue] = []
        var reported: Set<String> = []
        for category in IncidentCategory.builtIns {
            let requirements = requirements.filter { $0.categories.contains(category.code) }
            let procedureIndex = document.procedures.firstIndex { $0.categories.contains(category.code) }
            let documentSteps = (procedureIndex.map { document.procedures[$0].steps } ?? []) + document.common
            for requirement in requirements {
                let key = "\(category.code)/\(requirement.step)"
                let given = documentSteps.first { $0.code == requirement.step }
                let field: String = {
                    if let index = procedureIndex,
                        let position = document.procedures[index].steps.firstIndex(where: { $0.code == requirement.step })
                    {
                        return "procedures[\(index)].steps[\(position)]"
                    }
                    if let position = document.common.firstIndex(where: { $0.code == requirement.step }) { return "common[\(position)]" }
                    return procedureIndex.map { "procedures[\($0)].steps" } ?? "procedures"
                }()
                func refuse(_ field: String, _ what: String) {
                    guard reported.insert(key).inserted else { return }
                    issues.append(
                        PolicyIssue(
                            field: field,
                            message: "the statutory floor requires step '\(requirement.step)' for \(category.code) "
                                + "(\(requirement.summary); \(requirement.guidance)): \(what)", floorStep: requirement.step,
                            guidance: requirement.guidance))
                }
                guard let given else {
                    refuse(field, "this document has no such step")
                    continue
                }
                if given.due.bound(settings) > requirement.due.bound(settings) {
                    refuse("\(field).due", "it falls due \(given.due), later than \(requirement.due)")
                }
                if !requirement.evidence(given.evidence) { refuse("\(field).evidence", "'\(given.evidence)' cannot satisfy it") }
                if let roles = requirement.responsible, !roles.contains(given.responsible) {
                    refuse("\(field).responsible", "it must be done by \(roles.map(\.rawValue).joined(separator: " or "))")
                }
                if given.after?.isEmpty == false { refuse("\(field).after", "it may not wait for other steps") }
                if (given.perLearner == true) != requirement.perLearner {
                    refuse("\(field).perLearner", requirement.perLearner ? "it is one step per learner" : "it is one step")
                }
            }
            // Deletion of indecent images only after police advice.
            if category == .indecentImages, let index = procedureIndex {
                for (position, step) in document.procedures[index].steps.enumerated()
                where step.deletes == true || step.code.lowercased().contains("delet") {
                    if step.deletes != true || !(step.after ?? []).contains("police.report") {
                        issues.append(
                            PolicyIssue(
                                field: "procedures[\(index)].steps[\(position)].after",
                                message: "the statutory floor allows step '\(step.code)' for indecentImages only after police advice "
                                    + "(mark it `deletes: true` with `after: [police.report]`; \(iioc))", floorStep: "police.report",
                                guidance: iioc))
                    }
                }
            }
            // Every circumstance: the floor steps must be derived whenever they apply.
            let facts = requirements.reduce(into: Set<IncidentFact>()) { $0.formUnion($1.facts) }.union(
                documentSteps.reduce(into: Set<IncidentFact>()) { $0.formUnion($1.when?.mentionedFacts ?? []) })
            let ages = Set([12, 15]).union(
                documentSteps.reduce(into: Set<Int>()) { all, step in
                    for age in step.when?.mentionedAges ?? [] { all.formUnion([age - 1, age]) }
                })
            // A learner outside year groups, and every key stage when a step tests them.
            let stages: [KeyStage?] =
                documentSteps.contains { $0.when?.mentionsKeyStages == true } ? [nil] + KeyStage.allCases : [nil]
            let ordered = facts.sorted()
            guard ordered.count <= 12 else { continue }
            for mask in 0..<(1 << ordered.count) {
                let present = ordered.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
                for age in ages.sorted() {
                    for stage in stages {
                        let incident = probe(category, facts: present, age: age, keyStage: stage)
                        let derived = PolicyInterpreter.derive(incident, document, settings)
                        for requirement in requirements where requirement.applies(incident) {
                            let key = "\(category.code)/\(requirement.step)"
                            let found = derived.contains { item in
                                if requirement.perLearner { return item.step.code.hasPrefix(requirement.step + ".") }
                                if item.step.code == requirement.step { return true }
                                return requirement.metByAnyAcceptedStep && item.due.bound(settings) <= requirement.due.bound(settings)
                                    && documentSteps.contains { $0.code == item.step.code && requirement.evidence($0.evidence) }
                            }
                            if !found && reported.insert(key).inserted {
                                let circumstance =
                                    present.isEmpty ? "no other factor" : present.map(\.words).joined(separator: ", ")
                                issues.append(
                                    PolicyIssue(
                                        field: "\(field(for: requirement.step, category: category.code, in: document)).when",
                                        message: "the statutory floor requires step '\(requirement.step)' for \(category.code) "
                                            + "(\(requirement.summary); \(requirement.guidance)): this document leaves it out when "
                                            + "\(circumstance) and a child is \(age)\(stage.map { " in \($0.words)" } ?? "")",
                                        floorStep: requirement.step, guidance: requirement.guidance))
                            }
                        }
                    }
                }
            }
        }
        return issues
    }

    static func field(for code: String, category: String, in document: PolicyDocument) -> String {
        if let index = document.procedures.firstIndex(where: { $0.categories.contains(category) }),
            let position = document.procedures[index].steps.firstIndex(where: { $0.code == code })
        {
            return "procedures[\(index)].steps[\(position)]"
        }
        if let position = document.common.firstIndex(where: { $0.code == code }) { return "common[\(position)]" }
        return "procedures"
    }

    static let probeDate = Date(timeIntervalSince1970: 1_795_428_000)

    /// A synthetic incident in a category with these facts and a learner of this age (and key stage).
    static func probe(_ category: IncidentCategory, facts: [IncidentFact], age: Int, keyStage: KeyStage? = nil) -> Incident {
        let today = CalendarDate(probeDate)
        let born = CalendarDate(year: today.year - age - 1, month: 12, day: 1)
        return Incident(
            id: IncidentID(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!), schoolID: SchoolID(), reporterID: PersonID(),
            occurredAt: probeDate, reportedAt: probeDate, location: .unknown, equipment: .unknown, summary: "probe", riskArea: .content,
            category: category,
            participants: [
                Participant(
                    personID: PersonID(UUID(uuidString: "00000000-0000-0000-0000-000000000002")!), part: .victim, isLearner: true,
                    dateOfBirth: born, keyStage: keyStage)
            ],
            facts: facts.map { RecordedFact($0, at: probeDate) })
    }
}

extension StatutoryFloor {
    /// Every problem with a document: its structure first, then the floor under a school's
    /// settings (the defaults when none is given). Empty when it may be adopted.
    public static func check(_ document: PolicyDocument, settings: PolicySettings = .neutral) -> [PolicyIssue] {
        let structural = document.structuralIssues()
        return structural.isEmpty ? issues(with: document, settings: settings) : structural
    }
}

extension PolicySettings {
    /// Settings with every figure at its default and no one named, for checking a document
    /// before a school adopts it.
    public static let neutral = PolicySettings(
        designatedSafeguardingLead: NamedContact(name: "Designated Safeguarding Lead"), headteacher: NamedContact(name: "Headteacher"),
        safeguardingAdvice: Agency(name: "Local safeguarding advice"), lado: Agency(name: "LADO"), police: Agency(name: "Police"),
        filteringProvider: "the filtering provider", internetServiceProvider: "the internet service provider")
}
