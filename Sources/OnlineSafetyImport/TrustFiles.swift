public import Foundation
public import OnlineSafetyCore
import Synchronization

/// Reads every file a ``TrustConfiguration`` names into one ``RosterBatch``.
///
/// ```swift
/// let configuration = try TrustConfiguration.load(from: url)
/// let read = TrustFiles.read(configuration, relativeTo: url.deletingLastPathComponent())
/// guard read.fatal.isEmpty else { ... }   // a malformed file: nothing may be applied
/// let result = try await session.roster.apply(read.batch, options: RosterOptions(schools: configuration.setups(trustID: trustID)))
/// ```
public enum TrustFiles {
    /// What reading produced.
    public struct Read: Sendable {
        /// The rows of every file that could be read, with their row-level problems.
        public var batch: RosterBatch
        /// Files that could not be read at all (malformed, missing, of another version), each
        /// located. A run with any of these must not be applied.
        public var fatal: [RosterProblem]
    }

    /// Progress of a read: after each file, how many files and rows have been read.
    public struct Progress: Sendable {
        /// Files read so far.
        public var files: Int
        /// Files in all.
        public var totalFiles: Int
        /// Rows (learners, contacts and staff) read so far.
        public var rows: Int
        /// The file just read.
        public var file: String
    }

    /// Reads the trust-wide files, then each school's, and gives their rows in the order the
    /// configuration lists them. Paths are relative to the folder `base` (a URL with or without
    /// a trailing slash: either names the folder); a file's name in locations is its path as
    /// written. Never throws: a file that cannot be read is in ``Read/fatal``.
    ///
    /// Files are read on as many threads as the machine has cores, CTF files one at a time
    /// (`XMLParser` on Linux is libxml2, whose global state is not safe to share between
    /// threads). `progress` is called after each file, one call at a time, in the order the
    /// files finish.
    public static func read(
        _ configuration: TrustConfiguration, relativeTo base: URL, progress: (@Sendable (Progress) -> Void)? = nil
    ) -> Read {
        let all: [(TrustConfiguration.SourceFile, TrustConfiguration.SchoolEntry?)] =
            configuration.files.map { ($0, nil) } + configuration.schools.flatMap { school in school.files.map { ($0, school) } }
        // A folder's URL made without a trailing slash would resolve paths beside the folder.
        let base = base.hasDirectoryPath ? base : URL(fileURLWithPath: base.path, isDirectory: true)
        let done = Mutex(Finished(count: all.count))
        let xml = Mutex(())
        DispatchQueue.concurrentPerform(iterations: all.count) { index in
            let (file, school) = all[index]
            let url = URL(fileURLWithPath: file.path, relativeTo: base).standardizedFileURL
            let result: Result<RosterBatch, RosterProblem>
            do throws(RosterProblem) {
                result = .success(
                    file.format == .ctf
                        ? try xml.withLock { _ throws(RosterProblem) in try readFile(file, at: url, school: school) }
                        : try readFile(file, at: url, school: school))
            } catch {
                result = .failure(error)
            }
            done.withLock { finished in
                finished.results[index] = result
                finished.files += 1
                if case .success(let read) = result {
                    finished.rows += read.sections.reduce(0) { $0 + $1.learners.count + $1.contacts.count + $1.staff.count }
                }
                progress?(Progress(files: finished.files, totalFiles: all.count, rows: finished.rows, file: file.path))
            }
        }
        var batch = RosterBatch()
        var fatal: [RosterProblem] = []
        for result in done.withLock({ $0.results }) {
            switch result {
            case .success(let read): batch.merge(read)
            case .failure(let problem): fatal.append(problem)
            case nil: break
            }
        }
        return Read(batch: batch, fatal: fatal)
    }

    /// The files read so far, by their place in the configuration.
    private struct Finished {
        var results: [Result<RosterBatch, RosterProblem>?]
        var files = 0
        var rows = 0

        init(count: Int) { results = Array(repeating: nil, count: count) }
    }

    private static func readFile(
        _ file: TrustConfiguration.SourceFile, at url: URL, school: TrustConfiguration.SchoolEntry?
    ) throws(RosterProblem) -> RosterBatch {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .error("file.missing", at: file.location, "\(file.path) does not exist")
        }
        switch file.format {
        case .ctf:
            var batch = try CTFReader().read(contentsOf: url, name: file.path)
            // The configuration's day, when it gives one, in place of the header's.
            if let day = file.exportedOn { for index in batch.sections.indices { batch.sections[index].exportedOn = day } }
            return batch
        case .oneroster:
            return try OneRosterReader().read(at: url, name: file.path, exportedOn: file.exportedOn)
        default:
            guard let school else {
                throw .error(
                    "config.csvNeedsSchool", at: file.location,
                    "a \(file.format.rawValue) file holds one school's rows: list it under that school")
            }
            guard var mapping = file.format.mapping else { throw .error("config.invalid", at: file.location, "unknown format") }
            mapping = try mapping.overriding(file.map).preferring(file.preferredMap)
            if let dateFormat = file.dateFormat { mapping.dateFormat = dateFormat }
            let exportedOn = file.exportedOn ?? modificationDay(of: url)
            let reader = MappedCSVReader(
                mapping: mapping, school: RosterSchoolKey(urn: school.urn), coverage: file.coverage, exportedOn: exportedOn)
            return try reader.read(contentsOf: url, name: file.path)
        }
    }

    private static func modificationDay(of url: URL) -> CalendarDate {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        return CalendarDate((attributes?[.modificationDate] as? Date) ?? Date())
    }
}
