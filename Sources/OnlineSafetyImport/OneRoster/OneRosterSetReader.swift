import Foundation
import OnlineSafetyCore

/// The work of reading one OneRoster set: manifest, orgs, users, demographics, classes and
/// enrolments, then the sections.
struct OneRosterSetReader {
    /// How the manifest declares a file.
    enum Mode: String {
        case bulk
        case delta
        case absent
    }

    /// What a user is, by role.
    enum Kind: Equatable {
        case student
        case staff(String)
        case contact(Relationship, parentalResponsibility: Bool)
    }

    /// An org from `orgs.csv`.
    struct Org {
        var name: String?
        var type: String
        var identifier: String?
        var parent: String?
    }

    /// A user row that passed its checks.
    struct User {
        var id: String
        var location: FileLocation
        var agentsLocation: FileLocation
        var kind: Kind
        var status: RosterStatus
        var orgs: [String]
        var givenName: String
        var familyName: String
        var email: String?
        var phone: String?
        var upn: UPN?
        var ncYear: NCYear?
        var agents: [String]
        var dateOfBirth: CalendarDate?
        var registrationGroup: String?
        var groups: [String] = []
    }

    let source: OneRosterSource
    let today: CalendarDate
    var problems: [RosterProblem] = []
    var latest: CalendarDate?
    var modes: [String: Mode] = [:]
    var orgs: [String: Org] = [:]
    var orgOrder: [String] = []
    var users: [User] = []
    var userIndex: [String: Int] = [:]
    var rejectedUsers: Set<String> = []
    var usersRows = 0
    var groupsListed = false

    init(source: OneRosterSource, today: CalendarDate) {
        self.source = source
        self.today = today
    }

    private var system: String { OneRosterReader.system }

    // MARK: - The set

    mutating func read(exportedOn: CalendarDate?) throws(RosterProblem) -> RosterBatch {
        if let roles = source.files["roles.csv"] {
            throw .error(
                "oneroster.unsupportedVersion", at: FileLocation(file: roles.location, line: 0),
                "the set has a roles.csv, as OneRoster 1.2 sets do; only OneRoster 1.1 is read")
        }
        try readManifest()
        let usersTable = try table("users.csv", required: true)
        let orgsTable = try table("orgs.csv", required: true)
        if let usersTable {
            for column in ["role", "orgSourcedIds"] where usersTable.column([column]) == nil {
                throw .error(
                    "oneroster.unsupportedVersion", at: FileLocation(file: usersTable.file, line: 1, field: column),
                    "users.csv has no \(column) column, as in OneRoster 1.2; only OneRoster 1.1 is read")
            }
        }
        if let orgsTable { try readOrgs(orgsTable) }
        if let usersTable { try readUsers(usersTable) }
        if let demographics = try table("demographics.csv", required: false) { try readDemographics(demographics) }
        var classes: [String: (title: String, homeroom: Bool)] = [:]
        var ignoredClasses: Set<String> = []
        if let classesTable = try table("classes.csv", required: false) {
            try readClasses(classesTable, into: &classes, ignored: &ignoredClasses)
        }
        var teaching: [String: [String]] = [:]
        if let enrollments = try table("enrollments.csv", required: false) {
            try readEnrollments(enrollments, classes: classes, ignoredClasses: ignoredClasses, teaching: &teaching)
        }
        // A bulk set's classes and enrolments list every learner's groups, so a learner enrolled in
        // none has none; a delta's list only what changed.
        groupsListed = ["classes.csv", "enrollments.csv"].allSatisfy { modes[$0] == .bulk && source.files[$0] != nil }
        let exported = exportedOn ?? latest ?? today
        let sections = buildSections(exportedOn: exported, teaching: teaching)
        let file = RosterFile(name: source.name, format: OneRosterReader.format, sha256: source.sha256, rows: usersRows)
        return RosterBatch(files: [file], sections: sections, problems: problems)
    }

    /// The manifest's file modes and version checks.
    mutating func readManifest() throws(RosterProblem) {
        guard let manifest = source.files["manifest.csv"] else {
            problems.append(
                .warning(
                    "oneroster.noManifest", at: FileLocation(file: source.name, line: 0),
                    "the set has no manifest.csv; the files present are read as bulk"))
            for name in source.files.keys { modes[name] = .bulk }
            return
        }
        let table = try CSVTable.parse(manifest.data, file: manifest.location)
        problems += table.problems
        let nameColumn = try column(table, "propertyName")
        let valueColumn = try column(table, "value")
        var versionSeen = false
        for row in table.rows {
            let property = row[nameColumn].trimmedWhitespace()
            let value = row[valueColumn].trimmedWhitespace()
            let location = table.location(row, valueColumn)
            let key = property.lowercased()
            if key == "oneroster.version" || key == "manifest.version" {
                if key == "oneroster.version" { versionSeen = true }
                let accepted = key == "oneroster.version" ? ["1.1"] : ["1.0", "1.1"]
                guard accepted.contains(where: { value == $0 || value.hasPrefix($0 + ".") }) else {
                    throw .error(
                        "oneroster.unsupportedVersion", at: location,
                        "the manifest declares a version other than OneRoster 1.1; only OneRoster 1.1 is read")
                }
            } else if key.hasPrefix("file.") {
                guard let mode = Mode(rawValue: value.lowercased()) else {
                    throw .error("oneroster.manifestValue", at: location, "a file's mode is not bulk, delta or absent")
                }
                modes[String(key.dropFirst(5)) + ".csv"] = mode
            }
        }
        if !versionSeen {
            problems.append(
                .warning(
                    "oneroster.noVersion", at: FileLocation(file: manifest.location, line: 0),
                    "the manifest does not declare oneroster.version; the set is read as OneRoster 1.1"))
        }
        for name in source.files.keys where modes[name] == nil && name != "manifest.csv" { modes[name] = .bulk }
    }

    /// The parsed file, or `nil` when it is absent; throws when a required file is declared
    /// but missing.
    mutating func table(_ name: String, required: Bool) throws(RosterProblem) -> CSVTable? {
        let mode = modes[name] ?? .absent
        let file = source.files[name]
        if mode == .absent {
            if let file {
                problems.append(
                    .warning(
                        "oneroster.fileIgnored", at: FileLocation(file: file.location, line: 0),
                        "the manifest declares this file absent, so it is not read"))
            }
            return nil
        }
        guard let file else {
            let location = FileLocation(file: "\(source.name)/\(name)", line: 0)
            let reason = "the manifest declares this file but the set does not hold it"
            if required { throw .error("oneroster.missingFile", at: location, reason) }
            problems.append(.warning("oneroster.missingFile", at: location, reason))
            return nil
        }
        let table = try CSVTable.parse(file.data, file: file.location)
        problems += table.problems + table.fieldCountProblems()
        return table
    }

    func column(_ table: CSVTable, _ name: String) throws(RosterProblem) -> Int {
        guard let index = table.column([name]) else {
            throw .error(
                "csv.missingColumn", at: FileLocation(file: table.file, line: 1, field: name),
                "the file has no \(name) column, which the reader needs")
        }
        return index
    }

    // MARK: - Common fields

    func status(_ text: String, _ location: FileLocation, problems: inout [RosterProblem]) -> RosterStatus {
        switch text.trimmedWhitespace().lowercased() {
        case "", "active": return .active
        case "inactive", "tobedeleted": return .inactive
        default:
            problems.append(.warning("status.unknown", at: location, "the status is not active, inactive or tobedeleted; read as active"))
            return .active
        }
    }

    /// Notes a `dateLastModified`, with or without a time part.
    mutating func modified(_ text: String, _ location: FileLocation) {
        guard FieldParsing.text(text) != nil else { return }
        switch FieldParsing.isoDate(text) {
        case .date(let date):
            if latest.map({ date > $0 }) ?? true { latest = date }
        case .badFormat, .impossible:
            problems.append(.warning("date.format", at: location, "dateLastModified is not a date written yyyy-MM-dd; it is ignored"))
        }
    }

    static func values(_ text: String) -> [String] { FieldParsing.list(text, separator: ",") }

    func isSkipped(_ status: String) -> Bool {
        ["tobedeleted", "inactive"].contains(status.trimmedWhitespace().lowercased())
    }

    // MARK: - orgs.csv

    mutating func readOrgs(_ table: CSVTable) throws(RosterProblem) {
        let idColumn = try column(table, "sourcedId")
        let typeColumn = try column(table, "type")
        let nameColumn = table.column(["name"])
        let identifierColumn = table.column(["identifier"])
        let parentColumn = table.column(["parentSourcedId"])
        let modifiedColumn = table.column(["dateLastModified"])
        for row in table.rows {
            modified(row[modifiedColumn], table.location(row, modifiedColumn))
            guard let id = FieldParsing.text(row[idColumn]) else {
                problems.append(.error("oneroster.sourcedIdRequired", at: table.location(row, idColumn), "the org has no sourcedId"))
                continue
            }
            guard orgs[id] == nil else {
                problems.append(.error("id.duplicate", at: table.location(row, idColumn), "an earlier org has the same sourcedId"))
                continue
            }
            orgs[id] = Org(
                name: FieldParsing.text(row[nameColumn]), type: row[typeColumn].trimmedWhitespace().lowercased(),
                identifier: FieldParsing.text(row[identifierColumn]), parent: FieldParsing.text(row[parentColumn]))
            orgOrder.append(id)
        }
    }

    /// The key of a school org: URN for a 6-digit identifier, DfE number for 7 digits or
    /// LLL/EEEE, else the org's sourcedId.
    func schoolKey(_ id: String) -> RosterSchoolKey {
        if let identifier = orgs[id]?.identifier {
            if identifier.count == 6, identifier.allSatisfy(FieldParsing.isDigit) { return RosterSchoolKey(urn: identifier) }
            if let number = try? DfENumber(identifier) { return RosterSchoolKey(dfeNumber: number) }
        }
        return RosterSchoolKey(source: SourceRef(system: system, id: id))
    }

    /// The school (org id) a user's org belongs to, and a warning when it had to be assumed.
    func school(of orgID: String) -> (String, RosterProblem.Severity?)? {
        guard orgs[orgID] != nil else { return (orgID, .warning) }
        var current = orgID
        var visited: Set<String> = []
        while let org = orgs[current], !visited.contains(current) {
            visited.insert(current)
            if org.type == "school" { return (current, nil) }
            if ["district", "local", "state", "national"].contains(org.type) { return nil }
            guard let parent = org.parent else { return (current, .warning) }
            guard orgs[parent] != nil else { return (parent, .warning) }
            current = parent
        }
        return nil
    }

    // MARK: - users.csv

    mutating func readUsers(_ table: CSVTable) throws(RosterProblem) {
        let c = UserColumns(
            id: try column(table, "sourcedId"), role: try column(table, "role"), orgs: try column(table, "orgSourcedIds"),
            given: try column(table, "givenName"), family: try column(table, "familyName"), table: table)
        usersRows = table.rows.count
        for row in table.rows {
            modified(row[c.modified], table.location(row, c.modified))
            var rowProblems: [RosterProblem] = []
            let user = readUser(row, table, c, &rowProblems)
            let source = FieldParsing.text(row[c.id]).map { SourceRef(system: OneRosterReader.system, id: $0) }
            let upn = c.identifier.flatMap { FieldParsing.text(row[$0]) }.flatMap { try? UPN($0) }
            problems += rowProblems.map { problem in
                var located = problem
                located.source = source
                located.upn = upn
                return located
            }
            if let user, !rowProblems.contains(where: { $0.severity == .error }) {
                userIndex[user.id] = users.count
                users.append(user)
            } else if let id = FieldParsing.text(row[c.id]) {
                rejectedUsers.insert(id)
            }
        }
    }

    struct UserColumns {
        var id: Int
        var role: Int
        var orgs: Int
        var given: Int
        var family: Int
        var status: Int?
        var modified: Int?
        var enabled: Int?
        var userIds: Int?
        var identifier: Int?
        var email: Int?
        var sms: Int?
        var phone: Int?
        var agents: Int?
        var grades: Int?

        init(id: Int, role: Int, orgs: Int, given: Int, family: Int, table: CSVTable) {
            (self.id, self.role, self.orgs, self.given, self.family) = (id, role, orgs, given, family)
            status = table.column(["status"])
            modified = table.column(["dateLastModified"])
            enabled = table.column(["enabledUser"])
            userIds = table.column(["userIds"])
            identifier = table.column(["identifier"])
            email = table.column(["email"])
            sms = table.column(["sms"])
            phone = table.column(["phone"])
            agents = table.column(["agentSourcedIds"])
            grades = table.column(["grades"])
        }
    }

    func readUser(_ row: CSVTable.Row, _ table: CSVTable, _ c: UserColumns, _ rowProblems: inout [RosterProblem]) -> User? {
        let at = { (column: Int?) in table.location(row, column) }
        for column in [c.id, c.role, c.orgs, c.given, c.family, c.email, c.identifier, c.userIds, c.phone, c.sms, c.grades]
        where FieldParsing.hasControlCharacter(row[column]) {
            rowProblems.append(.error("text.controlCharacter", at: at(column), "the field holds a control character no record may store"))
        }
        guard let id = FieldParsing.text(row[c.id]) else {
            rowProblems.append(.error("oneroster.sourcedIdRequired", at: at(c.id), "the user has no sourcedId"))
            return nil
        }
        if userIndex[id] != nil || rejectedUsers.contains(id) {
            rowProblems.append(.error("id.duplicate", at: at(c.id), "an earlier user has the same sourcedId"))
            return nil
        }
        let kind: Kind
        switch row[c.role].trimmedWhitespace().lowercased() {
        case "student": kind = .student
        case "teacher": kind = .staff("teacher")
        case "aide": kind = .staff("aide")
        case "administrator": kind = .staff("administrator")
        case "parent": kind = .contact(.parent, parentalResponsibility: true)
        case "guardian": kind = .contact(.carer, parentalResponsibility: true)
        case "relative": kind = .contact(.otherRelative, parentalResponsibility: false)
        default:
            rowProblems.append(.error("oneroster.unknownRole", at: at(c.role), "the role is not one OneRoster 1.1 defines"))
            return nil
        }
        var status = status(row[c.status], at(c.status), problems: &rowProblems)
        if let text = FieldParsing.text(row[c.enabled]) {
            if let enabled = FieldParsing.boolean(text) {
                if !enabled, case .staff = kind { status = .inactive }
            } else {
                rowProblems.append(.warning("boolean.unreadable", at: at(c.enabled), "enabledUser is not true or false; it is ignored"))
            }
        }
        let given = FieldParsing.text(row[c.given])
        let family = FieldParsing.text(row[c.family])
        if given == nil { rowProblems.append(.error("name.required", at: at(c.given), "the given name is blank")) }
        if family == nil { rowProblems.append(.error("name.required", at: at(c.family), "the family name is blank")) }
        let orgs = Self.values(row[c.orgs])
        if orgs.isEmpty { rowProblems.append(.error("oneroster.noSchool", at: at(c.orgs), "the user belongs to no org")) }

        var email: String?
        if let text = FieldParsing.text(row[c.email]) {
            if FieldParsing.isEmail(text) {
                email = text
            } else {
                let reason = "the email address is not a valid address"
                if case .staff = kind {
                    rowProblems.append(.error("email.invalid", at: at(c.email), reason))
                } else {
                    rowProblems.append(.warning("email.invalid", at: at(c.email), reason))
                }
            }
        } else if case .staff = kind {
            rowProblems.append(.error("email.required", at: at(c.email), "staff are matched by email address, and this one has none"))
        }

        var upn: UPN?
        var year: NCYear?
        if kind == .student {
            if let text = FieldParsing.text(row[c.identifier]), Self.looksLikeUPN(text) {
                let (checked, found) = UPNCheck.check(text, at: at(c.identifier))
                upn = checked
                rowProblems += found
            } else if let text = Self.values(row[c.userIds]).compactMap(Self.upnUserID).first {
                let (checked, found) = UPNCheck.check(text, at: at(c.userIds))
                upn = checked
                rowProblems += found
            }
            let grades = Self.values(row[c.grades])
            if !grades.isEmpty {
                year = grades.lazy.compactMap(FieldParsing.ncYear).first
                if year == nil {
                    rowProblems.append(
                        .error("ncYear.unknown", at: at(c.grades), "no grade of the student is a year group the reader knows"))
                }
            }
        }
        return User(
            id: id, location: FileLocation(file: table.file, line: row.line), agentsLocation: at(c.agents), kind: kind,
            status: status, orgs: orgs, givenName: given ?? "", familyName: family ?? "", email: email,
            phone: FieldParsing.text(row[c.phone]) ?? FieldParsing.text(row[c.sms]), upn: upn, ncYear: year,
            agents: Self.values(row[c.agents]))
    }

    /// Whether text has a UPN's shape: 13 characters, a letter, then 11 digits.
    static func looksLikeUPN(_ text: String) -> Bool {
        let characters = Array(text.uppercased())
        return characters.count == 13 && characters[0].isLetter && characters[0].isASCII
            && characters[1...11].allSatisfy(FieldParsing.isDigit)
    }

    /// The UPN in a `userIds` entry `{UPN:B801200005001}`, else `nil`.
    static func upnUserID(_ entry: String) -> String? {
        var text = entry.trimmedWhitespace()
        if text.hasPrefix("{") && text.hasSuffix("}") && text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        guard text[..<colon].trimmedWhitespace().lowercased() == "upn" else { return nil }
        return FieldParsing.text(String(text[text.index(after: colon)...]))
    }

    // MARK: - demographics.csv

    mutating func readDemographics(_ table: CSVTable) throws(RosterProblem) {
        let idColumn = try column(table, "sourcedId")
        guard let birthColumn = table.column(["birthDate"]) else { return }
        let modifiedColumn = table.column(["dateLastModified"])
        for row in table.rows {
            modified(row[modifiedColumn], table.location(row, modifiedColumn))
            guard let id = FieldParsing.text(row[idColumn]) else {
                problems.append(.error("oneroster.sourcedIdRequired", at: table.location(row, idColumn), "the row has no sourcedId"))
                continue
            }
            guard let text = FieldParsing.text(row[birthColumn]) else { continue }
            let location = table.location(row, birthColumn)
            switch FieldParsing.isoDate(text) {
            case .badFormat:
                problems.append(.error("date.format", at: location, "the date of birth is not written yyyy-MM-dd"))
            case .impossible:
                problems.append(.error("date.impossible", at: location, "the date of birth is not a real day"))
            case .date(let date):
                if let problem = CalendarDate.Bounds.dateOfBirth.problem(with: date, asOf: today) {
                    problems.append(.error("date.outOfRange", at: location, problem))
                } else if let index = userIndex[id] {
                    users[index].dateOfBirth = date
                } else if !rejectedUsers.contains(id) {
                    problems.append(
                        .warning("oneroster.unknownUser", at: table.location(row, idColumn), "no user in users.csv has this sourcedId"))
                }
            }
        }
    }

    // MARK: - classes.csv and enrollments.csv

    mutating func readClasses(
        _ table: CSVTable, into classes: inout [String: (title: String, homeroom: Bool)], ignored: inout Set<String>
    ) throws(RosterProblem) {
        let idColumn = try column(table, "sourcedId")
        let titleColumn = try column(table, "title")
        let typeColumn = table.column(["classType"])
        let statusColumn = table.column(["status"])
        let modifiedColumn = table.column(["dateLastModified"])
        for row in table.rows {
            modified(row[modifiedColumn], table.location(row, modifiedColumn))
            guard let id = FieldParsing.text(row[idColumn]) else {
                problems.append(.error("oneroster.sourcedIdRequired", at: table.location(row, idColumn), "the class has no sourcedId"))
                continue
            }
            if isSkipped(row[statusColumn]) {
                ignored.insert(id)
                continue
            }
            guard let title = FieldParsing.text(row[titleColumn]) else {
                problems.append(
                    .warning("oneroster.classTitle", at: table.location(row, titleColumn), "the class has no title; it is ignored"))
                ignored.insert(id)
                continue
            }
            let homeroom = row[typeColumn].trimmedWhitespace().lowercased() == "homeroom"
            classes[id] = (title, homeroom)
        }
    }

    mutating func readEnrollments(
        _ table: CSVTable, classes: [String: (title: String, homeroom: Bool)], ignoredClasses: Set<String>,
        teaching: inout [String: [String]]
    ) throws(RosterProblem) {
        let classColumn = try column(table, "classSourcedId")
        let userColumn = try column(table, "userSourcedId")
        let roleColumn = try column(table, "role")
        let statusColumn = table.column(["status"])
        let modifiedColumn = table.column(["dateLastModified"])
        for row in table.rows {
            modified(row[modifiedColumn], table.location(row, modifiedColumn))
            if isSkipped(row[statusColumn]) { continue }
            let classID = row[classColumn].trimmedWhitespace()
            let userID = row[userColumn].trimmedWhitespace()
            guard let group = classes[classID] else {
                if !ignoredClasses.contains(classID) {
                    problems.append(
                        .warning(
                            "oneroster.unknownClass", at: table.location(row, classColumn), "no class in classes.csv has this sourcedId"))
                }
                continue
            }
            guard let index = userIndex[userID] else {
                if !rejectedUsers.contains(userID) {
                    problems.append(
                        .warning("oneroster.unknownUser", at: table.location(row, userColumn), "no user in users.csv has this sourcedId"))
                }
                continue
            }
            let role = row[roleColumn].trimmedWhitespace().lowercased()
            let kind = users[index].kind
            switch role {
            case "student":
                guard kind == .student else {
                    problems.append(
                        .warning(
                            "oneroster.enrolmentRoleMismatch", at: table.location(row, roleColumn),
                            "the user is enrolled as a student but is not a student in users.csv; the enrolment is ignored"))
                    continue
                }
                if group.homeroom && users[index].registrationGroup == nil {
                    users[index].registrationGroup = group.title
                } else if users[index].registrationGroup != group.title {
                    FieldParsing.appendUnique(group.title, to: &users[index].groups)
                }
            case "teacher":
                guard case .staff = kind else {
                    problems.append(
                        .warning(
                            "oneroster.enrolmentRoleMismatch", at: table.location(row, roleColumn),
                            "the user is enrolled as a teacher but is not staff in users.csv; the enrolment is ignored"))
                    continue
                }
                FieldParsing.appendUnique(group.title, to: &teaching[userID, default: []])
            default:
                continue
            }
        }
    }

    // MARK: - Sections

    mutating func buildSections(exportedOn: CalendarDate, teaching: [String: [String]]) -> [RosterSection] {
        let usersMode = modes["users.csv"] ?? .absent
        let coverage: RosterCoverage =
            switch usersMode {
            case .bulk: .full
            case .delta: .delta
            case .absent: .partial
            }
        let kinds: Set<RosterRecordKind> = usersMode == .absent ? [] : [.learners, .staff, .contacts]
        var sections: [RosterSection] = []
        var sectionIndex: [String: Int] = [:]
        var warned: Set<String> = []

        func section(for schoolID: String) -> Int {
            if let index = sectionIndex[schoolID] { return index }
            sectionIndex[schoolID] = sections.count
            sections.append(
                RosterSection(
                    file: source.name, system: system, school: schoolKey(schoolID), schoolName: orgs[schoolID]?.name,
                    coverage: coverage, kinds: kinds, exportedOn: exportedOn))
            return sections.count - 1
        }
        for id in orgOrder where orgs[id]?.type == "school" { _ = section(for: id) }

        var placed: [String: [Int]] = [:]
        for user in users {
            var indices: [Int] = []
            for orgID in user.orgs {
                guard let (schoolID, assumed) = school(of: orgID) else { continue }
                if assumed != nil, !warned.contains(orgID) {
                    warned.insert(orgID)
                    problems.append(
                        .warning(
                            "oneroster.schoolAssumed", at: user.location.field("orgSourcedIds"),
                            "the user's org is not a school in orgs.csv; the nearest org that could be the school is used"))
                }
                let index = section(for: schoolID)
                if !indices.contains(index) { indices.append(index) }
                // An org of the file that stands for a school the file does not list (a department
                // whose parent is missing) is another id of it, which a configuration may name.
                let org = SourceRef(system: system, id: orgID)
                if orgID != schoolID, orgs[schoolID] == nil, orgs[orgID] != nil {
                    if !sections[index].school.otherSources.contains(org) { sections[index].school.otherSources.append(org) }
                }
            }
            guard !indices.isEmpty else {
                problems.append(
                    .error(
                        "oneroster.noSchool", at: user.location.field("orgSourcedIds"), "none of the user's orgs is or belongs to a school")
                )
                continue
            }
            placed[user.id] = indices
            for index in indices {
                switch user.kind {
                case .student:
                    sections[index].learners.append(
                        RosterLearner(
                            location: user.location, source: SourceRef(system: system, id: user.id), upn: user.upn,
                            givenName: user.givenName, familyName: user.familyName, dateOfBirth: user.dateOfBirth, ncYear: user.ncYear,
                            registrationGroup: user.registrationGroup,
                            groups: groupsListed || !user.groups.isEmpty ? user.groups : nil, email: user.email, status: user.status))
                case .staff(let role):
                    guard let email = user.email else { continue }
                    sections[index].staff.append(
                        RosterStaff(
                            location: user.location, source: SourceRef(system: system, id: user.id), givenName: user.givenName,
                            familyName: user.familyName, email: email, jobTitle: role, teachingGroups: teaching[user.id] ?? [],
                            status: user.status))
                case .contact:
                    continue
                }
            }
        }
        for (studentID, agent, priority) in contactLinks(delta: usersMode == .delta) {
            // A delta's contact of a learner the delta does not list goes to the contact's own
            // schools, where the stored learner is found by their sourcedId.
            let listed = userIndex[studentID] != nil
            guard case .contact(let relationship, let responsibility) = agent.kind, let agentIndices = placed[agent.id],
                let indices = listed ? placed[studentID] : agentIndices
            else { continue }
            for index in indices {
                sections[index].contacts.append(
                    RosterContact(
                        location: agent.location, source: SourceRef(system: system, id: agent.id),
                        learner: SourceRef(system: system, id: studentID), givenName: agent.givenName, familyName: agent.familyName,
                        relationship: relationship, parentalResponsibility: responsibility, priority: priority, email: agent.email,
                        phone: agent.phone, status: agent.status))
            }
        }
        return sections
    }

    /// Each (student's sourcedId, contact, priority): first the contacts a student's
    /// `agentSourcedIds` lists, priority their position there; then contacts whose own
    /// `agentSourcedIds` lists a student who does not list them, numbered on from the student's
    /// last listed contact. In a delta, a contact whose student the delta does not list is linked
    /// to that student with no priority, so the stored order stands.
    mutating func contactLinks(delta: Bool) -> [(String, User, Int?)] {
        var links: [(String, User, Int?)] = []
        var linked: Set<[String]> = []
        var next: [String: Int] = [:]
        for student in users where student.kind == .student {
            for (position, agentID) in student.agents.enumerated() {
                guard let index = userIndex[agentID] else {
                    if !rejectedUsers.contains(agentID) {
                        let reason =
                            delta
                            ? "an agent listed is not in this delta's users.csv; a stored link to them stays as it is"
                            : "an agent listed is not in users.csv"
                        problems.append(.warning("oneroster.unknownAgent", at: student.agentsLocation, reason))
                    }
                    continue
                }
                let agent = users[index]
                guard case .contact = agent.kind else {
                    problems.append(
                        .warning(
                            "oneroster.agentNotContact", at: student.agentsLocation,
                            "an agent listed is not a parent, guardian or relative; the link is ignored"))
                    continue
                }
                guard linked.insert([student.id, agent.id]).inserted else { continue }
                links.append((student.id, agent, position + 1))
                next[student.id] = position + 2
            }
        }
        for agent in users {
            guard case .contact = agent.kind else { continue }
            for studentID in agent.agents {
                guard let index = userIndex[studentID] else {
                    if delta, !rejectedUsers.contains(studentID), linked.insert([studentID, agent.id]).inserted {
                        links.append((studentID, agent, nil))
                    }
                    continue
                }
                guard users[index].kind == .student, linked.insert([studentID, agent.id]).inserted else { continue }
                let priority = next[studentID] ?? 1
                next[studentID] = priority + 1
                links.append((studentID, agent, priority))
            }
        }
        return links
    }
}
