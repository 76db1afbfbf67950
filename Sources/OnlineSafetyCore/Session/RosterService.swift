import Foundation
import Logging

/// Imports from a school's MIS, through the session's gate: parse (the `OnlineSafetyImport`
/// readers) → normalise → validate → **plan** → apply.
///
/// ```swift
/// let batch = try CTFReader().read(contentsOf: ctfURL)
/// let plan = try await session.roster.plan(batch)          // a dry run: nothing is written
/// for entry in plan.rejections { print(entry.location!, entry.code, entry.reason) }
/// let result = try await session.roster.apply(batch)       // all or nothing
/// ```
///
/// The plan and the apply are one pipeline: the apply plans again inside its transaction and
/// writes exactly what that plan says, or nothing when the run is refused (``RosterOptions/strict``
/// with a rejection, or too many leavers). Requires `managePeople`; a batch may name other schools
/// of the trust only for a trust-wide role, and create schools only for a trust-wide role that
/// manages the organisation. A school outside the session's reach is rejected exactly as an
/// unknown one.
public struct RosterService: Sendable {
    let session: SafetySession

    /// The lock that keeps two imports from running at once on one store.
    static let importLock = "onlinesafety.import"

    /// Plans a sync without writing anything but its audit event. Throws `forbidden` without
    /// `managePeople`.
    public func plan(_ batch: RosterBatch, options: RosterOptions = RosterOptions()) async throws -> RosterPlan {
        let runID = ImportRunID()
        let authority = AccessPolicy.require(.managePeople, session.principal, to: "import rosters")
        let plan = try await session.gate(
            .importPlan, ImportRun.recordKind, subject: runID.uuid, authority: authority
        ) { context in
            try await RosterSync(context: context, batch: batch, options: options, runID: runID).run(apply: false).0
        }
        session.logger.info("roster planned", metadata: Self.metadata(plan, batch))
        return plan
    }

    /// Plans and applies a sync in one transaction: every create, update, leaver and restore of
    /// the plan, with its audit appended in one batch (the records created from a file named by
    /// one event per 1,000 with the run and the file; each record changed by its own event with
    /// the row's file and line), and the run's own record. A run the plan refuses writes
    /// nothing; its result has no ``RosterResult/run``.
    ///
    /// Either way the call's own `import.apply` event names the run (``RosterPlan/runID``) as its
    /// subject and is `allowed`, the caller having been allowed to ask; its reason says what the
    /// run came to, in codes and counts only: `applied: 2 create, 1 update, 4 unchanged, 0 leaver,
    /// 0 restore, 0 skip, 1 reject`, or `refused: leavers.tooMany; nothing written`.
    ///
    /// Throws `forbidden` without `managePeople`, `unavailable` when another import is running on
    /// the store, and any storage error (after which nothing of the run is written).
    public func apply(_ batch: RosterBatch, options: RosterOptions = RosterOptions()) async throws -> RosterResult {
        let runID = ImportRunID()
        let authority = AccessPolicy.require(.managePeople, session.principal, to: "import rosters")
        let result = try await session.gate(
            .importApply, ImportRun.recordKind, subject: runID.uuid, authority: authority, retries: 0
        ) { context in
            guard try await context.tx.tryLock(Self.importLock) else {
                throw SafetyError(.unavailable, "another import is running on this store; try again when it has finished")
            }
            let (plan, run) = try await RosterSync(context: context, batch: batch, options: options, runID: runID).run(apply: true)
            await context.setOutcomeReason(Self.outcome(of: plan))
            return RosterResult(plan: plan, run: run)
        }
        session.logger.info(result.applied ? "roster applied" : "roster refused", metadata: Self.metadata(result.plan, batch))
        return result
    }

    /// What an applied plan came to, for the reason of the run's own audit event: the refusal's
    /// code, or the count of each action over every subject. Codes and counts only.
    static func outcome(of plan: RosterPlan) -> String {
        if let refusal = plan.refusal { return "refused: \(refusal.code); nothing written" }
        let counts = plan.counts
        return "applied: " + RosterAction.allCases.map { "\(counts.total($0)) \($0.rawValue)" }.joined(separator: ", ")
    }

    /// A plan's run, files and count of each action, for the log: never a row's content.
    private static func metadata(_ plan: RosterPlan, _ batch: RosterBatch) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["run": "\(plan.runID)", "files": "\(batch.files.count)"]
        for action in RosterAction.allCases { metadata[action.rawValue] = "\(plan.counts.total(action))" }
        if let refusal = plan.refusal { metadata["refusal"] = "\(refusal.reason)" }
        return metadata
    }

    /// The import runs of the session's trust (or school), newest first; a school-level role
    /// sees the runs that touched its school, each narrowed to its school's part
    /// (``ImportRun/part(forSchool:)``), so no other school's figures. Requires `managePeople`.
    /// Throws `forbidden`.
    public func runs(limit: Int? = nil) async throws -> [ImportRun] {
        let authority = AccessPolicy.require(.managePeople, session.principal, to: "list import runs")
        let school = session.principal.school
        let trustWide = AccessPolicy.holdsTrustWide(.managePeople, session.principal)
        let scope: QueryScope = school.trustID.map { .trust($0) } ?? .school(school.id)
        return try await session.gate(
            .importRunList, ImportRun.recordKind, subject: nil, authority: authority, subjects: .of { $0.map(\.id.uuid) }
        ) { context in
            let runs = try await context.tx.importRuns.find(ImportRunQuery(scope: scope))
                .compactMap { run in trustWide ? run : run.part(forSchool: school.urn) }
            return Array(runs.reversed().prefix(limit ?? .max))
        }
    }
}
