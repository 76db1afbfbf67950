import Foundation
import OnlineSafetyCore

/// Writes a plan's schools as files and `trust.json`.
struct SampleWriter {
    let directory: URL
    let plan: SamplePlan
    private var files: [String: Int] = [:]

    init(directory: URL, plan: SamplePlan) {
        self.directory = directory
        self.plan = plan
    }

    private var day: Day { SampleTrust.exportDay }

    mutating func write() throws -> SampleTrustSummary {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var schoolEntries: [SampleTrustConfiguration.School] = []
        for school in plan.schools {
            var entries: [SampleTrustConfiguration.File] = []
            if plan.ctf25.contains(school.key) || plan.ctf24.contains(school.key) {
                let version = plan.ctf24.contains(school.key) ? 24 : 25
                let name = "\(school.laCode)\(school.establishmentNumber)_CTF_\(school.laCode)\(school.establishmentNumber)_001.xml"
                try save("\(school.key)/\(name)", Data(CTFWriter(school: school, version: version, day: day).xml().utf8))
                entries.append(SampleTrustConfiguration.File(path: "\(school.key)/\(name)", format: "ctf"))
            }
            if plan.bromcom.contains(school.key) {
                try save("\(school.key)/students.csv", BromcomWriter(school: school).students())
                try save("\(school.key)/contacts.csv", BromcomWriter(school: school).contacts())
                entries.append(
                    SampleTrustConfiguration.File(
                        path: "\(school.key)/students.csv", format: "bromcom-students", coverage: "partial", exportedOn: day.iso,
                        dateFormat: "dd/MM/yyyy"))
                entries.append(
                    SampleTrustConfiguration.File(
                        path: "\(school.key)/contacts.csv", format: "bromcom-contacts", coverage: "partial", exportedOn: day.iso))
            }
            if plan.tapestry.contains(school.key) {
                try save("\(school.key)/children.csv", TapestryWriter(school: school).children())
                try save("\(school.key)/relatives.csv", TapestryWriter(school: school).relatives())
                entries.append(
                    SampleTrustConfiguration.File(
                        path: "\(school.key)/children.csv", format: "tapestry-children", coverage: "full", exportedOn: day.iso,
                        dateFormat: "dd/MM/yyyy"))
                entries.append(
                    SampleTrustConfiguration.File(
                        path: "\(school.key)/relatives.csv", format: "tapestry-relatives", coverage: "full", exportedOn: day.iso,
                        dateFormat: "dd/MM/yyyy"))
            }
            schoolEntries.append(
                SampleTrustConfiguration.School(
                    urn: school.urn, laCode: school.laCode, establishmentNumber: school.establishmentNumber, name: school.name,
                    phase: school.phase, policy: school.policy,
                    sourceIDs: plan.oneRosterSchools.contains(school.key)
                        ? [SampleTrustConfiguration.SourceID(system: "oneroster", id: school.orgID)] : [],
                    files: entries, roleHolders: Self.roleHolders(school)))
        }
        var trustFiles: [SampleTrustConfiguration.File] = []
        if !plan.oneRosterSchools.isEmpty {
            let writer = OneRosterWriter(plan: plan, day: day)
            try save("oneroster.zip", StoredZip.archive(writer.files()))
            trustFiles.append(SampleTrustConfiguration.File(path: "oneroster.zip", format: "oneroster"))
        }
        let configuration = SampleTrustConfiguration(
            trust: .init(name: "Northdown Learning Trust", companyNumber: "01234567"),
            administrator: .init(
                givenName: "Dana", familyName: "Price", email: "dana.price@northdown.example", jobTitle: "Trust data manager"),
            files: trustFiles, schools: schoolEntries)
        var json = try configuration.encoded()
        json.append(0x0A)
        try save("trust.json", json)
        let children = plan.schools.reduce(0) { $0 + $1.children.count }
        return SampleTrustSummary(
            schools: plan.schools.count, learners: children, adults: plan.schools.reduce(0) { $0 + $1.adults.count },
            contactLinks: plan.schools.reduce(0) { $0 + $1.children.reduce(0) { $0 + $1.links.count } },
            staff: plan.schools.reduce(0) { $0 + $1.staff.count }, files: files)
    }

    private mutating func save(_ path: String, _ data: Data) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        files[path] = data.count
    }

    static func roleHolders(_ school: SampleSchool) -> [SampleTrustConfiguration.RoleHolder] {
        [
            .init(
                email: "dsl@\(school.domain)", givenName: "Morgan", familyName: "Ellis-\(school.key.capitalized)",
                role: Role.designatedSafeguardingLead.rawValue, jobTitle: "Designated safeguarding lead"),
            .init(
                email: "governor@\(school.domain)", givenName: "Patrick", familyName: "Ó Súilleabháin", role: Role.governor.rawValue,
                jobTitle: "Safeguarding governor"),
            .init(
                email: "office@\(school.domain)", givenName: "Priya", familyName: "Raman", role: Role.dataManager.rawValue,
                jobTitle: "Data manager"),
            .init(
                email: "it@\(school.domain)", givenName: "Tomasz", familyName: "Zieliński", role: Role.technicalStaff.rawValue,
                jobTitle: "Network manager"),
        ]
    }
}

// MARK: - CTF

/// A Common Transfer File of one school's pupils and contacts.
struct CTFWriter {
    let school: SampleSchool
    let version: Int
    let day: Day

    func xml() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += version == 24 ? "<CTfile xmlns=\"http://www.example.org/ctf/24\">\n" : "<CTfile>\n"
        out += "  <Header>\n"
        out += "    <DocumentName>Common Transfer File</DocumentName>\n"
        out += "    <CTFversion>\(version).0</CTFversion>\n"
        out += "    <DateTime>\(day.iso)T09:15:00</DateTime>\n"
        out += "    <DocumentQualifier>\(version == 24 ? "partial" : "full")</DocumentQualifier>\n"
        out += "    <SupplierID>SampleTrust</SupplierID>\n"
        out += "    <SourceSchool>\n"
        out += "      <LEA>\(school.laCode)</LEA>\n      <Estab>\(school.establishmentNumber)</Estab>\n"
        out += "      <URN>\(school.urn)</URN>\n      <SchoolName>\(esc(school.name))</SchoolName>\n"
        out += "      <AcademicYear>2026</AcademicYear>\n"
        out += "    </SourceSchool>\n"
        out +=
            "    <DestSchool>\n      <LEA>\(school.laCode)</LEA>\n      <Estab>\(school.establishmentNumber)</Estab>\n    </DestSchool>\n"
        out += "  </Header>\n"
        out += "  <CTFpupilData>\n"
        for (index, child) in school.children.enumerated() { pupil(child, index, &out) }
        out += "  </CTFpupilData>\n</CTfile>\n"
        return out
    }

    private func pupil(_ child: SampleChild, _ index: Int, _ out: inout String) {
        out += "    <Pupil>\n"
        out += "      <UPN>\(child.upn)</UPN>\n"
        out += "      <Surname>\(esc(child.familyName))</Surname>\n"
        out += "      <Forename>\(esc(child.givenName))</Forename>\n"
        out += "      <DOB>\(child.dateOfBirth.iso)</DOB>\n"
        out += version == 24 ? "      <Gender>\(child.female ? "F" : "M")</Gender>\n" : "      <Sex>\(child.female ? "F" : "M")</Sex>\n"
        out += "      <BasicDetails>\n"
        if let preferred = child.preferredName { out += "        <PreferredForename>\(esc(preferred))</PreferredForename>\n" }
        out += "        <NCyearActual>\(child.ncYear.rawValue)</NCyearActual>\n"
        out += "        <EnrolStatus>C</EnrolStatus>\n"
        out += "      </BasicDetails>\n"
        out += "      <LookedAfter>\n        <InCare>\(child.lookedAfter ? "true" : "false")</InCare>\n      </LookedAfter>\n"
        if child.senProvision != "N" {
            out += "      <SENhistory>\n        <SEN>\n          <StartDate>2025-09-01</StartDate>\n"
            out += "          <SENprovision>\(child.senProvision)</SENprovision>\n        </SEN>\n      </SENhistory>\n"
        }
        out += "      <Address>\n        <BS7666Address>\n          <PAON>\(index + 1)</PAON>\n"
        out += "          <Street>\(["Harbour Road", "Chalk Lane", "Mill Street", "Station Approach"][index % 4])</Street>\n"
        out += "          <Town>Northdown</Town>\n        </BS7666Address>\n"
        out += "        <PostCode>ZZ9 \(index % 10)XX</PostCode>\n      </Address>\n"
        out += "      <Contacts>\n"
        for link in child.links {
            let adult = school.adults[link.adult]
            out += "        <Contact>\n"
            out += "          <Order>\(link.priority)</Order>\n"
            if let title = adult.title { out += "          <Title>\(esc(title))</Title>\n" }
            out += "          <Surname>\(esc(adult.familyName))</Surname>\n"
            out += "          <Forename>\(esc(adult.givenName))</Forename>\n"
            out += "          <Relationship>\(link.code)</Relationship>\n"
            out += "          <Responsibility>\(link.responsibility ? "true" : "false")</Responsibility>\n"
            if let phone = adult.phone {
                out += "          <Phones>\n            <Phone>\n              <TelephoneType>M</TelephoneType>\n"
                out += "              <PhoneNo>\(esc(phone))</PhoneNo>\n            </Phone>\n          </Phones>\n"
            }
            if let email = adult.email { out += "          <Email>\(esc(email))</Email>\n" }
            out += "          <AddressAsPupil>\(link.code == "GRM" || link.code == "FOS" ? "false" : "true")</AddressAsPupil>\n"
            out += "        </Contact>\n"
        }
        out += "      </Contacts>\n"
        out += "    </Pupil>\n"
    }

    private func esc(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}

// MARK: - CSV

/// Builds CSV text with the chosen line ending.
struct CSVText {
    var lineEnding = "\r\n"
    private(set) var text = ""

    init(lineEnding: String = "\r\n", byteOrderMark: Bool = false) {
        self.lineEnding = lineEnding
        if byteOrderMark { text = "\u{FEFF}" }
    }

    mutating func row(_ fields: [String]) {
        text += fields.map(Self.quoted).joined(separator: ",") + lineEnding
    }

    /// The text, optionally without the last line break.
    func finished(trailingLineBreak: Bool = true) -> Data {
        // "\r\n" is one Character, so dropping the last Character drops the whole line break.
        Data((trailingLineBreak ? text : String(text.dropLast())).utf8)
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Bromcom-style student and contact reports: UTF-8 with a byte order mark, CRLF, dd/MM/yyyy.
struct BromcomWriter {
    let school: SampleSchool

    func students() -> Data {
        var csv = CSVText(byteOrderMark: true)
        csv.row([
            "Student ID", "UPN", "Legal First Name", "Legal Last Name", "Preferred First Name", "Preferred Last Name",
            "Date of Birth", "Year Group", "Reg Group", "House", "SEN Status", "Looked After", "Data Processing Consent Granted",
        ])
        for child in school.children {
            csv.row([
                child.id, child.upn, child.givenName, child.familyName, child.preferredName ?? "", "",
                child.dateOfBirth.dayMonthYear, Self.year(child.ncYear), child.registrationGroup,
                ["Red", "Blue", "Green"][child.id.utf8.reduce(0) { $0 + Int($1) } % 3], child.senProvision == "N" ? "No" : "Yes",
                child.lookedAfter ? "Yes" : "No", child.consent ? "Yes" : "No",
            ])
        }
        return csv.finished()
    }

    func contacts() -> Data {
        var csv = CSVText(byteOrderMark: true)
        csv.row([
            "Contact ID", "Student ID", "Title", "Legal First Name", "Legal Last Name", "Relationship", "Parental Responsibility",
            "Priority", "Email", "Mobile", "Address Same As Student",
        ])
        for child in school.children {
            for link in child.links {
                let adult = school.adults[link.adult]
                csv.row([
                    adult.id, child.id, adult.title ?? "", adult.givenName, adult.familyName, link.word,
                    link.responsibility ? "Yes" : "No", String(link.priority), adult.email ?? "", adult.phone ?? "",
                    link.code == "GRM" ? "No" : "Yes",
                ])
            }
        }
        return csv.finished()
    }

    static func year(_ year: NCYear) -> String {
        switch year {
        case .nursery1: "Nursery 1"
        case .nursery2: "Nursery 2"
        case .reception: "Reception"
        case .outsideYearGroups: "X"
        default: "Year \(year.rawValue)"
        }
    }
}

/// Tapestry-style children and relatives: LF, dd/MM/yyyy, groups and children split on `;`.
struct TapestryWriter {
    let school: SampleSchool

    func children() -> Data {
        var csv = CSVText(lineEnding: "\n")
        csv.row([
            "Child ID", "First Name", "Last Name", "Preferred Name", "Date of Birth", "UPN", "Year Group", "Room", "Key Person",
            "Group(s)", "Status",
        ])
        for child in school.children {
            csv.row([
                child.id, child.givenName, child.familyName, child.preferredName ?? "", child.dateOfBirth.dayMonthYear, child.upn,
                child.ncYear.rawValue, child.registrationGroup, child.keyPerson ?? "", child.groups.joined(separator: "; "), "Current",
            ])
        }
        return csv.finished()
    }

    func relatives() -> Data {
        var csv = CSVText(lineEnding: "\n")
        csv.row(["Relative ID", "First Name", "Last Name", "Email", "Phone number", "Children", "Relationship", "Parental Responsibility"])
        var children: [Int: [(SampleChild, SampleLink)]] = [:]
        for child in school.children {
            for link in child.links { children[link.adult, default: []].append((child, link)) }
        }
        for (index, adult) in school.adults.enumerated() {
            guard let links = children[index], let first = links.first else { continue }
            csv.row([
                adult.id, adult.givenName, adult.familyName, adult.email ?? "", adult.phone ?? "",
                links.map { $0.0.id }.joined(separator: ";"), first.1.word, first.1.responsibility ? "Yes" : "No",
            ])
        }
        return csv.finished()
    }
}

// MARK: - OneRoster

/// A OneRoster 1.1 bulk set of the plan's OneRoster schools, with the quirks real sets have.
struct OneRosterWriter {
    let plan: SamplePlan
    let day: Day

    private var schools: [SampleSchool] { plan.schools.filter { plan.oneRosterSchools.contains($0.key) } }

    func files() -> [(String, Data)] {
        [
            ("manifest.csv", manifest()), ("orgs.csv", orgs()), ("users.csv", users()), ("demographics.csv", demographics()),
            ("classes.csv", classes()), ("enrollments.csv", enrollments()),
        ]
    }

    private func modified(_ n: Int) -> String {
        // Dates with and without a time part.
        n % 3 == 0 ? day.iso : "\(day.iso)T0\(n % 10):1\(n % 6):00.000Z"
    }

    private func manifest() -> Data {
        var csv = CSVText()
        csv.row(["propertyName", "value"])
        for row in [
            ["manifest.version", "1.0"], ["oneroster.version", "1.1"], ["file.academicSessions", "absent"],
            ["file.categories", "absent"], ["file.classes", "bulk"], ["file.classResources", "absent"], ["file.courses", "absent"],
            ["file.courseResources", "absent"], ["file.demographics", "bulk"], ["file.enrollments", "bulk"],
            ["file.lineItems", "absent"], ["file.orgs", "bulk"], ["file.resources", "absent"], ["file.results", "absent"],
            ["file.users", "bulk"], ["source.systemName", "SampleTrust"], ["source.systemCode", "sample"],
        ] { csv.row(row) }
        return csv.finished()
    }

    private func orgs() -> Data {
        var csv = CSVText()
        csv.row(["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"])
        csv.row(["org-trust", "active", day.iso, "Northdown Learning Trust", "district", "01234567", ""])
        for school in schools {
            csv.row([school.orgID, "active", "\(day.iso)T06:00:00.000Z", school.name, "school", school.urn, "org-trust"])
        }
        return csv.finished()
    }

    private func learners(_ school: SampleSchool) -> Bool { plan.oneRosterLearners.contains(school.key) }

    private func users() -> Data {
        var csv = CSVText()
        // Columns out of order, with an extension column.
        csv.row([
            "role", "givenName", "familyName", "sourcedId", "orgSourcedIds", "status", "dateLastModified", "enabledUser", "username",
            "userIds", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
            "metadata.classification",
        ])
        var n = 0
        for school in schools {
            let org = school.orgID
            if learners(school) {
                for child in school.children {
                    n += 1
                    let agents = child.links.map { adultID(school, $0.adult) }.joined(separator: ",")
                    let status = plan.sample ? child.status : "active"
                    let identifier = n % 5 == 0 ? "" : child.upn
                    let userIds = n % 5 == 0 ? "{UPN:\(child.upn)},{MIS:\(child.id)}" : "{MIS:\(child.id)}"
                    csv.row([
                        "student", child.knownAs, child.familyName, studentID(school, child), org, status, modified(n),
                        n % 2 == 0 ? "TRUE" : "true", child.id.lowercased(), userIds, "", identifier, "", "", "", agents,
                        Self.grade(child.ncYear), "", "pupil",
                    ])
                }
                var linked: [Int: [String]] = [:]
                var codes: [Int: String] = [:]
                for child in school.children {
                    for link in child.links {
                        linked[link.adult, default: []].append(studentID(school, child))
                        codes[link.adult] = codes[link.adult] ?? link.code
                    }
                }
                for (index, adult) in school.adults.enumerated() {
                    guard let children = linked[index] else { continue }
                    n += 1
                    let role =
                        switch codes[index] {
                        case "GRM", "GRF", "REL": "relative"
                        case "FOS", "CAR": "guardian"
                        default: "parent"
                        }
                    csv.row([
                        role, adult.givenName, adult.familyName, adultID(school, index), org, n % 7 == 0 ? "" : "active", modified(n),
                        "true", "", "", "", "", adult.email ?? "", adult.phone ?? "", "", children.joined(separator: ","), "", "",
                        "contact",
                    ])
                }
            }
            for member in school.staff {
                n += 1
                csv.row([
                    member.role, member.givenName, member.familyName, member.id, org, member.status, modified(n),
                    n % 2 == 0 ? "TRUE" : "true", member.email, "{LDAP:\(n)}", "", "", member.email, "", "", "", "", "", "staff",
                ])
            }
        }
        // The last line has no line break.
        return csv.finished(trailingLineBreak: false)
    }

    private func studentID(_ school: SampleSchool, _ child: SampleChild) -> String { "stu-\(school.key)-\(child.id)" }
    private func adultID(_ school: SampleSchool, _ index: Int) -> String { "par-\(school.key)-\(school.adults[index].id)" }

    private func demographics() -> Data {
        var csv = CSVText()
        csv.row(["sourcedId", "status", "dateLastModified", "birthDate", "sex", "americanIndianOrAlaskaNative", "asian"])
        for school in schools where learners(school) {
            for child in school.children {
                csv.row([studentID(school, child), "active", day.iso, child.dateOfBirth.iso, child.female ? "female" : "male", "", ""])
            }
        }
        return csv.finished()
    }

    private func groups(_ school: SampleSchool) -> [String] { Array(Set(school.children.map(\.registrationGroup))).sorted() }

    private func classID(_ school: SampleSchool, _ group: String) -> String {
        "cls-\(school.key)-" + group.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    private func classes() -> Data {
        var csv = CSVText()
        csv.row([
            "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location",
            "schoolSourcedId", "termSourcedIds", "subjects",
        ])
        for school in schools where learners(school) {
            for group in groups(school) {
                csv.row([classID(school, group), "active", day.iso, group, "", "", group, "homeroom", "", school.orgID, "t2026", ""])
            }
            csv.row([
                "cls-\(school.key)-computing", "active", day.iso, "Computing", "", "", "COMP", "scheduled", "ICT Suite", school.orgID,
                "t2026", "Computing,Online safety",
            ])
        }
        return csv.finished()
    }

    private func enrollments() -> Data {
        var csv = CSVText()
        csv.row([
            "sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "status", "dateLastModified", "primary",
            "beginDate", "endDate",
        ])
        var n = 0
        for school in schools where learners(school) {
            for (index, child) in school.children.enumerated() {
                n += 1
                csv.row([
                    "enr-\(n)", classID(school, child.registrationGroup), school.orgID, studentID(school, child), "student", "active",
                    day.iso, "false", "2026-09-01", "",
                ])
                if index % 4 == 0 {
                    n += 1
                    csv.row([
                        "enr-\(n)", "cls-\(school.key)-computing", school.orgID, studentID(school, child), "student", "", day.iso,
                        "false", "2026-09-01", "",
                    ])
                }
            }
            for member in school.staff {
                for group in member.classes {
                    n += 1
                    csv.row([
                        "enr-\(n)", classID(school, group), school.orgID, member.id, "teacher", "active", day.iso, "TRUE", "2026-09-01",
                        "",
                    ])
                }
            }
        }
        return csv.finished()
    }

    static func grade(_ year: NCYear) -> String {
        switch year {
        case .nursery1, .nursery2: "PK"
        case .reception: "KG"
        case .outsideYearGroups: "X"
        default: String(format: "%02d", Int(year.rawValue) ?? 0)
        }
    }
}
