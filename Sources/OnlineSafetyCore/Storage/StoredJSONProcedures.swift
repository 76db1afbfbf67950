import Foundation

// Procedure statuses are read many hundreds at a time for the dashboard's lists and the pages of
// overdue steps, and each holds several steps: `JSONDecoder` spent most of such a read in its
// generic containers.

extension StoredJSONCursor {
    /// An instant as `JSONDecoder`'s default strategy reads it: seconds since the reference date.
    mutating func date() -> Date? { double().map { Date(timeIntervalSinceReferenceDate: $0) } }

    /// An array of strings.
    mutating func strings() -> [String]? { array { $0.string() } }

    /// A value with a single payload as its coding writes it: `{"_0":…}`.
    mutating func payload<T>(_ read: (inout StoredJSONCursor) -> T?) -> T? {
        var value: T?
        guard object(["_0"], { _, cursor in cursor.read(into: &value, read) }) else { return nil }
        return value
    }

    /// Who carries out a step: `{"name":…,"role":…}`.
    mutating func responsible() -> Responsible? {
        var role: Role?
        var name: String?
        let read = object(["role", "name"]) { index, cursor in
            index == 0
                ? cursor.read(into: &role) { $0.string().flatMap(Role.init(rawValue:)) } : cursor.read(into: &name) { $0.string() }
        }
        guard read, let role else { return nil }
        return Responsible(role: role, name: name)
    }

    /// An agency with its numbers.
    mutating func agency() -> Agency? {
        var fields: [String?] = Array(repeating: nil, count: 5)
        let read = object(["name", "area", "phone", "email", "website"]) { index, cursor in
            cursor.read(into: &fields[index]) { $0.string() }
        }
        guard read, let name = fields[0] else { return nil }
        return Agency(name: name, area: fields[1], phone: fields[2], email: fields[3], website: fields[4])
    }

    /// What satisfies a step, as its coding writes each case: `{"referral":{"_0":[…]}}`, `{"debrief":{}}`.
    mutating func stepEvidence() -> StepEvidence? {
        var evidence: StepEvidence?
        let names: [StaticString] = [
            "referral", "parentNotification", "riskAssessment", "deviceCustody", "escalation", "debrief", "decision", "explicit",
        ]
        let read = object(names) { index, cursor in
            guard evidence == nil else { return false }
            switch index {
            case 0:
                evidence = cursor.payload { $0.array { $0.string().flatMap(ReferralAgency.init(rawValue:)) } }.map { .referral($0) }
            case 1: evidence = cursor.payload { $0.uuid() }.map { .parentNotification(PersonID($0)) }
            case 3:
                evidence = cursor.payload { $0.array { $0.string().flatMap(DeviceStatus.init(rawValue:)) } }.map { .deviceCustody($0) }
            case 4:
                evidence = cursor.payload { $0.array { $0.string().flatMap(EscalationTarget.init(rawValue:)) } }.map { .escalation($0) }
            case 2: evidence = cursor.emptyObject() ? .riskAssessment : nil
            case 5: evidence = cursor.emptyObject() ? .debrief : nil
            case 6: evidence = cursor.emptyObject() ? .decision : nil
            default: evidence = cursor.emptyObject() ? .explicit : nil
            }
            return evidence != nil
        }
        return read ? evidence : nil
    }

    /// Where a step comes from.
    mutating func stepSource() -> StepSource? {
        var fields: [String?] = Array(repeating: nil, count: 4)
        let read = object(["policy", "version", "section", "heading"]) { index, cursor in
            cursor.read(into: &fields[index]) { $0.string() }
        }
        guard read, let policy = fields[0], let version = fields[1], let heading = fields[3] else { return nil }
        return StepSource(policy: policy, version: version, section: fields[2], heading: heading)
    }

    /// One step of a procedure.
    mutating func procedureStep() -> ProcedureStep? {
        var code: String?
        var title: String?
        var responsible: Responsible?
        var contacts: [Agency]?
        var rule: String?
        var requiredFrom: Date?
        var due: Date?
        var evidence: StepEvidence?
        var satisfiedBy: UUID?
        var satisfiedAt: Date?
        var source: StepSource?
        var awaiting: [String]?
        let read = object(ProcedureStep.storedKeys) { index, cursor in
            switch index {
            case 0: cursor.read(into: &code) { $0.string() }
            case 1: cursor.read(into: &title) { $0.string() }
            case 2: cursor.read(into: &responsible) { $0.responsible() }
            case 3: cursor.read(into: &contacts) { $0.array { $0.agency() } }
            case 4: cursor.read(into: &rule) { $0.string() }
            case 5: cursor.read(into: &requiredFrom) { $0.date() }
            case 6: cursor.read(into: &due) { $0.date() }
            case 7: cursor.read(into: &evidence) { $0.stepEvidence() }
            case 8: cursor.read(into: &satisfiedBy) { $0.uuid() }
            case 9: cursor.read(into: &satisfiedAt) { $0.date() }
            case 10: cursor.read(into: &source) { $0.stepSource() }
            default: cursor.read(into: &awaiting) { $0.strings() }
            }
        }
        guard read, let code, let title, let responsible, let contacts, let rule, let requiredFrom, let evidence else { return nil }
        return ProcedureStep(
            code: code, title: title, responsible: responsible, contacts: contacts, rule: rule, requiredFrom: requiredFrom, due: due,
            evidence: evidence, satisfiedBy: satisfiedBy.map(ChronologyEntryID.init), satisfiedAt: satisfiedAt, source: source,
            awaiting: awaiting)
    }
}

extension ProcedureStep {
    fileprivate static let storedKeys: [StaticString] = [
        "code", "title", "responsible", "contacts", "rule", "requiredFrom", "due", "evidence", "satisfiedBy", "satisfiedAt", "source",
        "awaiting",
    ]
}

@_spi(StorageBackend)
extension ProcedureStatus: StoredJSONReadable {
    private static let storedKeys: [StaticString] = [
        "id", "incidentID", "schoolIDValue", "restricted", "categoryCode", "steps", "policyID", "policyVersion", "revision",
    ]

    /// Reads a stored procedure status from its JSON (instants as seconds since the reference
    /// date, as `JSONDecoder`'s default strategy reads them), as ``StoredJSONReadable`` describes.
    public static func readStoredJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> ProcedureStatus? {
        var cursor = StoredJSONCursor(bytes)
        var id: UUID?
        var incidentID: UUID?
        var schoolID: UUID?
        var restricted: Bool?
        var categoryCode: String?
        var steps: [ProcedureStep]?
        var policyID: UUID?
        var policyVersion: String?
        var revision: Int?
        let read = cursor.object(storedKeys) { index, cursor in
            switch index {
            case 0: cursor.read(into: &id) { $0.uuid() }
            case 1: cursor.read(into: &incidentID) { $0.uuid() }
            case 2: cursor.read(into: &schoolID) { $0.uuid() }
            case 3: cursor.read(into: &restricted) { $0.bool() }
            case 4: cursor.read(into: &categoryCode) { $0.string() }
            case 5: cursor.read(into: &steps) { $0.array { $0.procedureStep() } }
            case 6: cursor.read(into: &policyID) { $0.uuid() }
            case 7: cursor.read(into: &policyVersion) { $0.string() }
            default: cursor.read(into: &revision) { $0.int() }
            }
        }
        guard read, cursor.atEnd(), let id, let incidentID, let schoolID, let restricted, let categoryCode, let steps, let revision
        else { return nil }
        return ProcedureStatus(
            id: ProcedureStatusID(id), incidentID: IncidentID(incidentID), schoolID: SchoolID(schoolID), restricted: restricted,
            categoryCode: categoryCode, steps: steps, policyID: policyID.map(AdoptedPolicyID.init), policyVersion: policyVersion,
            revision: revision)
    }
}

extension ProcedureStatus {
    /// A status from its stored parts, as decoding gives it.
    init(
        id: ProcedureStatusID, incidentID: IncidentID, schoolID: SchoolID, restricted: Bool, categoryCode: String,
        steps: [ProcedureStep], policyID: AdoptedPolicyID?, policyVersion: String?, revision: Int
    ) {
        self.id = id
        self.incidentID = incidentID
        self.schoolIDValue = schoolID
        self.restricted = restricted
        self.categoryCode = categoryCode
        self.steps = steps
        self.policyID = policyID
        self.policyVersion = policyVersion
        self.revision = revision
    }
}
