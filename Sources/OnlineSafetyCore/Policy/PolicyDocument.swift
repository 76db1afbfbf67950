public import Foundation

/// A school's online safety policy as data: per category, the steps its text requires.
///
/// A document is versioned and cites its own sections; the ``StatutoryFloor`` decides whether it
/// may be adopted, and ``PolicyInterpreter`` turns it into an incident's steps. It is plain
/// `Codable`, in the shape the text format (YAML or JSON) takes, so any decoder reads it.
///
/// ```swift
/// let document = SeedPolicies.mersham
/// let steps = PolicyInterpreter.steps(for: incident, policy: document, settings: school.settings)
/// ```
public struct PolicyDocument: Hashable, Sendable, Codable {
    /// The school (or trust) whose policy it is, for example "Mersham Primary School".
    public var school: String
    /// The policy as steps cite it, for example "Mersham Primary School online safety policy, reviewed September 2018".
    public var title: String
    /// The version, unique among a school's adopted versions, for example "2018-09".
    public var version: String
    /// When it was reviewed, in the policy's words.
    public var reviewed: String?
    /// The named person who adopted it at the review, in the policy's words.
    public var adoptedBy: String?
    /// Agencies this policy names beyond the school's settings (for example Kent's CSET), by key.
    public var agencies: [PolicyAgency]?
    /// Steps that apply to every category (with their own exceptions).
    public var common: [PolicyStep]
    /// The procedures, each for one or more categories.
    public var procedures: [CategoryProcedure]

    /// Creates a document.
    public init(
        school: String, title: String, version: String, reviewed: String? = nil, adoptedBy: String? = nil,
        agencies: [PolicyAgency]? = nil, common: [PolicyStep], procedures: [CategoryProcedure]
    ) {
        self.school = school
        self.title = title
        self.version = version
        self.reviewed = reviewed
        self.adoptedBy = adoptedBy
        self.agencies = agencies
        self.common = common
        self.procedures = procedures
    }

    /// The procedure for a built-in category code, if the document gives one.
    public func procedure(for categoryCode: String) -> CategoryProcedure? {
        procedures.first { $0.categories.contains(categoryCode) }
    }

    /// Every problem with the document that is not about the statutory floor: unknown categories,
    /// contacts, placeholders and prerequisite steps, repeated codes. Each names its field path
    /// (for example `procedures[2].steps[1].contacts[0]`).
    public func structuralIssues() -> [PolicyIssue] {
        var issues: [PolicyIssue] = []
        func issue(_ field: String, _ message: String) { issues.append(PolicyIssue(field: field, message: message)) }
        if school.trimmingCharacters(in: .whitespaces).isEmpty { issue("school", "the policy names its school") }
        if title.trimmingCharacters(in: .whitespaces).isEmpty { issue("title", "the policy has a title steps can cite") }
        if version.trimmingCharacters(in: .whitespaces).isEmpty { issue("version", "the policy has a version") }
        let agencyKeys = Set((agencies ?? []).map(\.key))
        let builtInCodes = Set(IncidentCategory.builtIns.map(\.code))
        var covered: Set<String> = []
        for (index, procedure) in procedures.enumerated() {
            for (position, code) in procedure.categories.enumerated() {
                let field = "procedures[\(index)].categories[\(position)]"
                if !builtInCodes.contains(code) {
                    issue(field, "no built-in category '\(code)'; a school's own category follows its parent's procedure")
                } else if !covered.insert(code).inserted {
                    issue(field, "category '\(code)' has more than one procedure")
                }
            }
            checkSteps(procedure.steps, at: "procedures[\(index)].steps", agencyKeys: agencyKeys, issue: issue)
        }
        checkSteps(common, at: "common", agencyKeys: agencyKeys, issue: issue)
        for (index, step) in common.enumerated() {
            for (position, code) in (step.exceptCategories ?? []).enumerated() where !builtInCodes.contains(code) {
                issue("common[\(index)].exceptCategories[\(position)]", "no built-in category '\(code)'")
            }
        }
        return issues
    }

    private func checkSteps(
        _ steps: [PolicyStep], at path: String, agencyKeys: Set<String>, issue: (String, String) -> Void
    ) {
        var codes: Set<String> = []
        for (index, step) in steps.enumerated() {
            let field = "\(path)[\(index)]"
            if step.code.isEmpty || !step.code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) {
                issue("\(field).code", "a step code is letters, digits, dots and dashes")
            }
            if !codes.insert(step.code).inserted { issue("\(field).code", "step code '\(step.code)' is used twice here") }
            if step.title.trimmingCharacters(in: .whitespaces).isEmpty { issue("\(field).title", "a step needs a title") }
            if step.rule.trimmingCharacters(in: .whitespaces).isEmpty { issue("\(field).rule", "a step quotes the policy's rule") }
            if step.section.heading.trimmingCharacters(in: .whitespaces).isEmpty {
                issue("\(field).section", "a step cites the section of the policy it comes from")
            }
            for (position, key) in (step.contacts ?? []).enumerated()
            where !PolicyAgency.settingsKeys.contains(key) && !agencyKeys.contains(key) {
                issue("\(field).contacts[\(position)]", "no contact '\(key)' in the school's settings or the policy's agencies")
            }
            for (name, text) in [("title", step.title), ("rule", step.rule)] {
                for placeholder in PolicyText.placeholders(in: text) where !PolicyText.known.contains(placeholder) {
                    issue("\(field).\(name)", "unknown placeholder {\(placeholder)}")
                }
            }
            for (position, code) in (step.after ?? []).enumerated() where !steps.contains(where: { $0.code == code }) || code == step.code {
                issue("\(field).after[\(position)]", "'\(code)' is not another step of this procedure")
            }
        }
    }
}

/// One thing wrong with a policy document: the field (a path such as `procedures[2].steps[1].due`)
/// and what is wrong, with the floor step and guidance when the statutory floor refuses it.
public struct PolicyIssue: Hashable, Sendable, CustomStringConvertible {
    /// The field path.
    public var field: String
    /// What is wrong.
    public var message: String
    /// The floor step it breaks, if any.
    public var floorStep: String?
    /// The guidance that step comes from, if any.
    public var guidance: String?

    /// Creates an issue.
    public init(field: String, message: String, floorStep: String? = nil, guidance: String? = nil) {
        self.field = field
        self.message = message
        self.floorStep = floorStep
        self.guidance = guidance
    }

    /// "field: message".
    public var description: String { "\(field): \(message)" }
}

/// An agency a policy names that the school's settings do not hold (for example the CSET).
public struct PolicyAgency: Hashable, Sendable, Codable {
    /// The key steps use in `contacts`.
    public var key: String
    /// The agency's name.
    public var name: String
    /// Its area.
    public var area: String?
    /// Telephone.
    public var phone: String?
    /// Email.
    public var email: String?
    /// Web address.
    public var website: String?

    /// Creates an agency.
    public init(key: String, name: String, area: String? = nil, phone: String? = nil, email: String? = nil, website: String? = nil) {
        self.key = key
        self.name = name
        self.area = area
        self.phone = phone
        self.email = email
        self.website = website
    }

    /// The agency as steps name it.
    public var agency: Agency { Agency(name: name, area: area, phone: phone, email: email, website: website) }

    /// The contact keys every school has: from its settings, or national.
    public static let settingsKeys: Set<String> = ["safeguardingAdvice", "police", "lado", "socialCare", "iwf", "ceop"]
}

/// The procedure for one or more built-in categories.
public struct CategoryProcedure: Hashable, Sendable, Codable {
    /// The built-in category codes it applies to.
    public var categories: [String]
    /// The steps, in order.
    public var steps: [PolicyStep]

    /// Creates a procedure.
    public init(categories: [String], steps: [PolicyStep]) {
        self.categories = categories
        self.steps = steps
    }
}

/// A section of the policy a step comes from: its number (when the policy numbers it) and heading.
///
/// Written as one string: `"§11.2 Youth Produced Sexual Imagery"`, or a heading alone.
public struct PolicySection: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The section number, for example "11.2".
    public var number: String?
    /// The heading, as the policy gives it.
    public var heading: String

    /// Creates a section.
    public init(number: String?, heading: String) {
        self.number = number
        self.heading = heading
    }

    /// Reads `"§11.2 Heading"` or `"Heading"`.
    public init(text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("§") {
            let rest = trimmed.dropFirst()
            let number = rest.prefix { !$0.isWhitespace }
            self.init(number: String(number), heading: rest.dropFirst(number.count).trimmingCharacters(in: .whitespaces))
        } else {
            self.init(number: nil, heading: trimmed)
        }
    }

    /// Reads the string form.
    public init(from decoder: any Decoder) throws {
        self.init(text: try decoder.singleValueContainer().decode(String.self))
    }

    /// Writes the string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// `"§11.2 Heading"` or the heading.
    public var description: String { number.map { "§\($0) \(heading)" } ?? heading }

    /// How a step cites it after the policy's title: `§11.2`, or the heading in quotation marks.
    public var citation: String { number.map { "§\($0)" } ?? "“\(heading)”" }
}

/// Who carries out a step, by role.
public enum PolicyResponsible: String, Hashable, Sendable, Codable, CaseIterable {
    /// The designated safeguarding lead.
    case dsl
    /// The head, or the chair of governors when the concern is about the head.
    case headOrChair
    /// The head.
    case headteacher
    /// The chair of governors.
    case chairOfGovernors
    /// The staff managing the technical environment.
    case technicalStaff
    /// The member of staff who raised the concern.
    case reporter
    /// The leadership team.
    case leadership
}

/// When a step falls due, from when it becomes required.
///
/// Written as a string: `now`, `immediately` (the school's ``PolicySettings/immediateActionMinutes``),
/// `4 hours`, `1 working day`, `3 days`, `settings.ladoContactWorkingDays`,
/// `settings.parentNotificationWorkingDays`, `settings.debriefWorkingDays`, `by 2027-07-31` (by
/// the end of a day), or `none`.
public enum PolicyDue: Hashable, Sendable, Codable, CustomStringConvertible {
    /// At once (the deadline is the moment it is required).
    case now
    /// Within the school's "immediately".
    case immediately
    /// Within hours.
    case hours(Int)
    /// Within working days (skipping weekends and the school's holidays).
    case workingDays(Int)
    /// Within calendar days.
    case days(Int)
    /// Within the working days one of the school's settings gives.
    case setting(PolicyDueSetting)
    /// By the end of a day (UK time), however late the step becomes required; overdue from the next.
    case by(CalendarDate)
    /// No deadline; outstanding until done.
    case none

    /// Reads the string form; `nil` for anything else.
    public init?(text: String) {
        let words = text.lowercased().split(separator: " ").map(String.init)
        switch words.count {
        case 1 where words[0] == "now": self = .now
        case 1 where words[0] == "immediately": self = .immediately
        case 1 where words[0] == "none": self = .none
        case 2 where words[0] == "by":
            guard let date = CalendarDate(iso: words[1]) else { return nil }
            self = .by(date)
        case 1 where text.hasPrefix("settings."):
            guard let setting = PolicyDueSetting(rawValue: String(text.dropFirst("settings.".count))) else { return nil }
            self = .setting(setting)
        case 2, 3:
            guard let count = Int(words[0]), count >= 0 else { return nil }
            switch words.dropFirst().joined(separator: " ") {
            case "hour", "hours": self = .hours(count)
            case "day", "days": self = .days(count)
            case "working day", "working days": self = .workingDays(count)
            default: return nil
            }
        default: return nil
        }
    }

    /// Reads the string form; throws `DecodingError.dataCorrupted` for anything else.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let due = PolicyDue(text: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription:
                    "'\(text)' is not a deadline: now, immediately, N hours, N working days, N days, settings.<name>, by YYYY-MM-DD or none"
            )
        }
        self = due
    }

    /// Writes the string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The string form.
    public var description: String {
        switch self {
        case .now: "now"
        case .immediately: "immediately"
        case .hours(let n): "\(n) hour\(n == 1 ? "" : "s")"
        case .workingDays(let n): "\(n) working day\(n == 1 ? "" : "s")"
        case .days(let n): "\(n) day\(n == 1 ? "" : "s")"
        case .setting(let setting): "settings.\(setting.rawValue)"
        case .by(let date): "by \(date)"
        case .none: "none"
        }
    }

    /// The longest this can take, in minutes, for comparing deadlines (working days count a
    /// little longer than calendar days; no deadline is unbounded).
    public func bound(_ settings: PolicySettings) -> Double {
        switch self {
        case .now: 0
        case .immediately: Double(settings.immediateActionMinutes)
        case .hours(let n): Double(n) * 60
        case .days(let n): Double(n) * 1440
        case .workingDays(let n): Double(n) * 1440 + 0.5
        case .setting(let setting): Double(setting.workingDays(settings)) * 1440 + 0.5
        // A fixed day is no bound on how long after the concern a step may wait: looser than any
        // duration, tighter only than no deadline at all.
        case .by: .greatestFiniteMagnitude
        case .none: .infinity
        }
    }

    /// The deadline for a step required from `start`, or `nil` when there is none.
    public func deadline(from start: Date, _ settings: PolicySettings) -> Date? {
        switch self {
        case .now: start
        case .immediately: start.addingTimeInterval(Double(settings.immediateActionMinutes) * 60)
        case .hours(let n): start.addingTimeInterval(Double(n) * 3600)
        case .days(let n): start.addingTimeInterval(Double(n) * 86_400)
        case .workingDays(let n): WorkingDays.deadline(n, after: start, holidays: settings.holidays)
        case .setting(let setting): WorkingDays.deadline(setting.workingDays(settings), after: start, holidays: settings.holidays)
        case .by(let date): date.adding(days: 1).startOfDay.addingTimeInterval(-1)
        case .none: nil
        }
    }
}

/// A school setting that gives a number of working days.
public enum PolicyDueSetting: String, Hashable, Sendable, Codable, CaseIterable {
    /// ``PolicySettings/ladoContactWorkingDays``.
    case ladoContactWorkingDays
    /// ``PolicySettings/parentNotificationWorkingDays``.
    case parentNotificationWorkingDays
    /// ``PolicySettings/debriefWorkingDays``.
    case debriefWorkingDays

    /// The setting's value.
    public func workingDays(_ settings: PolicySettings) -> Int {
        switch self {
        case .ladoContactWorkingDays: settings.ladoContactWorkingDays
        case .parentNotificationWorkingDays: settings.parentNotificationWorkingDays
        case .debriefWorkingDays: settings.debriefWorkingDays
        }
    }
}

/// What satisfies a step, as a policy writes it.
///
/// Written as a string: `referral childrensSocialCare police101`, `parentNotification`,
/// `riskAssessment`, `deviceCustody` or `deviceCustody quarantined`, `escalation dsl`,
/// `escalation headOrChair`, `decision`, `debrief`, or `explicit`.
public enum PolicyEvidence: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A referral to one of these agencies.
    case referral([ReferralAgency])
    /// A parent notification for the learner (per-learner steps only).
    case parentNotification
    /// A risk and needs assessment.
    case riskAssessment
    /// A device custody event, with one of these statuses (any when empty).
    case deviceCustody([DeviceStatus])
    /// An escalation; `headOrChair` is routed as the step's responsible person is.
    case escalation([String])
    /// A decision recorded with its reason.
    case decision
    /// A debrief.
    case debrief
    /// An entry that names the step.
    case explicit

    /// The escalation routes a policy may name.
    public static let routes: Set<String> = Set(EscalationTarget.allCases.map(\.rawValue)).union(["headOrChair"])

    /// Reads the string form; `nil` for anything else.
    public init?(text: String) {
        let words = text.split(separator: " ").map(String.init)
        guard let kind = words.first else { return nil }
        let rest = Array(words.dropFirst())
        switch kind {
        case "referral":
            let agencies = rest.compactMap(ReferralAgency.init(rawValue:))
            guard !rest.isEmpty, agencies.count == rest.count else { return nil }
            self = .referral(agencies)
        case "deviceCustody":
            let statuses = rest.compactMap(DeviceStatus.init(rawValue:))
            guard statuses.count == rest.count else { return nil }
            self = .deviceCustody(statuses)
        case "escalation":
            guard !rest.isEmpty, rest.allSatisfy(Self.routes.contains) else { return nil }
            self = .escalation(rest)
        case "parentNotification" where rest.isEmpty: self = .parentNotification
        case "riskAssessment" where rest.isEmpty: self = .riskAssessment
        case "decision" where rest.isEmpty: self = .decision
        case "debrief" where rest.isEmpty: self = .debrief
        case "explicit" where rest.isEmpty: self = .explicit
        default: return nil
        }
    }

    /// Reads the string form; throws `DecodingError.dataCorrupted` for anything else.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let evidence = PolicyEvidence(text: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "'\(text)' is not evidence: referral <agencies>, parentNotification, riskAssessment, "
                    + "deviceCustody [statuses], escalation <routes>, decision, debrief or explicit")
        }
        self = evidence
    }

    /// Writes the string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The string form.
    public var description: String {
        switch self {
        case .referral(let agencies): (["referral"] + agencies.map(\.rawValue)).joined(separator: " ")
        case .parentNotification: "parentNotification"
        case .riskAssessment: "riskAssessment"
        case .deviceCustody(let statuses): (["deviceCustody"] + statuses.map(\.rawValue)).joined(separator: " ")
        case .escalation(let routes): (["escalation"] + routes).joined(separator: " ")
        case .decision: "decision"
        case .debrief: "debrief"
        case .explicit: "explicit"
        }
    }
}

/// When a step applies. Every field given must hold; an empty condition always holds.
public struct PolicyCondition: Hashable, Sendable, Codable {
    /// Every one of these facts is recorded.
    public var facts: [IncidentFact]?
    /// At least one of these facts is recorded.
    public var anyFacts: [IncidentFact]?
    /// None of these facts is recorded.
    public var noFacts: [IncidentFact]?
    /// A participant was younger than this many years when it happened.
    public var childUnder: Int?
    /// A learner involved is in one of these key stages (``Participant/keyStage``, from
    /// ``LearnerDetails/keyStage``).
    public var keyStages: [KeyStage]?
    /// A learner involved is in this key stage or a younger one.
    public var keyStageAtMost: KeyStage?
    /// A learner involved is in this key stage or an older one.
    public var keyStageAtLeast: KeyStage?
    /// A participant plays one of these parts.
    public var parts: [ParticipantPart]?
    /// A learner is involved (as victim, alleged perpetrator or subject).
    public var learnerInvolved: Bool?
    /// Every participant's part is closed (`true`), or some part is open (`false`).
    public var closed: Bool?
    /// At least one of these holds.
    public var anyOf: [PolicyCondition]?
    /// None of these holds.
    public var noneOf: [PolicyCondition]?
    /// Words for why the step applies when this holds, instead of the facts' own words.
    public var because: String?

    /// Creates a condition.
    public init(
        facts: [IncidentFact]? = nil, anyFacts: [IncidentFact]? = nil, noFacts: [IncidentFact]? = nil, childUnder: Int? = nil,
        keyStages: [KeyStage]? = nil, keyStageAtMost: KeyStage? = nil, keyStageAtLeast: KeyStage? = nil, parts: [ParticipantPart]? = nil,
        learnerInvolved: Bool? = nil, closed: Bool? = nil, anyOf: [PolicyCondition]? = nil,
        noneOf: [PolicyCondition]? = nil, because: String? = nil
    ) {
        self.facts = facts
        self.anyFacts = anyFacts
        self.noFacts = noFacts
        self.childUnder = childUnder
        self.keyStages = keyStages
        self.keyStageAtMost = keyStageAtMost
        self.keyStageAtLeast = keyStageAtLeast
        self.parts = parts
        self.learnerInvolved = learnerInvolved
        self.closed = closed
        self.anyOf = anyOf
        self.noneOf = noneOf
        self.because = because
    }

    /// Every fact the condition mentions.
    public var mentionedFacts: Set<IncidentFact> {
        var all = Set((facts ?? []) + (anyFacts ?? []) + (noFacts ?? []))
        for branch in (anyOf ?? []) + (noneOf ?? []) { all.formUnion(branch.mentionedFacts) }
        return all
    }

    /// Every age threshold the condition mentions.
    public var mentionedAges: Set<Int> {
        var all = Set(childUnder.map { [$0] } ?? [])
        for branch in (anyOf ?? []) + (noneOf ?? []) { all.formUnion(branch.mentionedAges) }
        return all
    }

    /// Whether the condition, or a branch of it, tests a learner's key stage.
    public var mentionsKeyStages: Bool {
        keyStages != nil || keyStageAtMost != nil || keyStageAtLeast != nil
            || ((anyOf ?? []) + (noneOf ?? [])).contains(where: \.mentionsKeyStages)
    }

    /// Whether a key stage meets every key-stage field given (any stage does when none is).
    public func admits(_ stage: KeyStage) -> Bool {
        (keyStages?.contains(stage) ?? true) && (keyStageAtMost.map { stage <= $0 } ?? true)
            && (keyStageAtLeast.map { stage >= $0 } ?? true)
    }
}

/// One step of a policy's procedure.
public struct PolicyStep: Hashable, Sendable, Codable {
    /// A code unique within the procedure, for example `referral.socialCareOrPolice`. The
    /// statutory floor names steps by code.
    public var code: String
    /// What must be done; may use placeholders such as `{head}` (see ``PolicyText``).
    public var title: String
    /// Who must do it.
    public var responsible: PolicyResponsible
    /// By when, from when it is required.
    public var due: PolicyDue
    /// When it applies (always, when absent).
    public var when: PolicyCondition?
    /// Whom to contact: keys into the school's settings (`safeguardingAdvice`, `police`, `lado`,
    /// `socialCare`, `iwf`, `ceop`) or the policy's own ``PolicyDocument/agencies``.
    public var contacts: [String]?
    /// The section of this policy it comes from.
    public var section: PolicySection
    /// The policy's rule, in its words; may use placeholders.
    public var rule: String
    /// What satisfies it.
    public var evidence: PolicyEvidence
    /// One step per learner involved (for example informing each learner's parents).
    public var perLearner: Bool?
    /// Steps of the same procedure that must be satisfied first; it is required from then.
    public var after: [String]?
    /// Whether it deletes or destroys material (the floor holds such steps back for some categories).
    public var deletes: Bool?
    /// For common steps: categories it does not apply to.
    public var exceptCategories: [String]?
    /// For common steps: skipped when the category's procedure already gave one of these steps.
    public var unlessSteps: [String]?

    /// Creates a step.
    public init(
        code: String, title: String, responsible: PolicyResponsible, due: PolicyDue, when: PolicyCondition? = nil,
        contacts: [String]? = nil, section: PolicySection, rule: String, evidence: PolicyEvidence, perLearner: Bool? = nil,
        after: [String]? = nil, deletes: Bool? = nil, exceptCategories: [String]? = nil, unlessSteps: [String]? = nil
    ) {
        self.code = code
        self.title = title
        self.responsible = responsible
        self.due = due
        self.when = when
        self.contacts = contacts
        self.section = section
        self.rule = rule
        self.evidence = evidence
        self.perLearner = perLearner
        self.after = after
        self.deletes = deletes
        self.exceptCategories = exceptCategories
        self.unlessSteps = unlessSteps
    }
}

/// The placeholders a step's title and rule may use, filled from the school's settings.
///
/// `{dsl}` (the DSL's name), `{head}` (the head's title in lower case, or "chair of governors"
/// when the concern is about the head), `{headTitle}`, `{advice}`, `{police}`, `{lado}` (each
/// agency with its contact details), `{filteringProvider}`, `{internetServiceProvider}`,
/// `{learningPlatform}`, `{policeRoute}` ("999 if a child is at immediate risk" or "police via 101").
public enum PolicyText {
    /// The known placeholder names.
    public static let known: Set<String> = [
        "dsl", "head", "headTitle", "advice", "police", "lado", "filteringProvider", "internetServiceProvider", "learningPlatform",
        "policeRoute",
    ]

    /// The placeholder names a text uses.
    public static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// Fills a text's placeholders from values.
    static func fill(_ text: String, _ values: [String: String]) -> String {
        var result = text
        for (name, value) in values { result = result.replacingOccurrences(of: "{\(name)}", with: value) }
        return result
    }
}
