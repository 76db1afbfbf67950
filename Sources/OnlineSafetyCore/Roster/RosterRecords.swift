import Foundation

/// Where something came from in a source file: the file's name, a 1-based line, and where known
/// a 1-based column or the name of a field.
///
/// Locations name places, never values: they are safe to print, log and put in reports.
public struct FileLocation: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The file's name as the user gave it (for a file inside a ZIP, `archive.zip/users.csv`).
    public var file: String
    /// The 1-based line (0 when the problem is the whole file).
    public var line: Int
    /// The 1-based column, when known.
    public var column: Int?
    /// The field or element, when known (for example `DOB` or `users.csv:birthDate`).
    public var field: String?

    /// Creates a location.
    public init(file: String, line: Int, column: Int? = nil, field: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
    }

    /// The same place, naming a field.
    public func field(_ name: String) -> FileLocation {
        var copy = self
        copy.field = name
        return copy
    }

    /// `file:line[:column] [field]`, or `file [field]` for the whole file (line 0).
    public var description: String {
        var text = file
        if line > 0 {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        if let field { text += " [\(field)]" }
        return text
    }

    /// Orders by file, line, column, then field.
    public static func < (lhs: FileLocation, rhs: FileLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column ?? 0, lhs.field ?? "") < (rhs.file, rhs.line, rhs.column ?? 0, rhs.field ?? "")
    }
}

/// A problem found in source data: where, a stable code, and a reason that never quotes the data.
///
/// Readers report every problem they find; an `error` rejects the row it is on (or, thrown,
/// the whole file), a `warning` is reported and the row is kept.
public struct RosterProblem: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// How serious a problem is.
    public enum Severity: String, Hashable, Sendable, Codable {
        /// The row (or the file, when thrown) is rejected.
        case error
        /// Reported; the row is kept.
        case warning
        /// The row is left out on purpose, by a rule of the source's mapping (no data processing
        /// consent; a contact who is neither a parent nor holds parental responsibility).
        case skip
    }

    /// How serious the problem is.
    public var severity: Severity
    /// A stable, dotted code (for example `upn.checkLetter`, `date.impossible`, `xml.malformed`).
    public var code: String
    /// Where the problem is.
    public var location: FileLocation
    /// What is wrong, in words that never quote the value.
    public var reason: String
    /// The row's own id in its source, when the reader knows it: a contact of a learner whose
    /// row was rejected or skipped is then left out with that reason rather than as unknown.
    public var source: SourceRef?
    /// The row's UPN, when it has a valid one: a stored learner whose row was left out is then
    /// still known to be on the source's roll.
    public var upn: UPN?

    /// Creates a problem.
    public init(_ severity: Severity, _ code: String, at location: FileLocation, _ reason: String) {
        self.severity = severity
        self.code = code
        self.location = location
        self.reason = reason
    }

    /// An error at a location.
    public static func error(_ code: String, at location: FileLocation, _ reason: String) -> RosterProblem {
        RosterProblem(.error, code, at: location, reason)
    }

    /// A row left out on purpose, with why.
    public static func skip(_ code: String, at location: FileLocation, _ reason: String) -> RosterProblem {
        RosterProblem(.skip, code, at: location, reason)
    }

    /// A warning at a location.
    public static func warning(_ code: String, at location: FileLocation, _ reason: String) -> RosterProblem {
        RosterProblem(.warning, code, at: location, reason)
    }

    /// `file:line:column [field]: error code: reason` (`file: error code: reason` for the whole file).
    public var description: String { "\(location): \(severity.rawValue) \(code): \(reason)" }

    /// The row's own id and UPN are for matching only: they are never written out with the
    /// problem (a report, a log), since a source id can be a child's UPN.
    private enum CodingKeys: String, CodingKey {
        case severity, code, location, reason
    }
}

/// The identity a record has in the system it was imported from: the system (for example
/// `ctf`, `oneroster`, `bromcom`, `tapestry`) and the id that system gives it.
///
/// Every imported person keeps the references of each source that described them, so a later
/// import from any of those sources finds the same person.
public struct SourceRef: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The source system's name, lower case.
    public var system: String
    /// The record's id in that system.
    public var id: String

    /// Creates a reference.
    public init(system: String, id: String) {
        self.system = system.lowercased()
        self.id = id
    }

    /// Orders by system, then id.
    public static func < (lhs: SourceRef, rhs: SourceRef) -> Bool { (lhs.system, lhs.id) < (rhs.system, rhs.id) }

    /// `system` only: a source id can be a child's UPN, so it is not printed.
    public var description: String { "\(system) id" }
}

/// How much of a school's data a file covers.
public enum RosterCoverage: String, Hashable, Sendable, Codable, CaseIterable {
    /// Everyone currently on roll: someone no longer listed has left.
    case full
    /// Some people (a CTF of one class, an export of changes): nobody is made a leaver.
    case partial
    /// Changes since the last export (OneRoster `delta`): nobody is made a leaver.
    case delta
}

/// How a school is identified in a source: by URN where the source has it, else by DfE number
/// (LA code and establishment number), else by the source system's own id for it.
public struct RosterSchoolKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 6-digit unique reference number.
    public var urn: String?
    /// The LA code and establishment number.
    public var dfeNumber: DfENumber?
    /// The source's own id for the school (OneRoster `orgs.csv` sourcedId), when it has no URN.
    public var source: SourceRef?
    /// Other ids of the source that stand for the school when it has no URN or DfE number: the
    /// orgs its users belong to (a OneRoster department whose school is not in `orgs.csv`). A
    /// trust configuration may name the school by any of them.
    public var otherSources: [SourceRef]

    /// Creates a key; at least one part should be present.
    public init(urn: String? = nil, dfeNumber: DfENumber? = nil, source: SourceRef? = nil, otherSources: [SourceRef] = []) {
        self.urn = urn
        self.dfeNumber = dfeNumber
        self.source = source
        self.otherSources = otherSources
    }

    /// `URN 118377`, `DfE 886/2074`, `oneroster id org-a`, or `oneroster id org-a (or org-a-history)`.
    public var description: String {
        if let urn { return "URN \(urn)" }
        if let dfeNumber { return "DfE \(dfeNumber)" }
        guard let source else { return "no URN, DfE number or id" }
        let others = otherSources.map(\.id)
        return "\(source.system) id \(source.id)" + (others.isEmpty ? "" : " (or \(others.joined(separator: ", ")))")
    }
}

/// Whether a source lists a person as current.
public enum RosterStatus: String, Hashable, Sendable, Codable {
    /// On roll (OneRoster `active` or blank).
    case active
    /// Listed but not current (OneRoster `inactive` or `tobedeleted`): treated as not listed.
    case inactive
}

/// A learner as a source describes them, already parsed and normalised by a reader.
public struct RosterLearner: Hashable, Sendable {
    /// Where the learner's record starts.
    public var location: FileLocation
    /// The learner's id in the source (for a CTF, which has no other id, the UPN).
    public var source: SourceRef
    /// The UPN, check letter verified by the reader; `nil` when the source has none.
    public var upn: UPN?
    /// Legal given name (a CTF's `Forename`, a legal first name column).
    public var givenName: String
    /// Legal family name (a CTF's `Surname`).
    public var familyName: String
    /// The given name the learner is known by (a CTF's `PreferredForename`, a preferred first
    /// name column): `nil` when the source says nothing of it (OneRoster 1.1, a CSV without the
    /// column), so a stored one stays; empty when the source carries it and the learner has
    /// none, so a stored one is cleared. One the same as ``givenName`` is stored as none.
    public var preferredGivenName: String?
    /// The family name the learner is known by (a CTF's `PreferredSurname`, a preferred last
    /// name column), read as ``preferredGivenName`` is.
    public var preferredFamilyName: String?
    /// Date of birth, when the source has it.
    public var dateOfBirth: CalendarDate?
    /// National curriculum year group, when the source has it.
    public var ncYear: NCYear?
    /// Registration (tutor) group or class.
    public var registrationGroup: String?
    /// Other groups the learner is in (Tapestry groups, OneRoster classes): `nil` when the source
    /// says nothing of them (a CTF, a CSV without the column, a delta), so the stored groups stay;
    /// an empty list when the source lists them and the learner is in none, so they are cleared.
    public var groups: [String]?
    /// The learner's key person (Tapestry), by name as the source gives it.
    public var keyPerson: String?
    /// Looked after by a local authority, when the source says.
    public var lookedAfter: Bool?
    /// Has special educational needs, when the source says.
    public var send: Bool?
    /// Email address, when held.
    public var email: String?
    /// Whether the source lists the learner as current.
    public var status: RosterStatus

    /// Creates a learner row.
    public init(
        location: FileLocation, source: SourceRef, upn: UPN?, givenName: String, familyName: String,
        preferredGivenName: String? = nil, preferredFamilyName: String? = nil, dateOfBirth: CalendarDate? = nil, ncYear: NCYear? = nil,
        registrationGroup: String? = nil, groups: [String]? = nil,
        keyPerson: String? = nil, lookedAfter: Bool? = nil, send: Bool? = nil, email: String? = nil,
        status: RosterStatus = .active
    ) {
        self.location = location
        self.source = source
        self.upn = upn
        self.givenName = givenName
        self.familyName = familyName
        self.preferredGivenName = preferredGivenName
        self.preferredFamilyName = preferredFamilyName
        self.dateOfBirth = dateOfBirth
        self.ncYear = ncYear
        self.registrationGroup = registrationGroup
        self.groups = groups
        self.keyPerson = keyPerson
        self.lookedAfter = lookedAfter
        self.send = send
        self.email = email
        self.status = status
    }
}

/// An adult contact of one learner, as a source describes them.
///
/// A source that lists a parent under each of their children (a CTF, a Bromcom contacts report)
/// gives one row per child; the sync matches the rows to one person.
public struct RosterContact: Hashable, Sendable {
    /// Where the contact's record starts.
    public var location: FileLocation
    /// The contact's id in the source, when it has one (a CTF has none).
    public var source: SourceRef?
    /// The learner this contact is for, by the learner's ``RosterLearner/source``.
    public var learner: SourceRef
    /// Title (Mrs, Mr, Dr), when given.
    public var title: String?
    /// Given name.
    public var givenName: String
    /// Family name.
    public var familyName: String
    /// How they are related to the learner.
    public var relationship: Relationship
    /// Whether they have parental responsibility.
    public var parentalResponsibility: Bool
    /// Contact order: 1 is called first; `nil` when the source gives none, which keeps a stored
    /// link's order and puts a new link after the learner's other contacts.
    public var priority: Int?
    /// Email address, when held.
    public var email: String?
    /// Telephone number, when held.
    public var phone: String?
    /// Whether the source lists the contact as current.
    public var status: RosterStatus

    /// Creates a contact row.
    public init(
        location: FileLocation, source: SourceRef?, learner: SourceRef, title: String? = nil, givenName: String,
        familyName: String, relationship: Relationship, parentalResponsibility: Bool, priority: Int?,
        email: String? = nil, phone: String? = nil, status: RosterStatus = .active
    ) {
        self.location = location
        self.source = source
        self.learner = learner
        self.title = title
        self.givenName = givenName
        self.familyName = familyName
        self.relationship = relationship
        self.parentalResponsibility = parentalResponsibility
        self.priority = priority
        self.email = email
        self.phone = phone
        self.status = status
    }
}

/// A member of staff as a source describes them. Staff are matched by email address.
public struct RosterStaff: Hashable, Sendable {
    /// Where the record starts.
    public var location: FileLocation
    /// The member of staff's id in the source.
    public var source: SourceRef
    /// Given name.
    public var givenName: String
    /// Family name.
    public var familyName: String
    /// Email address (required: staff are matched by it).
    public var email: String
    /// Job title, when given.
    public var jobTitle: String?
    /// The groups (classes) they teach, by the name learners' groups use.
    public var teachingGroups: [String]
    /// Whether the source lists them as current.
    public var status: RosterStatus

    /// Creates a staff row.
    public init(
        location: FileLocation, source: SourceRef, givenName: String, familyName: String, email: String,
        jobTitle: String? = nil, teachingGroups: [String] = [], status: RosterStatus = .active
    ) {
        self.location = location
        self.source = source
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
        self.jobTitle = jobTitle
        self.teachingGroups = teachingGroups
        self.status = status
    }
}

/// What kinds of record a section describes: a Bromcom contacts report describes contacts only,
/// so even as a full export it makes no learner a leaver.
public enum RosterRecordKind: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Learners.
    case learners
    /// Contacts of learners.
    case contacts
    /// Staff.
    case staff

    /// Declaration order.
    public static func < (lhs: RosterRecordKind, rhs: RosterRecordKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One school's data from one source file (or one OneRoster set).
public struct RosterSection: Hashable, Sendable {
    /// The file (or set) it came from, as in ``RosterFile/name``.
    public var file: String
    /// The source system (`ctf`, `oneroster`, `bromcom`, `tapestry`, or a mapping's name).
    public var system: String
    /// Which school.
    public var school: RosterSchoolKey
    /// The school's name as the source gives it.
    public var schoolName: String?
    /// How much of the school it covers.
    public var coverage: RosterCoverage
    /// Which kinds of record it describes (and so, for a full export, which can make leavers).
    public var kinds: Set<RosterRecordKind>
    /// The day the data was exported: leavers leave from this day.
    public var exportedOn: CalendarDate
    /// Learners.
    public var learners: [RosterLearner]
    /// Contacts of learners.
    public var contacts: [RosterContact]
    /// Staff.
    public var staff: [RosterStaff]

    /// Creates a section.
    public init(
        file: String, system: String, school: RosterSchoolKey, schoolName: String? = nil, coverage: RosterCoverage,
        kinds: Set<RosterRecordKind>, exportedOn: CalendarDate, learners: [RosterLearner] = [],
        contacts: [RosterContact] = [], staff: [RosterStaff] = []
    ) {
        self.file = file
        self.system = system.lowercased()
        self.school = school
        self.schoolName = schoolName
        self.coverage = coverage
        self.kinds = kinds
        self.exportedOn = exportedOn
        self.learners = learners
        self.contacts = contacts
        self.staff = staff
    }
}

/// A file an import read: its name, format, SHA-256 and how many rows (or records) it held.
public struct RosterFile: Hashable, Sendable, Codable {
    /// The file's name as the user gave it.
    public var name: String
    /// The format (`ctf`, `oneroster-1.1`, `bromcom-students`, ...).
    public var format: String
    /// The SHA-256 of its bytes, lower-case hex.
    public var sha256: String
    /// How many data rows or records it held.
    public var rows: Int

    /// Creates a file description.
    public init(name: String, format: String, sha256: String, rows: Int) {
        self.name = name
        self.format = format
        self.sha256 = sha256
        self.rows = rows
    }
}

/// What readers produced from a set of files: the sections to sync, the files read, and the
/// problems found (rows with an error are already left out of the sections).
public struct RosterBatch: Hashable, Sendable {
    /// The files read.
    public var files: [RosterFile]
    /// One school's data per file.
    public var sections: [RosterSection]
    /// Problems the readers found; each error is reported as a rejection, each skip as a skip.
    public var problems: [RosterProblem]

    /// Creates a batch.
    public init(files: [RosterFile] = [], sections: [RosterSection] = [], problems: [RosterProblem] = []) {
        self.files = files
        self.sections = sections
        self.problems = problems
    }

    /// Adds another reader's output.
    public mutating func merge(_ other: RosterBatch) {
        files += other.files
        sections += other.sections
        problems += other.problems
    }
}
