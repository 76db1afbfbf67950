import Foundation

/// The sync of one run: matches a batch's rows to stored records, decides what each means
/// (the plan), and, when applying, writes it and its audit events in the gate's transaction.
///
/// Matching: learners by UPN within the school, then by the source's own id; contacts within the
/// school by source id, then by normalised name with email, with phone, or as the same
/// learner's contact; staff and role holders by email.
struct RosterSync {
    let context: GateContext
    let batch: RosterBatch
    let options: RosterOptions
    let runID: ImportRunID

    /// The rows readers left out (rejected or skipped) that named their own source id.
    var leftOutRows: Set<SourceRef> {
        Set(batch.problems.filter { $0.severity != .warning }.compactMap(\.source))
    }

    /// For each file, how many of its rows were left out (rejected or skipped) without naming
    /// who they were: no source id and no UPN. Such a row may be anyone on the roll, so a full
    /// export holding one makes nobody a leaver (``SchoolSync``). A file of a set (a OneRoster
    /// `users.csv`) counts against the set, whose sections carry the set's name.
    var unidentifiedRows: [String: Int] {
        var counts: [String: Int] = [:]
        for problem in batch.problems where problem.severity != .warning && problem.source == nil && problem.upn == nil {
            counts[problem.location.file, default: 0] += 1
        }
        return counts
    }

    private var session: SafetySession { context.session }
    private var principal: Principal { context.principal }
    private var tx: any OnlineSafetyStore { context.tx }

    /// One school's sections with the school they resolved to.
    struct SchoolWork {
        var school: School
        var created: Bool
        var sections: [RosterSection]
        var roleHolders: [RosterRoleHolder]
        /// The rows of sections no school here could take (an unknown or unreachable school), by
        /// source id and UPN: whoever they name is still listed somewhere, so is no leaver.
        var unplacedSources: Set<SourceRef> = []
        var unplacedUPNs: Set<UPN> = []
    }

    /// What applying writes.
    struct Writes {
        var schools: [School] = []
        var newPeople: [Person] = []
        var changedPeople: [Person] = []
        var leavers: [(Person, CalendarDate)] = []
        var newLinks: [ContactLink] = []
        var changedLinks: [ContactLink] = []
        var newGrants: [RoleGrant] = []
        var changedGrants: [RoleGrant] = []
        var drafts: [AuditDraft] = []
    }

    /// Runs the pipeline; applies the plan when `apply` and nothing refuses the run.
    func run(apply: Bool) async throws -> (RosterPlan, ImportRun?) {
        var entries: [RosterPlanEntry] = []
        // Room for every school's entries (about two per row at most), made once.
        entries.reserveCapacity(
            batch.problems.count + batch.sections.reduce(0) { $0 + $1.learners.count + 2 * ($1.contacts.count + $1.staff.count) })
        var warnings: [RosterProblem] = []
        for problem in batch.problems {
            switch problem.severity {
            case .error:
                entries.append(
                    RosterPlanEntry(.reject, .row, school: nil, at: problem.location, code: problem.code, problem.reason))
            case .skip:
                entries.append(RosterPlanEntry(.skip, .row, school: nil, at: problem.location, code: problem.code, problem.reason))
            case .warning: warnings.append(problem)
            }
        }
        var (work, schoolEntries) = try await resolveSchools()
        // A row in a section no school here took still names its person, who is no leaver.
        let unplaced = batch.sections.filter { section in
            !work.contains { item in item.sections.contains { $0.file == section.file && $0.school == section.school } }
        }
        if !unplaced.isEmpty {
            let sources = Set(unplaced.flatMap { $0.learners.map(\.source) + $0.staff.map(\.source) })
            let upns = Set(unplaced.flatMap { $0.learners.compactMap(\.upn) })
            for index in work.indices {
                work[index].unplacedSources = sources
                work[index].unplacedUPNs = upns
            }
        }
        var fileSchools: [String: Set<String>] = [:]
        for item in work { for section in item.sections { fileSchools[section.file, default: []].insert(item.school.urn) } }
        // A left-out row is its file's school's, when the file (or the set it is part of, for a
        // OneRoster `users.csv`) had rows for one school only.
        for index in entries.indices {
            guard let file = entries[index].location?.file else { continue }
            let urns = fileSchools[file] ?? fileSchools.first { file.hasPrefix($0.key + "/") }?.value
            if let urns, urns.count == 1 { entries[index].schoolURN = urns.first }
        }
        entries += schoolEntries
        // What happened before the schools' syncs (rows left out, schools created), by school: each
        // school's summary counts it beside what its sync decided.
        let attributed = Dictionary(grouping: entries.filter { $0.schoolURN != nil }) { $0.schoolURN ?? "" }
        var matches: [RosterMatch] = []
        var summaries: [RosterSchoolSummary] = []
        var writes = Writes()
        var refusal: RosterRefusal?
        func finish(_ school: SchoolSync) {
            entries += school.entries
            matches += school.matches
            var summary = school.summary
            if let own = attributed[summary.urn] { summary.counts = RosterCounts(own + school.entries) }
            summaries.append(summary)
            warnings += school.warnings
            if refusal == nil, let tooMany = school.leaverRefusal { refusal = tooMany }
            school.collect(into: &writes)
        }
        // Each school's stored records are read while the school before is read and the two
        // before that are planned: two reads in flight on the transaction's connection (one's
        // statements run while the other's rows are decoded) and two plans on the machine's cores,
        // finished in the schools' order. No more than four schools' records are held at once (a
        // plan that ends before the one ahead of it waits for it, and counts as one of the two),
        // and the plan is the one a school-by-school run makes (a school's plan depends on its
        // own records alone).
        @Sendable func loaded(_ item: SchoolWork) async throws -> SchoolSync {
            var school = SchoolSync(sync: self, work: item)
            try await school.load()
            return school
        }
        var reading: Task<SchoolSync, any Error>? = work.first.map { item in Task { try await loaded(item) } }
        do {
            try await withThrowingTaskGroup(of: (Int, SchoolSync).self) { group in
                var planning = 0
                var planned: [Int: SchoolSync] = [:]
                var finished = 0
                func take(_ result: (Int, SchoolSync)) {
                    let (index, school) = result
                    planning -= 1
                    planned[index] = school
                    while let next = planned.removeValue(forKey: finished) {
                        finish(next)
                        finished += 1
                    }
                }
                for index in work.indices {
                    // A read ahead is a task of its own, so a cancelled run stops here.
                    try Task.checkCancellation()
                    guard let current = reading else { break }
                    reading = index + 1 < work.count ? Task { [next = work[index + 1]] in try await loaded(next) } : nil
                    let school = try await current.value
                    while planning + planned.count >= 2, let result = try await group.next() { take(result) }
                    // Plans yield to reads: a read keeps the connection busy, and a plan can wait.
                    group.addTask(priority: .low) {
                        var planned = school
                        planned.plan()
                        return (index, planned)
                    }
                    planning += 1
                }
                while let result = try await group.next() { take(result) }
            }
        } catch {
            // The read ahead ends before the transaction does.
            reading?.cancel()
            _ = try? await reading?.value
            throw error
        }
        if refusal == nil, options.strict {
            let rejected = entries.filter { $0.action == .reject }.count
            if rejected > 0 {
                refusal = RosterRefusal(
                    code: "strict.rejections",
                    reason: "\(rejected) row\(rejected == 1 ? " was" : "s were") rejected and a strict run refuses them all")
            }
        }
        let plan = RosterPlan(
            runID: runID, files: batch.files, entries: entries, matches: matches, warnings: warnings, schools: summaries,
            refusal: refusal)
        guard apply, refusal == nil else { return (plan, nil) }
        let run = try await write(writes, plan: plan, fileSchools: fileSchools)
        return (plan, run)
    }

    // MARK: Schools

    private func resolveSchools() async throws -> ([SchoolWork], [RosterPlanEntry]) {
        let session = principal.school
        let trustSchools: [School]
        if let trustID = session.trustID {
            trustSchools = try await tx.schools.find(SchoolQuery(trustID: trustID))
        } else {
            trustSchools = [session]
        }
        let trustWide = AccessPolicy.holdsTrustWide(.managePeople, principal)
        var work: [String: SchoolWork] = [:]
        var entries: [RosterPlanEntry] = []

        func setup(for key: RosterSchoolKey) -> RosterSchoolSetup? {
            options.schools.first { setup in
                if let urn = key.urn { return setup.school.urn == urn }
                if let dfe = key.dfeNumber { return setup.school.dfeNumber == dfe }
                if let source = key.source { return ([source] + key.otherSources).contains { setup.sourceIDs.contains($0) } }
                return false
            }
        }
        func stored(for key: RosterSchoolKey) -> School? {
            if let urn = key.urn { return trustSchools.first { $0.urn == urn } }
            if let dfe = key.dfeNumber { return trustSchools.first { $0.dfeNumber == dfe } }
            if let setup = setup(for: key) { return trustSchools.first { $0.urn == setup.school.urn } }
            return nil
        }
        func reachable(_ school: School) -> Bool { school.id == session.id || (trustWide && school.trustID == session.trustID) }
        func place(_ school: School, created: Bool) -> String {
            if work[school.urn] == nil {
                let holders = options.schools.first { $0.school.urn == school.urn }?.roleHolders ?? []
                work[school.urn] = SchoolWork(school: school, created: created, sections: [], roleHolders: holders)
                if created {
                    entries.append(
                        RosterPlanEntry(
                            .create, .school, school: school.urn, record: school.id.uuid, at: nil, code: "school.fromConfiguration",
                            "a school the trust configuration describes and the store does not have"))
                }
            }
            return school.urn
        }
        func creatable(_ setup: RosterSchoolSetup) -> School? {
            guard session.trustID != nil, AccessPolicy.holdsTrustWide(.manageOrganisation, principal) else { return nil }
            var school = setup.school
            school.trustID = session.trustID
            school.revision = 0
            return school
        }

        for setup in options.schools {
            if let school = trustSchools.first(where: { $0.urn == setup.school.urn }) {
                if reachable(school) { _ = place(school, created: false) }
            } else if try await tx.schools.count(SchoolQuery(urn: setup.school.urn)) > 0 {
                // Another organisation's school: refused before anything is written, rather than
                // failing the whole run on the URN's uniqueness when it is inserted.
                entries.append(
                    RosterPlanEntry(
                        .reject, .school, school: setup.school.urn, at: nil, code: "school.cannotCreate",
                        "a school with this URN belongs to another organisation; it cannot be added to the trust"))
            } else if let school = creatable(setup) {
                _ = place(school, created: true)
            } else {
                entries.append(
                    RosterPlanEntry(
                        .reject, .school, school: setup.school.urn, at: nil, code: "school.cannotCreate",
                        "only a trust-wide role that manages the organisation can add schools to the trust"))
            }
        }
        for section in batch.sections {
            var school = stored(for: section.school)
            let count = section.learners.count + section.contacts.count + section.staff.count
            if let found = school, !reachable(found) {
                // Another of the session's own trust's schools: said as such (the trust's schools
                // are no secret within it), not as a school the trust does not have.
                entries.append(
                    RosterPlanEntry(
                        .reject, .school, school: found.urn, at: FileLocation(file: section.file, line: 0),
                        code: "school.notThisSession",
                        "URN \(found.urn) is another of the trust's schools, which a session here does not reach: a trust-wide "
                            + "data manager imports it, or a session at that school (\(count) rows not read)"))
                continue
            }
            if school == nil, let setup = setup(for: section.school) { school = work[setup.school.urn]?.school }
            guard let school else {
                entries.append(
                    RosterPlanEntry(
                        .reject, .school, school: section.school.urn, at: FileLocation(file: section.file, line: 0),
                        code: "school.unknown",
                        "no school with \(section.school) in the session's trust; a trust configuration file can add it "
                            + "(\(count) rows not read)"
                    ))
                continue
            }
            let urn = place(school, created: work[school.urn]?.created ?? false)
            work[urn]?.sections.append(section)
        }
        return (work.values.sorted { $0.school.urn < $1.school.urn }, entries)
    }

    // MARK: Writing

    /// Writes the plan and the run's record; `fileSchools` names the schools each file had rows for.
    private func write(_ writes: Writes, plan: RosterPlan, fileSchools: [String: Set<String>]) async throws -> ImportRun {
        for school in writes.schools { _ = try await tx.schools.insert(try school.checkedForInsert()) }
        try await insertMany(writes.newPeople, into: tx.people)
        for person in writes.changedPeople { _ = try await tx.people.update(person) }
        try await insertMany(writes.newLinks, into: tx.contacts)
        for link in writes.changedLinks { _ = try await tx.contacts.update(link) }
        try await insertMany(writes.newGrants, into: tx.roleGrants)
        for grant in writes.changedGrants { _ = try await tx.roleGrants.update(grant) }
        var drafts = writes.drafts
        for (person, date) in writes.leavers {
            var leaving = person
            leaving.leftOn = date
            _ = try await tx.people.update(leaving)
            let reason = "import run \(runID.uuidString.lowercased()): no longer listed by a full export"
            for grant in try await PeopleService.grantsEnded(of: person.id, leavingOn: date, in: tx) {
                _ = try await tx.roleGrants.update(grant)
                drafts.append(draft(.roleGrantEnd, RoleGrant.recordKind, grant.id.uuid, school: person.schoolID, reason: "leaver"))
            }
            try await AccessRegisterService.revokeAll(of: person.id, on: date, reason: "leaver", context)
            drafts.append(draft(.personLeave, Person.recordKind, person.id.uuid, school: person.schoolID, reason: reason))
        }
        let tenancy: Tenancy = principal.school.trustID.map { .trust($0) } ?? .school(principal.school.id)
        // Each school's part, so a role at one school sees its own files and counts alone.
        let parts = plan.schools.map { summary in
            ImportRunSchool(
                urn: summary.urn, files: batch.files.map(\.name).filter { fileSchools[$0]?.contains(summary.urn) == true },
                counts: summary.counts)
        }
        let run = ImportRun(
            id: runID, tenancy: tenancy, actorID: principal.person.id, appliedAt: session.clock.now(), files: batch.files,
            schoolURNs: plan.schools.map(\.urn), counts: plan.counts, schools: parts, strict: options.strict)
        let stored = try await tx.importRuns.insert(try run.checkedForInsert())
        await context.auditMany(drafts)
        return stored
    }

    private func insertMany<V: Aggregate, Q>(_ values: [V], into repository: any Repository<V, Q>) async throws {
        var start = 0
        while start < values.count {
            let chunk = Array(values[start..<min(values.count, start + 2_000)])
            try await repository.insertMany(try chunk.map { try $0.checkedForInsert() })
            start += chunk.count
        }
    }

    /// An audit event about a record at `school` (on that school's chain).
    func draft(_ action: AuditAction, _ kind: String, _ subject: UUID?, school: SchoolID?, reason: String) -> AuditDraft {
        AuditDraft(
            at: session.clock.now(), actorID: principal.person.id, schoolID: school ?? principal.school.id, action: action,
            subjectKind: kind, subjectID: subject, outcome: .allowed, reason: reason, restricted: false)
    }

    /// The audit reason of a record written from a row.
    func because(_ location: FileLocation?) -> String {
        guard let location else { return because(file: nil) }
        return because(file: location.file) + ":\(location.line)"
    }

    /// The audit reason of records created from a source file, or from none.
    func because(file: String?) -> String {
        let run = "import run \(runID.uuidString.lowercased())"
        guard let file else { return run }
        return "\(run) from \(file)"
    }
}

/// Normalised forms used to match rows.
enum RosterNormal {
    /// Trimmed, inner whitespace collapsed.
    static func text(_ value: String) -> String {
        // Most names are already clean: one pass over the bytes says so without building anything.
        var previousWasSpace = true
        var clean = true
        for byte in value.utf8 {
            if byte == 0x20 {
                if previousWasSpace {
                    clean = false
                    break
                }
                previousWasSpace = true
            } else if byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xE1 || byte == 0xE2 || byte == 0xE3 {
                // A control character, or the lead byte of a character that may be a space (U+0085,
                // U+00A0, U+1680, U+2000 to U+205F, U+3000): take the careful path.
                clean = false
                break
            } else {
                previousWasSpace = false
            }
        }
        if clean && !previousWasSpace { return value }
        return value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Trimmed text, or `nil` when empty.
    static func optional(_ value: String?) -> String? {
        guard let value else { return nil }
        let text = text(value)
        return text.isEmpty ? nil : text
    }

    /// A name for matching: without case or accents (Zoë is Zoe), letters and digits only,
    /// words in order.
    static func name(_ given: String, _ family: String) -> String {
        let joined = "\(given) \(family)"
        if let plain = asciiName(joined) { return plain }
        return joined.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
    }

    /// ``name(_:_:)`` of text that is all ASCII, where folding is lower-casing and the letters
    /// and digits are `a-z` and `0-9`: worked out over the bytes. `nil` for any other text.
    private static func asciiName(_ text: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            let folded = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            if (folded >= 0x61 && folded <= 0x7A) || (folded >= 0x30 && folded <= 0x39) {
                if pendingSpace && !bytes.isEmpty { bytes.append(0x20) }
                pendingSpace = false
                bytes.append(folded)
            } else {
                pendingSpace = true
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An email address for matching.
    static func email(_ value: String?) -> String? {
        guard let text = optional(value) else { return nil }
        // Most addresses are lower case already: one pass over the bytes says so.
        return text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A || $0 >= 0x80 }) ? text.lowercased() : text
    }

    /// A phone number for matching: its digits, with a leading 44 read as 0.
    static func phone(_ value: String?) -> String? {
        guard let value else { return nil }
        var digits: String
        if value.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII text: every character is one byte, so its digits are its digit bytes.
            digits = String(decoding: value.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self)
        } else {
            digits = value.filter(\.isASCIIDigit)
        }
        if digits.hasPrefix("44") { digits = "0" + digits.dropFirst(2) }
        return digits.count >= 6 ? digits : nil
    }
}
