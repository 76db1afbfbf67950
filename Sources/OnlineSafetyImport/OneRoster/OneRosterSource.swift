import Foundation
import OnlineSafetyCore
import ZIPFoundation

/// The CSV files of one OneRoster set, read from a ZIP, a folder or memory.
struct OneRosterSource {
    /// One file of the set.
    struct File {
        /// The name used in locations: the set's name, a slash, and the file's path in the set.
        var location: String
        /// The bytes.
        var data: Data
    }

    /// The set's name, as the user gave it.
    var name: String
    /// The files, by lower-case file name (`users.csv`).
    var files: [String: File]
    /// The SHA-256 of the ZIP's bytes, or of the set's files concatenated in name order.
    var sha256: String

    /// The set at `url`: a `.zip` file or a folder of CSV files.
    ///
    /// Throws `file.unreadable` (nothing readable there), `zip.malformed`, `zip.tooLarge`, or
    /// `oneroster.duplicateFile` (two files of the same name in different folders of a ZIP).
    static func load(_ url: URL, name: String) throws(RosterProblem) -> OneRosterSource {
        let whole = FileLocation(file: name, line: 0)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw .error("file.unreadable", at: whole, "there is no file or folder at the path given")
        }
        if isFolder.boolValue { return try folder(url, name: name) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .error("file.unreadable", at: whole, "the file could not be read")
        }
        return try zip(data, name: name)
    }

    /// The CSV files directly inside a folder.
    static func folder(_ url: URL, name: String) throws(RosterProblem) -> OneRosterSource {
        let contents: [URL]
        do {
            contents = try FileManager.default.contentsOfDirectory(
                at: url, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        } catch {
            throw .error("file.unreadable", at: FileLocation(file: name, line: 0), "the folder could not be listed")
        }
        var files: [String: Data] = [:]
        for file in contents where file.pathExtension.lowercased() == "csv" {
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            do {
                files[file.lastPathComponent] = try Data(contentsOf: file)
            } catch {
                throw .error(
                    "file.unreadable", at: FileLocation(file: "\(name)/\(file.lastPathComponent)", line: 0), "the file could not be read")
            }
        }
        return try memory(files, name: name)
    }

    /// Files already in memory, by file name.
    static func memory(_ files: [String: Data], name: String) throws(RosterProblem) -> OneRosterSource {
        var concatenated = Data()
        var byName: [String: File] = [:]
        for (fileName, data) in files.sorted(by: { $0.key < $1.key }) {
            concatenated.append(data)
            let key = (fileName as NSString).lastPathComponent.lowercased()
            guard byName[key] == nil else {
                throw .error(
                    "oneroster.duplicateFile", at: FileLocation(file: "\(name)/\(fileName)", line: 0),
                    "the set holds two files of this name")
            }
            byName[key] = File(location: "\(name)/\(fileName)", data: data)
        }
        return OneRosterSource(name: name, files: byName, sha256: FileDigest.sha256(concatenated))
    }

    /// The CSV files of a ZIP held in memory (folders inside it are looked through; macOS
    /// resource forks are skipped).
    static func zip(_ data: Data, name: String) throws(RosterProblem) -> OneRosterSource {
        let whole = FileLocation(file: name, line: 0)
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw .error("zip.malformed", at: whole, "the file is not a readable ZIP archive")
        }
        var files: [String: File] = [:]
        var total = 0
        for entry in archive where entry.type == .file {
            let path = entry.path
            let fileName = (path as NSString).lastPathComponent
            guard !path.hasPrefix("__MACOSX/"), !fileName.hasPrefix("._"), fileName.lowercased().hasSuffix(".csv") else { continue }
            guard entry.uncompressedSize <= UInt64(CSVTable.maximumBytes) else {
                throw .error(
                    "zip.tooLarge", at: FileLocation(file: "\(name)/\(path)", line: 0), "the file is larger than the readers accept")
            }
            var contents = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    contents.append(chunk)
                    total += chunk.count
                    if contents.count > CSVTable.maximumBytes || total > 4 * CSVTable.maximumBytes {
                        throw CocoaError(.fileReadTooLarge)
                    }
                }
            } catch {
                throw .error(
                    "zip.malformed", at: FileLocation(file: "\(name)/\(path)", line: 0),
                    "the file could not be extracted from the ZIP archive")
            }
            let key = fileName.lowercased()
            guard files[key] == nil else {
                throw .error(
                    "oneroster.duplicateFile", at: FileLocation(file: "\(name)/\(path)", line: 0), "the set holds two files of this name")
            }
            files[key] = File(location: "\(name)/\(path)", data: contents)
        }
        return OneRosterSource(name: name, files: files, sha256: FileDigest.sha256(data))
    }
}
