import Foundation

/// Turns a school's ``PolicyDocument`` into the steps an incident requires, naming the school's
/// own people and contacts from its ``PolicySettings``.
///
/// Each step records the policy version and section it came from (``ProcedureStep/source``).
/// A step with prerequisites (``PolicyStep/after``) is listed as awaiting them, required only
/// from when the last of them is satisfied.
public enum PolicyInterpreter {
    /// The steps for an incident under a policy, each marked satisfied by the first chronology
    /// entry that evidences it. Never throws: a document is checked when it is adopted.
    public static func steps(
        for incident: Incident, policy: PolicyDocument, settings: PolicySettings, entries: [ChronologyEntry] = []
    ) -> [ProcedureStep] {
        let derived = derive(incident, policy, settings)
        let ordered = entries.sorted { ($0.recordedAt, $0.sequence) < ($1.recordedAt, $1.sequence) }
        var steps = derived.map(\.step)
        func satisfy(_ index: Int) {
            let step = steps[index]
            if let entry = ordered.first(where: {
                $0.recordedAt >= (step.awaiting == nil ? .distantPast : step.requiredFrom)
                    && (step.evidence.isSatisfied(by: $0.content) || step.evidence.acceptsNaming(step.code, $0))
            }) {
                steps[index].satisfiedBy = entry.id
                steps[index].satisfiedAt = entry.recordedAt
            }
        }
        for index in steps.indices where derived[index].after.isEmpty { satisfy(index) }
        // Steps awaiting others, in document order (a prerequisite may itself await one).
        for index in steps.indices where !derived[index].after.isEmpty {
            let prerequisites = derived[index].after.map { code in steps.first { $0.code == code }?.satisfiedAt }
            if prerequisites.allSatisfy({ $0 != nil }), let start = prerequisites.compactMap({ $0 }).max() {
                steps[index].requiredFrom = start
                steps[index].due = derived[index].due.deadline(from: start, settings)
                satisfy(index)
            }
        }
        return steps
    }

    struct Derived {
        var step: ProcedureStep
        var after: [String]
        var due: PolicyDue
    }

    static func derive(_ incident: Incident, _ policy: PolicyDocument, _ settings: PolicySettings) -> [Derived] {
        let context = Context(incident: incident, policy: policy, settings: settings)
        let category = incident.category.procedureCode
        var derived: [Derived] = []
        for step in policy.procedure(for: category)?.steps ?? [] { derived += context.instances(of: step) }
        for step in policy.common where !(step.exceptCategories ?? []).contains(category) {
            if let unless = step.unlessSteps, derived.contains(where: { unless.contains($0.step.code) }) { continue }
            derived += context.instances(of: step)
        }
        return derived
    }

    struct Context {
        let incident: Incident
        let policy: PolicyDocument
        let settings: PolicySettings

        var aboutHead: Bool { incident.has(.headteacherInvolved) }

        var learners: [Participant] {
            incident.participants.filter { $0.isLearner && [.victim, .allegedPerpetrator, .subject].contains($0.part) }
        }

        func agency(_ key: String) -> Agency? {
            switch key {
            case "safeguardingAdvice": settings.safeguardingAdvice
            case "police": settings.police
            case "lado": settings.lado
            case "socialCare": Agency(name: "Children's social care (MASH)", area: settings.safeguardingAdvice.area)
            case "iwf": Agency(name: "Internet Watch Foundation", website: "www.iwf.org.uk")
            case "ceop": Agency(name: "NCA-CEOP", website: "www.ceop.police.uk/safety-centre/")
            default: policy.agencies?.first { $0.key == key }?.agency
            }
        }

        func describe(_ agency: Agency) -> String {
            [agency.name, agency.area, agency.phone, agency.email].compactMap { $0 }.joined(separator: ", ")
        }

        var values: [String: String] {
            [
                "dsl": settings.designatedSafeguardingLead.name,
                "head": aboutHead ? "chair of governors" : settings.headteacherTitle.lowercased(),
                "headTitle": settings.headteacherTitle, "advice": describe(settings.safeguardingAdvice),
                "police": describe(settings.police), "lado": describe(settings.lado), "filteringProvider": settings.filteringProvider,
                "internetServiceProvider": settings.internetServiceProvider,
                "learningPlatform": settings.learningPlatform ?? "the learning platform",
                "policeRoute": incident.has(.immediateRiskOfHarm) ? "999 if a child is at immediate risk" : "police via 101",
            ]
        }

        func responsible(_ role: PolicyResponsible) -> Responsible {
            switch role {
            case .dsl: Responsible(role: .designatedSafeguardingLead, name: settings.designatedSafeguardingLead.name)
            case .headOrChair:
                aboutHead
                    ? Responsible(role: .chairOfGovernors, name: settings.chairOfGovernors?.name)
                    : Responsible(role: .headteacher, name: settings.headteacher.name)
            case .headteacher: Responsible(role: .headteacher, name: settings.headteacher.name)
            case .chairOfGovernors: Responsible(role: .chairOfGovernors, name: settings.chairOfGovernors?.name)
            case .technicalStaff: Responsible(role: .technicalStaff, name: "IT team (\(settings.filteringProvider))")
            case .reporter: Responsible(role: .staff, name: "the member of staff who raised the concern")
            case .leadership: Responsible(role: .leadership, name: nil)
            }
        }

        func evidence(_ evidence: PolicyEvidence, learner: PersonID?) -> StepEvidence {
            switch evidence {
            case .referral(let agencies): .referral(agencies)
            case .parentNotification: learner.map { .parentNotification($0) } ?? .explicit
            case .riskAssessment: .riskAssessment
            case .deviceCustody(let statuses): .deviceCustody(statuses)
            case .escalation(let routes):
                .escalation(
                    routes.compactMap { route in
                        route == "headOrChair" ? (aboutHead ? .chairOfGovernors : .headteacher) : EscalationTarget(rawValue: route)
                    })
            case .decision: .decision
            case .debrief: .debrief
            case .explicit: .explicit
            }
        }

        /// Whether a condition holds, the facts that made it hold and the words for why.
        func evaluate(_ condition: PolicyCondition) -> (holds: Bool, facts: [IncidentFact], reasons: [String]) {
            var facts: [IncidentFact] = []
            var reasons: [String] = []
            if let all = condition.facts {
                guard all.allSatisfy(incident.has) else { return (false, [], []) }
                facts += all
                reasons += all.map(\.words)
            }
            if let any = condition.anyFacts {
                let present = any.filter(incident.has)
                guard !present.isEmpty else { return (false, [], []) }
                facts += present
                reasons += present.map(\.words)
            }
            if let none = condition.noFacts, none.contains(where: incident.has) { return (false, [], []) }
            if let age = condition.childUnder {
                let day = CalendarDate(incident.occurredAt)
                guard incident.participants.contains(where: { $0.dateOfBirth.map { $0.years(until: day) < age } ?? false }) else {
                    return (false, [], [])
                }
                reasons.append("a child is under \(age)")
            }
            if condition.keyStages != nil || condition.keyStageAtMost != nil || condition.keyStageAtLeast != nil {
                let stages = incident.participants.filter(\.isLearner).compactMap(\.keyStage).filter(condition.admits)
                guard let youngest = stages.min() else { return (false, [], []) }
                reasons.append("a learner is in \(youngest.words)")
            }
            if let parts = condition.parts, !incident.participants.contains(where: { parts.contains($0.part) }) { return (false, [], []) }
            if let learner = condition.learnerInvolved, learner == learners.isEmpty { return (false, [], []) }
            if let closed = condition.closed, closed != (incident.closedAt != nil) { return (false, [], []) }
            if let branches = condition.anyOf {
                let held = branches.map(evaluate).filter(\.holds)
                guard !held.isEmpty else { return (false, [], []) }
                facts += held.flatMap(\.facts)
                reasons += held.flatMap(\.reasons)
            }
            if let branches = condition.noneOf, branches.contains(where: { evaluate($0).holds }) { return (false, [], []) }
            if let because = condition.because { reasons = [because] }
            return (true, facts, reasons)
        }

        func instances(of step: PolicyStep) -> [Derived] {
            let (holds, facts, reasons) = step.when.map(evaluate) ?? (true, [], [])
            guard holds else { return [] }
            var triggers = facts
            if step.responsible == .headOrChair { triggers.append(.headteacherInvolved) }
            var start = ([incident.reportedAt] + triggers.compactMap { incident.recorded($0) }).max() ?? incident.reportedAt
            if step.when?.closed == true, let closed = incident.closedAt { start = closed }
            let values = values
            var rule = "\(policy.title), \(step.section.citation) (\(step.section.heading)): \(PolicyText.fill(step.rule, values))"
            if step.responsible == .headOrChair && aboutHead {
                rule += " As the concern is about the headteacher, it goes to the chair of governors."
            }
            var unique: [String] = []
            for reason in reasons where !unique.contains(reason) { unique.append(reason) }
            if !unique.isEmpty { rule += " Applies because \(unique.joined(separator: "; "))." }
            let source = StepSource(
                policy: policy.title, version: policy.version, section: step.section.number, heading: step.section.heading)
            let after = step.after ?? []
            func make(code: String, learner: PersonID?) -> Derived {
                let awaiting = !after.isEmpty
                return Derived(
                    step: ProcedureStep(
                        code: code, title: PolicyText.fill(step.title, values), responsible: responsible(step.responsible),
                        contacts: (step.contacts ?? []).compactMap(agency), rule: rule,
                        requiredFrom: awaiting ? .distantFuture : start, due: awaiting ? nil : step.due.deadline(from: start, settings),
                        evidence: evidence(step.evidence, learner: learner), source: source, awaiting: awaiting ? after : nil),
                    after: after, due: step.due)
            }
            if step.perLearner == true {
                return learners.map { make(code: "\(step.code).\($0.personID.uuidString)", learner: $0.personID) }
            }
            return [make(code: step.code, learner: nil)]
        }
    }
}
