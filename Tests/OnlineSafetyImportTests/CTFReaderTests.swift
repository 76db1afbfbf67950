import Foundation
import OnlineSafetyCore
import OnlineSafetyImport
import Testing

private typealias Place = OnlineSafetyCore.FileLocation

@Suite("CTF reader")
struct CTFReaderTests {
    private let reader = CTFReader()

    private func read(_ xml: String, name: String = "8862074_CTF_8862074_001.xml") throws -> RosterBatch {
        try reader.read(data: Data(xml.utf8), name: name)
    }

    private func refusal(_ xml: String, name: String = "bad.xml") -> RosterProblem? {
        do {
            _ = try reader.read(data: Data(xml.utf8), name: name)
            return nil
        } catch {
            return error
        }
    }

    /// Every problem's description is free of the fixtures' personal values.
    private func expectNoPersonalValues(_ problems: [RosterProblem], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for problem in problems {
            for value in CTFFixtures.personalValues {
                #expect(!problem.description.contains(value), "\(problem.code) quotes a value", sourceLocation: sourceLocation)
            }
        }
    }

    private func learner(_ batch: RosterBatch, _ upn: String) -> RosterLearner? {
        batch.sections.first?.learners.first { $0.upn?.value == upn }
    }

    // MARK: - CTF 25, full

    @Test func readsTheHeaderAndFileOfACTF25FullExport() throws {
        let data = Data(CTFFixtures.ctf25Full.utf8)
        let batch = try reader.read(data: data, name: "8862074_CTF_8862074_001.xml")
        #expect(
            batch.files == [RosterFile(name: "8862074_CTF_8862074_001.xml", format: "ctf-25", sha256: FileDigest.sha256(data), rows: 11)])
        #expect(batch.files[0].sha256.count == 64)
        #expect(batch.sections.count == 1)
        let section = try #require(batch.sections.first)
        #expect(section.file == "8862074_CTF_8862074_001.xml")
        #expect(section.system == "ctf")
        #expect(section.kinds == [.learners, .contacts])
        #expect(section.coverage == .full)
        #expect(section.exportedOn == CalendarDate(year: 2025, month: 9, day: 15))
        #expect(section.school.urn == "118377")
        #expect(section.school.dfeNumber == (try DfENumber(laCode: "886", establishmentNumber: "2074")))
        #expect(section.schoolName == "Oakfield Primary & Nursery")
        #expect(section.staff.isEmpty)
    }

    @Test func readsTheGoodPupilsAndRejectsTheBadOnes() throws {
        let batch = try read(CTFFixtures.ctf25Full)
        let section = try #require(batch.sections.first)
        #expect(
            section.learners.map { $0.upn?.value }
                == ["W886207424001", "K886207424002", "Z886207424003", "C500123424011", "V88620742401A", "J886207424009", "V886207424010"])
        #expect(section.learners.allSatisfy { $0.source == SourceRef(system: "ctf", id: $0.upn!.value) })
        #expect(section.learners.allSatisfy { $0.status == .active && $0.location.file == "8862074_CTF_8862074_001.xml" })

        let errors = batch.problems.filter { $0.severity == .error }
        #expect(errors.map(\.code) == ["upn.checkLetter", "ncYear.unknown", "date.impossible", "name.missing", "contact.order"])
        let warnings = batch.problems.filter { $0.severity == .warning }
        #expect(warnings.map(\.code) == ["relationship.unknown", "upn.unknownAuthority"])
        #expect(batch.problems.count == 7)
        expectNoPersonalValues(batch.problems)
    }

    @Test func aBadCheckLetterRejectsThatPupilAtItsLine() throws {
        let xml = CTFFixtures.ctf25Full
        let batch = try read(xml)
        let problem = try #require(batch.problems.first { $0.code == "upn.checkLetter" })
        #expect(problem.severity == .error)
        #expect(problem.location.file == "8862074_CTF_8862074_001.xml")
        #expect(problem.location.line == CTFFixtures.line(of: "A886207424004", in: xml) - 1)
        #expect(problem.location.field == "UPN")
        #expect(learner(batch, "A886207424004") == nil)
        #expect(batch.sections[0].learners.count == 7)
    }

    @Test func eachRejectedPupilIsLocatedAtItsPupilElement() throws {
        let xml = CTFFixtures.ctf25Full
        let batch = try read(xml)
        let expected: [(code: String, field: String, upn: String)] = [
            ("ncYear.unknown", "NCyearActual", "R886207424006"),
            ("date.impossible", "DOB", "F886207424007"),
            ("name.missing", "Forename", "V886207424008"),
        ]
        for item in expected {
            let problem = try #require(batch.problems.first { $0.code == item.code })
            #expect(problem.severity == .error)
            #expect(problem.location.field == item.field)
            #expect(problem.location.line == CTFFixtures.line(of: item.upn, in: xml) - 1)
            #expect(problem.location.column != nil)
            #expect(learner(batch, item.upn) == nil)
        }
    }

    /// `Forename` and `Surname` are the legal names; `PreferredForename` and `PreferredSurname`
    /// are read beside them, never instead of them. A pupil without a preferred name is read as
    /// having none (empty), since a CTF carries them.
    @Test func legalAndPreferredNamesAreReadApartAndEntitiesAreDecoded() throws {
        let batch = try read(CTFFixtures.ctf25Full)
        let amby = try #require(learner(batch, "W886207424001"))
        #expect(amby.givenName == "Amberly")
        #expect(amby.familyName == "Quillfeather")
        #expect(amby.preferredGivenName == "Amby")
        #expect(amby.preferredFamilyName == "")
        let renee = try #require(learner(batch, "Z886207424003"))
        #expect(renee.givenName == "Renée")
        #expect(renee.familyName == "O'Brannagh")
        #expect(renee.preferredGivenName == "")
        #expect(renee.preferredFamilyName == "Brannagh-Vale")
        let tobiah = try #require(learner(batch, "K886207424002"))
        #expect(tobiah.givenName == "Tobiah")
        #expect(tobiah.preferredGivenName == "" && tobiah.preferredFamilyName == "")
    }

    /// A preferred forename does not stand in for a missing legal one: the pupil is rejected at
    /// `Forename`, and the reason quotes neither name.
    @Test func aPreferredForenameWithoutALegalOneIsRejected() throws {
        let xml = CTFFixtures.ctf25Full.replacingOccurrences(of: "<Forename>Amberly</Forename>", with: "")
        let batch = try read(xml)
        #expect(learner(batch, "W886207424001") == nil)
        let missing = batch.problems.filter { $0.code == "name.missing" && $0.upn?.value == "W886207424001" }
        #expect(missing.map(\.location.field) == ["Forename"])
        #expect(missing.allSatisfy { $0.severity == .error })
        expectNoPersonalValues(batch.problems)
    }

    @Test func datesYearGroupsAndFlags() throws {
        let batch = try read(CTFFixtures.ctf25Full)
        let amby = try #require(learner(batch, "W886207424001"))
        #expect(amby.dateOfBirth == CalendarDate(year: 2019, month: 3, day: 14))
        #expect(amby.ncYear == .year1)
        #expect(amby.lookedAfter == true)
        #expect(amby.send == true)
        #expect(amby.email == "amby.q@pupils.example.org")

        let tobiah = try #require(learner(batch, "K886207424002"))
        #expect(tobiah.ncYear == .nursery2)
        #expect(tobiah.lookedAfter == false)
        #expect(tobiah.send == false)
        #expect(tobiah.email == nil)

        let renee = try #require(learner(batch, "Z886207424003"))
        #expect(renee.ncYear == .reception)
        #expect(renee.lookedAfter == nil)
        #expect(renee.send == nil)

        #expect(learner(batch, "C500123424011")?.ncYear == .year14)
        #expect(learner(batch, "V88620742401A")?.ncYear == .outsideYearGroups)
        #expect(learner(batch, "J886207424009")?.ncYear == .nursery1)
        #expect(learner(batch, "V886207424010")?.ncYear == .year7)
        #expect(learner(batch, "V886207424010")?.lookedAfter == true)
    }

    @Test func anUnknownLACodeIsAWarningAndATemporaryUPNIsAccepted() throws {
        let xml = CTFFixtures.ctf25Full
        let batch = try read(xml)
        let warning = try #require(batch.problems.first { $0.code == "upn.unknownAuthority" })
        #expect(warning.severity == .warning)
        #expect(warning.location.line == CTFFixtures.line(of: "C500123424011", in: xml) - 1)
        #expect(learner(batch, "C500123424011")?.familyName == "Unknownla")
        let temporary = try #require(learner(batch, "V88620742401A"))
        #expect(temporary.givenName == "Jasper")
        #expect(!batch.problems.contains { $0.location.line == CTFFixtures.line(of: "V88620742401A", in: xml) - 1 })
    }

    // MARK: - Contacts

    @Test func contactsCarryOrderRelationshipResponsibilityPhonesAndEmails() throws {
        let xml = CTFFixtures.ctf25Full
        let batch = try read(xml)
        let contacts = batch.sections[0].contacts
        #expect(contacts.count == 10)
        #expect(contacts.allSatisfy { $0.source == nil && $0.status == .active })

        let amby = SourceRef(system: "ctf", id: "W886207424001")
        let ambyContacts = contacts.filter { $0.learner == amby }
        #expect(ambyContacts.count == 2)
        let mother = ambyContacts[0]
        #expect(mother.priority == 1)
        #expect(mother.title == "Mrs")
        #expect(mother.givenName == "Rosalind")
        #expect(mother.familyName == "Quillfeather")
        #expect(mother.relationship == .mother)
        #expect(mother.parentalResponsibility)
        #expect(mother.phone == "07700 900101")
        #expect(mother.email == "rosalind.q@parents.example.org")
        #expect(mother.location.line == CTFFixtures.line(of: "<Order>1</Order>", in: xml) - 1)
        let father = ambyContacts[1]
        #expect(father.priority == 2)
        #expect(father.title == "Mr")
        #expect(father.relationship == .father)
        #expect(father.parentalResponsibility)
        #expect(father.phone == "07700 900103")
        #expect(father.email == nil)

        let renee = contacts.filter { $0.learner == SourceRef(system: "ctf", id: "Z886207424003") }
        #expect(renee.map(\.relationship) == [.carer, .other])
        #expect(renee.map(\.parentalResponsibility) == [false, false])
        #expect(renee[0].title == nil && renee[0].phone == nil)

        let cosmo = contacts.filter { $0.learner == SourceRef(system: "ctf", id: "V886207424010") }
        #expect(cosmo.map(\.relationship) == [.fosterCarer, .socialWorker, .stepParent])
        #expect(cosmo.map(\.priority) == [1, 2, 3])
        #expect(cosmo.map(\.parentalResponsibility) == [false, true, false])
        #expect(cosmo[0].phone == "07700 900111")
        #expect(cosmo[1].email == "t.caseworth@council.example.org")
    }

    @Test func siblingsListingTheSameParentsGiveOneContactRowPerPupil() throws {
        let batch = try read(CTFFixtures.ctf25Full)
        let contacts = batch.sections[0].contacts
        let rosalind = contacts.filter { $0.givenName == "Rosalind" }
        #expect(rosalind.count == 2)
        #expect(
            Set(rosalind.map(\.learner)) == [SourceRef(system: "ctf", id: "W886207424001"), SourceRef(system: "ctf", id: "K886207424002")])
        #expect(rosalind[0].location.line != rosalind[1].location.line)
        let barnaby = contacts.filter { $0.givenName == "Barnaby" }
        #expect(barnaby.map(\.learner.id) == ["W886207424001", "K886207424002"])
        #expect(barnaby.allSatisfy { $0.relationship == .father && $0.parentalResponsibility })
    }

    @Test func aContactWithAProblemIsRejectedAlone() throws {
        let xml = CTFFixtures.ctf25Full
        let batch = try read(xml)
        let problem = try #require(batch.problems.first { $0.code == "contact.order" })
        #expect(problem.severity == .error)
        #expect(problem.location.field == "Order")
        #expect(problem.location.line == CTFFixtures.line(of: "<Order>first</Order>", in: xml) - 1)
        let ottilie = batch.sections[0].contacts.filter { $0.learner.id == "J886207424009" }
        #expect(ottilie.map(\.givenName) == ["Evander"])
        #expect(ottilie.first?.relationship == .grandparent)
        #expect(learner(batch, "J886207424009") != nil)
    }

    @Test func anUnknownRelationshipCodeIsOtherWithAWarning() throws {
        let xml = CTFFixtures.ctf25Full
        let batch = try read(xml)
        let warning = try #require(batch.problems.first { $0.code == "relationship.unknown" })
        #expect(warning.severity == .warning)
        #expect(warning.location.field == "Relationship")
        #expect(warning.location.line == CTFFixtures.line(of: "<Forename>Cadoc</Forename>", in: xml) - 3)
        #expect(batch.sections[0].contacts.first { $0.givenName == "Cadoc" }?.relationship == .other)
    }

    // MARK: - CTF 24, namespaces, versions

    @Test func readsAPrefixedCTF24PartialExport() throws {
        let data = Data(CTFFixtures.ctf24PrefixedPartial.utf8)
        let batch = try reader.read(data: data, name: "8383301_CTF_8383301_002.xml")
        #expect(batch.files.map(\.format) == ["ctf-24"])
        #expect(batch.files.map(\.rows) == [2])
        #expect(batch.problems.isEmpty)
        let section = try #require(batch.sections.first)
        #expect(section.coverage == .partial)
        #expect(section.exportedOn == CalendarDate(year: 2024, month: 7, day: 19))
        #expect(section.school.urn == nil)
        #expect(section.school.dfeNumber?.description == "838/3301")
        #expect(section.schoolName == "Heathbrook Infant School")
        #expect(section.learners.map(\.givenName) == ["Isadora", "Caspian"])
        #expect(section.learners.map(\.ncYear) == [.year2, .year3])
        #expect(section.contacts.count == 1)
        #expect(section.contacts.first?.relationship == .stepParent)
        #expect(section.contacts.first?.learner == SourceRef(system: "ctf", id: "N838100122005"))
    }

    @Test func readsARootWithADefaultNamespace() throws {
        let batch = try read(CTFFixtures.ctf25DefaultNamespace, name: "ns.xml")
        #expect(batch.files.map(\.format) == ["ctf-25"])
        #expect(batch.problems.isEmpty)
        let section = try #require(batch.sections.first)
        #expect(section.coverage == .partial)
        #expect(section.school.dfeNumber?.description == "201/3614")
        #expect(section.learners.count == 1)
        #expect(section.learners.first?.upn?.value == "P207000016049")
        #expect(section.learners.first?.ncYear == .year6)
    }

    @Test func anotherMajorVersionIsReadWithAWarning() throws {
        let batch = try read(CTFFixtures.ctf23, name: "old.xml")
        #expect(batch.files.map(\.format) == ["ctf-23"])
        #expect(batch.problems.map(\.code) == ["ctf.version"])
        #expect(batch.problems.map(\.severity) == [.warning])
        #expect(batch.problems.first?.location.line == CTFFixtures.line(of: "CTFversion", in: CTFFixtures.ctf23))
        #expect(batch.sections.first?.school.urn == "100001")
        #expect(batch.sections.first?.learners.map(\.givenName) == ["Perpetua"])
        expectNoPersonalValues(batch.problems)
    }

    // MARK: - Refused files

    @Test func aMalformedFileThrowsWithTheParsersLineAndColumn() throws {
        let problem = try #require(refusal(CTFFixtures.malformed))
        #expect(problem.code == "xml.malformed")
        #expect(problem.severity == .error)
        #expect(problem.location.file == "bad.xml")
        #expect(problem.location.line == 12)
        #expect((problem.location.column ?? 0) > 0)
        #expect(problem.reason.hasPrefix("an end tag does not match the Surname element it should close"))
        expectNoPersonalValues([problem])
    }

    @Test func aFileCutShortSaysWhichElementItEndsIn() throws {
        let text = CTFFixtures.ctf25Full
        let cut = try #require(text.range(of: "<Surname>Quill"))
        let problem = try #require(refusal(String(text[..<cut.upperBound])))
        #expect(problem.code == "xml.malformed")
        #expect(problem.location.line == text[..<cut.upperBound].split(separator: "\n").count)
        #expect(problem.reason.hasPrefix("the file ends before the Surname element is closed"))
        expectNoPersonalValues([problem])
    }

    @Test func aMalformedNameIsNeverQuotedAsAnElement() throws {
        let stray = CTFFixtures.ctf25Full.replacingOccurrences(
            of: "<Surname>Quillfeather</Surname>", with: "<Surname>Quill<feather>Amberly</Surname>")
        let problem = try #require(refusal(stray))
        #expect(problem.code == "xml.malformed")
        #expect(problem.reason.hasPrefix("an end tag does not match the element it should close"))
        #expect(!problem.reason.contains("feather") && !problem.reason.contains("Amberly"))
        expectNoPersonalValues([problem])
    }

    @Test func aFileThatIsNotACTFIsRefused() throws {
        let problem = try #require(refusal(CTFFixtures.notACTF))
        #expect(problem.code == "ctf.notACTF")
        #expect(problem.location.line == 2)
        expectNoPersonalValues([problem])
    }

    @Test func aDocumentTypeDeclarationIsRefused() throws {
        let problem = try #require(refusal(CTFFixtures.withDoctype))
        #expect(problem.code == "xml.doctype")
        #expect(problem.location.line == 2)
        expectNoPersonalValues([problem])
    }

    @Test func emptyAndNonXMLInputIsMalformed() throws {
        #expect(refusal("")?.code == "xml.malformed")
        #expect(refusal("Quillfeather,Amberly,2019-03-14")?.code == "xml.malformed")
        #expect(refusal("<CTfile><Header>")?.code == "xml.malformed")
    }

    @Test func aHeaderWithoutDateOrSchoolIsRefused() throws {
        #expect(refusal("<CTfile><CTFpupilData/></CTfile>")?.code == "ctf.header")
        #expect(refusal("<CTfile><Header><SourceSchool><URN>118377</URN></SourceSchool></Header></CTfile>")?.code == "ctf.dateTime")
        #expect(
            refusal(
                "<CTfile><Header><DateTime>2025-02-30T10:00:00</DateTime><SourceSchool><URN>118377</URN></SourceSchool></Header></CTfile>")?
                .code == "ctf.dateTime")
        #expect(refusal("<CTfile><Header><DateTime>2025-09-15T10:00:00</DateTime></Header></CTfile>")?.code == "ctf.sourceSchool")
    }

    @Test func aMissingQualifierIsReadAsPartialWithAWarning() throws {
        let xml =
            "<CTfile><Header><CTFversion>25.0</CTFversion><DateTime>2025-09-15T10:00:00</DateTime><SourceSchool><URN>118377</URN></SourceSchool></Header></CTfile>"
        let batch = try read(xml, name: "q.xml")
        #expect(batch.sections.first?.coverage == .partial)
        #expect(batch.problems.map(\.code) == ["ctf.documentQualifier"])
        #expect(batch.files.first?.rows == 0)
    }

    @Test func aRepeatedUPNRejectsTheLaterPupil() throws {
        let pupil = "<Pupil><UPN>B801200005001</UPN><Surname>Twiceover</Surname><Forename>Lucan</Forename></Pupil>"
        let xml =
            "<CTfile><Header><CTFversion>25.0</CTFversion><DateTime>2025-09-15T10:00:00</DateTime><DocumentQualifier>full</DocumentQualifier>"
            + "<SourceSchool><URN>118377</URN></SourceSchool></Header><CTFpupilData>\n\(pupil)\n\(pupil)\n</CTFpupilData></CTfile>"
        let batch = try read(xml, name: "dup.xml")
        #expect(batch.sections.first?.learners.count == 1)
        #expect(batch.problems.map(\.code) == ["upn.duplicate"])
        #expect(batch.problems.first?.location.line == 3)
        #expect(batch.files.first?.rows == 2)
    }

    @Test func readsFromAFileURL() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ctf-\(UUID().uuidString).xml")
        try Data(CTFFixtures.ctf24PrefixedPartial.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let named = try reader.read(contentsOf: url, name: "given.xml")
        #expect(named.files.first?.name == "given.xml")
        let unnamed = try reader.read(contentsOf: url)
        #expect(unnamed.files.first?.name == url.lastPathComponent)
        #expect(unnamed.sections.first?.learners.count == 2)

        do {
            _ = try reader.read(contentsOf: url.appendingPathExtension("missing"), name: "gone.xml")
            Issue.record("a missing file was read")
        } catch {
            #expect(error.code == "file.unreadable")
            #expect(error.location.file == "gone.xml")
        }
    }
}

@Suite("UPN checks (CTF)")
struct CTFUPNCheckTests {
    private let place = Place(file: "f.xml", line: 7)

    @Test func validUPNsPass() {
        for text in ["B801200005001", "R674123101121", "P207000016049", "X00180001701A", " b801200005001 "] {
            let (upn, problems) = UPNCheck.check(text, at: place)
            #expect(upn != nil)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test func aBadCheckLetterIsAnError() {
        for text in ["A801200005001", "A123456789001", "Q207000016049"] {
            let (upn, problems) = UPNCheck.check(text, at: place)
            #expect(upn == nil)
            #expect(problems.map(\.code) == ["upn.checkLetter"])
            #expect(problems.map(\.severity) == [.error])
            #expect(problems.first?.location == Place(file: "f.xml", line: 7, field: "UPN"))
            #expect(!(problems.first?.description.contains(text) ?? true))
        }
    }

    @Test func aMalformedUPNIsAnError() {
        for text in ["B80120000500", "B8012000050011", "18012000050011", "B80120000500I", "B8012A0005001", "I801200005001"] {
            let (upn, problems) = UPNCheck.check(text, at: place)
            #expect(upn == nil)
            #expect(problems.map(\.code) == ["upn.malformed"], "\(text.count) characters")
        }
        #expect(UPNCheck.check("  ", at: place).1.map(\.code) == ["upn.missing"])
    }

    @Test func anUnknownAuthorityIsOnlyAWarning() {
        let (upn, problems) = UPNCheck.check("Y123456789001", at: place)
        #expect(upn?.value == "Y123456789001")
        #expect(problems.map(\.code) == ["upn.unknownAuthority"])
        #expect(problems.map(\.severity) == [.warning])
    }

    @Test func reorganisedAndPseudoAuthoritiesAreKnown() {
        for code in ["838", "839", "940", "941", "942", "943", "886", "201", "420", "702", "001", "998", "909", "928"] {
            #expect(UPNCheck.isKnownAuthority(code), "\(code)")
        }
        #expect(!UPNCheck.isKnownAuthority("123"))
        #expect(!UPNCheck.isKnownAuthority("500"))
        #expect(Set(UPNCheck.knownAuthorityCodes).count == UPNCheck.knownAuthorityCodes.count)
    }
}
