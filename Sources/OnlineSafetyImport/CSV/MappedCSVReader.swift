public import Foundation
public import OnlineSafetyCore

/// Reads a CSV export whose columns are not fixed (a Bromcom report, a Tapestry export) through a
/// ``CSVMapping``: one file gives one ``RosterSection`` of the mapping's kind for one school.
///
/// Handles a UTF-8 byte order mark, CRLF or LF endings, a last line without a line break,
/// quoted fields spanning lines, columns in any order, and columns the mapping does not name.
/// Every problem names the file, the line the row starts on, the column and its header as
/// written, with a stable code and a reason that never quotes a value. Rows with an error are
/// left out; rows a mapping rule excludes are reported as skips.
public struct MappedCSVReader: Sendable {
    /// The column map.
    public var mapping: CSVMapping
    /// The school the file is for (a CSV export does not say).
    public var school: RosterSchoolKey
    /// How much of the school the file covers.
    public var coverage: RosterCoverage
    /// The day the file was exported.
    public var exportedOn: CalendarDate

    /// Creates a reader; requires nothing and throws nothing.
    public init(mapping: CSVMapping, school: RosterSchoolKey, coverage: RosterCoverage, exportedOn: CalendarDate) {
        self.mapping = mapping
        self.school = school
        self.coverage = coverage
        self.exportedOn = exportedOn
    }

    /// Reads the file at `url`, named `name` (its last path component by default) in locations.
    ///
    /// - Throws: `file.unreadable` when the file cannot be read; otherwise as ``read(data:name:)``.
    public func read(contentsOf url: URL, name: String? = nil) throws(RosterProblem) -> RosterBatch {
        let fileName = name ?? url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .error("file.unreadable", at: FileLocation(file: fileName, line: 0), "the file could not be read")
        }
        return try read(data: data, name: fileName)
    }

    /// Reads a file's bytes; `name` is used in locations and as ``RosterFile/name``.
    ///
    /// - Throws: `csv.empty` (no header row), `csv.tooLarge`, `csv.unterminatedQuote`,
    ///   `csv.lineBreakInField` (a field the mapping reads runs over several lines: a stray
    ///   quote took in the rows after it), or `csv.missingColumn` when no header matches a
    ///   required field (the reason names the field and the headers looked for). Row-level
    ///   problems are returned in ``RosterBatch/problems``.
    public func read(data: Data, name: String) throws(RosterProblem) -> RosterBatch {
        let table = try CSVTable.parse(data, file: name)
        var problems = table.problems
        let columns = try resolveColumns(table, problems: &problems)
        // Every field a mapping reads holds one line. One that runs over several means a quote
        // left open took in the rows after it, up to the next stray quote: the file is refused
        // rather than read short (a full export read short would make leavers).
        let mapped = columns.sorted { $0.key < $1.key }
        for line in table.rows {
            for (_, index) in mapped where line[index].unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
                throw .error(
                    "csv.lineBreakInField", at: table.location(line, index),
                    "a quoted field opened on this line runs over several lines, taking in the rows after it: check its quotes")
            }
        }
        problems += table.fieldCountProblems()
        var section = RosterSection(
            file: name, system: mapping.system, school: school, coverage: coverage, kinds: [mapping.kind],
            exportedOn: exportedOn)
        var row = RowReader(table: table, columns: columns, mapping: mapping, exportedOn: exportedOn)
        for line in table.rows {
            row.read(line, into: &section, problems: &problems)
        }
        let file = RosterFile(name: name, format: mapping.name, sha256: FileDigest.sha256(data), rows: table.rows.count)
        return RosterBatch(files: [file], sections: [section], problems: problems)
    }

    /// Which column each field reads: preferred columns the file has first, then overrides, then
    /// aliases in order, one column per field. A preferred column the file lacks is a warning
    /// (`mapping.columnAbsent`).
    private func resolveColumns(_ table: CSVTable, problems: inout [RosterProblem]) throws(RosterProblem) -> [RosterField: Int] {
        var columns: [RosterField: Int] = [:]
        var taken: Set<Int> = []
        for (field, header) in mapping.preferredColumns.sorted(by: { $0.key < $1.key }) {
            guard let index = table.column([header], excluding: taken) else {
                problems.append(
                    .warning(
                        "mapping.columnAbsent", at: FileLocation(file: table.file, line: 1, field: header),
                        "the file has no column --map names for the field \(field.rawValue); the field is read as usual"))
                continue
            }
            columns[field] = index
            taken.insert(index)
        }
        for (field, header) in mapping.overrides.sorted(by: { $0.key < $1.key }) where columns[field] == nil {
            guard let index = table.column([header], excluding: taken) else {
                throw .error(
                    "csv.missingColumn", at: FileLocation(file: table.file, line: 1, field: header),
                    "no column has the header mapped to the field \(field.rawValue)")
            }
            columns[field] = index
            taken.insert(index)
        }
        for field in RosterField.allCases where columns[field] == nil {
            if let index = table.column(mapping.aliases[field] ?? [], excluding: taken) {
                columns[field] = index
                taken.insert(index)
            } else if mapping.required.contains(field) {
                let looked = (mapping.aliases[field] ?? []).joined(separator: ", ")
                throw .error(
                    "csv.missingColumn", at: FileLocation(file: table.file, line: 1, field: field.rawValue),
                    "no column for the required field \(field.rawValue); looked for headers: \(looked)")
            }
        }
        return columns
    }
}

/// Reads one row at a time into a section.
private struct RowReader {
    let table: CSVTable
    let columns: [RosterField: Int]
    let mapping: CSVMapping
    let exportedOn: CalendarDate
    var seenIDs: Set<String> = []
    var contactsPerLearner: [String: Int] = [:]

    init(table: CSVTable, columns: [RosterField: Int], mapping: CSVMapping, exportedOn: CalendarDate) {
        self.table = table
        self.columns = columns
        self.mapping = mapping
        self.exportedOn = exportedOn
    }

    /// The problems of one row and its values.
    struct Cursor {
        let row: CSVTable.Row
        var problems: [RosterProblem] = []
        var hasError: Bool { problems.contains { $0.severity == .error } }
    }

    func value(_ field: RosterField, _ cursor: Cursor) -> String? {
        guard let index = columns[field] else { return nil }
        return FieldParsing.text(cursor.row[index])
    }

    func at(_ field: RosterField, _ cursor: Cursor) -> FileLocation {
        table.location(cursor.row, columns[field])
    }

    mutating func read(_ row: CSVTable.Row, into section: inout RosterSection, problems: inout [RosterProblem]) {
        var cursor = Cursor(row: row)
        defer {
            let source = mapping.kind == .learners ? value(.sourceID, cursor).map { SourceRef(system: mapping.system, id: $0) } : nil
            let upn = mapping.kind == .learners ? value(.upn, cursor).flatMap { try? UPN($0) } : nil
            problems += cursor.problems.map { problem in
                var located = problem
                located.source = source
                located.upn = upn
                return located
            }
        }
        for (field, index) in columns.sorted(by: { $0.key < $1.key }) where FieldParsing.hasControlCharacter(row[index]) {
            cursor.problems.append(
                .error("text.controlCharacter", at: at(field, cursor), "the field holds a control character no record may store"))
        }
        if mapping.rules.requireConsent, columns[.consent] != nil {
            let granted = value(.consent, cursor).flatMap(FieldParsing.boolean)
            if granted != true {
                cursor.problems = [
                    .skip(
                        "consent.notGranted", at: at(.consent, cursor),
                        "data processing consent is not recorded as granted, so the row is not imported")
                ]
                return
            }
        }
        switch mapping.kind {
        case .learners: readLearner(&cursor, into: &section)
        case .contacts: readContacts(&cursor, into: &section)
        case .staff: readStaff(&cursor, into: &section)
        }
    }

    // MARK: Shared fields

    mutating func sourceID(_ cursor: inout Cursor) -> String? {
        guard let id = value(.sourceID, cursor) else {
            cursor.problems.append(.error("id.required", at: at(.sourceID, cursor), "the record has no id"))
            return nil
        }
        return id
    }

    /// A contact's or member of staff's names: the preferred ones where the row gives them, else
    /// the legal ones.
    func names(_ cursor: inout Cursor) -> (String, String) {
        let given = value(.preferredGivenName, cursor) ?? value(.givenName, cursor)
        let family = value(.preferredFamilyName, cursor) ?? value(.familyName, cursor)
        if given == nil {
            cursor.problems.append(.error("name.required", at: at(.givenName, cursor), "the given name is blank"))
        }
        if family == nil {
            cursor.problems.append(.error("name.required", at: at(.familyName, cursor), "the family name is blank"))
        }
        return (given ?? "", family ?? "")
    }

    /// A learner's legal names, required, and the preferred names kept beside them: `nil` for a
    /// column the file does not have (a stored preferred name stays), empty for a blank cell (a
    /// stored one is cleared).
    func learnerNames(_ cursor: inout Cursor) -> (given: String, family: String, preferredGiven: String?, preferredFamily: String?) {
        let given = value(.givenName, cursor)
        let family = value(.familyName, cursor)
        if given == nil {
            cursor.problems.append(.error("name.required", at: at(.givenName, cursor), "the given name is blank"))
        }
        if family == nil {
            cursor.problems.append(.error("name.required", at: at(.familyName, cursor), "the family name is blank"))
        }
        let preferredGiven = columns[.preferredGivenName] == nil ? nil : value(.preferredGivenName, cursor) ?? ""
        let preferredFamily = columns[.preferredFamilyName] == nil ? nil : value(.preferredFamilyName, cursor) ?? ""
        return (given ?? "", family ?? "", preferredGiven, preferredFamily)
    }

    func status(_ cursor: inout Cursor) -> RosterStatus {
        guard let text = value(.status, cursor) else { return .active }
        switch CSVTable.normalise(text) {
        case "active", "current", "onroll", "enrolled": return .active
        case "inactive", "left", "leaver", "former", "tobedeleted", "deleted": return .inactive
        default:
            cursor.problems.append(
                .warning("status.unknown", at: at(.status, cursor), "the status is not one the reader knows; read as current"))
            return .active
        }
    }

    func email(_ cursor: inout Cursor, required: Bool) -> String? {
        guard let text = value(.email, cursor) else {
            if required {
                cursor.problems.append(.error("email.required", at: at(.email, cursor), "an email address is required"))
            }
            return nil
        }
        guard FieldParsing.isEmail(text) else {
            let reason = "the email address is not a valid address"
            cursor.problems.append(
                required
                    ? .error("email.invalid", at: at(.email, cursor), reason) : .warning("email.invalid", at: at(.email, cursor), reason))
            return nil
        }
        return text
    }

    func flag(_ field: RosterField, _ cursor: inout Cursor) -> Bool? {
        guard let text = value(field, cursor) else { return nil }
        guard let flag = FieldParsing.boolean(text) else {
            cursor.problems.append(.warning("boolean.unreadable", at: at(field, cursor), "the value is not yes or no; it is ignored"))
            return nil
        }
        return flag
    }

    func list(_ field: RosterField, _ cursor: Cursor) -> [String] {
        guard let text = value(field, cursor) else { return [] }
        var items: [String] = []
        for item in FieldParsing.list(text, separator: mapping.rules.listSeparator) { FieldParsing.appendUnique(item, to: &items) }
        return items
    }

    func date(_ field: RosterField, _ cursor: inout Cursor) -> CalendarDate? {
        guard let text = value(field, cursor) else { return nil }
        let result: FieldParsing.DateResult
        switch mapping.dateFormat {
        case .dayMonthYear: result = FieldParsing.slashedDate(text, dayFirst: true)
        case .monthDayYear: result = FieldParsing.slashedDate(text, dayFirst: false)
        case .iso: result = FieldParsing.isoDate(text)
        }
        switch result {
        case .date(let date):
            if let problem = CalendarDate.Bounds.dateOfBirth.problem(with: date, asOf: exportedOn) {
                cursor.problems.append(.error("date.outOfRange", at: at(field, cursor), problem))
                return nil
            }
            return date
        case .badFormat:
            cursor.problems.append(
                .error("date.format", at: at(field, cursor), "the date is not written as \(mapping.dateFormat.rawValue)"))
        case .impossible:
            cursor.problems.append(
                .error(
                    "date.impossible", at: at(field, cursor),
                    "the date is not a real day when read as \(mapping.dateFormat.rawValue)"))
        }
        return nil
    }

    // MARK: Kinds

    mutating func readLearner(_ cursor: inout Cursor, into section: inout RosterSection) {
        let id = sourceID(&cursor)
        let named = learnerNames(&cursor)
        var upn: UPN?
        if let text = value(.upn, cursor) {
            let (checked, upnProblems) = UPNCheck.check(text, at: at(.upn, cursor))
            upn = checked
            cursor.problems += upnProblems
        }
        let born = date(.dateOfBirth, &cursor)
        var year: NCYear?
        if let text = value(.ncYear, cursor) {
            year = FieldParsing.ncYear(text)
            if year == nil {
                cursor.problems.append(.error("ncYear.unknown", at: at(.ncYear, cursor), "the year group is not one the reader knows"))
            }
        }
        let lookedAfter = flag(.lookedAfter, &cursor)
        let send = flag(.send, &cursor)
        let address = email(&cursor, required: mapping.rules.emailRequired)
        let current = status(&cursor)
        if let id, seenIDs.contains(id) {
            cursor.problems.append(.error("id.duplicate", at: at(.sourceID, cursor), "an earlier row has the same id"))
        }
        guard let id, !cursor.hasError else { return }
        seenIDs.insert(id)
        section.learners.append(
            RosterLearner(
                location: FileLocation(file: table.file, line: cursor.row.line),
                source: SourceRef(system: mapping.system, id: id), upn: upn, givenName: named.given, familyName: named.family,
                preferredGivenName: named.preferredGiven, preferredFamilyName: named.preferredFamily, dateOfBirth: born, ncYear: year,
                registrationGroup: value(.registrationGroup, cursor),
                groups: columns[.groups] == nil ? nil : list(.groups, cursor), keyPerson: value(.keyPerson, cursor),
                lookedAfter: lookedAfter, send: send,
                email: address, status: current))
    }

    mutating func readContacts(_ cursor: inout Cursor, into section: inout RosterSection) {
        var relationship = Relationship.other
        if let text = value(.relationship, cursor) {
            if let known = FieldParsing.relationship(text) {
                relationship = known
            } else {
                cursor.problems.append(
                    .warning(
                        "relationship.unknown", at: at(.relationship, cursor), "the relationship is not one the reader knows; read as other"
                    ))
            }
        } else {
            cursor.problems.append(
                .warning("relationship.missing", at: at(.relationship, cursor), "the relationship is blank; read as other"))
        }
        var responsibility = false
        if let text = value(.parentalResponsibility, cursor) {
            if let flag = FieldParsing.boolean(text) {
                responsibility = flag
            } else {
                cursor.problems.append(
                    .error("boolean.unreadable", at: at(.parentalResponsibility, cursor), "parental responsibility is not yes or no"))
            }
        }
        if mapping.rules.parentsOrResponsibilityOnly, !cursor.hasError, relationship != .mother, relationship != .father,
            !responsibility
        {
            cursor.problems = [
                .skip(
                    "contact.notParentNoResponsibility", at: at(.relationship, cursor),
                    "the contact is neither a mother or father nor holds parental responsibility, so the row is not imported")
            ]
            return
        }
        let id = sourceID(&cursor)
        let (given, family) = names(&cursor)
        let learners = list(.learnerSourceID, cursor)
        if learners.isEmpty {
            cursor.problems.append(.error("learner.required", at: at(.learnerSourceID, cursor), "the row names no learner"))
        }
        var priority: Int?
        if let text = value(.priority, cursor) {
            if let number = Int(text), number >= 1 {
                priority = number
            } else {
                cursor.problems.append(.error("priority.invalid", at: at(.priority, cursor), "the priority is not a whole number from 1"))
            }
        }
        let address = email(&cursor, required: mapping.rules.emailRequired)
        let current = status(&cursor)
        if let id {
            for learner in learners where seenIDs.contains(id + "\u{1F}" + learner) {
                cursor.problems.append(
                    .error("id.duplicate", at: at(.sourceID, cursor), "an earlier row links the same contact to the same learner"))
                break
            }
        }
        guard let id, !cursor.hasError else { return }
        for learner in learners {
            seenIDs.insert(id + "\u{1F}" + learner)
            let position = (contactsPerLearner[learner] ?? 0) + 1
            contactsPerLearner[learner] = position
            section.contacts.append(
                RosterContact(
                    location: FileLocation(file: table.file, line: cursor.row.line),
                    source: SourceRef(system: mapping.system, id: id), learner: SourceRef(system: mapping.system, id: learner),
                    title: value(.title, cursor), givenName: given, familyName: family, relationship: relationship,
                    parentalResponsibility: responsibility, priority: priority ?? position, email: address,
                    phone: value(.phone, cursor), status: current))
        }
    }

    mutating func readStaff(_ cursor: inout Cursor, into section: inout RosterSection) {
        let id = sourceID(&cursor)
        let (given, family) = names(&cursor)
        let address = email(&cursor, required: true)
        let current = status(&cursor)
        if let id, seenIDs.contains(id) {
            cursor.problems.append(.error("id.duplicate", at: at(.sourceID, cursor), "an earlier row has the same id"))
        }
        guard let id, let address, !cursor.hasError else { return }
        seenIDs.insert(id)
        section.staff.append(
            RosterStaff(
                location: FileLocation(file: table.file, line: cursor.row.line), source: SourceRef(system: mapping.system, id: id),
                givenName: given, familyName: family, email: address, jobTitle: value(.jobTitle, cursor),
                teachingGroups: list(.groups, cursor), status: current))
    }
}
