public import Foundation
public import OnlineSafetyCore

/// Reads a DfE Common Transfer File (CTF 25, and CTF 24 which says `Gender` for `Sex`) into a
/// ``RosterBatch``: one ``RosterSection`` (system `ctf`, learners and contacts) for the source
/// school, the pupils and their contacts, and every problem found, located by file, line,
/// column and element name.
///
/// The file is parsed as a stream of XML events (Foundation's `XMLParser`), never as a tree.
/// Elements are matched by local name, so a namespace (default or prefixed) on the root is
/// ignored. A document type declaration is refused, so no entity but XML's own and numeric
/// character references is ever expanded.
///
/// A pupil with a problem (a missing or invalid UPN, an impossible date of birth, an unknown
/// year group, a missing name, a UPN already read in the file) is left out and the problem
/// recorded; the other pupils are read. A contact with a problem is left out alone. The
/// contacts of a pupil who is left out are left out with them (they could not be linked).
/// Problem reasons never quote a value from the file.
///
/// ```swift
/// let batch = try CTFReader().read(contentsOf: url)
/// for problem in batch.problems { print(problem) }   // safe to log
/// ```
public struct CTFReader: Sendable {
    /// Creates a reader. It holds no state; one reader can read any number of files, concurrently.
    public init() {}

    /// Reads the CTF at `url`, naming it `name` (or the URL's last path component) in every
    /// location and in its ``RosterFile``.
    ///
    /// Requires a file URL. Throws `file.unreadable` when the file cannot be read, and
    /// otherwise what ``read(data:name:)`` throws.
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

    /// Reads a CTF from its bytes, naming it `name` in every location and in its ``RosterFile``.
    ///
    /// Requires nothing of `data`. Throws, and returns nothing of the file, when the file as a
    /// whole cannot be used: `xml.malformed` (not well-formed XML; the location is the parser's
    /// line and column), `xml.doctype` (a document type declaration), `ctf.notACTF` (the root
    /// element is not `CTfile`), `ctf.header` (no `Header`), `ctf.dateTime` (no readable
    /// export `DateTime`), `ctf.sourceSchool` (neither a URN nor an LA and establishment
    /// number for the source school). Problems with single pupils or contacts are returned in
    /// ``RosterBatch/problems``.
    public func read(data: Data, name: String) throws(RosterProblem) -> RosterBatch {
        let document = try CTFDocumentParser(data: data, fileName: name).parse()
        return try document.batch(sha256: FileDigest.sha256(data))
    }
}
