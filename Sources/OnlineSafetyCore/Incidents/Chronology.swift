public import Foundation

/// An agency an incident can be referred to.
public enum ReferralAgency: String, Hashable, Sendable, Codable, CaseIterable {
    /// The police, non-emergency (101).
    case police101
    /// The police, emergency (999): immediate danger or risk of harm.
    case police999
    /// Children's social care / the multi-agency safeguarding hub.
    case childrensSocialCare
    /// The local authority designated officer (allegations against staff).
    case lado
    /// The Internet Watch Foundation (URLs of suspected indecent images).
    case iwf
    /// NCA-CEOP (online sexual abuse).
    case ceop
    /// Prevent / Channel (radicalisation).
    case prevent
    /// Cyber Choices (cybercrime).
    case cyberChoices
    /// The school's local safeguarding advice line (from its settings).
    case localSafeguardingAdvice
    /// A police child sexual exploitation team (Kent's CSET), where a policy routes intelligence there.
    case childSexualExploitationTeam

    /// Words for the agency; the advice line and LADO take their names from the school's settings.
    public func name(in settings: PolicySettings) -> String {
        switch self {
        case .police101: "\(settings.police.name) (101)"
        case .police999: "\(settings.police.name) (999)"
        case .childrensSocialCare: "Children's social care (MASH)"
        case .lado: "LADO (\(settings.lado.name))"
        case .iwf: "Internet Watch Foundation"
        case .ceop: "NCA-CEOP"
        case .prevent: "Prevent / Channel"
        case .cyberChoices: "Cyber Choices"
        case .localSafeguardingAdvice: settings.safeguardingAdvice.name
        case .childSexualExploitationTeam: "Child Sexual Exploitation Team (CSET)"
        }
    }
}

/// How a referral or notification was made.
public enum ContactMethod: String, Hashable, Sendable, Codable, CaseIterable {
    /// By telephone.
    case phone
    /// By email.
    case email
    /// Through an online form or portal.
    case online
    /// In person.
    case inPerson
    /// By letter.
    case letter
}

/// A referral to an outside agency.
public struct Referral: Hashable, Sendable, Codable {
    /// The agency.
    public var agency: ReferralAgency
    /// The agency's reference, once given.
    public var reference: String?
    /// How it was made.
    public var method: ContactMethod
    /// When to follow it up.
    public var followUpDue: Date?
    /// What was shared and advised.
    public var detail: String?

    /// Creates a referral.
    public init(agency: ReferralAgency, reference: String? = nil, method: ContactMethod, followUpDue: Date? = nil, detail: String? = nil) {
        self.agency = agency
        self.reference = reference
        self.method = method
        self.followUpDue = followUpDue
        self.detail = detail
    }
}

/// Whether a learner's parents or carers were told, or why not.
public struct ParentNotification: Hashable, Sendable, Codable {
    /// The learner concerned.
    public var learnerID: PersonID
    /// Informed, or withheld.
    public var informed: Bool
    /// Who was told (a contact of the learner), when informed.
    public var contactID: PersonID?
    /// How, when informed.
    public var method: ContactMethod?
    /// Why informing them would put the child at risk of significant harm, when withheld.
    public var reason: String?

    /// Parents or carers were informed.
    public static func informed(_ learnerID: PersonID, contact: PersonID?, method: ContactMethod) -> ParentNotification {
        ParentNotification(learnerID: learnerID, informed: true, contactID: contact, method: method, reason: nil)
    }

    /// Parents or carers were not informed because that would put the child at risk; the reason is required.
    public static func withheld(_ learnerID: PersonID, reason: String) -> ParentNotification {
        ParentNotification(learnerID: learnerID, informed: false, contactID: nil, method: nil, reason: reason)
    }
}

/// A risk and needs assessment, kept under review.
public struct RiskAssessment: Hashable, Sendable, Codable {
    /// Whom it covers (the victim, alleged perpetrator, others).
    public var personIDs: [PersonID]
    /// The assessment and the actions it requires.
    public var summary: String
    /// When it must next be reviewed.
    public var reviewDate: CalendarDate

    /// Creates an assessment.
    public init(personIDs: [PersonID], summary: String, reviewDate: CalendarDate) {
        self.personIDs = personIDs
        self.summary = summary
        self.reviewDate = reviewDate
    }
}

/// Who a concern was passed to inside the school.
public enum EscalationTarget: String, Hashable, Sendable, Codable, CaseIterable {
    /// The designated safeguarding lead (or a deputy).
    case dsl
    /// The headteacher or head of school.
    case headteacher
    /// The chair of governors.
    case chairOfGovernors
    /// The IT team and technical staff.
    case technicalStaff
    /// The senior leadership team.
    case leadership
}

/// One entry of an incident's chronology. Entries are appended and never changed; a mistake is
/// put right by a ``ChronologyContent/correction(entryID:reason:text:)`` entry.
public enum ChronologyContent: Hashable, Sendable, Codable {
    /// A note of what was said or seen.
    case note(String)
    /// An action taken.
    case action(String)
    /// A decision, with the reason for it (required).
    case decision(decision: String, reason: String)
    /// A referral to an outside agency.
    case referral(Referral)
    /// Parents or carers informed, or not informed and why.
    case parentNotification(ParentNotification)
    /// A risk and needs assessment with its review date.
    case riskAssessment(RiskAssessment)
    /// The DSL's decision to view imagery (or not), with the justification (required).
    case imageViewing(view: Bool, justification: String)
    /// A device custody event (the register keeps the device's record).
    case deviceCustody(deviceID: DeviceRecordID, status: DeviceStatus, note: String?)
    /// The concern passed to someone inside the school.
    case escalation(to: EscalationTarget, note: String?)
    /// A correction of an earlier entry, which stays as it was.
    case correction(entryID: ChronologyEntryID, reason: String, text: String)
    /// One participant's part closed, with its outcome (required).
    case participantClosure(personID: PersonID, outcome: String)
    /// The debrief after closure: lessons learnt.
    case debrief(lessonsLearnt: String)
    /// Facts recorded about the incident (they may add steps).
    case factsRecorded([IncidentFact])
    /// A reference to a file kept by the embedding application (never the file itself).
    case attachment(AttachmentReference)

    /// A short name of the kind of entry.
    public var kind: String {
        switch self {
        case .note: "note"
        case .action: "action"
        case .decision: "decision"
        case .referral: "referral"
        case .parentNotification: "parentNotification"
        case .riskAssessment: "riskAssessment"
        case .imageViewing: "imageViewing"
        case .deviceCustody: "deviceCustody"
        case .escalation: "escalation"
        case .correction: "correction"
        case .participantClosure: "participantClosure"
        case .debrief: "debrief"
        case .factsRecorded: "factsRecorded"
        case .attachment: "attachment"
        }
    }

    /// Checks that what must be said is said.
    public func validate() throws(SafetyError) {
        func required(_ text: String?, _ field: String, _ reason: String) throws(SafetyError) {
            if (text ?? "").isBlank { throw .invalid(field, reason) }
        }
        switch self {
        case .note(let text), .action(let text): try required(text, "entry.text", "an entry needs text")
        case .decision(let decision, let reason):
            try required(decision, "entry.decision", "a decision needs to say what was decided")
            try required(reason, "entry.reason", "a decision needs the reason for it")
        case .referral: break
        case .parentNotification(let notification):
            if !notification.informed {
                try required(notification.reason, "entry.reason", "not informing parents needs the reason: the risk of significant harm")
            }
        case .riskAssessment(let assessment):
            try required(assessment.summary, "entry.summary", "a risk assessment needs its content")
            _ = try assessment.reviewDate.checked("entry.reviewDate", .record)
        case .imageViewing(_, let justification):
            try required(justification, "entry.justification", "a decision about viewing imagery needs its justification")
        case .deviceCustody: break
        case .escalation: break
        case .correction(_, let reason, let text):
            try required(reason, "entry.reason", "a correction says why")
            try required(text, "entry.text", "a correction says what is correct")
        case .participantClosure(_, let outcome): try required(outcome, "entry.outcome", "closing needs an outcome")
        case .debrief(let lessons): try required(lessons, "entry.lessonsLearnt", "a debrief records the lessons learnt")
        case .factsRecorded(let facts): if facts.isEmpty { throw .invalid("entry.facts", "record at least one fact") }
        case .attachment(let reference): try required(reference.fileName, "entry.fileName", "an attachment needs a file name")
        }
    }
}

/// A reference to a file the embedding application keeps: the SDK stores its name, type, size
/// and hash, never its content.
public struct AttachmentReference: Hashable, Sendable, Codable {
    /// The file's name.
    public var fileName: String
    /// Its media type, for example `application/pdf`.
    public var mediaType: String
    /// Its size in bytes.
    public var byteCount: Int
    /// The SHA-256 of its content, hex.
    public var sha256: String
    /// Where the application keeps it.
    public var location: String

    /// Creates a reference.
    public init(fileName: String, mediaType: String, byteCount: Int, sha256: String, location: String) {
        self.fileName = fileName
        self.mediaType = mediaType
        self.byteCount = byteCount
        self.sha256 = sha256
        self.location = location
    }

    /// Whether it is a picture or a video.
    public var isImagery: Bool {
        let type = mediaType.lowercased()
        let imageExtensions = ["jpg", "jpeg", "png", "gif", "heic", "webp", "bmp", "tif", "tiff", "mp4", "mov", "avi", "mkv", "webm"]
        let ext = fileName.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return type.hasPrefix("image/") || type.hasPrefix("video/") || imageExtensions.contains(ext)
    }
}

/// Identifies a ``ChronologyEntry``.
public typealias ChronologyEntryID = Identifier<ChronologyEntry>

/// An append-only entry of an incident's chronology: what, by whom, when.
public struct ChronologyEntry: Aggregate {
    /// The entry's identifier.
    public var id: ChronologyEntryID
    /// The incident.
    public var incidentID: IncidentID
    /// The incident's school.
    public var schoolIDValue: SchoolID
    /// Its position in the incident's chronology, from 1.
    public var sequence: Int
    /// Whether the incident is restricted (DSL and deputies only).
    public var restricted: Bool
    /// When it was recorded.
    public var recordedAt: Date
    /// Who recorded it.
    public var recordedBy: PersonID
    /// When what it records happened, if earlier than the recording.
    public var occurredAt: Date?
    /// What it records.
    public var content: ChronologyContent
    /// Step codes this entry satisfies explicitly (for steps no other kind of entry satisfies).
    public var satisfies: [String]
    /// When the incident was reported (for figures of time to first action; `nil` in entries
    /// recorded before it was kept).
    public var incidentReportedAt: Date?
    /// Always 1 once stored: entries are never changed.
    public var revision: Int

    /// Creates an entry.
    public init(
        id: ChronologyEntryID = ChronologyEntryID(), incidentID: IncidentID, schoolID: SchoolID, sequence: Int = 1, restricted: Bool,
        recordedAt: Date,
        recordedBy: PersonID, occurredAt: Date? = nil, content: ChronologyContent, satisfies: [String] = [],
        incidentReportedAt: Date? = nil, revision: Int = 0
    ) {
        self.id = id
        self.incidentID = incidentID
        self.schoolIDValue = schoolID
        self.sequence = sequence
        self.restricted = restricted
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
        self.occurredAt = occurredAt
        self.content = content
        self.satisfies = satisfies
        self.incidentReportedAt = incidentReportedAt
        self.revision = revision
    }

    /// The school.
    public var schoolID: SchoolID? { schoolIDValue }

    /// When it happened: ``occurredAt`` or, failing that, when it was recorded.
    public var effectiveAt: Date { occurredAt ?? recordedAt }

    /// The kinds of entry that record an action taken on a report (not a note, a correction,
    /// facts, a closure or an attachment): what "time to first action" measures to.
    public static let actionKinds: [String] = [
        "action", "decision", "referral", "parentNotification", "riskAssessment", "imageViewing", "deviceCustody", "escalation",
    ]

    /// Whole minutes from the incident's report to what this entry records, for an action entry
    /// whose incident's report time is kept; never negative.
    public var responseMinutes: Int? {
        guard let incidentReportedAt, Self.actionKinds.contains(content.kind) else { return nil }
        return max(0, Int(effectiveAt.timeIntervalSince(incidentReportedAt) / 60))
    }

    /// Checks the content.
    public func validate() throws(SafetyError) {
        guard sequence >= 1 else { throw .invalid("entry.sequence", "entries are numbered from 1") }
        try content.validate()
    }
}
