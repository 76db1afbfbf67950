import Foundation
import OnlineSafetyCore
import OnlineSafetyImport
import Synchronization
import Testing

@Suite("Reading a trust's files")
struct TrustFilesTests {
    /// The sample trust the project ships, whose files are of every format.
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Examples/SampleTrust/data/trust.json")

    static func paths(_ configuration: TrustConfiguration) -> [String] {
        configuration.files.map(\.path) + configuration.schools.flatMap { $0.files.map(\.path) }
    }

    @Test func filesReadAtOnceGiveTheirRowsInTheConfigurationsOrderWithProgressForEach() throws {
        let configuration = try TrustConfiguration.load(from: Self.sample)
        let paths = Self.paths(configuration)
        try #require(paths.count > 4)
        let steps = Mutex<[TrustFiles.Progress]>([])
        let read = TrustFiles.read(configuration, relativeTo: Self.sample.deletingLastPathComponent()) { step in
            steps.withLock { $0.append(step) }
        }
        #expect(read.fatal.isEmpty)
        #expect(read.batch.files.map(\.name) == paths)
        let seen = steps.withLock { $0 }
        #expect(seen.map(\.files) == Array(1...paths.count))
        #expect(seen.allSatisfy { $0.totalFiles == paths.count })
        #expect(Set(seen.map(\.file)) == Set(paths))
        let rows = read.batch.sections.reduce(0) { $0 + $1.learners.count + $1.contacts.count + $1.staff.count }
        #expect(rows > 0 && seen.last?.rows == rows)

        // Read again, the files finish in another order perhaps, and the batch is the same.
        for _ in 0..<3 {
            #expect(TrustFiles.read(configuration, relativeTo: Self.sample.deletingLastPathComponent()).batch == read.batch)
        }
        // The folder named without a trailing slash is the same folder, not its parent.
        let folder = Self.sample.deletingLastPathComponent().path
        let bare = URL(fileURLWithPath: folder.hasSuffix("/") ? String(folder.dropLast()) : folder, isDirectory: false)
        let again = TrustFiles.read(configuration, relativeTo: bare)
        #expect(again.fatal.map(\.code) == [])
        #expect(again.batch == read.batch)
    }

    /// A school created from the configuration starts from its seed policy's figures, but names
    /// its own role holders, none of the seed school's people.
    @Test func aSchoolsSettingsNameItsOwnRoleHolders() throws {
        let configuration = try TrustConfiguration.load(from: Self.sample)
        let harbour = try #require(configuration.setups(trustID: nil).first { $0.school.urn == "999101" })
        let settings = harbour.school.settings
        #expect(settings.designatedSafeguardingLead.name == "Morgan Ellis-Harbour")
        #expect(settings.designatedSafeguardingLead.email == "dsl@harbour.northdown.example")
        let text = "\(settings)"
        #expect(!text.contains("Kate Law") && !text.contains("Chilton"), "no name of the seed's school")
        #expect(settings.socialMediaChannels.isEmpty && settings.senco == nil)
    }

    /// A configuration's `exportedOn` for a CTF is the day its sections were exported, in place
    /// of the header's: a data manager who says when a file was taken is not ignored.
    @Test func aConfigurationsExportDayOverridesACTFsHeader() throws {
        func configuration(_ exportedOn: String?) -> String {
            let day = exportedOn.map { ", \"exportedOn\": \"\($0)\"" } ?? ""
            return """
                {"trust": {"name": "Northdown Learning Trust"},
                 "administrator": {"givenName": "Dana", "familyName": "Price", "email": "dana@northdown.example"},
                 "schools": [{"urn": "999101", "laCode": "886", "establishmentNumber": "2101", "name": "Harbour",
                              "files": [{"path": "harbour/8862101_CTF_8862101_001.xml", "format": "ctf"\(day)}]}]}
                """
        }
        let folder = Self.sample.deletingLastPathComponent()
        let header = TrustFiles.read(try TrustConfiguration.parse(Data(configuration(nil).utf8), file: "trust.json"), relativeTo: folder)
        let given = TrustFiles.read(
            try TrustConfiguration.parse(Data(configuration("2026-01-05").utf8), file: "trust.json"), relativeTo: folder)
        #expect(header.fatal.isEmpty && given.fatal.isEmpty)
        let day = try #require(CalendarDate(iso: "2026-01-05"))
        #expect(!header.batch.sections.isEmpty && header.batch.sections.allSatisfy { $0.exportedOn != day })
        #expect(given.batch.sections.count == header.batch.sections.count && given.batch.sections.allSatisfy { $0.exportedOn == day })
    }

    @Test func aFileListedTwiceRefusesTheConfigurationAtItsSecondEntry() throws {
        let text = """
            {"trust": {"name": "Northdown Learning Trust"},
             "administrator": {"givenName": "Dana", "familyName": "Price", "email": "dana@northdown.example"},
             "schools": [{"urn": "999101", "laCode": "886", "establishmentNumber": "2101", "name": "Harbour",
                          "files": [{"path": "harbour/children.csv", "format": "tapestry-children"},
                                    {"path": "./harbour//children.csv", "format": "tapestry-children"}]}]}
            """
        do {
            _ = try TrustConfiguration.parse(Data(text.utf8), file: "trust.json")
            Issue.record("a configuration listing a file twice was accepted")
        } catch {
            #expect(error.code == "config.duplicateFile")
            #expect(error.location.line == 5 && error.location.field == "schools[0].files[1]")
            #expect(error.reason.contains("schools[0].files[0] at line 4"))
        }
    }

    /// The same file reached another way (a symbolic link to it or to its folder, `./`,
    /// `dir/../`) is the same file: a configuration loaded from its file refuses the second entry.
    @Test func aFileReachedThroughALinkOrDotsIsTheSameFile() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "trust-files-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appending(path: "harbour"), withIntermediateDirectories: true)
        try Data("Child ID,First Name,Last Name\n".utf8).write(to: folder.appending(path: "harbour/children.csv"))
        try Data("Child ID,First Name,Last Name\n".utf8).write(to: folder.appending(path: "harbour/other.csv"))
        let manager = FileManager.default
        try manager.createSymbolicLink(atPath: folder.appending(path: "link.csv").path, withDestinationPath: "harbour/children.csv")
        try manager.createSymbolicLink(atPath: folder.appending(path: "linked").path, withDestinationPath: "harbour")
        func configuration(_ first: String, _ second: String) throws -> URL {
            let text = """
                {"trust": {"name": "Northdown Learning Trust"},
                 "administrator": {"givenName": "Dana", "familyName": "Price", "email": "dana@northdown.example"},
                 "schools": [{"urn": "999101", "laCode": "886", "establishmentNumber": "2101", "name": "Harbour",
                              "files": [{"path": "\(first)", "format": "tapestry-children"},
                                        {"path": "\(second)", "format": "tapestry-children"}]}]}
                """
            let url = folder.appending(path: "trust.json")
            try Data(text.utf8).write(to: url)
            return url
        }

        let distinct = try TrustConfiguration.load(from: try configuration("harbour/children.csv", "harbour/other.csv"))
        #expect(Self.paths(distinct) == ["harbour/children.csv", "harbour/other.csv"], "two files are two files")
        for other in ["link.csv", "linked/children.csv", "./harbour/children.csv", "linked/../harbour/children.csv"] {
            let url = try configuration("harbour/children.csv", other)
            do {
                _ = try TrustConfiguration.load(from: url)
                Issue.record("a configuration naming one file as harbour/children.csv and as \(other) was accepted")
            } catch {
                #expect(error.code == "config.duplicateFile", "\(other)")
                #expect(error.location.line == 5 && error.location.field == "schools[0].files[1]", "\(other)")
                #expect(error.reason.contains("schools[0].files[0] at line 4"), "\(other)")
            }
        }
    }

    @Test func filesThatCannotBeReadAreReportedInTheConfigurationsOrder() throws {
        let configuration = try TrustConfiguration.load(from: Self.sample)
        let empty = FileManager.default.temporaryDirectory.appending(path: "trust-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let read = TrustFiles.read(configuration, relativeTo: empty)
        #expect(read.batch.files.isEmpty && read.batch.sections.isEmpty)
        #expect(read.fatal.count == Self.paths(configuration).count)
        #expect(read.fatal.allSatisfy { $0.code == "file.missing" })
        let lines = read.fatal.map(\.location.line)
        #expect(lines == lines.sorted() && Set(lines).count == lines.count, "each missing file is named at its own line, in order")
    }
}
