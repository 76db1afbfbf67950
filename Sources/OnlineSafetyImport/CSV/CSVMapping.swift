import Foundation
public import OnlineSafetyCore

/// A field a column-mapped CSV file can carry, named as `--map Column=field` names it.
public enum RosterField: String, Hashable, Sendable, CaseIterable, Comparable {
    /// The record's id in the source (student, child, contact, relative or staff id).
    case sourceID
    /// The learner's unique pupil number (check letter verified).
    case upn
    /// Legal given name.
    case givenName
    /// Preferred given name. A learner's is kept beside their legal ``givenName`` as the name
    /// they are known by (a blank cell: none); a contact's or member of staff's is used instead
    /// of ``givenName`` when present.
    case preferredGivenName
    /// Legal family name.
    case familyName
    /// Preferred family name, read as ``preferredGivenName`` is.
    case preferredFamilyName
    /// Date of birth, in the mapping's ``DateFormat``.
    case dateOfBirth
    /// National curriculum year group (`R`, `1`..`14`, `N1`, `N2`, `X`).
    case ncYear
    /// Registration (tutor) group.
    case registrationGroup
    /// Other groups, split on the mapping's list separator.
    case groups
    /// The learner's key person (Tapestry).
    case keyPerson
    /// Looked after by a local authority (yes/no).
    case lookedAfter
    /// Special educational needs (yes/no).
    case send
    /// Email address.
    case email
    /// Telephone number.
    case phone
    /// Title (Mrs, Mr, Dr).
    case title
    /// On a contact row: the id of the learner (or learners, split on the list separator) the
    /// contact belongs to.
    case learnerSourceID
    /// How a contact is related to the learner.
    case relationship
    /// Whether a contact has parental responsibility (yes/no).
    case parentalResponsibility
    /// Contact order, 1 first.
    case priority
    /// Data processing consent granted (yes/no).
    case consent
    /// A member of staff's job title.
    case jobTitle
    /// Whether the record is current (`active`, `current`, blank → current; `inactive`, `left`,
    /// `leaver` → not current).
    case status

    /// Declaration order.
    public static func < (lhs: RosterField, rhs: RosterField) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How a source writes dates. Declared per source and never guessed: a date that is not a real
/// day in the declared order is rejected, never read the other way round.
public enum DateFormat: String, Hashable, Sendable, CaseIterable {
    /// `dd/MM/yyyy` (UK exports); day and month may have one digit.
    case dayMonthYear = "dd/MM/yyyy"
    /// `MM/dd/yyyy` (US exports); day and month may have one digit.
    case monthDayYear = "MM/dd/yyyy"
    /// `yyyy-MM-dd`.
    case iso = "yyyy-MM-dd"
}

/// How one source's CSV export maps to roster records: the header names (aliases) each field
/// may have, which fields are required, how dates are written, and the source's import rules.
///
/// Headers are matched ignoring case and white space; columns may come in any order and
/// columns no field names are ignored.
public struct CSVMapping: Hashable, Sendable {
    /// Rules a source's integrators apply when importing.
    public struct Rules: Hashable, Sendable {
        /// Rows whose ``RosterField/consent`` is not yes are skipped (`consent.notGranted`).
        public var requireConsent: Bool
        /// Contacts are kept only when mother, father or holding parental responsibility; others
        /// are skipped (`contact.notParentNoResponsibility`).
        public var parentsOrResponsibilityOnly: Bool
        /// A row without a valid email address is rejected (`email.required`).
        public var emailRequired: Bool
        /// What ``RosterField/groups`` and ``RosterField/learnerSourceID`` are split on.
        public var listSeparator: Character

        /// Creates rules; requires nothing and throws nothing.
        public init(
            requireConsent: Bool = false, parentsOrResponsibilityOnly: Bool = false, emailRequired: Bool = false,
            listSeparator: Character = ";"
        ) {
            self.requireConsent = requireConsent
            self.parentsOrResponsibilityOnly = parentsOrResponsibilityOnly
            self.emailRequired = emailRequired
            self.listSeparator = listSeparator
        }
    }

    /// The format's name, recorded as ``RosterFile/format`` (`bromcom-students`).
    public var name: String
    /// The source system, lower case, used in ``SourceRef/system`` and ``RosterSection/system``.
    public var system: String
    /// What the rows are.
    public var kind: RosterRecordKind
    /// The header names each field may have, tried in order.
    public var aliases: [RosterField: [String]]
    /// Fields whose column must be present (else the file is refused with `csv.missingColumn`).
    public var required: Set<RosterField>
    /// How dates are written.
    public var dateFormat: DateFormat
    /// The source's import rules.
    public var rules: Rules
    /// Columns the user named for fields in one file (a configuration's `map`): each field listed
    /// reads only that column, and a file without it is refused.
    public var overrides: [RosterField: String]
    /// Columns named for fields in every file at once (a tool's `--map`): each field listed reads
    /// that column in a file that has it, before ``overrides`` and aliases; a file without it reads
    /// the field as if it were not listed.
    public var preferredColumns: [RosterField: String] = [:]

    /// Creates a mapping.
    ///
    /// Requires nothing; a field both required and without aliases can never be found, so every
    /// file is refused with `csv.missingColumn`. Throws nothing.
    public init(
        name: String, system: String, kind: RosterRecordKind, aliases: [RosterField: [String]], required: Set<RosterField>,
        dateFormat: DateFormat, rules: Rules = Rules(), overrides: [RosterField: String] = [:]
    ) {
        self.name = name
        self.system = system.lowercased()
        self.kind = kind
        self.aliases = aliases
        self.required = required
        self.dateFormat = dateFormat
        self.rules = rules
        self.overrides = overrides
    }

    /// This mapping with the user's `--map Column=field` pairs: each key is a header as the file
    /// writes it, each value a ``RosterField`` raw value (any case).
    ///
    /// A field named reads only the column given, before any alias.
    /// - Throws: as ``fields(_:)``.
    public func overriding(_ map: [String: String]) throws(RosterProblem) -> CSVMapping {
        var copy = self
        copy.overrides.merge(try Self.fields(map)) { _, new in new }
        return copy
    }

    /// This mapping with a tool's `--map Column=field` pairs for every file: a field named reads
    /// the column given where the file has it (``preferredColumns``).
    /// - Throws: as ``overriding(_:)``.
    public func preferring(_ map: [String: String]) throws(RosterProblem) -> CSVMapping {
        var copy = self
        copy.preferredColumns.merge(try Self.fields(map)) { _, new in new }
        return copy
    }

    /// The fields `Column=field` pairs name, each to its column: each key is a header as the file
    /// writes it, each value a ``RosterField`` raw value (any case, surrounding spaces ignored).
    ///
    /// Requires nothing, and reads no file: a tool checks its `--map` with it before reading any.
    /// - Throws: `mapping.unknownField` (location `--map`, field the column) when a value names
    ///   no field; the reason lists the fields allowed. `mapping.duplicateField` when two columns
    ///   name the same field.
    public static func fields(_ map: [String: String]) throws(RosterProblem) -> [RosterField: String] {
        var named: [RosterField: String] = [:]
        for (column, fieldName) in map.sorted(by: { $0.key < $1.key }) {
            let wanted = fieldName.trimmingCharacters(in: .whitespaces).lowercased()
            guard let field = RosterField.allCases.first(where: { $0.rawValue.lowercased() == wanted }) else {
                throw .error(
                    "mapping.unknownField", at: FileLocation(file: "--map", line: 0, field: column),
                    "the field named for this column is not one of: "
                        + RosterField.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard named[field] == nil else {
                throw .error(
                    "mapping.duplicateField", at: FileLocation(file: "--map", line: 0, field: column),
                    "two columns are mapped to the field \(field.rawValue)")
            }
            named[field] = column.trimmingCharacters(in: .whitespaces)
        }
        return named
    }

    /// Bromcom-style student report: `Student ID`, `UPN`, legal and preferred names, `Date of
    /// Birth` as dd/MM/yyyy, `Year Group`, `Reg Group`, and `Data Processing Consent Granted`
    /// (rows without consent are skipped).
    public static let bromcomStudents = CSVMapping(
        name: "bromcom-students", system: "bromcom", kind: .learners,
        aliases: [
            .sourceID: ["Student ID", "StudentID", "Student Id", "Admission Number", "Adno", "ID"],
            .upn: ["UPN", "Unique Pupil Number"],
            .givenName: ["Legal First Name", "FirstName", "First Name", "Forename", "Legal Forename"],
            .preferredGivenName: ["Preferred First Name", "PreferredFirstName", "Preferred Forename", "Known As"],
            .familyName: ["Legal Last Name", "LastName", "Last Name", "Surname", "Legal Surname"],
            .preferredFamilyName: ["Preferred Last Name", "PreferredLastName", "Preferred Surname"],
            .dateOfBirth: ["Date of Birth", "DOB", "DateOfBirth", "Birth Date"],
            .ncYear: ["Year Group", "YearGroup", "Year", "NC Year", "National Curriculum Year"],
            .registrationGroup: ["Reg Group", "Registration Group", "Tutor Group", "Form", "Form Group", "Class"],
            .groups: ["Groups"],
            .lookedAfter: ["Looked After", "In Care", "CLA", "LAC"],
            .send: ["SEN", "SEND", "SEN Status"],
            .email: ["Email", "Email Address", "Student Email"],
            .consent: ["Data Processing Consent Granted", "Data Processing Consent", "Consent Granted"],
            .status: ["Status", "Enrolment Status"],
        ],
        required: [.sourceID, .givenName, .familyName, .consent], dateFormat: .dayMonthYear,
        rules: Rules(requireConsent: true))

    /// Bromcom-style contacts report: `Contact ID`/`Person ID`, `Student ID`, `Title`, names,
    /// `Relationship`, `Parental Responsibility`, `Priority`, `Email`, `Mobile`/`Phone`. Only
    /// mothers, fathers and contacts with parental responsibility are kept.
    public static let bromcomContacts = CSVMapping(
        name: "bromcom-contacts", system: "bromcom", kind: .contacts,
        aliases: [
            .sourceID: ["Contact ID", "ContactID", "Person ID", "PersonID"],
            .learnerSourceID: ["Student ID", "StudentID", "Student Id", "Pupil ID"],
            .title: ["Title"],
            .givenName: ["Legal First Name", "FirstName", "First Name", "Forename"],
            .preferredGivenName: ["Preferred First Name", "PreferredFirstName"],
            .familyName: ["Legal Last Name", "LastName", "Last Name", "Surname"],
            .preferredFamilyName: ["Preferred Last Name", "PreferredLastName"],
            .relationship: ["Relationship", "Relationship To Student", "Relation"],
            .parentalResponsibility: ["Parental Responsibility", "ParentalResponsibility", "Has Parental Responsibility"],
            .priority: ["Priority", "Contact Priority", "Order", "Contact Order"],
            .email: ["Email", "Email Address", "Priority Email", "Main Email"],
            .phone: ["Mobile", "Phone", "Mobile Phone", "Telephone", "Priority Phone", "Main Phone"],
            .consent: ["Data Processing Consent Granted", "Data Processing Consent", "Consent Granted"],
            .status: ["Status"],
        ],
        required: [.sourceID, .learnerSourceID, .givenName, .familyName, .relationship, .parentalResponsibility],
        dateFormat: .dayMonthYear, rules: Rules(requireConsent: true, parentsOrResponsibilityOnly: true))

    /// Tapestry-style children: `Child ID`, `First Name`, `Last Name` (legal names), `Preferred
    /// Name` (optional, the name the child is known by), `Date of Birth`, `UPN` (optional), `Key
    /// Person`, `Group(s)` split on `;`.
    public static let tapestryChildren = CSVMapping(
        name: "tapestry-children", system: "tapestry", kind: .learners,
        aliases: [
            .sourceID: ["Child ID", "ChildID", "Child Id", "ID"],
            .upn: ["UPN"],
            .givenName: ["First Name", "FirstName", "Forename"],
            .preferredGivenName: ["Preferred Name", "Known As"],
            .familyName: ["Last Name", "LastName", "Surname"],
            .dateOfBirth: ["Date of Birth", "DOB", "Birthday"],
            .ncYear: ["Year Group", "Year"],
            .registrationGroup: ["Class", "Room"],
            .keyPerson: ["Key Person", "KeyPerson", "Key Worker"],
            .groups: ["Group(s)", "Groups", "Group"],
            .status: ["Status"],
        ],
        required: [.sourceID, .givenName, .familyName], dateFormat: .dayMonthYear)

    /// Tapestry-style relatives: `Relative ID`, `First Name`, `Last Name`, `Email` (required: it
    /// is their login), `Phone number`, `Child ID` or `Children` (split on `;`, one contact per
    /// child), `Relationship`, `Parental Responsibility`.
    public static let tapestryRelatives = CSVMapping(
        name: "tapestry-relatives", system: "tapestry", kind: .contacts,
        aliases: [
            .sourceID: ["Relative ID", "RelativeID", "Relative Id", "ID"],
            .learnerSourceID: ["Child ID", "ChildID", "Children", "Child IDs", "Child"],
            .title: ["Title"],
            .givenName: ["First Name", "FirstName", "Forename"],
            .familyName: ["Last Name", "LastName", "Surname"],
            .email: ["Email", "Email Address", "Login"],
            .phone: ["Phone number", "Phone", "Mobile", "Telephone"],
            .relationship: ["Relationship", "Relation"],
            .parentalResponsibility: ["Parental Responsibility", "ParentalResponsibility"],
            .priority: ["Priority"],
            .status: ["Status"],
        ],
        required: [.sourceID, .learnerSourceID, .givenName, .familyName, .email], dateFormat: .dayMonthYear,
        rules: Rules(emailRequired: true))
}
