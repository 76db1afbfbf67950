import Foundation

/// Derives the steps a school's own policy requires for an incident, and marks those its
/// chronology already satisfies.
///
/// The rules come from the seed policies (§6.3.2, §8.2, §10) and DOMAIN.md §3; the people and
/// contacts come from the school's ``PolicySettings``, so the same incident at Chilton names Kate
/// Law and the Kent Education Safeguarding Service, and at Dormansland the Surrey Safeguarding
/// Children Partnership.
///
/// ```swift
/// let steps = ProcedureEngine.steps(for: incident, settings: school.settings, entries: chronology)
/// let overdue = steps.filter { $0.isOverdue(asOf: now) }
/// ```
public enum ProcedureEngine {
    /// The steps for an incident given its chronology, each marked satisfied by the first entry that evidences it.
    public static func steps(for incident: Incident, settings: PolicySettings, entries: [ChronologyEntry]) -> [ProcedureStep] {
        var builder = StepBuilder(incident: incident, settings: settings)
        builder.derive()
        var steps = builder.steps
        let ordered = entries.sorted { ($0.recordedAt, $0.sequence) < ($1.recordedAt, $1.sequence) }
        for index in steps.indices {
            let step = steps[index]
            if let entry = ordered.first(where: { step.evidence.isSatisfied(by: $0.content) || step.evidence.acceptsNaming(step.code, $0) })
            {
                steps[index].satisfiedBy = entry.id
                steps[index].satisfiedAt = entry.recordedAt
            }
        }
        return steps
    }
}

private struct StepBuilder {
    let incident: Incident
    let settings: PolicySettings
    var steps: [ProcedureStep] = []

    init(incident: Incident, settings: PolicySettings) {
        self.incident = incident
        self.settings = settings
    }

    // MARK: People and deadlines

    var dsl: Responsible { Responsible(role: .designatedSafeguardingLead, name: settings.designatedSafeguardingLead.name) }
    var technical: Responsible { Responsible(role: .technicalStaff, name: "IT team (\(settings.filteringProvider))") }
    var reporter: Responsible { Responsible(role: .staff, name: "the member of staff who raised the concern") }

    /// The headteacher, or the chair of governors when the concern is about the headteacher.
    var head: (Responsible, EscalationTarget) {
        if incident.has(.headteacherInvolved) {
            return (Responsible(role: .chairOfGovernors, name: settings.chairOfGovernors?.name), .chairOfGovernors)
        }
        return (Responsible(role: .headteacher, name: settings.headteacher.name), .headteacher)
    }

    var advice: Agency { settings.safeguardingAdvice }
    var police: Agency { settings.police }
    var socialCare: Agency { Agency(name: "Children's social care (MASH)", area: settings.safeguardingAdvice.area) }
    var lado: Agency { settings.lado }
    var iwf: Agency { Agency(name: "Internet Watch Foundation", website: "www.iwf.org.uk") }
    var ceop: Agency { Agency(name: "NCA-CEOP", website: "www.ceop.police.uk/safety-centre/") }

    /// When a step triggered by these facts became required: the report, or the latest fact's recording.
    func from(_ facts: [IncidentFact] = []) -> Date {
        ([incident.reportedAt] + facts.compactMap { incident.recorded($0) }).max() ?? incident.reportedAt
    }

    func immediately(_ start: Date) -> Date { start.addingTimeInterval(Double(settings.immediateActionMinutes) * 60) }
    func workingDays(_ count: Int, _ start: Date) -> Date { WorkingDays.deadline(count, after: start, holidays: settings.holidays) }

    var learners: [Participant] {
        incident.participants.filter { $0.isLearner && [.victim, .allegedPerpetrator, .subject].contains($0.part) }
    }

    /// A learner participant younger than 13 when the incident happened.
    var childUnderThirteen: Bool {
        let day = CalendarDate(incident.occurredAt)
        return incident.participants.contains { $0.dateOfBirth.map { $0.years(until: day) < 13 } ?? false }
    }

    mutating func add(
        _ code: String, _ title: String, _ responsible: Responsible, contacts: [Agency] = [], rule: String, from start: Date,
        due: Date?, evidence: StepEvidence
    ) {
        if let index = steps.firstIndex(where: { $0.code == code }) {
            steps[index].rule += " " + rule
            steps[index].requiredFrom = min(steps[index].requiredFrom, start)
            if let due { steps[index].due = min(steps[index].due ?? due, due) }
            return
        }
        steps.append(
            ProcedureStep(
                code: code, title: title, responsible: responsible, contacts: contacts, rule: rule, requiredFrom: start, due: due,
                evidence: evidence))
    }

    // MARK: Rules

    mutating func derive() {
        switch incident.category.procedureCode {
        case IncidentCategory.filteringBreach.code: filteringBreach()
        case IncidentCategory.cyberbullying.code: cyberbullying()
        case IncidentCategory.childOnChildAbuse.code, IncidentCategory.sexualViolenceHarassment.code: childOnChild()
        case IncidentCategory.nudeImageSharing.code: nudeImages()
        case IncidentCategory.sexualAbuseExploitation.code: exploitation()
        case IncidentCategory.indecentImages.code: indecentImages()
        case IncidentCategory.onlineHate.code: onlineHate()
        case IncidentCategory.radicalisation.code: radicalisation()
        case IncidentCategory.cybercrime.code: cybercrime()
        case IncidentCategory.staffConduct.code: staffConduct()
        case IncidentCategory.parentConduct.code: parentConduct()
        case IncidentCategory.learningPlatformContent.code: learningPlatform()
        default: break
        }
        common()
    }

    /// Immediate referral to children's social care and/or the police, with the advice line.
    mutating func referSocialCareOrPolice(because reasons: [String], facts: [IncidentFact], rule: String) {
        let start = from(facts)
        let urgent = incident.has(.immediateRiskOfHarm) ? " (999 if a child is at immediate risk)" : " (police via 101)"
        add(
            "referral.socialCareOrPolice", "Refer to children's social care and/or the police immediately\(urgent)", dsl,
            contacts: [socialCare, police, advice],
            rule: "\(rule): refer immediately because \(reasons.joined(separator: "; ")). If unsure how to proceed, seek advice from "
                + "\(describe(advice)).",
            from: start, due: immediately(start), evidence: .referral([.childrensSocialCare, .police101, .police999]))
    }

    mutating func secureDevice(rule: String) {
        add(
            "device.secured", "Secure and store the device (do not view, copy, print, share, save or delete the imagery)", dsl,
            rule:
                "\(rule): store any devices securely; manage learners' devices under the DfE searching, screening and confiscation advice.",
            from: from(), due: immediately(from()), evidence: .deviceCustody([]))
    }

    mutating func blockOnNetwork(rule: String) {
        guard incident.has(.contentOnSchoolNetwork) else { return }
        let start = from([.contentOnSchoolNetwork])
        add(
            "network.blockAndIsolate", "Block access for all users and isolate the content on the school network", technical,
            rule: "\(rule): the content is on the school's network or devices.", from: start, due: immediately(start), evidence: .explicit)
    }

    mutating func riskAssessment(rule: String, immediate: Bool) {
        let start = from()
        add(
            "riskAssessment",
            immediate ? "Carry out an immediate risk and needs assessment, with a review date" : "Carry out a risk assessment",
            dsl, rule: "\(rule): the DSL assesses the risks and needs of every child involved and keeps the assessment under review.",
            from: start, due: immediate ? immediately(start) : workingDays(1, start), evidence: .riskAssessment)
    }

    mutating func filteringBreach() {
        let rule = "Filtering breach (§6.3.2)"
        add(
            "it.reported", "Report the URL to the IT team", reporter, rule: "\(rule): staff report the URL to the IT team.", from: from(),
            due: immediately(from()), evidence: .escalation([.technicalStaff]))
        add(
            "dsl.informed", "Tell the DSL and technical staff", reporter, rule: "\(rule): the breach is recorded and the DSL told.",
            from: from(), due: immediately(from()), evidence: .escalation([.dsl]))
        add(
            "filtering.reviewed",
            "Investigate and change the filtering (\(settings.filteringProvider) via \(settings.internetServiceProvider))",
            technical, rule: "\(rule): the IT team investigate and amend the filtering; every change is logged.", from: from(),
            due: workingDays(1, from()), evidence: .explicit)
        if incident.has(.criminalOffenceSuspected) {
            let start = from([.criminalOffenceSuspected])
            add(
                "referral.illegalContent", "Report illegal content to the IWF, the police or CEOP", dsl, contacts: [iwf, police, ceop],
                rule: "\(rule): material believed to be illegal is reported immediately.", from: start, due: immediately(start),
                evidence: .referral([.iwf, .police101, .police999, .ceop]))
        }
    }

    mutating func cyberbullying() {
        add(
            "antiBullying.response", "Respond under the anti-bullying policy and support the child harmed", dsl,
            rule: "Cyberbullying (§10.1.3): full details are in the anti-bullying policy.", from: from(), due: workingDays(1, from()),
            evidence: .explicit)
    }

    mutating func childOnChild() {
        let rule = "Online sexual violence, harassment and child-on-child abuse (§10.1.1)"
        riskAssessment(rule: rule, immediate: incident.category.procedureCode == IncidentCategory.sexualViolenceHarassment.code)
        var reasons: [String] = []
        var facts: [IncidentFact] = []
        for fact in [IncidentFact.adultInvolved, .immediateRiskOfHarm, .criminalOffenceSuspected, .coercionBlackmailOrGrooming]
        where incident.has(fact) {
            reasons.append(fact.words)
            facts.append(fact)
        }
        if !reasons.isEmpty { referSocialCareOrPolice(because: reasons, facts: facts, rule: rule) }
    }

    mutating func nudeImages() {
        let rule = "Nude or semi-nude image sharing (§10.1.2, UKCIS guidance)"
        riskAssessment(rule: rule, immediate: true)
        var reasons: [String] = []
        var facts: [IncidentFact] = []
        func trigger(_ fact: IncidentFact, _ words: String? = nil) {
            if incident.has(fact) {
                reasons.append(words ?? fact.words)
                facts.append(fact)
            }
        }
        trigger(.adultInvolved)
        trigger(.coercionBlackmailOrGrooming)
        trigger(.capacityToConsentDoubt)
        if incident.has(.sexualActs) && childUnderThirteen {
            reasons.append("the imagery involves sexual acts and a child under 13")
            facts.append(.sexualActs)
        }
        trigger(.unusualOrViolent)
        trigger(.immediateRiskOfHarm)
        if !reasons.isEmpty { referSocialCareOrPolice(because: reasons, facts: facts, rule: rule) }
        secureDevice(rule: rule)
        blockOnNetwork(rule: rule)
        add(
            "imagery.deletionDecision", "Decide on deletion of the imagery only once no other agency needs it", dsl,
            rule: "\(rule): images are deleted only once the DSL has confirmed other agencies need not be involved.", from: from(),
            due: nil, evidence: .explicit)
    }

    mutating func exploitation() {
        let rule = "Online child abuse and exploitation (§10.2)"
        secureDevice(rule: rule)
        blockOnNetwork(rule: rule)
        var reasons = ["the concern is online abuse or exploitation of a child"]
        var facts: [IncidentFact] = []
        for fact in [IncidentFact.immediateRiskOfHarm, .adultInvolved, .coercionBlackmailOrGrooming] where incident.has(fact) {
            reasons.append(fact.words)
            facts.append(fact)
        }
        referSocialCareOrPolice(because: reasons, facts: facts, rule: rule)
        riskAssessment(rule: rule, immediate: false)
    }

    mutating func indecentImages() {
        let rule = "Indecent images of children (§10.3)"
        let start = from()
        add(
            "iwf.report", "Report the URLs of the suspected images to the IWF", dsl, contacts: [iwf],
            rule: "\(rule): URLs containing suspect images are reported to the IWF.", from: start, due: immediately(start),
            evidence: .referral([.iwf]))
        add(
            "police.report", "Inform the police via 101, or 999 if there is an immediate risk of harm", dsl, contacts: [police],
            rule: "\(rule): immediately inform the IWF and police.", from: start, due: immediately(start),
            evidence: .referral([.police101, .police999]))
        add(
            "copies.deleted", "Delete all other copies (for example in email) unless the police ask in writing to keep them", dsl,
            rule: "\(rule): copies are kept only on a written request from the police.", from: start, due: workingDays(1, start),
            evidence: .explicit)
        secureDevice(rule: rule)
        if incident.has(.staffInvolved) {
            let staffStart = from([.staffInvolved])
            let (headPerson, target) = head
            add(
                "head.informed",
                "Inform the \(target == .chairOfGovernors ? "chair of governors" : settings.headteacherTitle.lowercased())",
                headPerson, rule: "\(rule): a member of staff in possession of IIOC: managing allegations against staff.", from: staffStart,
                due: immediately(staffStart), evidence: .escalation([target]))
            ladoStep(rule: rule, start: staffStart)
            add(
                "device.quarantined", "Quarantine the school devices involved until police advice has been sought", technical,
                rule: "\(rule): quarantine involved school-provided devices.", from: staffStart, due: immediately(staffStart),
                evidence: .deviceCustody([.quarantined]))
        }
    }

    mutating func ladoStep(rule: String, start: Date) {
        let days = settings.ladoContactWorkingDays
        add(
            "lado.contacted", "Contact the LADO within \(days) working day\(days == 1 ? "" : "s")", dsl, contacts: [lado],
            rule: "\(rule): allegations about a member of staff are discussed with the LADO (\(describe(lado))).", from: start,
            due: workingDays(days, start), evidence: .referral([.lado]))
    }

    mutating func onlineHate() {
        add(
            "hate.response", "Respond under the child protection, anti-bullying and behaviour policies", dsl, contacts: [advice],
            rule: "Online hate (§10.4): if unclear how to respond, seek advice from \(describe(advice)).", from: from(),
            due: workingDays(1, from()), evidence: .explicit)
    }

    mutating func radicalisation() {
        let rule = "Online radicalisation and extremism (§10.5)"
        add(
            "dsl.informed", "Inform the DSL immediately", reporter, rule: "\(rule): concerns are passed to the DSL immediately.",
            from: from(),
            due: immediately(from()), evidence: .escalation([.dsl]))
        add(
            "prevent.considered", "Consider a Prevent / Channel referral", dsl, contacts: [police, advice],
            rule: "\(rule): the DSL acts under the child protection policy and Prevent duty.", from: from(), due: workingDays(1, from()),
            evidence: .referral([.prevent]))
        if incident.has(.staffInvolved) {
            let start = from([.staffInvolved])
            let (headPerson, target) = head
            add(
                "head.informed",
                "Inform the \(target == .chairOfGovernors ? "chair of governors" : settings.headteacherTitle.lowercased())",
                headPerson, rule: "\(rule): a concern about a member of staff is passed to the head.", from: start, due: immediately(start),
                evidence: .escalation([target]))
        }
    }

    mutating func cybercrime() {
        add(
            "cyberChoices.considered", "Consider a referral to Cyber Choices", dsl, contacts: [police],
            rule: "Cybercrime (§10.6): learners with skills and interest in computing are referred to Cyber Choices.", from: from(),
            due: workingDays(1, from()), evidence: .referral([.cyberChoices]))
    }

    mutating func staffConduct() {
        let rule = "Misuse by staff (§8.2)"
        let (headPerson, target) = head
        let routed = target == .chairOfGovernors ? "the chair of governors, as the concern is about the headteacher" : "the head"
        add(
            "head.informed", "Refer to \(target == .chairOfGovernors ? "the chair of governors" : settings.headteacherTitle.lowercased())",
            headPerson, rule: "\(rule): complaints about staff misuse go to \(routed), under the allegations against staff policy.",
            from: from([.headteacherInvolved]), due: immediately(from([.headteacherInvolved])), evidence: .escalation([target]))
        ladoStep(rule: rule, start: from())
    }

    mutating func parentConduct() {
        let rule = "Concerns about parents or carers (§8.2)"
        add(
            "head.informed", "Report to the \(settings.headteacherTitle.lowercased())", head.0,
            rule: "\(rule): reported to the head and DSL.",
            from: from(), due: immediately(from()), evidence: .escalation([.headteacher]))
        add(
            "dsl.informed", "Report to the DSL", reporter, rule: "\(rule): reported to the head and DSL.", from: from(),
            due: immediately(from()), evidence: .escalation([.dsl]))
    }

    mutating func learningPlatform() {
        let rule = "Learning platform (\(settings.learningPlatform ?? "the learning platform"))"
        add(
            "content.removed", "Remove or hide the content", technical, rule: "\(rule): inappropriate content is removed.", from: from(),
            due: immediately(from()), evidence: .explicit)
        add(
            "dsl.informed", "Tell the DSL", reporter, rule: "\(rule): concerns are recorded and the DSL told.", from: from(),
            due: immediately(from()), evidence: .escalation([.dsl]))
    }

    /// Steps every category shares: parents, the police for offences, 999 for immediate risk, the debrief.
    mutating func common() {
        let code = incident.category.procedureCode
        if incident.has(.criminalOffenceSuspected)
            && ![IncidentCategory.filteringBreach.code, IncidentCategory.indecentImages.code].contains(code)
            && !steps.contains(where: { $0.code == "referral.socialCareOrPolice" })
        {
            let start = from([.criminalOffenceSuspected])
            add(
                "police.contacted", "Contact the police (101, or 999 if there is immediate danger)", dsl, contacts: [police, advice],
                rule: "Where a criminal offence is suspected the police are contacted; the DSL speaks to them first so investigations "
                    + "are not compromised.", from: start, due: immediately(start), evidence: .referral([.police101, .police999]))
        }
        if incident.has(.immediateRiskOfHarm) && !steps.contains(where: { $0.code == "referral.socialCareOrPolice" }) {
            let start = from([.immediateRiskOfHarm])
            add(
                "police.emergency", "A child is at immediate risk: call 999", dsl, contacts: [police],
                rule: "Where there is immediate danger or risk of harm, the police are called on 999.", from: start,
                due: start, evidence: .referral([.police999]))
        }
        if code != IncidentCategory.staffConduct.code {
            for learner in learners {
                let start = from()
                add(
                    "parents.informed.\(learner.personID.uuidString)",
                    "Inform the learner's parents or carers, unless that would put the child at risk of significant harm", dsl,
                    rule: "Parents and carers are informed of incidents involving their child unless that would put the child at risk "
                        + "of significant harm; the decision and its reason are recorded.",
                    from: start, due: workingDays(settings.parentNotificationWorkingDays, start),
                    evidence: .parentNotification(learner.personID))
            }
        }
        if let closed = incident.closedAt {
            add(
                "debrief", "Debrief: review the handling and record the lessons learnt", dsl,
                rule: "After an incident the handling is reviewed to make sure best practice was followed (§8).", from: closed,
                due: workingDays(settings.debriefWorkingDays, closed), evidence: .debrief)
        }
    }

    func describe(_ agency: Agency) -> String {
        [agency.name, agency.area, agency.phone, agency.email].compactMap { $0 }.joined(separator: ", ")
    }
}
