import Foundation
import OnlineSafetyCore
import OnlineSafetyImport
import Testing
import ZIPFoundation

@Suite("OneRoster 1.1 reader")
struct OneRosterReaderTests {
    let reader = OneRosterReader()

    // MARK: Helpers

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("oneroster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `files` into a new folder.
    static func folder(_ files: [String: Data]) throws -> URL {
        let folder = try temporaryFolder().appendingPathComponent("set")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    /// Writes `files` into a folder and zips them with ZIPFoundation.
    static func zip(_ files: [String: Data], named name: String = "set.zip") throws -> URL {
        let folder = try folder(files)
        let zipURL = folder.deletingLastPathComponent().appendingPathComponent(name)
        try FileManager.default.zipItem(at: folder, to: zipURL, shouldKeepParent: false, compressionMethod: .deflate)
        return zipURL
    }

    func readFixture(exportedOn: CalendarDate? = nil) throws -> RosterBatch {
        try reader.read(files: OneRosterFixtures.files, name: "set", exportedOn: exportedOn)
    }

    func codes(_ batch: RosterBatch, _ severity: RosterProblem.Severity) -> [String] {
        batch.problems.filter { $0.severity == severity }.map(\.code).sorted()
    }

    // MARK: The whole set

    @Test func readsSchoolsKeyedByURNDfENumberOrSourceID() throws {
        let batch = try readFixture()
        #expect(batch.sections.count == 3)
        #expect(batch.sections.map(\.school.urn) == ["118377", nil, nil])
        #expect(batch.sections[1].school.dfeNumber?.description == "886/2074")
        #expect(batch.sections[2].school.source == SourceRef(system: "oneroster", id: "org-c"))
        #expect(batch.sections.map(\.schoolName) == ["Ashdown Primary", "Birchfield Academy", "Corbel School"])
        #expect(batch.sections.allSatisfy { $0.system == "oneroster" && $0.file == "set" && $0.coverage == .full })
        #expect(batch.sections.allSatisfy { $0.kinds == [.learners, .staff, .contacts] })
        #expect(batch.sections.allSatisfy { $0.exportedOn == CalendarDate(year: 2024, month: 9, day: 5)! })
    }

    /// Users of a department whose school is not in `orgs.csv`: the section is keyed by the
    /// missing parent, and the department is another id of the same school.
    @Test func aDepartmentWithoutItsSchoolIsAnotherIdOfTheSchool() throws {
        var files = OneRosterFixtures.files
        files["orgs.csv"] = Data(
            "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\norg-dept,active,2024-09-01,Science,department,,org-missing\n"
                .utf8)
        files["users.csv"] = Data(
            ("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,givenName,familyName,identifier,email,grades\n"
                + "stu-9,active,2024-09-01,TRUE,org-dept,student,u,Ada,Vale,B801200005001,,04\n").utf8)
        let batch = try reader.read(files: files, name: "set", exportedOn: nil)
        let section = try #require(batch.sections.first { !$0.learners.isEmpty })
        #expect(section.school.source == SourceRef(system: "oneroster", id: "org-missing"))
        #expect(section.school.otherSources == [SourceRef(system: "oneroster", id: "org-dept")])
        #expect(section.school.description == "oneroster id org-missing (or org-dept)")
    }

    @Test func readsLearnersWithStatusUPNYearAndGroups() throws {
        let batch = try readFixture()
        let a = batch.sections[0]
        #expect(a.learners.map(\.source.id) == ["stu-1", "{LDAP:12}", "stu-4"])
        let first = a.learners[0]
        #expect(first.upn?.value == "B801200005001")
        #expect(first.givenName == "Jessamy" && first.familyName == "Quenby")
        #expect(first.ncYear == .year4)
        #expect(first.status == .active)
        #expect(first.dateOfBirth == CalendarDate(year: 2015, month: 3, day: 14))
        #expect(first.registrationGroup == "4M")
        #expect(first.groups == ["Art 4"])
        #expect(first.location == FileLocation(file: "set/users.csv", line: 2))
        let ldap = a.learners[1]
        #expect(ldap.source == SourceRef(system: "oneroster", id: "{LDAP:12}"))
        #expect(ldap.upn?.value == "R674123101121")
        #expect(ldap.ncYear == .reception)
        #expect(ldap.status == .active)
        #expect(ldap.dateOfBirth == CalendarDate(year: 2019, month: 11, day: 30))
        #expect(ldap.registrationGroup == "4M")
        #expect(ldap.groups == [])
        #expect(ldap.location.line == 3)
        #expect(a.learners[2].status == .inactive)
        #expect(a.learners[2].ncYear == .year10)
        #expect(a.learners[2].location.line == 6)

        let b = batch.sections[1]
        #expect(b.learners.map(\.source.id) == ["{LDAP:12}", "stu-3"])
        #expect(b.learners[1].status == .inactive)
        #expect(b.learners[1].ncYear == .nursery2)
        #expect(b.learners[1].dateOfBirth == nil)
    }

    @Test func readsStaffWithTeachingGroupsAndEnabledUser() throws {
        let batch = try readFixture()
        let staff = batch.sections[0].staff
        #expect(staff.count == 1)
        #expect(staff[0].source.id == "tch-1")
        #expect(staff[0].email == "t.fairbrother@ashdown.example")
        #expect(staff[0].teachingGroups == ["4M"])
        #expect(staff[0].status == .inactive)
        #expect(staff[0].jobTitle == "teacher")
        #expect(batch.sections[2].staff.map(\.source.id) == ["adm-1"])
        #expect(batch.sections[2].staff[0].status == .active)
        #expect(batch.sections[1].staff.isEmpty)
    }

    @Test func linksContactsThroughAgentSourcedIds() throws {
        let batch = try readFixture()
        let contacts = batch.sections[0].contacts
        #expect(contacts.count == 3)
        let forFirst = contacts.filter { $0.learner.id == "stu-1" }
        #expect(forFirst.map(\.source?.id) == ["par-1", "par-2"])
        #expect(forFirst.map(\.priority) == [1, 2])
        #expect(forFirst.map(\.relationship) == [.parent, .carer])
        #expect(forFirst.map(\.parentalResponsibility) == [true, true])
        #expect(forFirst[0].email == "m.quenby@mail.example")
        #expect(forFirst[0].phone == "07700900001")
        #expect(forFirst[1].phone == "07700900002")
        let relative = contacts.filter { $0.learner.id == "{LDAP:12}" }
        #expect(relative.count == 1)
        #expect(relative[0].relationship == .otherRelative)
        #expect(relative[0].parentalResponsibility == false)
        #expect(relative[0].priority == 1)
        #expect(relative[0].location == FileLocation(file: "set/users.csv", line: 14))
        #expect(batch.sections[1].contacts.map(\.source?.id) == ["rel-1"])
    }

    @Test func rejectsBadRowsWithLocatedCodes() throws {
        let batch = try readFixture()
        #expect(codes(batch, .error) == ["date.impossible", "email.required", "ncYear.unknown", "upn.checkLetter"])
        #expect(codes(batch, .warning) == ["oneroster.enrolmentRoleMismatch"])
        #expect(codes(batch, .skip) == [])
        func problem(_ code: String) -> RosterProblem? { batch.problems.first { $0.code == code } }
        #expect(problem("upn.checkLetter")?.location == FileLocation(file: "set/users.csv", line: 7, column: 12, field: "identifier"))
        #expect(problem("ncYear.unknown")?.location == FileLocation(file: "set/users.csv", line: 8, column: 17, field: "grades"))
        #expect(problem("email.required")?.location == FileLocation(file: "set/users.csv", line: 10, column: 13, field: "email"))
        #expect(
            problem("date.impossible")?.location
                == FileLocation(file: "set/demographics.csv", line: 4, column: 4, field: "birthDate"))
        #expect(
            problem("oneroster.enrolmentRoleMismatch")?.location
                == FileLocation(file: "set/enrollments.csv", line: 5, column: 7, field: "role"))
        let ids = batch.sections.flatMap { $0.learners.map(\.source.id) + $0.staff.map(\.source.id) }
        #expect(!ids.contains("stu-bad") && !ids.contains("stu-grade") && !ids.contains("tch-2"))
    }

    @Test func problemsNeverQuoteValues() throws {
        let batch = try readFixture()
        #expect(!batch.problems.isEmpty)
        for problem in batch.problems {
            for value in OneRosterFixtures.sensitive {
                #expect(!problem.description.contains(value), "\(problem.code) quotes a value")
            }
        }
    }

    @Test func recordsTheFile() throws {
        let batch = try readFixture()
        #expect(batch.files.count == 1)
        #expect(batch.files[0].name == "set")
        #expect(batch.files[0].format == "oneroster-1.1")
        #expect(batch.files[0].rows == 12)
        var concatenated = Data()
        for (_, data) in OneRosterFixtures.files.sorted(by: { $0.key < $1.key }) { concatenated.append(data) }
        #expect(batch.files[0].sha256 == FileDigest.sha256(concatenated))
    }

    @Test func exportedOnOverride() throws {
        let day = CalendarDate(year: 2025, month: 1, day: 6)!
        let batch = try readFixture(exportedOn: day)
        #expect(batch.sections.allSatisfy { $0.exportedOn == day })
    }

    // MARK: ZIP and folder

    @Test func readsAZipBuiltWithZIPFoundation() throws {
        let url = try Self.zip(OneRosterFixtures.files)
        let batch = try reader.read(at: url)
        #expect(batch.files[0].name == "set.zip")
        #expect(batch.files[0].sha256 == FileDigest.sha256(try Data(contentsOf: url)))
        #expect(batch.sections.map { $0.learners.count } == [3, 2, 0])
        #expect(batch.problems.contains { $0.location.file == "set.zip/users.csv" && $0.code == "upn.checkLetter" })
        let named = try reader.read(at: url, name: "xporter-export.zip")
        #expect(named.sections[0].file == "xporter-export.zip")
    }

    @Test func readsAFolderLikeTheSameFilesInMemory() throws {
        let url = try Self.folder(OneRosterFixtures.files)
        let fromFolder = try reader.read(at: url, name: "set")
        let fromMemory = try readFixture()
        #expect(fromFolder == fromMemory)
    }

    @Test func refusesAMissingPathAndANonZip() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).zip")
        #expect(throws: RosterProblem.self) { try reader.read(at: missing) }
        let folder = try Self.temporaryFolder()
        let bogus = folder.appendingPathComponent("bogus.zip")
        try Data("not a zip".utf8).write(to: bogus)
        do {
            _ = try reader.read(at: bogus)
            Issue.record("a file that is not a ZIP was read")
        } catch {
            #expect(error.code == "zip.malformed")
            #expect(error.location.file == "bogus.zip")
        }
    }

    // MARK: Versions and manifests

    func refusal(_ files: [String: Data]) -> RosterProblem? {
        do {
            _ = try reader.read(files: files, name: "v12")
            return nil
        } catch {
            return error
        }
    }

    @Test func refusesOneRoster12ByManifestVersion() {
        var files = OneRosterFixtures.files
        files["manifest.csv"] = Data(
            OneRosterFixtures.manifest.replacingOccurrences(of: "oneroster.version,1.1", with: "oneroster.version,1.2").utf8)
        let problem = refusal(files)
        #expect(problem?.code == "oneroster.unsupportedVersion")
        #expect(problem?.location.file == "v12/manifest.csv")
        #expect(problem?.location.line == 3)
    }

    @Test func refusesOneRoster12ByRolesFile() {
        var files = OneRosterFixtures.files
        files["roles.csv"] = Data(OneRosterFixtures.roles12.utf8)
        #expect(refusal(files)?.code == "oneroster.unsupportedVersion")
    }

    @Test func refusesOneRoster12ByUsersLayout() {
        var files = OneRosterFixtures.files
        files["users.csv"] = Data(OneRosterFixtures.users12.utf8)
        let problem = refusal(files)
        #expect(problem?.code == "oneroster.unsupportedVersion")
        #expect(problem?.location.file == "v12/users.csv")
    }

    @Test func deltaCoverageWithoutOrgs() throws {
        let files = [
            "manifest.csv": Data(OneRosterFixtures.deltaManifest.utf8), "users.csv": Data(OneRosterFixtures.deltaUsers.utf8),
        ]
        let batch = try reader.read(files: files, name: "delta")
        #expect(batch.sections.count == 1)
        #expect(batch.sections[0].coverage == .delta)
        #expect(batch.sections[0].school.source == SourceRef(system: "oneroster", id: "org-a"))
        #expect(batch.sections[0].learners.map(\.upn?.value) == ["P207000016049"])
        #expect(batch.sections[0].learners[0].ncYear == .year5)
        #expect(batch.sections[0].learners[0].groups == nil, "a delta without enrolments says nothing of groups")
        #expect(batch.sections[0].exportedOn == CalendarDate(year: 2024, month: 10, day: 1))
        #expect(codes(batch, .warning) == ["oneroster.schoolAssumed"])
        #expect(codes(batch, .error) == [])
    }

    @Test func aDeltasParentOfAnUnlistedStudentIsLinkedWithoutAnOrderOnlyInADelta() throws {
        let users =
            OneRosterFixtures.deltaUsers + """
                par-3,active,2024-10-02,TRUE,org-a,parent,pc,,Cara,Bexley,,cara@example.org,stu-4,

                """
        let delta = try reader.read(
            files: ["manifest.csv": Data(OneRosterFixtures.deltaManifest.utf8), "users.csv": Data(users.utf8)], name: "delta")
        let contacts = delta.sections.flatMap(\.contacts)
        #expect(contacts.count == 1)
        #expect(contacts.first?.learner == SourceRef(system: "oneroster", id: "stu-4"))
        #expect(contacts.first?.source == SourceRef(system: "oneroster", id: "par-3"))
        #expect(contacts.first?.priority == nil, "the stored order stands")
        #expect(contacts.first?.location.line == 3)

        let bulkManifest = OneRosterFixtures.deltaManifest.replacingOccurrences(of: "file.users,delta", with: "file.users,bulk")
        let bulk = try reader.read(
            files: ["manifest.csv": Data(bulkManifest.utf8), "users.csv": Data(users.utf8)], name: "bulk")
        #expect(bulk.sections.flatMap(\.contacts).isEmpty, "a full set's contact of a student it does not list is not linked")
    }

    @Test func aBulkSetListsEveryLearnersGroupsOnlyWithItsClassesAndEnrolments() throws {
        let full = try readFixture().sections[0].learners
        #expect(full.map(\.groups) == [["Art 4"], [], []], "in a full set a learner in no class has no groups")
        for missing in ["classes.csv", "enrollments.csv"] {
            var files = OneRosterFixtures.files
            files[missing] = nil
            files["manifest.csv"] = nil
            let learners = try reader.read(files: files, name: "set").sections[0].learners
            #expect(learners.count == 3 && learners.allSatisfy { $0.groups == nil }, "without \(missing) the groups stay as stored")
        }
    }

    @Test func missingManifestReadsFilesAsBulkWithAWarning() throws {
        var files = OneRosterFixtures.files
        files["manifest.csv"] = nil
        let batch = try reader.read(files: files, name: "nomanifest")
        #expect(batch.sections.count == 3)
        #expect(batch.sections.allSatisfy { $0.coverage == .full })
        #expect(batch.problems.contains { $0.code == "oneroster.noManifest" && $0.severity == .warning })
        #expect(batch.sections[0].learners.count == 3)
    }

    @Test func refusesADeclaredButMissingUsersFileAndAnUnknownMode() {
        var files = OneRosterFixtures.files
        files["users.csv"] = nil
        #expect(refusal(files)?.code == "oneroster.missingFile")
        var modes = OneRosterFixtures.files
        modes["manifest.csv"] = Data(
            OneRosterFixtures.manifest.replacingOccurrences(of: "file.users,bulk", with: "file.users,sometimes").utf8)
        #expect(refusal(modes)?.code == "oneroster.manifestValue")
    }

    @Test func absentFilesAreIgnoredWithAWarning() throws {
        var files = OneRosterFixtures.files
        files["manifest.csv"] = Data(
            OneRosterFixtures.manifest.replacingOccurrences(of: "file.demographics,bulk", with: "file.demographics,absent").utf8)
        let batch = try reader.read(files: files, name: "set")
        #expect(batch.sections[0].learners[0].dateOfBirth == nil)
        #expect(batch.problems.contains { $0.code == "oneroster.fileIgnored" && $0.location.file == "set/demographics.csv" })
        #expect(!batch.problems.contains { $0.code == "date.impossible" })
    }
}
