public import Foundation
public import OnlineSafetyCore

/// A trust configuration file (`trust.json`): the trust, its administrator, the files to import
/// at trust level, and each school with its files and role holders.
///
/// Paths are relative to the directory holding `trust.json`.
public struct SampleTrustConfiguration: Codable, Hashable, Sendable {
    /// The trust's name and company number.
    public struct TrustInfo: Codable, Hashable, Sendable {
        /// The trust's name.
        public var name: String
        /// The trust's company number, when it has one.
        public var companyNumber: String?

        /// Creates the trust's description.
        public init(name: String, companyNumber: String? = nil) {
            self.name = name
            self.companyNumber = companyNumber
        }
    }

    /// The person who bootstraps the trust and runs its imports.
    public struct Administrator: Codable, Hashable, Sendable {
        /// Given name.
        public var givenName: String
        /// Family name.
        public var familyName: String
        /// Email address.
        public var email: String
        /// Job title.
        public var jobTitle: String?

        /// Creates an administrator.
        public init(givenName: String, familyName: String, email: String, jobTitle: String? = nil) {
            self.givenName = givenName
            self.familyName = familyName
            self.email = email
            self.jobTitle = jobTitle
        }
    }

    /// One file to import: where it is, its format, and how to read it.
    public struct File: Codable, Hashable, Sendable {
        /// The path, relative to the configuration's directory.
        public var path: String
        /// `ctf`, `oneroster`, `bromcom-students`, `bromcom-contacts`, `tapestry-children` or
        /// `tapestry-relatives`.
        public var format: String
        /// `full`, `partial` or `delta`, for formats that do not say themselves.
        public var coverage: String?
        /// The export day, `yyyy-MM-dd`.
        public var exportedOn: String?
        /// How dates are written (`dd/MM/yyyy`, `MM/dd/yyyy` or `yyyy-MM-dd`).
        public var dateFormat: String?
        /// Column overrides: header → field name.
        public var map: [String: String]?

        /// Creates a file entry.
        public init(
            path: String, format: String, coverage: String? = nil, exportedOn: String? = nil, dateFormat: String? = nil,
            map: [String: String]? = nil
        ) {
            self.path = path
            self.format = format
            self.coverage = coverage
            self.exportedOn = exportedOn
            self.dateFormat = dateFormat
            self.map = map
        }
    }

    /// An id a source system gives a school.
    public struct SourceID: Codable, Hashable, Sendable {
        /// The source system (`oneroster`).
        public var system: String
        /// The school's id there.
        public var id: String

        /// Creates a source id.
        public init(system: String, id: String) {
            self.system = system
            self.id = id
        }
    }

    /// Someone who holds a role at a school.
    public struct RoleHolder: Codable, Hashable, Sendable {
        /// Email address (the key).
        public var email: String
        /// Given name.
        public var givenName: String
        /// Family name.
        public var familyName: String
        /// A ``OnlineSafetyCore/Role`` raw value.
        public var role: String
        /// Job title.
        public var jobTitle: String?

        /// Creates a role holder.
        public init(email: String, givenName: String, familyName: String, role: String, jobTitle: String? = nil) {
            self.email = email
            self.givenName = givenName
            self.familyName = familyName
            self.role = role
            self.jobTitle = jobTitle
        }
    }

    /// A school of the trust.
    public struct School: Codable, Hashable, Sendable {
        /// The 6-digit URN.
        public var urn: String
        /// The 3-digit LA code.
        public var laCode: String
        /// The 4-digit establishment number.
        public var establishmentNumber: String
        /// The school's name.
        public var name: String
        /// A ``OnlineSafetyCore/SchoolPhase`` raw value.
        public var phase: String
        /// Which seed school's settings to start from: `chilton`, `mersham` or `dormansland`.
        public var policy: String
        /// Ids sources give the school.
        public var sourceIDs: [SourceID]
        /// The school's own files.
        public var files: [File]
        /// Role holders.
        public var roleHolders: [RoleHolder]

        /// Creates a school entry.
        public init(
            urn: String, laCode: String, establishmentNumber: String, name: String, phase: String, policy: String,
            sourceIDs: [SourceID] = [], files: [File] = [], roleHolders: [RoleHolder] = []
        ) {
            self.urn = urn
            self.laCode = laCode
            self.establishmentNumber = establishmentNumber
            self.name = name
            self.phase = phase
            self.policy = policy
            self.sourceIDs = sourceIDs
            self.files = files
            self.roleHolders = roleHolders
        }

        /// The school as the core stores it: the policy's seed school with this URN, DfE number,
        /// name and phase.
        ///
        /// Throws `invalidInput` for an unknown policy or phase, or a malformed DfE number.
        public func school(trustID: TrustID?) throws -> OnlineSafetyCore.School {
            var school: OnlineSafetyCore.School
            switch policy {
            case "chilton": school = SeedSchools.chilton(trustID: trustID)
            case "mersham": school = SeedSchools.mersham(trustID: trustID)
            case "dormansland": school = SeedSchools.dormansland(trustID: trustID)
            default: throw SafetyError(.invalidInput, "the policy is not chilton, mersham or dormansland")
            }
            guard let phase = SchoolPhase(rawValue: phase) else {
                throw SafetyError(.invalidInput, "the phase is not one the core knows")
            }
            school.urn = urn
            school.dfeNumber = try DfENumber(laCode: laCode, establishmentNumber: establishmentNumber)
            school.name = name
            school.phase = phase
            school.keyStages = Self.keyStages(phase)
            return school
        }

        /// The roster sync's setup for the school: the school, its source ids and role holders.
        ///
        /// `file` names the configuration in role holders' locations. Throws as ``school(trustID:)``,
        /// and `invalidInput` for an unknown role.
        public func rosterSetup(trustID: TrustID?, file: String = "trust.json") throws -> RosterSchoolSetup {
            var holders: [RosterRoleHolder] = []
            for (index, holder) in roleHolders.enumerated() {
                guard let role = Role(rawValue: holder.role) else {
                    throw SafetyError(.invalidInput, "a role holder's role is not one the core knows")
                }
                holders.append(
                    RosterRoleHolder(
                        location: FileLocation(file: file, line: 0, field: "schools[\(urn)].roleHolders[\(index)]"),
                        email: holder.email, givenName: holder.givenName, familyName: holder.familyName, jobTitle: holder.jobTitle,
                        role: role))
            }
            return RosterSchoolSetup(
                school: try school(trustID: trustID), sourceIDs: sourceIDs.map { SourceRef(system: $0.system, id: $0.id) },
                roleHolders: holders)
        }

        static func keyStages(_ phase: SchoolPhase) -> [KeyStage] {
            switch phase {
            case .nursery: [.eyfs]
            case .infant: [.eyfs, .ks1]
            case .junior: [.ks2]
            case .primary: [.eyfs, .ks1, .ks2]
            case .secondary: [.ks3, .ks4, .ks5]
            default: KeyStage.allCases
            }
        }
    }

    /// The trust.
    public var trust: TrustInfo
    /// Its administrator.
    public var administrator: Administrator
    /// Files covering several schools (a OneRoster set).
    public var files: [File]
    /// The schools.
    public var schools: [School]

    /// Creates a configuration.
    public init(trust: TrustInfo, administrator: Administrator, files: [File], schools: [School]) {
        self.trust = trust
        self.administrator = administrator
        self.files = files
        self.schools = schools
    }

    /// Reads `trust.json` (or the file at `url`). Throws what reading or decoding throws.
    public static func load(from url: URL) throws -> SampleTrustConfiguration {
        try JSONDecoder().decode(SampleTrustConfiguration.self, from: Data(contentsOf: url))
    }

    /// The configuration as pretty-printed JSON with sorted keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
