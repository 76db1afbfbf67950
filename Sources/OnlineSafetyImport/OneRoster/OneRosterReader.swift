public import Foundation
public import OnlineSafetyCore

/// Reads a OneRoster 1.1 CSV set (a ZIP or a folder of `manifest.csv`, `orgs.csv`, `users.csv`,
/// and optionally `demographics.csv`, `classes.csv`, `enrollments.csv`) into one
/// ``RosterSection`` per school.
///
/// Real sets are messy, and the reader accepts what they hold: `TRUE`/`true` booleans, dates
/// with or without a time, blank status, ids such as `{LDAP:12}`, enumerations in any case,
/// quoted multi-value fields, CRLF endings and last lines without a line break, columns in any
/// order and extension columns. A OneRoster 1.2 set is refused, never misread.
///
/// Every problem names the file inside the set (`set.zip/users.csv`), the line, the column and
/// its header, with a stable code and a reason that never quotes a value.
public struct OneRosterReader: Sendable {
    /// The format recorded in ``RosterFile/format``.
    public static let format = "oneroster-1.1"
    /// The source system recorded in sections and source references.
    public static let system = "oneroster"

    /// Creates a reader; requires nothing and throws nothing.
    public init() {}

    /// Reads the set at `url`, a `.zip` file or a folder, named `name` (its last path component
    /// by default) in locations and in ``RosterFile/name``.
    ///
    /// `exportedOn`, when given, is the sections' export day; otherwise the latest
    /// `dateLastModified` in the set, else today.
    /// - Throws: `file.unreadable`, `zip.malformed`, `zip.tooLarge`, `oneroster.duplicateFile`
    ///   when the set cannot be opened; otherwise as ``read(files:name:exportedOn:)``.
    public func read(at url: URL, name: String? = nil, exportedOn: CalendarDate? = nil) throws(RosterProblem) -> RosterBatch {
        let source = try OneRosterSource.load(url, name: name ?? url.lastPathComponent)
        return try read(source, exportedOn: exportedOn)
    }

    /// Reads a set whose files are already in memory: file name (`users.csv`) → bytes. The
    /// ``RosterFile/sha256`` is taken over the files concatenated in name order.
    ///
    /// - Throws: `oneroster.unsupportedVersion` for a OneRoster 1.2 set (version 1.2 in the
    ///   manifest, a `roles.csv`, or a `users.csv` without `role` or `orgSourcedIds`);
    ///   `oneroster.manifestValue` for a file mode other than bulk, delta or absent;
    ///   `oneroster.missingFile` when `users.csv` or `orgs.csv` is declared but not there;
    ///   `csv.missingColumn` when a file lacks a column the reader needs; `csv.empty`,
    ///   `csv.tooLarge`. Row-level problems are returned in ``RosterBatch/problems``.
    public func read(files: [String: Data], name: String, exportedOn: CalendarDate? = nil) throws(RosterProblem) -> RosterBatch {
        try read(OneRosterSource.memory(files, name: name), exportedOn: exportedOn)
    }

    /// Reads an opened set.
    func read(_ source: OneRosterSource, exportedOn: CalendarDate?) throws(RosterProblem) -> RosterBatch {
        var set = OneRosterSetReader(source: source, today: exportedOn ?? CalendarDate(Date()))
        return try set.read(exportedOn: exportedOn)
    }
}
