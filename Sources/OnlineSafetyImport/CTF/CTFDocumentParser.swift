import Foundation
import OnlineSafetyCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The streaming half of ``CTFReader``: an `XMLParser` delegate that collects the header and
/// turns each `Pupil` into a learner and contacts as soon as its end tag is read.
final class CTFDocumentParser: NSObject, XMLParserDelegate {
    /// A value read from an element, with where the element started.
    struct Located {
        var text: String
        var line: Int
        var column: Int?
    }

    /// A pupil being read.
    private struct PupilDraft {
        var line: Int
        var column: Int?
        var fields: [String: String] = [:]
        var senHistory = false
        var senProvision = false
        var contacts: [ContactDraft] = []
    }

    /// A contact being read.
    private struct ContactDraft {
        var line: Int
        var column: Int?
        var fields: [String: String] = [:]
        var phone: String?
    }

    private static let pupilPath = ["CTfile", "CTFpupilData", "Pupil"]

    private let data: Data
    private let fileName: String

    private var path: [String] = []
    private var text = ""
    private var rootSeen = false
    private var rootClosed = false
    private var refusal: RosterProblem?
    private var firstError: (line: Int, column: Int, code: Int, open: [String])?

    private var header: [String: Located] = [:]
    private var headerStart: (line: Int, column: Int?)?
    private var sawSex = false
    private var sawGender = false

    private var pupilCount = 0
    private var pupil: PupilDraft?
    private var contact: ContactDraft?
    private var seenUPNs: Set<String> = []
    private var learners: [RosterLearner] = []
    private var contacts: [RosterContact] = []
    private var problems: [RosterProblem] = []

    init(data: Data, fileName: String) {
        self.data = data
        self.fileName = fileName
    }

    /// Parses the whole file; throws the problems that refuse it (see ``CTFReader/read(data:name:)``).
    func parse() throws(RosterProblem) -> CTFDocumentParser {
        try XMLInputCheck.check(data, file: fileName)
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = self
        let finished = parser.parse()
        parser.delegate = nil
        if let refusal { throw refusal }
        // The parser runs libxml2 in recovery mode: an error it reports may not stop it, and
        // a document cut short may end without one. Either way the file is not well-formed.
        if !finished || firstError != nil || !rootClosed {
            let fallback = (
                line: parser.lineNumber, column: parser.columnNumber,
                code: (parser.parserError as NSError?)?.code ?? XMLParser.ErrorCode.prematureDocumentEndError.rawValue, open: path
            )
            let place = firstError ?? fallback
            // libxml2 reports a file cut short at its last line, with elements still open.
            let endsEarly = rootSeen && !rootClosed && place.line >= Self.lastLine(of: data)
            throw .error(
                "xml.malformed",
                at: FileLocation(file: fileName, line: max(place.line, 0), column: place.column > 0 ? place.column : nil),
                Self.malformedReason(code: place.code, open: place.open, rootSeen: rootSeen, endsEarly: endsEarly))
        }
        return self
    }

    /// The batch for the parsed file; throws when the header cannot identify the export.
    func batch(sha256: String) throws(RosterProblem) -> RosterBatch {
        let headerPlace = FileLocation(file: fileName, line: headerStart?.line ?? 0, column: headerStart?.column)
        guard headerStart != nil else {
            throw .error("ctf.header", at: headerPlace.field("Header"), "the file has no Header element")
        }
        var headerProblems: [RosterProblem] = []

        let format: String
        if let version = header["CTFversion"], let major = CTFCodes.majorVersion(version.text) {
            format = "ctf-\(major)"
            if major != 24 && major != 25 {
                headerProblems.append(
                    .warning(
                        "ctf.version", at: place(version, "CTFversion"),
                        "the CTF version is neither 24 nor 25; the file is read as CTF 25"))
            }
        } else {
            format = sawSex || !sawGender ? "ctf-25" : "ctf-24"
            headerProblems.append(
                .warning(
                    "ctf.version", at: header["CTFversion"].map { place($0, "CTFversion") } ?? headerPlace.field("CTFversion"),
                    "the CTF version is missing or unreadable; the file is read as CTF 25"))
        }

        guard let dateTime = header["DateTime"] else {
            throw .error("ctf.dateTime", at: headerPlace.field("DateTime"), "the header has no export DateTime")
        }
        guard let exportedOn = CTFCodes.exportDate(dateTime.text) else {
            throw .error(
                "ctf.dateTime", at: place(dateTime, "DateTime"),
                "the export DateTime is not a real date and time written yyyy-MM-ddTHH:mm:ss")
        }

        let coverage: RosterCoverage
        switch header["DocumentQualifier"].map({ clean($0.text)?.lowercased() }) {
        case "full": coverage = .full
        case "partial": coverage = .partial
        case let other:
            coverage = .partial
            let location = header["DocumentQualifier"].map { place($0, "DocumentQualifier") } ?? headerPlace.field("DocumentQualifier")
            headerProblems.append(
                .warning(
                    "ctf.documentQualifier", at: location,
                    other == nil
                        ? "the header has no DocumentQualifier; the file is read as partial, so nobody is made a leaver"
                        : "the DocumentQualifier is neither full nor partial; the file is read as partial, so nobody is made a leaver"))
        }

        var urn: String?
        if let value = header["URN"], let text = clean(value.text) {
            if text.count == 6, text.allSatisfy(Self.isDigit) {
                urn = text
            } else {
                headerProblems.append(
                    .warning("ctf.urn", at: place(value, "URN"), "the source school's URN is not 6 digits; it is ignored"))
            }
        }
        var dfeNumber: DfENumber?
        if let lea = header["LEA"].flatMap({ clean($0.text) }), let estab = header["Estab"].flatMap({ clean($0.text) }) {
            do {
                dfeNumber = try DfENumber(laCode: lea, establishmentNumber: estab)
            } catch {
                headerProblems.append(
                    .warning(
                        "ctf.dfeNumber", at: header["LEA"].map { place($0, "LEA") } ?? headerPlace.field("LEA"),
                        "the source school's LEA and Estab are not 3 and 4 digits; they are ignored"))
            }
        }
        guard urn != nil || dfeNumber != nil else {
            throw .error(
                "ctf.sourceSchool", at: headerPlace.field("SourceSchool"),
                "the header names the source school by neither a URN nor an LEA and Estab")
        }

        let section = RosterSection(
            file: fileName, system: "ctf", school: RosterSchoolKey(urn: urn, dfeNumber: dfeNumber),
            schoolName: header["SchoolName"].flatMap { clean($0.text) }, coverage: coverage, kinds: [.learners, .contacts],
            exportedOn: exportedOn, learners: learners, contacts: contacts)
        return RosterBatch(
            files: [RosterFile(name: fileName, format: format, sha256: sha256, rows: pupilCount)], sections: [section],
            problems: headerProblems + problems)
    }

    // MARK: - XMLParserDelegate

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        let name = Self.localName(elementName)
        let line = max(parser.lineNumber, 0)
        let column = parser.columnNumber > 0 ? parser.columnNumber : nil
        if !rootSeen {
            rootSeen = true
            guard name == "CTfile" else {
                refusal = .error(
                    "ctf.notACTF", at: FileLocation(file: fileName, line: line, column: column),
                    "the root element is not CTfile, so this is not a Common Transfer File")
                parser.abortParsing()
                return
            }
        }
        path.append(name)
        text = ""
        if path.count == 2, path[1] == "Header", headerStart == nil {
            headerStart = (line, column)
        } else if Self.isHeaderField(path) {
            header[name] = Located(text: "", line: line, column: column)
        } else if path == Self.pupilPath {
            pupilCount += 1
            pupil = PupilDraft(line: line, column: column)
            contact = nil
        } else if pupil != nil, path.count == 5, path[3] == "Contacts", path[4] == "Contact", path.starts(with: Self.pupilPath) {
            contact = ContactDraft(line: line, column: column)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, foundCDATA cdataBlock: Data) {
        text += String(decoding: cdataBlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard !path.isEmpty else { return }
        let value = text
        text = ""
        if Self.isHeaderField(path) {
            header[path[path.count - 1]]?.text = value
        } else if pupil != nil, path.count > 3, path.starts(with: Self.pupilPath) {
            readPupilField(Array(path[3...]), value)
        }
        if path.count == 5, contact != nil, path[3] == "Contacts", path[4] == "Contact", path.starts(with: Self.pupilPath) {
            if let finished = contact { pupil?.contacts.append(finished) }
            contact = nil
        } else if path == Self.pupilPath, let finished = pupil {
            finish(finished)
            pupil = nil
            contact = nil
        }
        path.removeLast()
        if path.isEmpty { rootClosed = true }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        if firstError == nil {
            firstError = (parser.lineNumber, parser.columnNumber, (parseError as NSError).code, path)
        }
    }

    // MARK: - Pupils and contacts

    private func readPupilField(_ relative: [String], _ value: String) {
        if relative.count >= 3, relative[0] == "Contacts", relative[1] == "Contact", contact != nil {
            let inner = Array(relative[2...])
            switch inner {
            case ["Order"], ["Title"], ["Surname"], ["Forename"], ["Relationship"], ["Responsibility"], ["Email"]:
                contact?.fields[inner[0]] = value
            case ["Phones", "Phone", "PhoneNo"]:
                if contact?.phone == nil, let phone = clean(value) { contact?.phone = phone }
            default:
                break  // Address (full, or AddressAsPupil) and the rest are accepted and not stored.
            }
            return
        }
        switch relative {
        case ["UPN"], ["Surname"], ["Forename"], ["DOB"], ["Email"], ["NCyearActual"]:
            pupil?.fields[relative[0]] = value
        case ["Sex"], ["BasicDetails", "Sex"]:
            sawSex = true
        case ["Gender"], ["BasicDetails", "Gender"]:
            sawGender = true
        case ["BasicDetails", "PreferredForename"], ["BasicDetails", "PreferredSurname"], ["BasicDetails", "NCyearActual"]:
            pupil?.fields[relative[1]] = value
        case ["LookedAfter", "InCare"]:
            pupil?.fields["InCare"] = value
        case ["SENhistory"]:
            pupil?.senHistory = true
        default:
            if relative.first == "SENhistory", relative.last == "SENprovision", CTFCodes.isSENProvision(value) {
                pupil?.senProvision = true
            }
        }
    }

    private func finish(_ draft: PupilDraft) {
        let location = FileLocation(file: fileName, line: draft.line, column: draft.column)
        var found: [RosterProblem] = []

        let (upn, upnProblems) = UPNCheck.check(draft.fields["UPN"] ?? "", at: location.field("UPN"))
        found += upnProblems
        if let upn, seenUPNs.contains(upn.value) {
            found.append(
                .error(
                    "upn.duplicate", at: location.field("UPN"), "another pupil earlier in the file has the same UPN; this one is left out"))
        }
        // The legal names are the record's; the preferred ones are the names the pupil is known
        // by. A CTF carries both, so a pupil without a preferred name is read as having none
        // (an empty name), which clears one stored.
        let givenName = clean(draft.fields["Forename"])
        if givenName == nil { found.append(.error("name.missing", at: location.field("Forename"), "the pupil has no forename")) }
        let familyName = clean(draft.fields["Surname"])
        if familyName == nil { found.append(.error("name.missing", at: location.field("Surname"), "the pupil has no surname")) }
        let preferredGivenName = clean(draft.fields["PreferredForename"]) ?? ""
        let preferredFamilyName = clean(draft.fields["PreferredSurname"]) ?? ""

        var dateOfBirth: CalendarDate?
        if let text = clean(draft.fields["DOB"]) {
            if Self.hasDateShape(text) {
                dateOfBirth = CalendarDate(iso: text)
                if dateOfBirth == nil {
                    found.append(.error("date.impossible", at: location.field("DOB"), "the date of birth is not a date in the calendar"))
                }
            } else {
                found.append(.error("date.malformed", at: location.field("DOB"), "the date of birth is not written yyyy-MM-dd"))
            }
        }
        var ncYear: NCYear?
        if let text = clean(draft.fields["NCyearActual"]) {
            ncYear = CTFCodes.ncYear(text)
            if ncYear == nil {
                found.append(
                    .error("ncYear.unknown", at: location.field("NCyearActual"), "the year group is not one of N1, N2, R, 1 to 14 or X"))
            }
        }
        var lookedAfter: Bool?
        if let text = clean(draft.fields["InCare"]) {
            lookedAfter = CTFCodes.flag(text)
            if lookedAfter == nil {
                found.append(
                    .warning(
                        "flag.invalid", at: location.field("InCare"),
                        "InCare is neither true nor false; looked-after status is left unknown"))
            }
        }

        // A pupil's id in a CTF is its UPN as written: a UPN the check refuses still says which
        // pupil the row is (no stored learner holds it), so the row is not one that names nobody.
        let written = clean(draft.fields["UPN"])?.uppercased()
        problems += found.map { problem in
            var located = problem
            located.upn = upn
            located.source = (upn?.value ?? written).map { SourceRef(system: "ctf", id: $0) }
            return located
        }
        guard let upn, let givenName, let familyName, !found.contains(where: { $0.severity == .error }) else { return }
        seenUPNs.insert(upn.value)
        let source = SourceRef(system: "ctf", id: upn.value)
        learners.append(
            RosterLearner(
                location: location, source: source, upn: upn, givenName: givenName, familyName: familyName,
                preferredGivenName: preferredGivenName, preferredFamilyName: preferredFamilyName, dateOfBirth: dateOfBirth,
                ncYear: ncYear, lookedAfter: lookedAfter, send: draft.senHistory ? draft.senProvision : nil,
                email: clean(draft.fields["Email"])))
        for (index, contactDraft) in draft.contacts.enumerated() {
            if let row = contactRow(contactDraft, position: index + 1, learner: source) { contacts.append(row) }
        }
    }

    private func contactRow(_ draft: ContactDraft, position: Int, learner: SourceRef) -> RosterContact? {
        let location = FileLocation(file: fileName, line: draft.line, column: draft.column)
        var found: [RosterProblem] = []
        var priority = position
        if let text = clean(draft.fields["Order"]) {
            if text.count <= 6, text.allSatisfy(Self.isDigit), let order = Int(text), order >= 1 {
                priority = order
            } else {
                found.append(.error("contact.order", at: location.field("Order"), "the contact's Order is not a whole number from 1"))
            }
        }
        let givenName = clean(draft.fields["Forename"])
        if givenName == nil { found.append(.error("name.missing", at: location.field("Forename"), "the contact has no forename")) }
        let familyName = clean(draft.fields["Surname"])
        if familyName == nil { found.append(.error("name.missing", at: location.field("Surname"), "the contact has no surname")) }

        var relationship = Relationship.other
        if let code = clean(draft.fields["Relationship"]) {
            let mapped = CTFCodes.relationship(code)
            relationship = mapped.relationship
            if !mapped.known {
                found.append(
                    .warning(
                        "relationship.unknown", at: location.field("Relationship"),
                        "the relationship code is not one the reader knows; the contact is recorded as other"))
            }
        } else {
            found.append(
                .warning("relationship.missing", at: location.field("Relationship"), "the contact has no relationship; recorded as other"))
        }
        var responsibility = false
        if let text = clean(draft.fields["Responsibility"]) {
            if let flag = CTFCodes.flag(text) {
                responsibility = flag
            } else {
                found.append(
                    .warning(
                        "flag.invalid", at: location.field("Responsibility"),
                        "Responsibility is neither true nor false; the contact is recorded without parental responsibility"))
            }
        }
        problems += found
        guard let givenName, let familyName, !found.contains(where: { $0.severity == .error }) else { return nil }
        return RosterContact(
            location: location, source: nil, learner: learner, title: clean(draft.fields["Title"]), givenName: givenName,
            familyName: familyName, relationship: relationship, parentalResponsibility: responsibility, priority: priority,
            email: clean(draft.fields["Email"]), phone: draft.phone)
    }

    // MARK: - Helpers

    /// The elements of the CTF schema a reason for a malformed file may name. Any other name may be
    /// text of the file (a `<` inside a surname makes the rest of it read as a tag), so it is never named.
    private static let schemaElements: Set<String> = [
        "CTfile", "Header", "DocumentName", "CTFversion", "DateTime", "DocumentQualifier", "SupplierID", "SourceSchool",
        "DestSchool", "LEA", "Estab", "URN", "SchoolName", "AcademicYear", "CTFpupilData", "Pupil", "UPN", "Surname",
        "Forename", "DOB", "Sex", "Gender", "Email", "BasicDetails", "PreferredForename", "PreferredSurname",
        "NCyearActual", "LookedAfter", "InCare", "SENhistory", "SEN", "SENprovision", "StartDate", "Contacts", "Contact",
        "Order", "Title", "Relationship", "Responsibility", "Phones", "Phone", "PhoneNo", "Address", "AddressAsPupil",
        "BS7666Address", "PAON", "SAON", "Street", "Locality", "Town", "County", "PostCode",
    ]

    /// Why libxml2 refused the file (`code` is its error number), naming at most the innermost open
    /// element of the CTF schema, never text of the file.
    private static func malformedReason(code: Int, open: [String], rootSeen: Bool, endsEarly: Bool) -> String {
        let element = open.last { schemaElements.contains($0) }
        let inside = element.map { " inside the \($0) element" } ?? ""
        let why: String
        if !rootSeen {
            why = "the file holds no XML element, so it is not a CTF"
        } else if endsEarly {
            why =
                "the file ends before \(element.map { "the \($0) element is" } ?? "its elements are") closed: "
                + "it looks cut short, so export it again"
        } else {
            switch code {
            case 9: why = "the file holds a character XML does not allow\(inside)"
            case 23, 24, 26, 27: why = "an & is not written as &amp;\(inside)"
            case 38: why = "an attribute's value holds a <\(inside)"
            case 39, 40, 41: why = "an attribute has no value in quotes\(inside)"
            case 65, 68: why = "a < does not start a tag\(inside) (in text it is written &lt;)"
            case 73: why = "a tag is not closed with >\(inside)"
            case 74, 76:
                // Only the innermost element is the one the end tag should close; an unknown one goes unnamed.
                let innermost = open.last.flatMap { schemaElements.contains($0) ? "\($0) element" : nil }
                why = "an end tag does not match the \(innermost ?? "element") it should close"
            case 5 where open.isEmpty, 86 where open.isEmpty: why = "there is more after the end of the CTfile element"
            default: why = "the file is not well-formed XML\(inside)"
            }
        }
        return "\(why) (XML parser error \(code)); nothing of the file is read"
    }

    /// The number of the file's last line with anything on it, as the parser counts lines.
    private static func lastLine(of data: Data) -> Int {
        let breaks = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        return data.last == 0x0A ? breaks : breaks + 1
    }

    private func place(_ value: Located, _ field: String) -> FileLocation {
        FileLocation(file: fileName, line: value.line, column: value.column, field: field)
    }

    private func clean(_ text: String?) -> String? {
        guard let trimmed = text?.trimmedWhitespace(), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// `Header/<field>` or `Header/SourceSchool/<LEA|Estab|URN|SchoolName>`.
    private static func isHeaderField(_ path: [String]) -> Bool {
        guard path.count >= 3, path[1] == "Header" else { return false }
        if path.count == 3 { return path[2] != "SourceSchool" && path[2] != "DestSchool" }
        return path.count == 4 && path[2] == "SourceSchool" && ["LEA", "Estab", "URN", "SchoolName"].contains(path[3])
    }

    private static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    private static func isDigit(_ character: Character) -> Bool { ("0"..."9").contains(character) }

    private static func hasDateShape(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 10, characters[4] == "-", characters[7] == "-" else { return false }
        return characters.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 || isDigit($0.element) }
    }
}
