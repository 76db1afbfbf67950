import Foundation
import OnlineSafetyCore
import OnlineSafetyImport
import Testing

@Suite("Column-mapped CSV reader")
struct MappedCSVReaderTests {
    static let school = RosterSchoolKey(urn: "118377")
    static let exportedOn = CalendarDate(year: 2024, month: 9, day: 10)!

    func reader(_ mapping: CSVMapping, coverage: RosterCoverage = .full) -> MappedCSVReader {
        MappedCSVReader(mapping: mapping, school: Self.school, coverage: coverage, exportedOn: Self.exportedOn)
    }

    func read(_ mapping: CSVMapping, _ text: String, name: String = "export.csv") throws(RosterProblem) -> RosterBatch {
        try reader(mapping).read(data: Data(text.utf8), name: name)
    }

    func codes(_ batch: RosterBatch, _ severity: RosterProblem.Severity) -> [String] {
        batch.problems.filter { $0.severity == severity }.map(\.code).sorted()
    }

    func expectNoValuesQuoted(_ batch: RosterBatch) {
        for problem in batch.problems {
            for value in CSVFixtures.sensitive {
                #expect(!problem.description.contains(value), "\(problem.code) quotes a value")
            }
        }
    }

    // MARK: Bromcom-style students

    @Test func bromcomStudentsWithBOMCRLFAndOddHeaders() throws {
        let batch = try reader(.bromcomStudents).read(data: CSVFixtures.bromcomStudentsData, name: "students.csv")
        #expect(batch.sections.count == 1)
        let section = batch.sections[0]
        #expect(section.system == "bromcom")
        #expect(section.kinds == [.learners])
        #expect(section.school == Self.school)
        #expect(section.coverage == .full)
        #expect(section.exportedOn == Self.exportedOn)
        #expect(section.learners.map(\.source) == ["S001", "S002", "S007"].map { SourceRef(system: "bromcom", id: $0) })
        let first = section.learners[0]
        #expect(first.givenName == "Jessamy", "the legal first name, not the preferred one")
        #expect(first.familyName == "Okonkwo-Reid")
        #expect(first.preferredGivenName == "Jess")
        #expect(first.preferredFamilyName == nil, "the file has no preferred last name column")
        #expect(first.upn?.value == "B801200005001")
        #expect(first.dateOfBirth == CalendarDate(year: 2015, month: 3, day: 14))
        #expect(first.ncYear == .year5)
        #expect(first.registrationGroup == "5B")
        #expect(first.location == FileLocation(file: "students.csv", line: 2))
        #expect(section.learners[1].givenName == "Tobias")
        #expect(section.learners[1].preferredGivenName == "", "a blank preferred name is none")
        #expect(section.learners[1].dateOfBirth == CalendarDate(year: 2019, month: 9, day: 1))
        #expect(section.learners[1].ncYear == .reception)
        #expect(section.learners[2].familyName == "Marchbanks, Jr")
        #expect(section.learners[2].location.line == 8)
        #expect(
            batch.files == [
                RosterFile(
                    name: "students.csv", format: "bromcom-students", sha256: FileDigest.sha256(CSVFixtures.bromcomStudentsData), rows: 8)
            ])
    }

    @Test func bromcomStudentsProblemsAreLocated() throws {
        let batch = try reader(.bromcomStudents).read(data: CSVFixtures.bromcomStudentsData, name: "students.csv")
        #expect(codes(batch, .skip) == ["consent.notGranted"])
        #expect(codes(batch, .error) == ["date.impossible", "date.impossible", "ncYear.unknown", "upn.checkLetter"])
        #expect(codes(batch, .warning) == [])
        let located = batch.problems.map { "\($0.code)@\($0.location)" }
        #expect(
            located == [
                "consent.notGranted@students.csv:4:10 [Data Processing Consent Granted]",
                "date.impossible@students.csv:5:6 [DOB]",
                "date.impossible@students.csv:6:6 [DOB]",
                "ncYear.unknown@students.csv:7:7 [Year Group]",
                "upn.checkLetter@students.csv:10:2 [UPN]",
            ])
        expectNoValuesQuoted(batch)
    }

    @Test func declaredDateOrderIsNeverSwapped() throws {
        var us = CSVMapping.bromcomStudents
        us.dateFormat = .monthDayYear
        us.required = [.sourceID, .givenName, .familyName]
        let batch = try read(us, CSVFixtures.usOrderStudents)
        #expect(batch.sections[0].learners.map(\.source.id) == ["U1"])
        #expect(batch.sections[0].learners[0].dateOfBirth == CalendarDate(year: 2015, month: 3, day: 14))
        #expect(batch.problems.map(\.code) == ["date.impossible"])
        #expect(batch.problems[0].location == FileLocation(file: "export.csv", line: 3, column: 4, field: "Date of Birth"))

        let uk = try read(.bromcomStudents.overriding([:]), CSVFixtures.usOrderStudents)
        #expect(uk.sections[0].learners.map(\.source.id) == ["U2"])
        #expect(uk.sections[0].learners[0].dateOfBirth == CalendarDate(year: 2015, month: 3, day: 14))
        #expect(uk.problems.map(\.code) == ["date.impossible"])
        #expect(uk.problems[0].location.line == 2)
        expectNoValuesQuoted(batch)
        expectNoValuesQuoted(uk)
    }

    /// A students report's legal and preferred names are read apart, each from its own column.
    @Test func bromcomStudentsKeepLegalAndPreferredNamesApart() throws {
        let text = """
            Student ID,Legal First Name,Legal Last Name,Preferred First Name,Preferred Last Name,Data Processing Consent Granted
            S1,Jessamy,Okonkwo-Reid,Jess,Reid,Yes
            S2,Tobias,Lindqvist,Tobias,,Yes
            S3,,Pettigrew,Barney,,Yes

            """
        let batch = try read(.bromcomStudents, text, name: "students.csv")
        let learners = batch.sections[0].learners
        #expect(learners.map(\.source.id) == ["S1", "S2"])
        #expect(learners[0].givenName == "Jessamy" && learners[0].familyName == "Okonkwo-Reid")
        #expect(learners[0].preferredGivenName == "Jess" && learners[0].preferredFamilyName == "Reid")
        #expect(learners[1].givenName == "Tobias" && learners[1].familyName == "Lindqvist")
        #expect(learners[1].preferredGivenName == "Tobias" && learners[1].preferredFamilyName == "")
        #expect(
            batch.problems.map { "\($0.code)@\($0.location)" } == ["name.required@students.csv:4:2 [Legal First Name]"],
            "a preferred first name does not stand in for a blank legal one")
        expectNoValuesQuoted(batch)
    }

    @Test func missingRequiredColumnIsThrownNamingFieldAndAliases() {
        let text = "Student ID,LastName,Data Processing Consent Granted\nS1,Vale,Yes\n"
        do {
            _ = try read(.bromcomStudents, text)
            Issue.record("a file without a given-name column was read")
        } catch {
            #expect(error.code == "csv.missingColumn")
            #expect(error.location.field == "givenName")
            #expect(error.reason.contains("Legal First Name") && error.reason.contains("FirstName"))
        }
    }

    @Test func consentColumnIsRequiredForBromcomStudents() {
        #expect(throws: RosterProblem.self) { try read(.bromcomStudents, "Student ID,FirstName,LastName\nS1,Ada,Vale\n") }
    }

    // MARK: Bromcom-style contacts

    @Test func bromcomContactsKeepsParentsAndResponsibility() throws {
        let batch = try read(.bromcomContacts, CSVFixtures.bromcomContacts, name: "contacts.csv")
        let contacts = batch.sections[0].contacts
        #expect(batch.sections[0].kinds == [.contacts])
        #expect(contacts.map(\.source?.id) == ["C1", "C2", "C4", "C5"])
        #expect(contacts.map(\.learner.id) == ["S001", "S001", "S002", "S002"])
        #expect(contacts.map(\.relationship) == [.mother, .father, .fosterCarer, .other])
        #expect(contacts.map(\.parentalResponsibility) == [true, false, true, true])
        #expect(contacts.map(\.priority) == [1, 2, 1, 2])
        #expect(contacts.map(\.title) == ["Mrs", "Mr", "Mx", nil])
        #expect(contacts[0].email == "m.okonkwo@mail.example")
        #expect(contacts[0].phone == "07700900001")
        #expect(contacts[1].email == nil)
        #expect(contacts[0].learner == SourceRef(system: "bromcom", id: "S001"))
        let located = batch.problems.map { "\($0.severity.rawValue) \($0.code)@\($0.location)" }
        #expect(
            located == [
                "skip contact.notParentNoResponsibility@contacts.csv:4:6 [Relationship]",
                "warning relationship.unknown@contacts.csv:6:6 [Relationship]",
                "error boolean.unreadable@contacts.csv:7:7 [Parental Responsibility]",
                "skip contact.notParentNoResponsibility@contacts.csv:8:6 [Relationship]",
                "error priority.invalid@contacts.csv:9:8 [Priority]",
            ])
        expectNoValuesQuoted(batch)
    }

    @Test func relationshipTextMapping() throws {
        let cases: [(String, Relationship)] = [
            ("MOTHER", .mother), ("father", .father), ("Parent", .parent), ("Step-Mother", .stepParent),
            ("foster carer", .fosterCarer), ("Carer", .carer), ("Grandparent", .grandparent), ("Aunt", .otherRelative),
            ("uncle", .otherRelative), ("Other Relative", .otherRelative), ("Social Worker", .socialWorker), ("Other", .other),
            ("Lodger", .other),
        ]
        var text = "Relative ID,First Name,Last Name,Email,Child ID,Relationship\n"
        for (index, entry) in cases.enumerated() { text += "R\(index),Ada,Vale,r\(index)@mail.example,T1,\(entry.0)\n" }
        let batch = try read(.tapestryRelatives, text)
        #expect(batch.sections[0].contacts.map(\.relationship) == cases.map(\.1))
        #expect(batch.problems.map(\.code) == ["relationship.unknown"])
        #expect(batch.problems[0].location.line == 14)
    }

    // MARK: Tapestry-style

    @Test func tapestryChildrenSplitGroupsAndKeepKeyPerson() throws {
        let batch = try read(.tapestryChildren, CSVFixtures.tapestryChildren, name: "children.csv")
        let learners = batch.sections[0].learners
        #expect(batch.sections[0].system == "tapestry")
        #expect(learners.map(\.source.id) == ["T1", "T2"])
        #expect(learners[0].groups == ["Butterflies", "Forest School"])
        #expect(learners[0].keyPerson == "Miss Pardoe")
        #expect(learners[0].upn == nil)
        #expect(learners[0].dateOfBirth == CalendarDate(year: 2021, month: 6, day: 5))
        #expect(learners[1].dateOfBirth == CalendarDate(year: 2020, month: 2, day: 29))
        #expect(learners[1].upn?.value == "P207000016049")
        #expect(learners[1].groups == ["Ladybirds"])
        #expect(batch.problems.map { "\($0.code)@\($0.location)" } == ["date.impossible@children.csv:4:4 [Date of Birth]"])
        #expect(batch.files[0].format == "tapestry-children")
        expectNoValuesQuoted(batch)
    }

    /// A Tapestry child's `First Name` and `Last Name` are the legal names and `Preferred Name`
    /// the name they are known by; a file without the column says nothing of preferred names.
    @Test func tapestryChildrenKeepLegalAndPreferredNamesApart() throws {
        let text = """
            Child ID,First Name,Last Name,Preferred Name,Date of Birth
            T1,Wilhelmina,Achterberg,Mina,05/06/2021
            T2,Caspian,Ellory,,29/02/2020
            T3,,Nkemelu,Pet,01/01/2021

            """
        let batch = try read(.tapestryChildren, text, name: "children.csv")
        let learners = batch.sections[0].learners
        #expect(learners.map(\.source.id) == ["T1", "T2"])
        #expect(learners[0].givenName == "Wilhelmina" && learners[0].familyName == "Achterberg")
        #expect(learners[0].preferredGivenName == "Mina")
        #expect(learners[0].preferredFamilyName == nil, "Tapestry has no preferred last name")
        #expect(learners[1].givenName == "Caspian" && learners[1].preferredGivenName == "")
        #expect(batch.problems.map { "\($0.code)@\($0.location)" } == ["name.required@children.csv:4:2 [First Name]"])
        expectNoValuesQuoted(batch)

        let without = try read(.tapestryChildren, CSVFixtures.tapestryChildren, name: "children.csv")
        #expect(without.sections[0].learners.allSatisfy { $0.preferredGivenName == nil && $0.preferredFamilyName == nil })
    }

    @Test func tapestryRelativesNeedAnEmailAndSplitChildren() throws {
        let batch = try read(.tapestryRelatives, CSVFixtures.tapestryRelatives, name: "relatives.csv")
        let contacts = batch.sections[0].contacts
        #expect(contacts.map(\.source?.id) == ["R1", "R1", "R4"])
        #expect(contacts.map(\.learner.id) == ["T1", "T2", "T3"])
        #expect(contacts.map(\.relationship) == [.father, .father, .socialWorker])
        #expect(contacts.map(\.parentalResponsibility) == [true, true, false])
        #expect(contacts.map(\.priority) == [1, 1, 1])
        #expect(contacts[0].email == "a.achterberg@mail.example")
        #expect(contacts[0].phone == "07700900100")
        #expect(contacts.allSatisfy { $0.source?.system == "tapestry" })
        #expect(
            batch.problems.map { "\($0.code)@\($0.location)" } == [
                "email.required@relatives.csv:3:4 [Email]", "email.invalid@relatives.csv:4:4 [Email]",
            ])
        #expect(batch.problems.allSatisfy { $0.severity == .error })
        expectNoValuesQuoted(batch)
    }

    @Test func tapestryRelativesWithoutAnEmailColumnAreRefused() {
        do {
            _ = try read(.tapestryRelatives, "Relative ID,First Name,Last Name,Child ID\nR1,Ada,Vale,T1\n")
            Issue.record("a relatives file without an email column was read")
        } catch {
            #expect(error.code == "csv.missingColumn")
            #expect(error.location.field == "email")
        }
    }

    // MARK: --map

    @Test func mapOverridesColumns() throws {
        var mapping = try CSVMapping.tapestryChildren.overriding(["Pupil Ref": "sourceID", "Given": "GIVENNAME", "Born": "dateOfBirth"])
        mapping.dateFormat = .iso
        let batch = try read(mapping, CSVFixtures.customHeaders)
        #expect(batch.sections[0].learners.map(\.source.id) == ["P1"])
        #expect(batch.sections[0].learners[0].givenName == "Saoirse")
        #expect(batch.sections[0].learners[0].dateOfBirth == CalendarDate(year: 2016, month: 7, day: 8))
        #expect(batch.problems.map { "\($0.code)@\($0.location)" } == ["date.impossible@export.csv:3:4 [Born]"])
        expectNoValuesQuoted(batch)
    }

    @Test func mapRefusesAnUnknownFieldNamingTheAllowedOnes() {
        do {
            _ = try CSVMapping.tapestryChildren.overriding(["Pupil Ref": "pupilNumber"])
            Issue.record("an unknown field was accepted")
        } catch {
            #expect(error.code == "mapping.unknownField")
            #expect(error.location.field == "Pupil Ref")
            #expect(RosterField.allCases.allSatisfy { error.reason.contains($0.rawValue) })
        }
    }

    @Test func mapToAColumnNotInTheFileIsRefused() throws {
        let mapping = try CSVMapping.tapestryChildren.overriding(["Nowhere": "keyPerson"])
        do {
            _ = try read(mapping, CSVFixtures.tapestryChildren)
            Issue.record("a mapped column that is not there was ignored")
        } catch {
            #expect(error.code == "csv.missingColumn")
            #expect(error.location.field == "Nowhere")
        }
    }

    // MARK: Parsing quirks

    @Test func lfCRLFAndNoFinalNewlineGiveTheSameRows() throws {
        let lf = CSVFixtures.tapestryChildren
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let trimmed = String(lf.dropLast())
        let a = try read(.tapestryChildren, lf)
        let b = try read(.tapestryChildren, crlf)
        let c = try read(.tapestryChildren, "\u{FEFF}" + trimmed)
        #expect(a.sections == b.sections && b.sections == c.sections)
        #expect(a.problems == b.problems && b.problems == c.problems)
    }

    @Test func columnsInAnyOrderAndBlankLinesSkipped() throws {
        let text = "Group(s),last name,CHILD  ID,First Name,Extra\n\nA;B,Vale,T9,Ada,x\n\n"
        let batch = try read(.tapestryChildren, text)
        #expect(batch.sections[0].learners.map(\.source.id) == ["T9"])
        #expect(batch.sections[0].learners[0].groups == ["A", "B"])
        #expect(batch.sections[0].learners[0].location.line == 3)
        #expect(batch.problems.isEmpty)
    }

    @Test func emptyFileAndUnterminatedQuote() throws {
        #expect(throws: RosterProblem.self) { try read(.tapestryChildren, "") }
        // A quote that never closes refuses the file, at the line it opens on: no row is read short.
        let open = "Child ID,First Name,Last Name\nT1,Ada,Vale\nT2,\"Bea,Vale\nT3,Cy,Vale\n"
        do {
            _ = try read(.tapestryChildren, open)
            Issue.record("a file with a quote that never closes is read")
        } catch {
            #expect("\(error.code)@\(error.location)" == "csv.unterminatedQuote@export.csv:3")
        }
    }

    /// A tool's `--map` reads a column as a field where the file has it; a file without it reads
    /// the field as usual, with a warning at its header.
    @Test func aToolsMapReadsTheColumnWhereAFileHasIt() throws {
        let text = "Child ID,First Name,Last Name,Key\nT1,Ada,Vale,Kate\n"
        let mapped = try read(CSVMapping.tapestryChildren.preferring(["Key": "keyPerson"]), text)
        #expect(mapped.sections[0].learners.map(\.keyPerson) == ["Kate"])
        #expect(mapped.problems.isEmpty)
        let absent = try read(CSVMapping.tapestryChildren.preferring(["Nowhere": "keyPerson"]), text)
        #expect(absent.problems.map { "\($0.code)@\($0.location)" } == ["mapping.columnAbsent@export.csv:1 [Nowhere]"])
        #expect(absent.sections[0].learners.map(\.source.id) == ["T1"])
        // A configuration's own map is strict: a file without the column is refused.
        #expect(throws: RosterProblem.self) { try read(CSVMapping.tapestryChildren.overriding(["Nowhere": "keyPerson"]), text) }
    }

    /// Two stray quotes take the rows between them into one field: the file is refused at the
    /// line the first opens, rather than read short.
    @Test func aFieldRunningOverSeveralLinesRefusesTheFile() throws {
        let text = "Child ID,First Name,Last Name\nT1,Ada,Vale\nT2,\"Bea,Vale\nT3,Cy\",Vale\nT4,Di,Vale\n"
        do {
            _ = try read(.tapestryChildren, text)
            Issue.record("a file whose name field runs over several lines is read")
        } catch {
            #expect("\(error.code)@\(error.location)" == "csv.lineBreakInField@export.csv:3:2 [First Name]")
            #expect(!error.reason.contains("Bea") && !error.reason.contains("Cy"), "the reason quotes no name")
        }
    }

    @Test func duplicateIdsAndControlCharactersAreRejected() throws {
        let text = "Child ID,First Name,Last Name\nT1,Ada,Vale\nT1,Bea,Vale\nT2,C\u{0}a,Vale\n"
        let batch = try read(.tapestryChildren, text)
        #expect(batch.sections[0].learners.map(\.source.id) == ["T1"])
        #expect(codes(batch, .error) == ["id.duplicate", "text.controlCharacter"])
    }

    @Test func yesNoVariantsForParentalResponsibility() throws {
        let values = ["Yes", "no", "TRUE", "false", "Y", "n"]
        var text = "Contact ID,Student ID,FirstName,LastName,Relationship,Parental Responsibility\n"
        for (index, value) in values.enumerated() { text += "C\(index),S1,Ada,Vale,Mother,\(value)\n" }
        let batch = try read(.bromcomContacts, text)
        #expect(batch.sections[0].contacts.map(\.parentalResponsibility) == [true, false, true, false, true, false])
        #expect(batch.sections[0].contacts.map(\.priority) == [1, 2, 3, 4, 5, 6])
    }

    @Test func refusesUTF16TextSayingSoAtLineOne() throws {
        let units = Array("Child ID,First Name,Last Name\r\nT1,Ren,Vale".utf16)
        let littleEndian = units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bigEndian = units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [[0xFF, 0xFE] + littleEndian, [0xFE, 0xFF] + bigEndian, littleEndian] {
            do {
                _ = try reader(.tapestryChildren).read(data: Data(bytes), name: "children.csv")
                Issue.record("a UTF-16 file was read")
            } catch {
                #expect(error.code == "csv.encoding")
                #expect(error.location == FileLocation(file: "children.csv", line: 1))
                #expect(error.reason.contains("UTF-16") && error.reason.contains("UTF-8"))
            }
        }
    }

    @Test func readsAFileByURLAndFallsBackFromNonUTF8() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("children-1252.csv")
        var bytes = Array("Child ID,First Name,Last Name\r\nT1,Ren".utf8)
        bytes.append(0xE9)
        bytes += Array("e,Vale".utf8)
        try Data(bytes).write(to: url)
        let batch = try reader(.tapestryChildren).read(contentsOf: url)
        #expect(batch.files[0].name == "children-1252.csv")
        #expect(batch.sections[0].learners.map(\.givenName) == ["Ren\u{E9}e"])
        let located = batch.problems.map { "\($0.severity.rawValue) \($0.code)@\($0.location)" }
        #expect(located == ["warning csv.encoding@children-1252.csv"], "a whole-file problem names no line")
        let whole = FileLocation(file: "a.zip", line: 0, column: 3, field: "users.csv")
        #expect("\(whole)" == "a.zip [users.csv]", "no line, so no column either")
        do {
            _ = try reader(.tapestryChildren).read(contentsOf: folder.appendingPathComponent("missing.csv"))
            Issue.record("a missing file was read")
        } catch {
            #expect(error.code == "file.unreadable")
            #expect(error.location.file == "missing.csv")
        }
    }
}
