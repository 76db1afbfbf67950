public import Foundation

/// What a roster sync does with one row or record.
public enum RosterAction: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// A new record.
    case create
    /// A stored record changes; the entry names the fields.
    case update
    /// A stored record already says what the source says.
    case unchanged
    /// A learner or member of staff no longer listed by a full export: they leave from the
    /// export's day (roles end, access grants are revoked, history is kept).
    case leaver
    /// Someone who had left and is listed again.
    case restore
    /// Left out on purpose, by a rule of the source's mapping.
    case skip
    /// Refused: the entry's reason says why. Nothing of it is written.
    case reject

    /// Declaration order.
    public static func < (lhs: RosterAction, rhs: RosterAction) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What a plan entry is about.
public enum RosterSubject: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// A row of a source file the readers refused or left out, before it was matched.
    case row
    /// A school (created from a trust configuration, or unknown).
    case school
    /// A learner.
    case learner
    /// An adult contact (parent or carer).
    case contact
    /// The link between a learner and a contact (relationship, responsibility, priority).
    case contactLink
    /// A member of staff.
    case staff
    /// A role held at a school.
    case role

    /// Declaration order.
    public static func < (lhs: RosterSubject, rhs: RosterSubject) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One decision of a plan: what happens to which record, and why.
///
/// Entries carry identifiers, field names, locations and fixed reasons, never a child's data.
public struct RosterPlanEntry: Hashable, Sendable, Codable {
    /// What happens.
    public var action: RosterAction
    /// What it is about.
    public var subject: RosterSubject
    /// The school's URN (`nil` for a row whose school is unknown and has no URN).
    public var schoolURN: String?
    /// The stored record, when there is or will be one.
    public var recordID: UUID?
    /// Where the row is in its source (`nil` for a leaver, whom no row lists).
    public var location: FileLocation?
    /// A stable code (for example `matched.upn`, `learner.missingDetails`, `upn.checkLetter`).
    public var code: String
    /// Why, in fixed words.
    public var reason: String
    /// For an update, the fields that change.
    public var fields: [String]

    /// Creates an entry.
    public init(
        _ action: RosterAction, _ subject: RosterSubject, school: String?, record: UUID? = nil, at location: FileLocation?,
        code: String, _ reason: String, fields: [String] = []
    ) {
        self.action = action
        self.subject = subject
        self.schoolURN = school
        self.recordID = record
        self.location = location
        self.code = code
        self.reason = reason
        self.fields = fields
    }
}

/// A match the sync made between rows that carry no shared identifier: a contact listed under
/// two siblings in a CTF, or a contact from one file found as one from another.
public struct RosterMatch: Hashable, Sendable, Codable {
    /// The row that was matched.
    public var location: FileLocation
    /// The row it was matched to, when that was a row of this run (else a stored record).
    public var matchedTo: FileLocation?
    /// The record both describe.
    public var recordID: UUID
    /// The rule (`name and email`, `name and phone`, `name, linked to the same learner`,
    /// `source id`, `UPN`, `email`).
    public var rule: String

    /// Creates a match.
    public init(location: FileLocation, matchedTo: FileLocation?, recordID: UUID, rule: String) {
        self.location = location
        self.matchedTo = matchedTo
        self.recordID = recordID
        self.rule = rule
    }
}

/// Counts of a plan per subject and action.
public struct RosterCounts: Hashable, Sendable, Codable {
    /// `counts[subject][action]`.
    public var counts: [RosterSubject: [RosterAction: Int]]

    /// Creates counts.
    public init(counts: [RosterSubject: [RosterAction: Int]] = [:]) { self.counts = counts }

    /// Counts a plan's entries.
    public init(_ entries: [RosterPlanEntry]) {
        // Entries come in long runs of one subject and action: each run is added at once.
        var counts: [RosterSubject: [RosterAction: Int]] = [:]
        var run: (subject: RosterSubject, action: RosterAction, count: Int)?
        // Read in place: only two fields of each entry, without copying its text.
        entries.withUnsafeBufferPointer { buffer in
            for index in buffer.indices {
                let (subject, action) = (buffer[index].subject, buffer[index].action)
                if let current = run, current.subject == subject, current.action == action {
                    run?.count += 1
                    continue
                }
                if let done = run { counts[done.subject, default: [:]][done.action, default: 0] += done.count }
                run = (subject, action, 1)
            }
        }
        if let done = run { counts[done.subject, default: [:]][done.action, default: 0] += done.count }
        self.counts = counts
    }

    /// How many entries of a subject had an action.
    public subscript(subject: RosterSubject, action: RosterAction) -> Int { counts[subject]?[action] ?? 0 }

    /// How many entries had an action, over every subject.
    public func total(_ action: RosterAction) -> Int { counts.values.reduce(0) { $0 + ($1[action] ?? 0) } }

    /// Decodes counts written as `{"learner": {"create": 2}}`.
    public init(from decoder: any Decoder) throws {
        let named = try decoder.singleValueContainer().decode([String: [String: Int]].self)
        var counts: [RosterSubject: [RosterAction: Int]] = [:]
        for (subject, actions) in named {
            guard let subject = RosterSubject(rawValue: subject) else { continue }
            for (action, count) in actions {
                if let action = RosterAction(rawValue: action) { counts[subject, default: [:]][action] = count }
            }
        }
        self.counts = counts
    }

    /// Encodes counts as `{"learner": {"create": 2}}`, named so they read the same however
    /// they were built.
    public func encode(to encoder: any Encoder) throws {
        var named: [String: [String: Int]] = [:]
        for (subject, actions) in counts {
            for (action, count) in actions { named[subject.rawValue, default: [:]][action.rawValue] = count }
        }
        var container = encoder.singleValueContainer()
        try container.encode(named)
    }

    /// Whether applying the plan writes anything.
    public var writesAnything: Bool {
        [RosterAction.create, .update, .leaver, .restore].contains { total($0) > 0 }
    }
}

/// Why a whole run is refused (nothing is written).
public struct RosterRefusal: Hashable, Sendable, Codable, CustomStringConvertible {
    /// A stable code: `strict.rejections`, `leavers.tooMany` (learners or staff: the reason says which).
    public var code: String
    /// Why, in fixed words with counts and URNs only.
    public var reason: String

    /// Creates a refusal.
    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// The reason.
    public var description: String { reason }
}

/// A school a trust configuration describes: created when the store does not have it yet, with
/// the roles its people should hold and the other ids sources know it by.
public struct RosterSchoolSetup: Hashable, Sendable {
    /// The school as it should be created (its trust is the session's).
    public var school: School
    /// The ids sources give the school (OneRoster `orgs.csv` sourcedIds) beside its URN.
    public var sourceIDs: [SourceRef]
    /// People who hold roles at the school, matched by email.
    public var roleHolders: [RosterRoleHolder]

    /// Creates a school's setup.
    public init(school: School, sourceIDs: [SourceRef] = [], roleHolders: [RosterRoleHolder] = []) {
        self.school = school
        self.sourceIDs = sourceIDs
        self.roleHolders = roleHolders
    }
}

/// Someone who holds a role at a school, from a trust configuration; matched by email at the
/// school and added (as staff, or a governor for governor roles) when not yet there.
public struct RosterRoleHolder: Hashable, Sendable {
    /// Where the configuration names them.
    public var location: FileLocation
    /// Email address (the key).
    public var email: String
    /// Given name.
    public var givenName: String
    /// Family name.
    public var familyName: String
    /// Job title, if any.
    public var jobTitle: String?
    /// The role.
    public var role: Role
    /// Groups, for a teaching role.
    public var groups: [String]

    /// Creates a role holder.
    public init(
        location: FileLocation, email: String, givenName: String, familyName: String, jobTitle: String? = nil, role: Role,
        groups: [String] = []
    ) {
        self.location = location
        self.email = email
        self.givenName = givenName
        self.familyName = familyName
        self.jobTitle = jobTitle
        self.role = role
        self.groups = groups
    }
}

/// How a sync runs.
///
/// Two safety stops keep a truncated export from emptying a school, each counted per school
/// and each lifted by ``allowManyLeavers``:
///
/// - **Learners**: a run that would make more than ``maximumLeaverShare`` of the school's roll
///   (its learners on roll) leavers is refused, however few they are.
/// - **Staff**: a run that would make more than ``maximumLeaverShare`` of the school's staff on
///   roll leavers is refused, when it would also make more than ``staffLeaverAllowance`` of them
///   leavers: a small staff's ordinary turnover (1 of 3 is a third) is not refused, while a staff
///   export missing 5 of 6 people is.
///
/// A refused run writes nothing; its ``RosterPlan/refusal`` has the code `leavers.tooMany`, and
/// its reason says whether learners or staff (or both) would leave, with their counts, never who.
///
/// ```swift
/// let plan = try await session.roster.plan(batch)
/// if plan.refusal?.code == "leavers.tooMany" {
///     print(plan.refusal!.reason)   // "5 of 8 staff at URN 999001 would leave, more than 20% of the staff; ..."
/// }
/// let result = try await session.roster.apply(batch, options: RosterOptions(allowManyLeavers: true))
/// ```
public struct RosterOptions: Hashable, Sendable {
    /// Refuse the whole run if any row is rejected.
    public var strict: Bool
    /// The largest share of a school's roll, and of its staff, a run may make leavers (0.2 = a
    /// fifth) before it is refused; a bigger change needs ``allowManyLeavers``.
    public var maximumLeaverShare: Double
    /// Apply even when more of a roll or of a staff would leave than ``maximumLeaverShare``.
    public var allowManyLeavers: Bool
    /// How many members of staff a run may always make leavers at a school, whatever their share
    /// of its staff (2 by default): the staff stop refuses a run only when more than this many
    /// and more than ``maximumLeaverShare`` of the school's staff on roll would leave. Learners
    /// have no such allowance.
    public var staffLeaverAllowance: Int
    /// Schools to create when the store lacks them, with their role holders.
    public var schools: [RosterSchoolSetup]

    /// Creates options; by default not strict, at most a fifth of a roll leaving, and of a staff
    /// (beyond two people), no new schools.
    public init(
        strict: Bool = false, maximumLeaverShare: Double = 0.2, allowManyLeavers: Bool = false, staffLeaverAllowance: Int = 2,
        schools: [RosterSchoolSetup] = []
    ) {
        self.strict = strict
        self.maximumLeaverShare = maximumLeaverShare
        self.allowManyLeavers = allowManyLeavers
        self.staffLeaverAllowance = max(0, staffLeaverAllowance)
        self.schools = schools
    }
}

/// One school's part of a plan.
public struct RosterSchoolSummary: Hashable, Sendable, Codable {
    /// The URN.
    public var urn: String
    /// The school's name.
    public var name: String
    /// Whether the run creates the school.
    public var created: Bool
    /// Learners on roll before the run.
    public var rollBefore: Int
    /// Learners on roll after it.
    public var rollAfter: Int
    /// Counts of the school's entries: what its sync decided, its creation, and the rows its
    /// files left out (a file with rows for this school alone).
    public var counts: RosterCounts

    /// Creates a summary.
    public init(urn: String, name: String, created: Bool, rollBefore: Int, rollAfter: Int, counts: RosterCounts) {
        self.urn = urn
        self.name = name
        self.created = created
        self.rollBefore = rollBefore
        self.rollAfter = rollAfter
        self.counts = counts
    }
}

/// What a sync would do (a dry run) or did: every decision with its reason, the matches made,
/// warnings, per-school summaries, and whether the run as a whole is refused.
public struct RosterPlan: Hashable, Sendable, Codable {
    /// The import run this plan belongs to.
    public var runID: ImportRunID
    /// The files read.
    public var files: [RosterFile]
    /// Every decision, in source order (leavers last).
    public var entries: [RosterPlanEntry]
    /// Matches made between rows without a shared identifier.
    public var matches: [RosterMatch]
    /// Warnings (an unknown LA code in a UPN, an unknown relationship code).
    public var warnings: [RosterProblem]
    /// Per-school summaries. The entries no summary counts are those whose ``RosterPlanEntry/schoolURN``
    /// is `nil` (a row of a file with rows for several schools) or names no school of the run.
    public var schools: [RosterSchoolSummary]
    /// Why the whole run is refused, when it is.
    public var refusal: RosterRefusal?

    /// Creates a plan.
    public init(
        runID: ImportRunID, files: [RosterFile], entries: [RosterPlanEntry], matches: [RosterMatch], warnings: [RosterProblem],
        schools: [RosterSchoolSummary], refusal: RosterRefusal?
    ) {
        self.runID = runID
        self.files = files
        self.entries = entries
        self.matches = matches
        self.warnings = warnings
        self.schools = schools
        self.refusal = refusal
    }

    /// Counts over every entry.
    public var counts: RosterCounts { RosterCounts(entries) }

    /// The rejected entries.
    public var rejections: [RosterPlanEntry] { entries.filter { $0.action == .reject } }
}

/// The result of applying a sync.
public struct RosterResult: Hashable, Sendable {
    /// What was decided.
    public var plan: RosterPlan
    /// The run's record, when the run was applied (also when it changed nothing).
    public var run: ImportRun?

    /// Creates a result.
    public init(plan: RosterPlan, run: ImportRun?) {
        self.plan = plan
        self.run = run
    }

    /// Whether the run was applied.
    public var applied: Bool { run != nil }
}
