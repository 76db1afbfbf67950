public import Foundation
public import OnlineSafetyCore
import Yams

/// A trust's import configuration: the trust, its data manager, its schools (URN, LA and
/// establishment number, name, the policy settings to start from, the files to read, who holds
/// which role) and files that cover several schools (a OneRoster set).
///
/// Written as JSON or YAML; every problem names the file, line, column and field:
/// ```json
/// {"trust": {"name": "Northdown Learning Trust"},
///  "administrator": {"givenName": "Dana", "familyName": "Price", "email": "dana@northdown.example"},
///  "files": [{"path": "oneroster.zip", "format": "oneroster"}],
///  "schools": [{"urn": "999101", "laCode": "886", "establishmentNumber": "2101", "name": "Harbour Primary School",
///               "phase": "primary", "policy": "chilton",
///               "files": [{"path": "harbour/8862101_CTF_8862101_001.xml", "format": "ctf"}],
///               "roleHolders": [{"email": "dsl@harbour.example", "givenName": "Ali", "familyName": "Khan",
///                                "role": "designatedSafeguardingLead"}]}]}
/// ```
public struct TrustConfiguration: Sendable {
    /// The trust's name and company number.
    public var trustName: String
    /// The trust's company number, if given.
    public var companyNumber: String?
    /// The data manager who runs imports (created with the trust on a new store).
    public var administrator: Administrator
    /// Files covering several schools.
    public var files: [SourceFile]
    /// The schools.
    public var schools: [SchoolEntry]
    /// The configuration file, for locations.
    public var location: FileLocation

    /// The trust's data manager.
    public struct Administrator: Sendable {
        /// Given name.
        public var givenName: String
        /// Family name.
        public var familyName: String
        /// Email address: how the tool signs in as them.
        public var email: String
        /// Job title.
        public var jobTitle: String?
    }

    /// One file to read.
    public struct SourceFile: Sendable {
        /// The path, relative to the configuration file.
        public var path: String
        /// The format.
        public var format: SourceFormat
        /// How much of the school it covers (CSV formats; default full).
        public var coverage: RosterCoverage
        /// The day it was exported, when the configuration says: for a CSV file (whose default is
        /// the file's modification day), and in place of the day a CTF's header or a OneRoster
        /// set gives. A full export's leavers leave from it.
        public var exportedOn: CalendarDate?
        /// How its dates are written (CSV formats; default the preset's).
        public var dateFormat: DateFormat?
        /// Column overrides (`Column` → field): the file must have each column.
        public var map: [String: String]
        /// Columns a tool names for every file (`--map`), read where the file has them.
        public var preferredMap: [String: String] = [:]
        /// Where the configuration names it.
        public var location: FileLocation
    }

    /// One school.
    public struct SchoolEntry: Sendable {
        /// The URN.
        public var urn: String
        /// The DfE number.
        public var dfeNumber: DfENumber
        /// The name.
        public var name: String
        /// The phase.
        public var phase: SchoolPhase
        /// Which seed school's policy settings to start from.
        public var policy: String
        /// Other ids sources give it.
        public var sourceIDs: [SourceRef]
        /// Its files.
        public var files: [SourceFile]
        /// Who holds which role there.
        public var roleHolders: [RosterRoleHolder]
        /// Where the configuration names it.
        public var location: FileLocation
    }

    /// The formats a configuration may name.
    public enum SourceFormat: String, Sendable, CaseIterable {
        /// A DfE Common Transfer File.
        case ctf
        /// A OneRoster 1.1 CSV set (a ZIP or a folder).
        case oneroster
        /// A Bromcom-style students report.
        case bromcomStudents = "bromcom-students"
        /// A Bromcom-style contacts report.
        case bromcomContacts = "bromcom-contacts"
        /// A Tapestry-style children export.
        case tapestryChildren = "tapestry-children"
        /// A Tapestry-style relatives export.
        case tapestryRelatives = "tapestry-relatives"

        /// The column map of a CSV format.
        public var mapping: CSVMapping? {
            switch self {
            case .ctf, .oneroster: nil
            case .bromcomStudents: .bromcomStudents
            case .bromcomContacts: .bromcomContacts
            case .tapestryChildren: .tapestryChildren
            case .tapestryRelatives: .tapestryRelatives
            }
        }
    }

    /// The seed policies a school may start from.
    public static let policies = ["chilton", "mersham", "dormansland"]

    /// Reads a configuration from a file. Throws a ``RosterProblem`` naming the file, line,
    /// column and field of the first thing wrong (`config.unreadable`, `config.syntax`,
    /// `config.missing`, `config.invalid`, `config.duplicateFile`).
    ///
    /// Its paths are relative to the file's folder, and two entries naming the same file there
    /// are refused, however their paths reach it (a symbolic link, `./`, `dir/../`).
    public static func load(from url: URL, name: String? = nil) throws(RosterProblem) -> TrustConfiguration {
        let file = name ?? url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .error("config.unreadable", at: FileLocation(file: file, line: 0), "the configuration file cannot be read")
        }
        return try parse(data, file: file, relativeTo: url.deletingLastPathComponent())
    }

    /// Reads a configuration from its bytes; see ``load(from:name:)``.
    ///
    /// Requires nothing of `base`, the folder the configuration's paths are relative to. With it,
    /// two entries whose paths reach the same file there, once symbolic links are resolved and
    /// `.` and `..` applied, are refused with `config.duplicateFile`; without it, paths are
    /// compared as written, with `.`, `..` and repeated slashes applied. Throws as
    /// ``load(from:name:)``.
    public static func parse(_ data: Data, file: String, relativeTo base: URL? = nil) throws(RosterProblem) -> TrustConfiguration {
        guard let text = String(data: data, encoding: .utf8) else {
            throw .error("config.encoding", at: FileLocation(file: file, line: 0), "the configuration is not UTF-8 text")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw RosterProblem.error("config.empty", at: FileLocation(file: file, line: 0), "the configuration is empty")
            }
            root = node
        } catch let problem as RosterProblem {
            throw problem
        } catch let error as YamlError {
            throw .error("config.syntax", at: Self.location(of: error, file: file), "the configuration is not well-formed JSON or YAML")
        } catch {
            throw .error("config.syntax", at: FileLocation(file: file, line: 0), "the configuration is not well-formed JSON or YAML")
        }
        return try Reader(file: file, base: base).configuration(root)
    }

    private static func location(of error: YamlError, file: String) -> FileLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return FileLocation(file: file, line: mark.line, column: mark.column)
        default:
            return FileLocation(file: file, line: 0)
        }
    }

    /// Reads the given columns as the given fields in every column-mapped CSV file that has them,
    /// over what the configuration's own `map` says (a tool's `--map Column=field`); a file
    /// without a column reads the field as usual, with a `mapping.columnAbsent` warning.
    public mutating func applyColumnMap(_ columns: [String: String]) {
        guard !columns.isEmpty else { return }
        func apply(_ file: inout SourceFile) {
            guard file.format.mapping != nil else { return }
            file.preferredMap.merge(columns) { _, given in given }
        }
        for index in files.indices { apply(&files[index]) }
        for school in schools.indices {
            for index in schools[school].files.indices { apply(&schools[school].files[index]) }
        }
    }

    /// The schools to create when missing, with their role holders and source ids, in the
    /// given trust.
    ///
    /// A school's settings start from its seed policy's figures, agencies and providers, but name
    /// none of the seed school's people or channels: its DSL, deputies, head and chair of governors
    /// are its own role holders (the DSL and head carry their role's name when it lists none), and
    /// the governors, SENCO and social media channels are left for the school to set.
    public func setups(trustID: TrustID?) -> [RosterSchoolSetup] {
        schools.map { entry in
            var school: School
            switch entry.policy {
            case "mersham": school = SeedSchools.mersham(trustID: trustID)
            case "dormansland": school = SeedSchools.dormansland(trustID: trustID)
            default: school = SeedSchools.chilton(trustID: trustID)
            }
            school.urn = entry.urn
            school.dfeNumber = entry.dfeNumber
            school.name = entry.name
            school.phase = entry.phase
            school.settings = Self.settings(school.settings, namingOnly: entry.roleHolders)
            return RosterSchoolSetup(school: school, sourceIDs: entry.sourceIDs, roleHolders: entry.roleHolders)
        }
    }

    /// A seed policy's settings with the seed school's people and channels taken out, and the
    /// school's own role holders named in their place.
    static func settings(_ seed: PolicySettings, namingOnly holders: [RosterRoleHolder]) -> PolicySettings {
        func contacts(_ role: Role) -> [NamedContact] {
            holders.filter { $0.role == role }.map { holder in
                NamedContact(name: "\(holder.givenName) \(holder.familyName)", title: holder.jobTitle, email: holder.email)
            }
        }
        let head = contacts(.headteacher).first
        var settings = seed
        settings.designatedSafeguardingLead =
            contacts(.designatedSafeguardingLead).first ?? NamedContact(name: "Designated Safeguarding Lead")
        settings.deputyDesignatedSafeguardingLeads = contacts(.deputyDesignatedSafeguardingLead)
        settings.headteacher = head ?? NamedContact(name: "Headteacher")
        settings.headteacherTitle = head?.title ?? "Headteacher"
        settings.chairOfGovernors = contacts(.chairOfGovernors).first
        settings.safeguardingGovernor = nil
        settings.trustSafeguardingGovernor = nil
        settings.senco = nil
        settings.socialMediaChannels = []
        return settings
    }
}

/// Walks the composed document, naming the line, column and field of each problem.
private struct Reader {
    let file: String
    /// The folder the configuration's paths are relative to, when known.
    let base: URL?

    func at(_ node: Node?, _ field: String) -> FileLocation {
        FileLocation(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column, field: field)
    }

    func mapping(_ node: Node, _ field: String) throws(RosterProblem) -> Node.Mapping {
        guard case .mapping(let mapping) = node else {
            throw .error("config.invalid", at: at(node, field), "\(field) is an object of named values")
        }
        return mapping
    }

    func value(_ mapping: Node.Mapping, _ key: String, in parent: String) -> Node? { mapping[Node(key)] }

    func string(_ mapping: Node.Mapping, _ key: String, in parent: String, node: Node) throws(RosterProblem) -> String {
        guard let value = try optionalString(mapping, key, in: parent) else {
            throw .error("config.missing", at: at(node, "\(parent).\(key)"), "\(parent).\(key) is required")
        }
        return value
    }

    func optionalString(_ mapping: Node.Mapping, _ key: String, in parent: String) throws(RosterProblem) -> String? {
        guard let node = mapping[Node(key)] else { return nil }
        guard case .scalar(let scalar) = node else {
            throw .error("config.invalid", at: at(node, "\(parent).\(key)"), "\(parent).\(key) is text")
        }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
    }

    func sequence(_ mapping: Node.Mapping, _ key: String, in parent: String) throws(RosterProblem) -> [Node] {
        guard let node = mapping[Node(key)] else { return [] }
        guard case .sequence(let sequence) = node else {
            throw .error("config.invalid", at: at(node, "\(parent).\(key)"), "\(parent).\(key) is a list")
        }
        return Array(sequence)
    }

    func configuration(_ root: Node) throws(RosterProblem) -> TrustConfiguration {
        let top = try mapping(root, "configuration")
        guard let trustNode = top[Node("trust")] else {
            throw .error("config.missing", at: at(root, "trust"), "trust is required (its name)")
        }
        let trust = try mapping(trustNode, "trust")
        guard let adminNode = top[Node("administrator")] else {
            throw .error("config.missing", at: at(root, "administrator"), "administrator is required (the trust's data manager)")
        }
        let admin = try mapping(adminNode, "administrator")
        let administrator = TrustConfiguration.Administrator(
            givenName: try string(admin, "givenName", in: "administrator", node: adminNode),
            familyName: try string(admin, "familyName", in: "administrator", node: adminNode),
            email: try email(admin, in: "administrator", node: adminNode),
            jobTitle: try optionalString(admin, "jobTitle", in: "administrator"))
        var files: [TrustConfiguration.SourceFile] = []
        for (index, node) in try sequence(top, "files", in: "configuration").enumerated() {
            files.append(try sourceFile(node, "files[\(index)]"))
        }
        var schools: [TrustConfiguration.SchoolEntry] = []
        for (index, node) in try sequence(top, "schools", in: "configuration").enumerated() {
            let entry = try school(node, "schools[\(index)]")
            if let earlier = schools.first(where: { $0.urn == entry.urn }) {
                throw .error(
                    "config.duplicateSchool", at: entry.location,
                    "schools[\(index)] repeats the URN of the school at line \(earlier.location.line)")
            }
            schools.append(entry)
        }
        if schools.isEmpty {
            throw .error("config.missing", at: at(root, "schools"), "schools lists at least one school")
        }
        // A file read twice would have every row rejected as listed twice (or counted twice): refuse it here.
        var listed: [String: FileLocation] = [:]
        for file in files + schools.flatMap(\.files) {
            let key = fileKey(file.path)
            if let earlier = listed[key] {
                throw .error(
                    "config.duplicateFile", at: file.location,
                    "\(file.location.field ?? "this entry") names the same file as \(earlier.field ?? "the entry") at line "
                        + "\(earlier.line): list each file once")
            }
            listed[key] = file.location
        }
        return TrustConfiguration(
            trustName: try string(trust, "name", in: "trust", node: trustNode),
            companyNumber: try optionalString(trust, "companyNumber", in: "trust"),
            administrator: administrator, files: files, schools: schools, location: FileLocation(file: file, line: 1))
    }

    /// What tells two entries' files apart: with ``base``, the path's file there with symbolic
    /// links resolved and `.` and `..` applied, so a link and its target, `./a.csv` and
    /// `dir/../a.csv` are one file (`..` is applied before links are resolved, as the files are
    /// read); without it, ``normalisedPath(_:)``.
    func fileKey(_ path: String) -> String {
        let normalised = Self.normalisedPath(path)
        guard let base else { return normalised }
        return URL(fileURLWithPath: normalised.isEmpty ? "." : normalised, relativeTo: base).absoluteURL
            .resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// A relative path with `.` and empty components dropped and `..` applied, so `./a/b.csv` and
    /// `a//c/../b.csv` compare equal to `a/b.csv`.
    static func normalisedPath(_ path: String) -> String {
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) where component != "." {
            if component == "..", let last = components.last, last != ".." {
                components.removeLast()
            } else {
                components.append(component)
            }
        }
        return (path.hasPrefix("/") ? "/" : "") + components.joined(separator: "/")
    }

    func email(_ mapping: Node.Mapping, in parent: String, node: Node) throws(RosterProblem) -> String {
        let email = try string(mapping, "email", in: parent, node: node)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !email.contains(where: \.isWhitespace) else {
            throw .error("config.invalid", at: at(mapping[Node("email")], "\(parent).email"), "\(parent).email is not an email address")
        }
        return email
    }

    func sourceFile(_ node: Node, _ field: String) throws(RosterProblem) -> TrustConfiguration.SourceFile {
        let map = try mapping(node, field)
        let path = try string(map, "path", in: field, node: node)
        let formatText = try string(map, "format", in: field, node: node)
        guard let format = TrustConfiguration.SourceFormat(rawValue: formatText.lowercased()) else {
            throw .error(
                "config.invalid", at: at(map[Node("format")], "\(field).format"),
                "\(field).format is one of \(TrustConfiguration.SourceFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var coverage = RosterCoverage.full
        if let text = try optionalString(map, "coverage", in: field) {
            guard let value = RosterCoverage(rawValue: text.lowercased()) else {
                throw .error(
                    "config.invalid", at: at(map[Node("coverage")], "\(field).coverage"), "\(field).coverage is full, partial or delta")
            }
            coverage = value
        }
        var exportedOn: CalendarDate?
        if let text = try optionalString(map, "exportedOn", in: field) {
            guard let date = CalendarDate(iso: text) else {
                throw .error(
                    "config.invalid", at: at(map[Node("exportedOn")], "\(field).exportedOn"), "\(field).exportedOn is a date as YYYY-MM-DD")
            }
            exportedOn = date
        }
        var dateFormat: DateFormat?
        if let text = try optionalString(map, "dateFormat", in: field) {
            guard let value = DateFormat(rawValue: text) ?? DateFormat.allCases.first(where: { "\($0)" == text }) else {
                throw .error(
                    "config.invalid", at: at(map[Node("dateFormat")], "\(field).dateFormat"),
                    "\(field).dateFormat is one of \(DateFormat.allCases.map { "\($0) (\($0.rawValue))" }.joined(separator: ", "))")
            }
            dateFormat = value
        }
        var columns: [String: String] = [:]
        if let mapNode = map[Node("map")] {
            for (key, value) in try mapping(mapNode, "\(field).map") {
                guard let column = key.string, let target = value.string else {
                    throw .error("config.invalid", at: at(value, "\(field).map"), "\(field).map pairs a column with a field name")
                }
                columns[column] = target
            }
            if let mapping = format.mapping {
                do { _ = try mapping.overriding(columns) } catch {
                    throw .error(error.code, at: at(mapNode, "\(field).map"), error.reason)
                }
            }
        }
        return TrustConfiguration.SourceFile(
            path: path, format: format, coverage: coverage, exportedOn: exportedOn, dateFormat: dateFormat, map: columns,
            location: at(node, field))
    }

    func school(_ node: Node, _ field: String) throws(RosterProblem) -> TrustConfiguration.SchoolEntry {
        let map = try mapping(node, field)
        let urn = try string(map, "urn", in: field, node: node)
        guard urn.count == 6, urn.allSatisfy(\.isNumber) else {
            throw .error("config.invalid", at: at(map[Node("urn")], "\(field).urn"), "\(field).urn is 6 digits")
        }
        let dfeNumber: DfENumber
        do {
            dfeNumber = try DfENumber(
                laCode: try string(map, "laCode", in: field, node: node),
                establishmentNumber: try string(map, "establishmentNumber", in: field, node: node))
        } catch let error as SafetyError {
            throw .error("config.invalid", at: at(map[Node("laCode")], "\(field).laCode"), error.reason)
        } catch let problem as RosterProblem {
            throw problem
        } catch {
            throw .error("config.invalid", at: at(node, field), "\(field) has no valid DfE number")
        }
        let phaseText = try optionalString(map, "phase", in: field) ?? "primary"
        guard let phase = SchoolPhase(rawValue: phaseText) else {
            throw .error(
                "config.invalid", at: at(map[Node("phase")], "\(field).phase"),
                "\(field).phase is one of \(SchoolPhase.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let policy = try optionalString(map, "policy", in: field) ?? "chilton"
        guard TrustConfiguration.policies.contains(policy) else {
            throw .error(
                "config.invalid", at: at(map[Node("policy")], "\(field).policy"),
                "\(field).policy is one of \(TrustConfiguration.policies.joined(separator: ", "))")
        }
        var sourceIDs: [SourceRef] = []
        for (index, idNode) in try sequence(map, "sourceIDs", in: field).enumerated() {
            let idMap = try mapping(idNode, "\(field).sourceIDs[\(index)]")
            sourceIDs.append(
                SourceRef(
                    system: try string(idMap, "system", in: "\(field).sourceIDs[\(index)]", node: idNode),
                    id: try string(idMap, "id", in: "\(field).sourceIDs[\(index)]", node: idNode)))
        }
        var files: [TrustConfiguration.SourceFile] = []
        for (index, fileNode) in try sequence(map, "files", in: field).enumerated() {
            files.append(try sourceFile(fileNode, "\(field).files[\(index)]"))
        }
        var holders: [RosterRoleHolder] = []
        for (index, holderNode) in try sequence(map, "roleHolders", in: field).enumerated() {
            let name = "\(field).roleHolders[\(index)]"
            let holder = try mapping(holderNode, name)
            let roleText = try string(holder, "role", in: name, node: holderNode)
            guard let role = Role(rawValue: roleText), ![Role.learner, .parentCarer].contains(role) else {
                throw .error(
                    "config.invalid", at: at(holder[Node("role")], "\(name).role"),
                    "\(name).role is one of \(Role.allCases.filter { $0 != .learner && $0 != .parentCarer }.map(\.rawValue).joined(separator: ", "))"
                )
            }
            var groups: [String] = []
            for group in try sequence(holder, "groups", in: name) { if let text = group.string { groups.append(text) } }
            holders.append(
                RosterRoleHolder(
                    location: at(holderNode, name), email: try email(holder, in: name, node: holderNode),
                    givenName: try string(holder, "givenName", in: name, node: holderNode),
                    familyName: try string(holder, "familyName", in: name, node: holderNode),
                    jobTitle: try optionalString(holder, "jobTitle", in: name), role: role, groups: groups))
        }
        return TrustConfiguration.SchoolEntry(
            urn: urn, dfeNumber: dfeNumber, name: try string(map, "name", in: field, node: node), phase: phase, policy: policy,
            sourceIDs: sourceIDs, files: files, roleHolders: holders, location: at(node, field))
    }
}
