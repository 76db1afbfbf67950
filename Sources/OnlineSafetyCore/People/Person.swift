import Foundation

/// Identifies a ``Person``.
public typealias PersonID = Identifier<Person>

/// What part a person plays in a school community.
public enum PersonKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A pupil or student.
    case learner
    /// A member of staff (teaching, support or technical).
    case staff
    /// A governor or trustee.
    case governor
    /// A parent or carer.
    case parentCarer
    /// A volunteer.
    case volunteer
    /// A visitor or community user.
    case visitor
    /// A contractor.
    case contractor

    /// Whether people of this kind sign in by email address: staff, governors and volunteers
    /// (``PeopleService/signInKinds``). Among them an address names one person.
    public var signsInByEmail: Bool {
        switch self {
        case .staff, .governor, .volunteer: true
        case .learner, .parentCarer, .visitor, .contractor: false
        }
    }
}

/// What the SDK records about a learner beyond their legal name: the names they are known by,
/// their UPN, date of birth, year and groups.
public struct LearnerDetails: Hashable, Sendable, Codable {
    /// The unique pupil number, validated by its check letter.
    public var upn: UPN
    /// Date of birth (retention of child protection files is counted from it).
    public var dateOfBirth: CalendarDate
    /// The national curriculum year group.
    public var ncYear: NCYear
    /// The registration group or class, for example "Oak".
    public var registrationGroup: String?
    /// Looked after by the local authority.
    public var lookedAfter: Bool
    /// Has special educational needs or disabilities.
    public var send: Bool
    /// English as an additional language.
    public var eal: Bool
    /// Groups beyond the registration group, as the source names them: OneRoster classes,
    /// Tapestry groups. They record membership only; what a teacher may read follows the
    /// registration group.
    public var groups: [String]
    /// The learner's key person in the early years, by name as the source gives it.
    public var keyPerson: String?
    /// The given name the learner is known by (a CTF's `PreferredForename`, an MIS's preferred
    /// first name or "known as"), when it is not their legal ``Person/givenName``; `nil` when
    /// they go by their legal given name. The legal name stays on ``Person/givenName``.
    public var preferredGivenName: String?
    /// The family name the learner is known by (a CTF's `PreferredSurname`), when it is not
    /// their legal ``Person/familyName``; `nil` when they go by their legal family name.
    public var preferredFamilyName: String?

    /// Creates learner details.
    public init(
        upn: UPN, dateOfBirth: CalendarDate, ncYear: NCYear, registrationGroup: String? = nil,
        lookedAfter: Bool = false, send: Bool = false, eal: Bool = false, groups: [String] = [], keyPerson: String? = nil,
        preferredGivenName: String? = nil, preferredFamilyName: String? = nil
    ) {
        self.upn = upn
        self.dateOfBirth = dateOfBirth
        self.ncYear = ncYear
        self.registrationGroup = registrationGroup
        self.lookedAfter = lookedAfter
        self.send = send
        self.eal = eal
        self.groups = groups
        self.keyPerson = keyPerson
        self.preferredGivenName = preferredGivenName
        self.preferredFamilyName = preferredFamilyName
    }

    private enum CodingKeys: String, CodingKey {
        case upn, dateOfBirth, ncYear, registrationGroup, lookedAfter, send, eal, groups, keyPerson, preferredGivenName,
            preferredFamilyName
    }

    /// Reads learner details; a record written before groups, key person and preferred names
    /// were kept reads with none. Throws `DecodingError` for a missing or malformed field.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        upn = try container.decode(UPN.self, forKey: .upn)
        dateOfBirth = try container.decode(CalendarDate.self, forKey: .dateOfBirth)
        ncYear = try container.decode(NCYear.self, forKey: .ncYear)
        registrationGroup = try container.decodeIfPresent(String.self, forKey: .registrationGroup)
        lookedAfter = try container.decode(Bool.self, forKey: .lookedAfter)
        send = try container.decode(Bool.self, forKey: .send)
        eal = try container.decode(Bool.self, forKey: .eal)
        groups = try container.decodeIfPresent([String].self, forKey: .groups) ?? []
        keyPerson = try container.decodeIfPresent(String.self, forKey: .keyPerson)
        preferredGivenName = try container.decodeIfPresent(String.self, forKey: .preferredGivenName)
        preferredFamilyName = try container.decodeIfPresent(String.self, forKey: .preferredFamilyName)
    }

    /// Writes learner details, leaving out groups when there are none and preferred names that
    /// are not held, so a record written before they were kept encodes to the same bytes (and
    /// keeps its integrity code).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(upn, forKey: .upn)
        try container.encode(dateOfBirth, forKey: .dateOfBirth)
        try container.encode(ncYear, forKey: .ncYear)
        try container.encodeIfPresent(registrationGroup, forKey: .registrationGroup)
        try container.encode(lookedAfter, forKey: .lookedAfter)
        try container.encode(send, forKey: .send)
        try container.encode(eal, forKey: .eal)
        if !groups.isEmpty { try container.encode(groups, forKey: .groups) }
        try container.encodeIfPresent(keyPerson, forKey: .keyPerson)
        try container.encodeIfPresent(preferredGivenName, forKey: .preferredGivenName)
        try container.encodeIfPresent(preferredFamilyName, forKey: .preferredFamilyName)
    }

    /// The key stage derived from the year group; `nil` outside year groups (`X`).
    public var keyStage: KeyStage? { ncYear.keyStage }
}

/// A person: learner, staff, governor, parent or carer, volunteer, visitor or contractor.
///
/// Every person belongs to exactly one organisation: a school, or (for trust-level staff such as
/// a trust's data manager) a trust. There is no person "at every school".
public struct Person: Aggregate {
    /// The person's identifier.
    public var id: PersonID
    /// The school or trust the person belongs to.
    public var tenancy: Tenancy
    /// What part they play.
    public var kind: PersonKind
    /// Legal given name: the name records and referrals (to social care, the police) use. A
    /// learner known by another given name has that one in
    /// ``LearnerDetails/preferredGivenName``; ``displayName`` is the name to show.
    public var givenName: String
    /// Legal family name. A learner known by another family name has that one in
    /// ``LearnerDetails/preferredFamilyName``.
    public var familyName: String
    /// Email address, when held.
    public var email: String?
    /// Telephone number, when held (contacts).
    public var phone: String?
    /// The identities the person has in the systems they were imported from (empty for people
    /// added by hand), so that a later import from any of them finds the same person.
    public var sources: [SourceRef]
    /// Job title, for staff.
    public var jobTitle: String?
    /// Learner details; present exactly when ``kind`` is `learner`.
    public var learner: LearnerDetails?
    /// The day the person left, if they have (leavers lose access; their history stays).
    public var leftOn: CalendarDate?
    /// The day someone last decided by hand whether and when the person leaves: a leaving
    /// recorded (``PeopleService/recordLeaver(_:on:)``) or corrected
    /// (``PeopleService/correctLeaving(_:to:reason:)``). An import's export taken on or before
    /// that day does not undo the decision: it neither makes the person a leaver nor restores
    /// them. `nil` when no one has; an import never sets it.
    public var leavingDecidedOn: CalendarDate?
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a person.
    public init(
        id: PersonID = PersonID(), tenancy: Tenancy, kind: PersonKind, givenName: String, familyName: String,
        email: String? = nil, phone: String? = nil, sources: [SourceRef] = [], jobTitle: String? = nil,
        learner: LearnerDetails? = nil, leftOn: CalendarDate? = nil, leavingDecidedOn: CalendarDate? = nil, revision: Int = 0
    ) {
        self.id = id
        self.tenancy = tenancy
        self.kind = kind
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
        self.phone = phone
        self.sources = sources
        self.jobTitle = jobTitle
        self.learner = learner
        self.leftOn = leftOn
        self.leavingDecidedOn = leavingDecidedOn
        self.revision = revision
    }

    private enum CodingKeys: String, CodingKey {
        case id, tenancy, schoolID, kind, givenName, familyName, email, phone, sources, jobTitle, learner, leftOn, leavingDecidedOn,
            revision
    }

    /// Decodes a person; a record written before tenancy was explicit names its school as
    /// `schoolID` and is read as belonging to that school.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(PersonID.self, forKey: .id)
        if let tenancy = try container.decodeIfPresent(Tenancy.self, forKey: .tenancy) {
            self.tenancy = tenancy
        } else if let schoolID = try container.decodeIfPresent(SchoolID.self, forKey: .schoolID) {
            tenancy = .school(schoolID)
        } else {
            throw DecodingError.keyNotFound(
                CodingKeys.tenancy, .init(codingPath: container.codingPath, debugDescription: "a person belongs to a school or a trust"))
        }
        kind = try container.decode(PersonKind.self, forKey: .kind)
        givenName = try container.decode(String.self, forKey: .givenName)
        familyName = try container.decode(String.self, forKey: .familyName)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        phone = try container.decodeIfPresent(String.self, forKey: .phone)
        sources = try container.decodeIfPresent([SourceRef].self, forKey: .sources) ?? []
        jobTitle = try container.decodeIfPresent(String.self, forKey: .jobTitle)
        learner = try container.decodeIfPresent(LearnerDetails.self, forKey: .learner)
        leftOn = try container.decodeIfPresent(CalendarDate.self, forKey: .leftOn)
        leavingDecidedOn = try container.decodeIfPresent(CalendarDate.self, forKey: .leavingDecidedOn)
        revision = try container.decode(Int.self, forKey: .revision)
    }

    /// Encodes a person.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(tenancy, forKey: .tenancy)
        try container.encode(kind, forKey: .kind)
        try container.encode(givenName, forKey: .givenName)
        try container.encode(familyName, forKey: .familyName)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(phone, forKey: .phone)
        if !sources.isEmpty { try container.encode(sources, forKey: .sources) }
        try container.encodeIfPresent(jobTitle, forKey: .jobTitle)
        try container.encodeIfPresent(learner, forKey: .learner)
        try container.encodeIfPresent(leftOn, forKey: .leftOn)
        try container.encodeIfPresent(leavingDecidedOn, forKey: .leavingDecidedOn)
        try container.encode(revision, forKey: .revision)
    }

    /// The school the person belongs to, or `nil` for a trust-level person.
    public var schoolID: SchoolID? { tenancy.schoolID }

    /// The trust a trust-level person belongs to, or `nil` for a person at a school.
    public var trustID: TrustID? { tenancy.trustID }

    /// The legal name, "Given Family": the name a record or a referral gives. Show staff
    /// ``displayName``, the name the person is known by.
    public var fullName: String { "\(givenName) \(familyName)" }

    /// The given name the person is known by: a learner's preferred given name
    /// (``LearnerDetails/preferredGivenName``), else the legal ``givenName``.
    public var knownAsGivenName: String { learner?.preferredGivenName ?? givenName }

    /// The family name the person is known by: a learner's preferred family name
    /// (``LearnerDetails/preferredFamilyName``), else the legal ``familyName``.
    public var knownAsFamilyName: String { learner?.preferredFamilyName ?? familyName }

    /// The name to show staff, "Given Family" as the person is known: ``knownAsGivenName`` and
    /// ``knownAsFamilyName``, each falling back to the legal name. The same as ``fullName`` for
    /// anyone without a preferred name (everyone but learners). The legal name stays in
    /// ``fullName`` for records and referrals.
    public var displayName: String { "\(knownAsGivenName) \(knownAsFamilyName)" }

    /// Whether the name the person is known by (``displayName``) is not their legal name
    /// (``fullName``).
    public var isKnownByAnotherName: Bool { displayName != fullName }

    /// Whether the person has left by the given day.
    public func hasLeft(by date: CalendarDate) -> Bool { leftOn.map { $0 <= date } ?? false }

    /// Checks names (a learner's preferred names, when held, are not blank) and that learner
    /// details go with learners only.
    public func validate() throws(SafetyError) { try validate(asOf: CalendarDate(Date())) }

    /// ``validate()`` judging dates against a given day, for a caller that checks many people
    /// on one day (an import) and reads the day once.
    public func validate(asOf today: CalendarDate) throws(SafetyError) {
        if givenName.isBlank {
            throw .invalid("person.givenName", "a person needs a given name")
        }
        if familyName.isBlank {
            throw .invalid("person.familyName", "a person needs a family name")
        }
        if kind == .learner && learner == nil { throw .invalid("person.learner", "a learner needs a UPN, date of birth and year group") }
        if kind != .learner && learner != nil { throw .invalid("person.learner", "only learners carry learner details") }
        if let learner {
            _ = try learner.dateOfBirth.checked("person.dateOfBirth", .dateOfBirth, asOf: today)
            if learner.groups.contains(where: \.isBlank) { throw .invalid("person.groups", "a group needs a name") }
            if learner.keyPerson?.isBlank == true { throw .invalid("person.keyPerson", "a key person needs a name") }
            if learner.preferredGivenName?.isBlank == true {
                throw .invalid("person.preferredGivenName", "a preferred given name cannot be blank: leave it out instead")
            }
            if learner.preferredFamilyName?.isBlank == true {
                throw .invalid("person.preferredFamilyName", "a preferred family name cannot be blank: leave it out instead")
            }
        }
        if let leftOn { _ = try leftOn.checked("person.leftOn", .record, asOf: today) }
        if let decided = leavingDecidedOn { _ = try decided.checked("person.leavingDecidedOn", .record, asOf: today) }
        if case .trust = tenancy, kind != .staff && kind != .governor {
            throw .invalid("person.tenancy", "only staff and trustees belong to a trust rather than a school")
        }
    }
}

/// The relationship of an adult to a learner.
public enum Relationship: String, Hashable, Sendable, Codable, CaseIterable {
    /// Mother.
    case mother
    /// Father.
    case father
    /// Parent (unspecified).
    case parent
    /// Step-parent.
    case stepParent
    /// Foster carer.
    case fosterCarer
    /// Carer.
    case carer
    /// Grandparent.
    case grandparent
    /// Other relative.
    case otherRelative
    /// Social worker.
    case socialWorker
    /// Other.
    case other
}

/// Identifies a ``ContactLink``.
public typealias ContactLinkID = Identifier<ContactLink>

/// A link from a learner to an adult contact, with parental responsibility and priority.
public struct ContactLink: Aggregate {
    /// The link's identifier.
    public var id: ContactLinkID
    /// The learner's school.
    public var schoolID: SchoolID?
    /// The learner.
    public var learnerID: PersonID
    /// The adult.
    public var adultID: PersonID
    /// How the adult is related to the learner.
    public var relationship: Relationship
    /// Whether the adult has parental responsibility (only they may consent or accept for the learner).
    public var parentalResponsibility: Bool
    /// Contact order: 1 is called first.
    public var priority: Int
    /// The optimistic-concurrency revision.
    public var revision: Int

    /// Creates a contact link.
    public init(
        id: ContactLinkID = ContactLinkID(), schoolID: SchoolID?, learnerID: PersonID, adultID: PersonID,
        relationship: Relationship, parentalResponsibility: Bool, priority: Int, revision: Int = 0
    ) {
        self.id = id
        self.schoolID = schoolID
        self.learnerID = learnerID
        self.adultID = adultID
        self.relationship = relationship
        self.parentalResponsibility = parentalResponsibility
        self.priority = priority
        self.revision = revision
    }

    /// Checks the priority and that a learner is not their own contact.
    public func validate() throws(SafetyError) {
        guard priority >= 1 else { throw .invalid("contact.priority", "contact priority starts at 1") }
        guard learnerID != adultID else { throw .invalid("contact.adultID", "a learner cannot be their own contact") }
    }
}
