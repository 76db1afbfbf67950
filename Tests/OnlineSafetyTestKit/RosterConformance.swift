import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// Rows for roster checks: a CTF-like full export of Chilton, built in code so each check says
/// exactly what the source holds.
enum RosterRows {
    static let file = "8862074_CTF_8862074_001.xml"
    static let digest = String(repeating: "ab", count: 32)

    static func at(_ line: Int, _ file: String = file) -> FileLocation { FileLocation(file: file, line: line) }

    static func learner(
        _ line: Int, upn: String, given: String, family: String, born: String = "2017-03-14", year: NCYear = .year4,
        group: String? = "Oak", system: String = "ctf", id: String? = nil, file: String = file
    ) throws -> RosterLearner {
        RosterLearner(
            location: at(line, file), source: SourceRef(system: system, id: id ?? upn), upn: try UPN(upn), givenName: given,
            familyName: family, dateOfBirth: CalendarDate(iso: born), ncYear: year, registrationGroup: group)
    }

    static func contact(
        _ line: Int, of learner: RosterLearner, given: String, family: String, email: String? = nil, phone: String? = nil,
        relationship: Relationship = .mother, responsibility: Bool = true, priority: Int = 1, source: SourceRef? = nil,
        file: String = file
    ) -> RosterContact {
        RosterContact(
            location: at(line, file), source: source, learner: learner.source, givenName: given, familyName: family,
            relationship: relationship, parentalResponsibility: responsibility, priority: priority, email: email, phone: phone)
    }

    static func section(
        _ school: School, coverage: RosterCoverage = .full, learners: [RosterLearner], contacts: [RosterContact] = [],
        staff: [RosterStaff] = [], system: String = "ctf", file: String = file, kinds: Set<RosterRecordKind> = [.learners, .contacts]
    ) -> RosterSection {
        RosterSection(
            file: file, system: system, school: RosterSchoolKey(urn: school.urn), schoolName: school.name, coverage: coverage,
            kinds: kinds, exportedOn: CalendarDate(year: 2025, month: 1, day: 31)!, learners: learners, contacts: contacts,
            staff: staff)
    }

    static func batch(_ sections: RosterSection..., problems: [RosterProblem] = []) -> RosterBatch {
        let files = Set(sections.map(\.file)).sorted().map { name in
            RosterFile(
                name: name, format: "test", sha256: digest,
                rows: sections.filter { $0.file == name }.map(\.learners.count).reduce(0, +))
        }
        return RosterBatch(files: files, sections: sections, problems: problems)
    }

    /// The fixture's two learners as an export lists them, and two new siblings sharing a mother.
    static func chiltonExport(_ fixture: Fixture) throws -> (RosterBatch, [RosterLearner]) {
        let ava = try learner(3, upn: "B801200005001", given: "Ava", family: "Oakley")
        let ben = try learner(
            20, upn: Fixture.upn(serial: 2), given: "Ben", family: "Ashworth", born: "2016-10-02", year: .year5, group: "Ash")
        let cleo = try learner(40, upn: Fixture.upn(serial: 10), given: "Cleo", family: "O'Brien-Łukasz", born: "2018-05-01", year: .year2)
        let dev = try learner(60, upn: Fixture.upn(serial: 11), given: "Dev", family: "O'Brien-Łukasz", born: "2019-06-01", year: .year1)
        let contacts = [
            contact(45, of: cleo, given: "Zoë", family: "O'Brien-Łukasz", email: "zoe@example.org"),
            contact(65, of: dev, given: "ZOË", family: "O'Brien-Łukasz ", email: "Zoe@Example.org"),
            contact(70, of: dev, given: "Rob", family: "Tables; DROP", phone: "+44 7700 900123", relationship: .father, priority: 2),
        ]
        return (batch(section(fixture.school, learners: [ava, ben, cleo, dev], contacts: contacts)), [ava, ben, cleo, dev])
    }
}

extension StorageConformance {
    /// A first import creates what is new, matches what is stored by UPN and siblings' shared
    /// mother by name and email, writes one audit event per record naming the run, file and line,
    /// and records the run with its files; importing the same files again writes nothing.
    @_spi(StorageBackend)
    public static func rosterImportIsIdempotent(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let (batch, _) = try RosterRows.chiltonExport(fixture)

        let plan = try await admin.roster.plan(batch)
        try expect(plan.refusal == nil, "a complete export is not refused: \(String(describing: plan.refusal))")
        try expect(plan.counts[.learner, .create] == 2, "two new learners, got \(plan.counts[.learner, .create])")
        try expect(plan.counts[.learner, .update] == 2, "the two stored learners gain their CTF id: \(plan.counts.counts)")
        try expect(plan.counts[.contact, .create] == 2, "one mother for both siblings and one father: \(plan.counts.counts)")
        try expect(plan.counts[.contactLink, .create] == 3, "three links: \(plan.counts.counts)")
        try expect(plan.matches.count == 1 && plan.matches[0].rule == "name and email", "the siblings' mother is matched: \(plan.matches)")
        try expect(plan.matches[0].matchedTo?.line == 45 && plan.matches[0].location.line == 65, "the match names both rows")
        let before = try await store.people.count(PersonQuery(scope: .school(fixture.school.id)))
        try expect(before == 5, "a plan writes nothing: \(before) people")
        let preexisting = Set(try await store.people.find(PersonQuery(scope: .school(fixture.school.id))).map(\.id))

        let result = try await admin.roster.apply(batch)
        try expect(result.applied, "the run is applied")
        let people = try await store.people.find(PersonQuery(scope: .school(fixture.school.id)))
        try expect(people.count == 9, "4 new people, got \(people.count - 5)")
        let cleo = try await admin.people.identify(Fixture.upn(serial: 10))
        let links = try await admin.people.contacts(of: cleo)
        try expect(links.count == 1 && links[0].parentalResponsibility, "Cleo's mother has parental responsibility")
        let mother = try await admin.people.get(links[0].adultID)
        try expect(mother.familyName == "O'Brien-Łukasz" && mother.email == "zoe@example.org", "names and emails round-trip")
        let father = people.first { $0.givenName == "Rob" }
        try expect(father?.familyName == "Tables; DROP" && father?.phone == "+44 7700 900123", "metacharacters round-trip unchanged")

        let trail = try await admin.audit.trail(of: cleo.uuid)
        let insert = trail.first { $0.draft.action == .personInsert }
        let run = result.run!.id.uuid.uuidString.lowercased()
        try expect(
            insert?.draft.reason == "import run \(run) from \(RosterRows.file)" && insert?.draft.listed.contains(cleo.uuid) == true,
            "the audit names the run and the file, and lists the record: \(insert?.draft.reason ?? "none")")
        // The people the run created are named by one event per source file, each person once.
        let created = Set(people.map(\.id)).subtracting(preexisting)
        let inserts = try await store.audit.events(AuditQuery(schoolID: fixture.school.id)).filter {
            $0.draft.action == .personInsert && $0.draft.reason?.hasPrefix("import run \(run)") == true
        }
        try expect(
            inserts.count == 1 && inserts[0].draft.subjectID == nil && inserts[0].draft.listed.count == 4
                && Set(inserts[0].draft.listed) == Set(created.map(\.uuid)),
            "one event lists the 4 people created from the one file: \(inserts.map(\.draft.listed.count))")
        let runs = try await admin.roster.runs()
        try expect(runs.count == 1 && runs[0].files.first?.sha256 == RosterRows.digest, "the run is recorded with its files' digests")
        try expect(runs[0].counts[.learner, .create] == 2, "the run records its counts")

        let revisions = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0.revision) })
        let eventsBefore = try await store.audit.heads()
        let again = try await admin.roster.apply(batch)
        try expect(!again.plan.counts.writesAnything, "re-importing the same files changes nothing: \(again.plan.counts.counts)")
        try expect(again.plan.counts[.learner, .unchanged] == 4, "every learner is unchanged")
        try expect(again.plan.counts[.contactLink, .unchanged] == 3, "every link is unchanged")
        let after = try await store.people.find(PersonQuery(scope: .school(fixture.school.id)))
        try expect(after.count == people.count, "no one is added twice")
        try expect(after.allSatisfy { revisions[$0.id] == $0.revision }, "no record is rewritten")
        let eventsAfter = try await store.audit.heads()
        let added = eventsAfter.reduce(Int64(0)) { $0 + $1.value - (eventsBefore[$1.key] ?? 0) }
        try expect(added == 1, "only the run's own event is added: \(added) events")
    }

    /// A full export that no longer lists a learner makes them a leaver from its day (roles and
    /// access end, the record stays); too many leavers stop the run unless allowed; a partial
    /// file makes no one a leaver; a learner listed again is restored.
    @_spi(StorageBackend)
    public static func rosterLeaversAndRestores(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let (_, rows) = try RosterRows.chiltonExport(fixture)
        let withoutBen = RosterRows.batch(RosterRows.section(fixture.school, learners: [rows[0]]))

        let refused = try await admin.roster.apply(withoutBen)
        try expect(!refused.applied && refused.plan.refusal?.code == "leavers.tooMany", "half the roll leaving is refused")
        try expect(refused.plan.refusal?.reason.contains("1 of 2 learners") == true, "the refusal gives the counts")
        let benBefore = try await admin.people.get(fixture.ashLearner.id)
        try expect(benBefore.leftOn == nil, "a refused run writes nothing")

        let partial = RosterRows.batch(RosterRows.section(fixture.school, coverage: .partial, learners: [rows[0]]))
        let partialPlan = try await admin.roster.plan(partial)
        try expect(partialPlan.counts.total(.leaver) == 0, "a partial file makes no one a leaver")

        let applied = try await admin.roster.apply(withoutBen, options: RosterOptions(allowManyLeavers: true))
        try expect(applied.applied && applied.plan.counts[.learner, .leaver] == 1, "Ben leaves: \(applied.plan.counts.counts)")
        let ben = try await admin.people.get(fixture.ashLearner.id)
        try expect(ben.leftOn == CalendarDate(year: 2025, month: 1, day: 31), "from the export's day")
        let trail = try await admin.audit.trail(of: fixture.ashLearner.id.uuid)
        try expect(trail.contains { $0.draft.action == .personLeave }, "the leaver is audited")

        let back = RosterRows.batch(RosterRows.section(fixture.school, learners: [rows[0], rows[1]]))
        let restored = try await admin.roster.apply(back)
        try expect(restored.plan.counts[.learner, .restore] == 1, "Ben is restored: \(restored.plan.counts.counts)")
        let benAgain = try await admin.people.get(fixture.ashLearner.id)
        try expect(benAgain.leftOn == nil, "a restored learner is on roll again")
        let restoreTrail = try await admin.audit.trail(of: fixture.ashLearner.id.uuid)
        try expect(restoreTrail.contains { $0.draft.action == .personRestore }, "the restore is audited")
    }

    /// A row left out of a full export keeps the person it names on the roll, learner or member
    /// of staff; a full export with a row that names nobody (no source id, no UPN) makes no
    /// leavers at all, and the plan says why, at the file.
    @_spi(StorageBackend)
    public static func rosterLeftOutRowsMakeNoLeavers(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let (_, rows) = try RosterRows.chiltonExport(fixture)
        let many = RosterOptions(allowManyLeavers: true)

        // Ben's row is torn: the reader could not read its id, so it could have been anyone's.
        let torn = RosterProblem.error("oneroster.sourcedIdRequired", at: RosterRows.at(20).field("sourcedId"), "no sourcedId")
        let withoutBen = RosterRows.batch(RosterRows.section(fixture.school, learners: [rows[0]]), problems: [torn])
        let withheld = try await admin.roster.apply(withoutBen, options: many)
        try expect(withheld.applied && withheld.plan.counts.total(.leaver) == 0, "no one leaves: \(withheld.plan.counts.counts)")
        let warning = withheld.plan.warnings.first { $0.code == "leavers.withheld" }
        try expect(
            warning?.location == FileLocation(file: RosterRows.file, line: 0) && warning?.reason.contains("1 row was left out") == true,
            "the plan says the export made no leavers, at its file: \(withheld.plan.warnings.map(\.code))")
        let ben = try await admin.people.get(fixture.ashLearner.id)
        try expect(ben.leftOn == nil, "Ben is still on roll")

        // A row of a set's file counts against the set.
        let setFile = "export.zip"
        let inSet = RosterProblem.error("name.required", at: RosterRows.at(7, "\(setFile)/users.csv"), "the given name is blank")
        let fromSet = RosterRows.batch(
            RosterRows.section(fixture.school, learners: [rows[0]], file: setFile), problems: [inSet])
        let setPlan = try await admin.roster.plan(fromSet, options: many)
        try expect(setPlan.counts.total(.leaver) == 0, "a set with an unnamed row makes no leavers: \(setPlan.counts.counts)")

        // Rejected rows that name their learner, by source id or UPN, keep them; the rest still leave.
        var named = RosterProblem.error("learner.missingDetails", at: RosterRows.at(20), "a detail is missing")
        named.upn = rows[1].upn
        let kept = try await admin.roster.plan(
            RosterRows.batch(RosterRows.section(fixture.school, learners: [rows[0]]), problems: [named]), options: many)
        try expect(kept.counts.total(.leaver) == 0 && kept.warnings.isEmpty, "a named rejected row keeps Ben: \(kept.counts.counts)")
        let gone = try await admin.roster.plan(RosterRows.batch(RosterRows.section(fixture.school, learners: [rows[0]])), options: many)
        try expect(gone.counts[.learner, .leaver] == 1, "without his row Ben would leave: \(gone.counts.counts)")

        // Staff: a full staff export whose row for Sam is rejected keeps Sam on the staff.
        func staffRow(_ line: Int, _ id: String, _ given: String) -> RosterStaff {
            RosterStaff(
                location: RosterRows.at(line, "staff.csv"), source: SourceRef(system: "mis", id: id), givenName: given,
                familyName: "Staffer", email: "\(given.lowercased())@chilton.example")
        }
        func staffBatch(_ staff: [RosterStaff], problems: [RosterProblem] = []) -> RosterBatch {
            RosterRows.batch(
                RosterRows.section(fixture.school, learners: [], staff: staff, system: "mis", file: "staff.csv", kinds: [.staff]),
                problems: problems)
        }
        let first = try await admin.roster.apply(staffBatch([staffRow(2, "S1", "Sam"), staffRow(3, "S2", "Tia")]))
        try expect(first.applied && first.plan.counts[.staff, .create] == 2, "two staff: \(first.plan.counts.counts)")
        var samRejected = RosterProblem.error("email.required", at: RosterRows.at(2, "staff.csv").field("email"), "no email")
        samRejected.source = SourceRef(system: "mis", id: "S1")
        let keptStaff = try await admin.roster.apply(staffBatch([staffRow(3, "S2", "Tia")], problems: [samRejected]))
        try expect(keptStaff.plan.counts.total(.leaver) == 0, "Sam's rejected row keeps Sam: \(keptStaff.plan.counts.counts)")
        let unnamed = RosterProblem.error("id.required", at: RosterRows.at(2, "staff.csv"), "no id")
        let withheldStaff = try await admin.roster.plan(staffBatch([staffRow(3, "S2", "Tia")], problems: [unnamed]))
        try expect(
            withheldStaff.counts.total(.leaver) == 0 && withheldStaff.warnings.contains { $0.code == "leavers.withheld" },
            "an unnamed staff row withholds the staff leavers: \(withheldStaff.counts.counts)")
        let samLeaves = try await admin.roster.plan(staffBatch([staffRow(3, "S2", "Tia")]))
        try expect(samLeaves.counts[.staff, .leaver] == 1, "without his row Sam would leave: \(samLeaves.counts.counts)")
    }

    /// A leaving day recorded ahead of an export is kept when the export still lists the person;
    /// staff are matched by the address staff sign in with, never by a parent's who shares it.
    @_spi(StorageBackend)
    public static func rosterKeepsLeavingDaysAheadAndMatchesStaffOnly(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        func staffRow(_ line: Int, _ id: String, _ given: String, email: String? = nil) -> RosterStaff {
            RosterStaff(
                location: RosterRows.at(line, "staff.csv"), source: SourceRef(system: "mis", id: id), givenName: given,
                familyName: "Staffer", email: email ?? "\(given.lowercased())@chilton.example")
        }
        func staffBatch(_ staff: [RosterStaff]) -> RosterBatch {
            RosterRows.batch(
                RosterRows.section(fixture.school, learners: [], staff: staff, system: "mis", file: "staff.csv", kinds: [.staff]))
        }
        let first = try await admin.roster.apply(staffBatch([staffRow(2, "S1", "Sam"), staffRow(3, "S2", "Tia")]))
        try expect(first.applied && first.plan.counts[.staff, .create] == 2, "two staff: \(first.plan.counts.counts)")
        let staff = try await store.people.find(PersonQuery(scope: .school(fixture.school.id), kinds: [.staff]))
        guard let tia = staff.first(where: { $0.givenName == "Tia" }), let sam = staff.first(where: { $0.givenName == "Sam" }) else {
            throw ConformanceFailure("Sam and Tia are stored")
        }

        let ahead = Fixture.today.adding(days: 60)
        _ = try await admin.people.recordLeaver(tia.id, on: ahead)
        let again = try await admin.roster.apply(staffBatch([staffRow(2, "S1", "Sam"), staffRow(3, "S2", "Tia")]))
        try expect(again.plan.counts.total(.restore) == 0, "an export that lists Tia does not undo a leaving day ahead of it")
        let tiaAfter = try await admin.people.get(tia.id)
        try expect(tiaAfter.leftOn == ahead, "Tia still leaves on the day recorded")

        // A parent shares the address Sam's row now gives: Sam is still matched, by his id.
        let parent = try await admin.people.add(
            Person(tenancy: .school(fixture.school.id), kind: .parentCarer, givenName: "Pat", familyName: "Home", email: "pat@home.example")
        )
        let shared = try await admin.roster.apply(
            staffBatch([staffRow(2, "S1", "Sam", email: "pat@home.example"), staffRow(3, "S2", "Tia")]))
        try expect(
            shared.plan.rejections.isEmpty && shared.plan.counts.total(.leaver) == 0 && shared.plan.counts[.staff, .update] == 1,
            "Sam's row updates Sam, and no one leaves: \(shared.plan.counts.counts)")
        let samAfter = try await admin.people.get(sam.id)
        let parentAfter = try await admin.people.get(parent.id)
        try expect(samAfter.email == "pat@home.example" && samAfter.leftOn == nil, "Sam takes the address and stays")
        try expect(parentAfter == parent, "the parent is not touched")
    }

    /// A leaving decided by hand (recorded or corrected) is not undone by an export taken on or
    /// before the day it was decided: the same export again neither makes a restored learner a
    /// leaver nor restores one recorded as leaving before it, and says so once at its file,
    /// with a count and no name; an export taken after the decision decides again.
    @_spi(StorageBackend)
    public static func rosterLeavesALeavingDecidedByHand(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let (_, rows) = try RosterRows.chiltonExport(fixture)
        func export(_ learners: [RosterLearner], on day: CalendarDate? = nil) -> RosterBatch {
            var section = RosterRows.section(fixture.school, learners: learners)
            if let day { section.exportedOn = day }
            return RosterRows.batch(section)
        }
        let many = RosterOptions(allowManyLeavers: true)
        let ben = fixture.ashLearner.id

        // The export drops Ben by mistake: he leaves from its day, and is put right by hand.
        let dropped = try await admin.roster.apply(export([rows[0]]), options: many)
        try expect(dropped.applied && dropped.plan.counts[.learner, .leaver] == 1, "Ben leaves: \(dropped.plan.counts.counts)")
        let corrected = try await admin.people.correctLeaving(ben, to: nil, reason: "the export dropped him by mistake")
        try expect(corrected.leftOn == nil && corrected.leavingDecidedOn == Fixture.today, "the correction keeps its day")

        let again = try await admin.roster.apply(export([rows[0]]), options: many)
        try expect(again.plan.counts.total(.leaver) == 0, "the same export does not make him a leaver again: \(again.plan.counts.counts)")
        try expect(try await admin.people.get(ben).leftOn == nil, "Ben stays on roll")
        let kept = again.plan.warnings.filter { $0.code == "leaving.decidedByHand" }
        try expect(
            kept.count == 1 && kept[0].location.file == RosterRows.file
                && kept[0].reason.hasPrefix("what was decided by hand about 1 person's leaving"),
            "the plan says so once, at the file: \(kept)")
        try expect(!kept[0].reason.contains("Ben") && !kept[0].reason.contains("Ashworth"), "naming no one")

        // Ava is recorded by hand as having left before the export's day: an export listing her
        // does not restore her.
        let ava = try await admin.people.identify(rows[0].upn?.value ?? "")
        let avaLeft = CalendarDate(year: 2025, month: 1, day: 15)!
        _ = try await admin.people.recordLeaver(ava, on: avaLeft)
        let listed = try await admin.roster.apply(export([rows[0], rows[1]]), options: many)
        try expect(listed.plan.counts.total(.restore) == 0, "the export does not restore her: \(listed.plan.counts.counts)")
        try expect(try await admin.people.get(ava).leftOn == avaLeft, "Ava's leaving day stands")
        try expect(listed.plan.warnings.contains { $0.code == "leaving.decidedByHand" }, "and the plan says why")

        // An export taken after the decisions decides again: Ava is listed, so back; Ben is not, so leaves.
        let tomorrow = Fixture.today.adding(days: 1)
        let later = try await admin.roster.apply(export([rows[0]], on: tomorrow), options: many)
        try expect(
            later.plan.counts[.learner, .leaver] == 1 && later.plan.counts[.learner, .restore] == 1,
            "a later export decides again: \(later.plan.counts.counts)")
        try expect(try await admin.people.get(ben).leftOn == tomorrow, "Ben leaves from its day")
        try expect(try await admin.people.get(ava).leftOn == nil, "Ava is on roll again")
        try expect(!later.plan.warnings.contains { $0.code == "leaving.decidedByHand" }, "with nothing kept by hand")
        try expect(
            later.plan.warnings.filter { $0.code == "export.dayAhead" }.map(\.location.file) == [RosterRows.file],
            "and a warning, once at the file, that it says it was taken after today")
        try expect(!listed.plan.warnings.contains { $0.code == "export.dayAhead" }, "which an export of a past day has not")
    }

    /// A row the export files under a school the trust does not have (an organisation id typed
    /// wrong) is not read, and is refused as `school.unknown`; but it still names its learner, who
    /// is no leaver of the full export that leaves them out of their own school's rows.
    @_spi(StorageBackend)
    public static func rosterRowsOfAnUnknownSchoolMakeNoLeavers(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let (_, rows) = try RosterRows.chiltonExport(fixture)
        var elsewhere = RosterRows.section(fixture.school, learners: [rows[1]])
        elsewhere.school = RosterSchoolKey(source: SourceRef(system: "ctf", id: "org-nowhere"))
        let batch = RosterRows.batch(RosterRows.section(fixture.school, learners: [rows[0]]), elsewhere)
        let applied = try await admin.roster.apply(batch, options: RosterOptions(allowManyLeavers: true))
        try expect(
            applied.plan.entries.contains { $0.action == .reject && $0.code == "school.unknown" },
            "the unknown school's rows are refused: \(applied.plan.counts.counts)")
        try expect(applied.plan.counts.total(.leaver) == 0, "and Ben, whom they name, is no leaver: \(applied.plan.counts.counts)")
        try expect(try await admin.people.get(fixture.ashLearner.id).leftOn == nil, "Ben stays on roll")

        // Without that row, the same export makes him a leaver.
        let without = try await admin.roster.plan(
            RosterRows.batch(RosterRows.section(fixture.school, learners: [rows[0]])), options: RosterOptions(allowManyLeavers: true))
        try expect(without.counts[.learner, .leaver] == 1, "a full export that does not name him makes him a leaver")
    }

    /// Two files of one run that disagree about a learner: a later file that undoes what an
    /// earlier one changed is warned of at its row (`row.conflict`, naming the field and the
    /// earlier row, never a value), and its value is kept; a change made by the later file alone
    /// is credited to its row, in the plan and in the audit.
    @_spi(StorageBackend)
    public static func rosterSaysWhenFilesDisagree(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let upn = Fixture.upn(serial: 21)
        func ctf(_ given: String) throws -> RosterSection {
            RosterRows.section(
                fixture.school, coverage: .partial, learners: [try RosterRows.learner(7, upn: upn, given: given, family: "Mensah")])
        }
        func mis(_ given: String) throws -> RosterSection {
            RosterRows.section(
                fixture.school, coverage: .partial,
                learners: [
                    try RosterRows.learner(3, upn: upn, given: given, family: "Mensah", system: "mis", id: "S9", file: "students.csv")
                ],
                system: "mis", file: "students.csv")
        }
        let first = try await admin.roster.apply(RosterRows.batch(try ctf("Kwaie")))
        try expect(first.applied && first.plan.counts[.learner, .create] == 1, "the learner is created: \(first.plan.counts.counts)")
        let id = try await admin.people.identify(upn)

        // The CTF corrects the name; the MIS file, read after it, still has the old one.
        let undone = try await admin.roster.apply(RosterRows.batch(try ctf("Kwaku"), try mis("Kwaie")))
        let conflicts = undone.plan.warnings.filter { $0.code == "row.conflict" }
        try expect(conflicts.count == 1, "the disagreement is warned of once: \(undone.plan.warnings)")
        try expect(
            conflicts[0].location.file == "students.csv" && conflicts[0].location.line == 3 && conflicts[0].location.field == "givenName"
                && conflicts[0].reason.contains("givenName") && conflicts[0].reason.contains("\(RosterRows.file):7"),
            "at the later row, naming the field and the earlier row: \(conflicts[0])")
        try expect(!conflicts[0].reason.contains("Kwa"), "and no value")
        try expect(try await admin.people.get(id).givenName == "Kwaie", "the later file's value is kept")

        // A change the later file alone makes is credited to its row.
        let changed = try await admin.roster.apply(RosterRows.batch(try ctf("Kwaie"), try mis("Kwame")))
        try expect(!changed.plan.warnings.contains { $0.code == "row.conflict" }, "no conflict: the CTF changed nothing")
        let update = changed.plan.entries.first { $0.action == .update && $0.recordID == id.uuid }
        try expect(
            update?.location?.file == "students.csv" && update?.location?.line == 3,
            "the update is the MIS row's: \(String(describing: update))")
        let trail = try await admin.audit.trail(of: id.uuid)
        try expect(
            trail.contains { $0.draft.action == .personUpdate && ($0.draft.reason ?? "").hasSuffix("from students.csv:3") },
            "and so is its audit event")

        // Each file changes a field (the MIS file agreeing with the CTF's new given name): each
        // change is credited to its own row.
        func misFamily(_ family: String) throws -> RosterSection {
            RosterRows.section(
                fixture.school, coverage: .partial,
                learners: [
                    try RosterRows.learner(3, upn: upn, given: "Kojo", family: family, system: "mis", id: "S9", file: "students.csv")
                ],
                system: "mis", file: "students.csv")
        }
        let both = try await admin.roster.apply(RosterRows.batch(try ctf("Kojo"), try misFamily("Mensah-Boateng")))
        let split = both.plan.entries.first { $0.action == .update && $0.recordID == id.uuid }
        try expect(
            split?.fields == ["givenName", "familyName"]
                && split?.reason == "the sources say something else: givenName at \(RosterRows.file):7, familyName at students.csv:3",
            "each field is credited to its row: \(String(describing: split))")
        let after = try await admin.audit.trail(of: id.uuid)
        try expect(
            after.contains {
                $0.draft.action == .personUpdate
                    && ($0.draft.reason ?? "").hasSuffix(
                        "from students.csv:3 (givenName at \(RosterRows.file):7, familyName at students.csv:3)")
            },
            "and so does the audit event: \(after.compactMap(\.draft.reason))")
    }

    /// A learner's legal names are kept beside the names they are known by: a preferred name
    /// changed on re-import is an update naming that field, and the legal name survives it; a
    /// legal name changed while a preferred one is held is noticed; a source that says nothing
    /// of preferred names leaves them, one that carries none (or the legal name again) clears
    /// them; an unchanged re-import writes nothing.
    @_spi(StorageBackend)
    public static func rosterKeepsLegalAndPreferredNames(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let upn = Fixture.upn(serial: 20)
        func export(given: String = "Joanna", preferredGiven: String?, preferredFamily: String? = "") throws -> RosterBatch {
            var row = try RosterRows.learner(5, upn: upn, given: given, family: "Marsh")
            row.preferredGivenName = preferredGiven
            row.preferredFamilyName = preferredFamily
            return RosterRows.batch(RosterRows.section(fixture.school, coverage: .partial, learners: [row]))
        }
        func stored() async throws -> Person { try await admin.people.get(try await admin.people.identify(upn)) }
        func updated(_ result: RosterResult) -> [String]? {
            result.plan.entries.first { $0.subject == .learner && $0.action == .update }?.fields
        }

        let first = try await admin.roster.apply(try export(preferredGiven: "Jojo 🌟"))
        try expect(first.applied && first.plan.counts[.learner, .create] == 1, "the learner is created: \(first.plan.counts.counts)")
        let created = try await stored()
        try expect(created.givenName == "Joanna" && created.familyName == "Marsh", "the legal names are the record's")
        try expect(
            created.learner?.preferredGivenName == "Jojo 🌟" && created.learner?.preferredFamilyName == nil,
            "the preferred given name is kept beside them, and a blank preferred family name is none")
        try expect(created.displayName == "Jojo 🌟 Marsh" && created.fullName == "Joanna Marsh", "shown as known, recorded as legal")

        let eventsBefore = try await store.audit.heads()
        let same = try await admin.roster.apply(try export(preferredGiven: "Jojo 🌟"))
        try expect(
            !same.plan.counts.writesAnything && same.plan.counts[.learner, .unchanged] == 1,
            "the same names again change nothing: \(same.plan.counts.counts)")
        let eventsAfter = try await store.audit.heads()
        let added = eventsAfter.reduce(Int64(0)) { $0 + $1.value - (eventsBefore[$1.key] ?? 0) }
        try expect(added == 1, "only the run's own event is added: \(added) events")
        let unchanged = try await stored()
        try expect(unchanged.revision == created.revision, "the record is not rewritten")

        let renamed = try await admin.roster.apply(try export(preferredGiven: "Jo"))
        try expect(
            renamed.plan.counts[.learner, .update] == 1 && updated(renamed) == ["preferredGivenName"],
            "a changed preferred name is an update naming it: \(updated(renamed) ?? [])")
        let afterRename = try await stored()
        try expect(
            afterRename.givenName == "Joanna" && afterRename.familyName == "Marsh" && afterRename.learner?.preferredGivenName == "Jo",
            "the legal name survives the change")
        let trail = try await admin.audit.trail(of: afterRename.id.uuid)
        try expect(trail.contains { $0.draft.action == .personUpdate }, "the change is audited")

        let legal = try await admin.roster.apply(try export(given: "Joanne", preferredGiven: "Jo"))
        try expect(updated(legal) == ["givenName"], "a changed legal name is noticed beside a preferred one: \(updated(legal) ?? [])")
        let afterLegal = try await stored()
        try expect(afterLegal.givenName == "Joanne" && afterLegal.learner?.preferredGivenName == "Jo", "each name is its own")

        let family = try await admin.roster.apply(try export(given: "Joanne", preferredGiven: "Jo", preferredFamily: "Marsh-Hale"))
        try expect(updated(family) == ["preferredFamilyName"], "a preferred family name is an update naming it: \(updated(family) ?? [])")
        let afterFamily = try await stored()
        try expect(
            afterFamily.displayName == "Jo Marsh-Hale" && afterFamily.fullName == "Joanne Marsh",
            "known as Jo Marsh-Hale, recorded as Joanne Marsh")

        let silent = try await admin.roster.apply(try export(given: "Joanne", preferredGiven: nil, preferredFamily: nil))
        try expect(
            !silent.plan.counts.writesAnything && silent.plan.counts[.learner, .unchanged] == 1,
            "a source without preferred names leaves them: \(silent.plan.counts.counts)")
        let afterSilent = try await stored()
        try expect(afterSilent == afterFamily, "the stored names stay")

        let cleared = try await admin.roster.apply(try export(given: "Joanne", preferredGiven: "Joanne", preferredFamily: ""))
        try expect(
            updated(cleared) == ["preferredGivenName", "preferredFamilyName"],
            "the legal name again, and a blank, clear the preferred names: \(updated(cleared) ?? [])")
        let afterClear = try await stored()
        try expect(
            afterClear.learner?.preferredGivenName == nil && afterClear.learner?.preferredFamilyName == nil
                && afterClear.displayName == "Joanne Marsh" && afterClear.givenName == "Joanne",
            "shown by the legal name once no other is held")
        let again = try await admin.roster.apply(try export(given: "Joanne", preferredGiven: "Joanne", preferredFamily: ""))
        try expect(!again.plan.counts.writesAnything, "and again changes nothing: \(again.plan.counts.counts)")
    }

    /// A full staff export that no longer lists most of a school's staff is refused like one that
    /// empties a roll (`leavers.tooMany`, saying staff and the counts, never who) unless many
    /// leavers are allowed; a small staff's ordinary turnover, two people or fewer, is not.
    @_spi(StorageBackend)
    public static func rosterStaffLeaverGuard(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let names = ["Sam", "Tia", "Uma", "Viv", "Wes", "Xan"]
        let rows = names.enumerated().map { index, given in
            RosterStaff(
                location: RosterRows.at(index + 2, "staff.csv"), source: SourceRef(system: "mis", id: "S\(index + 1)"), givenName: given,
                familyName: "Staffer", email: "\(given.lowercased())@chilton.example")
        }
        func staffBatch(_ staff: [RosterStaff]) -> RosterBatch {
            RosterRows.batch(
                RosterRows.section(fixture.school, learners: [], staff: staff, system: "mis", file: "staff.csv", kinds: [.staff]))
        }
        let first = try await admin.roster.apply(staffBatch(rows))
        try expect(first.applied && first.plan.counts[.staff, .create] == 6, "six staff: \(first.plan.counts.counts)")

        // The export has lost 5 of its 6 rows: 5 of the school's 8 staff (the 6 and two added by hand) would leave.
        let truncated = staffBatch([rows[0]])
        let refused = try await admin.roster.apply(truncated)
        try expect(!refused.applied && refused.plan.refusal?.code == "leavers.tooMany", "5 of 8 staff leaving is refused")
        try expect(
            refused.plan.refusal?.reason
                == "5 of 8 staff at URN \(fixture.school.urn) would leave, more than 20% of the school's staff; "
                + "check the export is complete, or allow many leavers to apply it",
            "the refusal says staff, with the counts: \(refused.plan.refusal?.reason ?? "none")")
        try expect(
            names.allSatisfy { refused.plan.refusal?.reason.contains($0) == false }, "the refusal names no one")
        try expect(refused.plan.counts[.staff, .leaver] == 5, "the plan still shows who would leave: \(refused.plan.counts.counts)")
        let stillThere = try await store.people.find(PersonQuery(scope: .school(fixture.school.id), kinds: [.staff]))
        try expect(stillThere.count == 8 && stillThere.allSatisfy { $0.leftOn == nil }, "a refused run makes no one a leaver")

        // Two of eight is a quarter, but two people: ordinary turnover, not refused.
        let turnover = try await admin.roster.plan(staffBatch(Array(rows[0..<4])))
        try expect(
            turnover.refusal == nil && turnover.counts[.staff, .leaver] == 2,
            "two staff leaving is not refused: \(String(describing: turnover.refusal))")
        let allowance = try await admin.roster.plan(truncated, options: RosterOptions(staffLeaverAllowance: 5))
        try expect(allowance.refusal == nil, "the allowance can be raised: \(String(describing: allowance.refusal))")

        let applied = try await admin.roster.apply(truncated, options: RosterOptions(allowManyLeavers: true))
        try expect(applied.applied && applied.plan.counts[.staff, .leaver] == 5, "allowed, five leave: \(applied.plan.counts.counts)")
        let staff = try await store.people.find(PersonQuery(scope: .school(fixture.school.id), kinds: [.staff]))
        let left = staff.filter { $0.leftOn != nil }
        try expect(
            left.count == 5 && left.allSatisfy { $0.leftOn == CalendarDate(year: 2025, month: 1, day: 31) }
                && !left.contains { $0.givenName == "Sam" },
            "the five not listed leave from the export's day")
        for person in left {
            let grants = try await store.roleGrants.find(RoleGrantQuery(personID: person.id))
            try expect(grants.allSatisfy { $0.ends != nil }, "a staff leaver's roles all end")
        }
    }

    /// Rejected rows are reported with their file and line and the rest applied; a strict run
    /// refuses the whole run; a run that fails while writing leaves the store as it was.
    @_spi(StorageBackend)
    public static func rosterRejectionsStrictAndAllOrNothing(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let (_, rows) = try RosterRows.chiltonExport(fixture)
        var noBirthday = rows[2]
        noBirthday.dateOfBirth = nil
        let readerProblem = RosterProblem.error("upn.checkLetter", at: RosterRows.at(90).field("UPN"), "the check letter does not match")
        let batch = RosterRows.batch(
            RosterRows.section(fixture.school, learners: [rows[0], rows[1], noBirthday, rows[3]]), problems: [readerProblem])

        let result = try await admin.roster.apply(batch)
        try expect(result.applied, "a run with rejections is applied without strict")
        let rejections = result.plan.rejections.sorted { ($0.location?.line ?? 0) < ($1.location?.line ?? 0) }
        try expect(rejections.map(\.code) == ["learner.missingDetails", "upn.checkLetter"], "both rejections: \(rejections.map(\.code))")
        try expect(rejections.map { $0.location?.line } == [40, 90], "each names its line")
        try expect(rejections[1].location?.field == "UPN", "a reader's rejection keeps its field")
        try expect(result.plan.counts[.learner, .create] == 1, "the other new learner is created")
        let summary = result.plan.schools.first { $0.urn == fixture.school.urn }
        try expect(
            summary?.counts[.row, .reject] == 1 && summary?.counts[.learner, .reject] == 1,
            "the school's summary counts the reader's rejection of its file beside its own: \(summary?.counts.counts ?? [:])")

        let strictStore = try await harness.makeStore()
        defer { Task { try? await strictStore.close() } }
        let strictFixture = try await Fixture.make(on: strictStore)
        let strictAdmin = try await strictFixture.safety.session(actingAs: strictFixture.admin.id, at: strictFixture.school.id)
        let strict = try await strictAdmin.roster.apply(batch, options: RosterOptions(strict: true))
        try expect(!strict.applied && strict.plan.refusal?.code == "strict.rejections", "strict refuses the whole run")
        let count = try await strictStore.people.count(PersonQuery(scope: .school(strictFixture.school.id)))
        try expect(count == 5, "a refused strict run writes nothing: \(count)")

        var poisoned = rows[3]
        poisoned.upn = try UPN(Fixture.upn(serial: 12))
        poisoned.source = SourceRef(system: "ctf", id: Fixture.upn(serial: 12))
        poisoned.familyName = "Nul\u{0}byte"
        let failing = RosterRows.batch(RosterRows.section(strictFixture.school, learners: [rows[0], rows[1], rows[2], poisoned]))
        let peopleBefore = try await strictStore.people.find(PersonQuery(scope: .school(strictFixture.school.id)))
        do {
            _ = try await strictAdmin.roster.apply(failing)
        } catch let error as SafetyError {
            try expect(error.code == .invalidInput, "the store refuses the byte: \(error.code)")
        }
        let peopleAfter = try await strictStore.people.find(PersonQuery(scope: .school(strictFixture.school.id)))
        try expect(peopleAfter == peopleBefore, "a run that fails while writing leaves the store as it was")
        let runs = try await strictAdmin.roster.runs()
        try expect(runs.isEmpty, "a failed run is not recorded as applied")
    }

    /// A run the plan refuses writes nothing but its own `import.apply` event, which names the
    /// run the plan names and says it was refused, with the refusal's code; the caller was allowed
    /// to ask, so it is `allowed`. An applied run's event says it was applied, with its counts.
    /// Neither event names a child.
    @_spi(StorageBackend)
    public static func refusedImportRunsSaySoInTheAudit(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let (_, rows) = try RosterRows.chiltonExport(fixture)
        let withoutBen = RosterRows.batch(RosterRows.section(fixture.school, learners: [rows[0]]))
        // The run's own events: those of its apply, about the run the plan names.
        func runEvents(_ result: RosterResult) async throws -> [AuditDraft] {
            try await admin.audit.trail(of: result.plan.runID.uuid).map(\.draft).filter { $0.action == .importApply }
        }
        func expectOwnEvent(_ events: [AuditDraft], of result: RosterResult, reason: String, line: Int = #line) throws {
            try expect(events.count == 1, "one import.apply event names the run: \(events.map(\.reason))", line: line)
            let event = events[0]
            try expect(
                event.subjectID == result.plan.runID.uuid && event.subjectKind == ImportRun.recordKind && event.listed.isEmpty,
                "its subject is the plan's run: \(String(describing: event.subjectID)) \(event.subjectKind)", line: line)
            try expect(
                event.actorID == fixture.admin.id && event.schoolID == fixture.school.id && !event.restricted,
                "it is the caller's, at the session's school, on its ordinary chain", line: line)
            try expect(event.outcome == .allowed, "the caller was allowed to ask: \(event.outcome)", line: line)
            try expect(event.reason == reason, "its reason says what the run came to: \(event.reason ?? "none")", line: line)
        }

        let tooMany = try await admin.roster.apply(withoutBen)
        try expect(!tooMany.applied && tooMany.plan.refusal?.code == "leavers.tooMany", "half the roll leaving is refused")
        let tooManyEvents = try await runEvents(tooMany)
        try expectOwnEvent(tooManyEvents, of: tooMany, reason: "refused: leavers.tooMany; nothing written")

        let readerProblem = RosterProblem.error("upn.checkLetter", at: RosterRows.at(90).field("UPN"), "the check letter does not match")
        let rejecting = RosterRows.batch(RosterRows.section(fixture.school, learners: [rows[0], rows[1]]), problems: [readerProblem])
        let strict = try await admin.roster.apply(rejecting, options: RosterOptions(strict: true))
        try expect(!strict.applied && strict.plan.refusal?.code == "strict.rejections", "strict refuses a run with a rejection")
        let strictEvents = try await runEvents(strict)
        try expectOwnEvent(strictEvents, of: strict, reason: "refused: strict.rejections; nothing written")
        try expect(strict.plan.runID != tooMany.plan.runID, "each run has its own id")
        let recorded = try await admin.roster.runs()
        try expect(recorded.isEmpty, "a refused run is in no import runs, only in the audit: \(recorded.map(\.id))")

        let applied = try await admin.roster.apply(withoutBen, options: RosterOptions(allowManyLeavers: true))
        try expect(applied.applied && applied.run?.id == applied.plan.runID, "allowed, the run is applied as the plan's run")
        let counts = applied.plan.counts
        try expect(counts[.learner, .leaver] == 1, "Ben leaves: \(counts.counts)")
        let appliedEvents = try await runEvents(applied)
        try expectOwnEvent(
            appliedEvents, of: applied,
            reason: "applied: \(counts.total(.create)) create, \(counts.total(.update)) update, \(counts.total(.unchanged)) unchanged, "
                + "\(counts.total(.leaver)) leaver, \(counts.total(.restore)) restore, \(counts.total(.skip)) skip, "
                + "\(counts.total(.reject)) reject")
        try expect(appliedEvents.first?.reason?.contains("1 leaver") == true, "the counts are the run's own")
        try expect(
            appliedEvents.first?.reason != tooManyEvents.first?.reason, "an applied run's event differs from the refused one's")
        let runs = try await admin.roster.runs()
        try expect(runs.map(\.id) == [applied.plan.runID], "the applied run is the one recorded: \(runs.map(\.id))")

        let reasons = try await store.audit.events(AuditQuery(schoolID: fixture.school.id))
            .filter { $0.draft.action == .importApply }.compactMap(\.draft.reason)
        try expect(reasons.count == 3, "three runs, three events: \(reasons)")
        for row in rows {
            for secret in [row.givenName, row.familyName, row.upn!.value] {
                try expect(reasons.allSatisfy { !$0.contains(secret) }, "the run's events name no child")
            }
        }
    }

    /// A school the store does not have is refused unless the trust configuration creates it,
    /// with its role holders; another trust's school is refused exactly as an unknown one; a CTF
    /// and then a Bromcom export of the same children match rather than duplicate them.
    @_spi(StorageBackend)
    public static func rosterSchoolsAndCrossSourceMatching(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let other = try await OtherOrganisation.make(beside: fixture)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let newSchool = SeedSchools.dormansland(trustID: fixture.trust.id)
        let pupil = try RosterRows.learner(5, upn: Fixture.upn(serial: 30), given: "Eli", family: "Ng", file: "dormansland.xml")
        let dormansland = RosterRows.section(newSchool, learners: [pupil], file: "dormansland.xml")
        let mersham = RosterRows.section(other.school, learners: [pupil], file: "mersham.xml")

        let unknown = try await admin.roster.plan(RosterRows.batch(dormansland, mersham))
        let schoolRejections = unknown.rejections.filter { $0.subject == .school }
        try expect(schoolRejections.count == 2, "both unknown schools are refused: \(unknown.rejections.map(\.code))")
        try expect(Set(schoolRejections.map(\.code)) == ["school.unknown"], "another trust's school reads as unknown")
        try expect(
            schoolRejections.map(\.reason).allSatisfy { $0.hasPrefix("no school with URN") }, "alike: \(schoolRejections.map(\.reason))")

        var stolen = SeedSchools.mersham(trustID: fixture.trust.id)
        stolen.urn = other.school.urn
        let claimed = try await admin.roster.apply(RosterRows.batch(), options: RosterOptions(schools: [RosterSchoolSetup(school: stolen)]))
        try expect(claimed.applied, "a configuration naming another organisation's school does not fail the run")
        try expect(
            claimed.plan.rejections.map(\.code) == ["school.cannotCreate"],
            "it is refused before anything is written: \(claimed.plan.rejections)")
        let stillTheirs = try await other.admin.organisation.school()
        try expect(stillTheirs.trustID == nil, "and the other organisation's school is untouched")

        let holder = RosterRoleHolder(
            location: FileLocation(file: "trust.json", line: 12), email: "dee.sl@dormansland.example", givenName: "Dee",
            familyName: "Lead", role: .designatedSafeguardingLead)
        let setup = RosterSchoolSetup(school: newSchool, roleHolders: [holder])
        let created = try await admin.roster.apply(RosterRows.batch(dormansland), options: RosterOptions(schools: [setup]))
        try expect(created.applied && created.plan.schools.first?.created == true, "the configuration creates the school")
        let schools = try await admin.organisation.schools()
        try expect(schools.contains { $0.urn == newSchool.urn }, "the new school is in the trust")
        let dslSession = try await fixture.safety.session(as: .email("dee.sl@dormansland.example"), at: .urn(newSchool.urn))
        try expect(dslSession.principal.roles.contains(.designatedSafeguardingLead), "the role holder holds the role")

        let (ctf, rows) = try RosterRows.chiltonExport(fixture)
        _ = try await admin.roster.apply(ctf)
        let bromcomFile = "students.csv"
        var cleo = rows[2]
        cleo.source = SourceRef(system: "bromcom", id: "S1001")
        cleo.location = RosterRows.at(2, bromcomFile)
        cleo.registrationGroup = "Elm"
        let mother = RosterRows.contact(
            3, of: cleo, given: "Zoe", family: "O'Brien-Łukasz", email: "zoe@example.org", source: SourceRef(system: "bromcom", id: "C77"),
            file: bromcomFile)
        let bromcom = RosterRows.batch(
            RosterRows.section(
                fixture.school, coverage: .partial, learners: [cleo], contacts: [mother], system: "bromcom", file: bromcomFile))
        let plan = try await admin.roster.apply(bromcom)
        try expect(plan.plan.counts.total(.create) == 0, "nothing is duplicated: \(plan.plan.counts.counts)")
        try expect(plan.plan.counts[.learner, .update] == 1, "Cleo gains her Bromcom id and group")
        try expect(plan.plan.matches.contains { $0.rule == "name and email" }, "the mother is matched across sources")
        let again = try await admin.roster.apply(bromcom)
        try expect(!again.plan.counts.writesAnything, "and re-importing it changes nothing: \(again.plan.counts.counts)")
    }

    /// A plan, its JSON included, names records by identifier and rows by file and line only:
    /// no name, UPN or date of birth from the source appears in it.
    @_spi(StorageBackend)
    public static func rosterPlanDescribesNoChild(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let (batch, rows) = try RosterRows.chiltonExport(fixture)
        let plan = try await admin.roster.plan(batch)
        let json = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        for row in rows {
            for secret in [row.givenName, row.familyName, row.upn!.value, row.dateOfBirth!.description] {
                try expect(!json.contains(secret), "the plan holds no child's data")
            }
        }
        let teacher = try await fixture.safety.session(actingAs: fixture.teacher.id, at: fixture.school.id)
        try await expectError(.forbidden, "a teacher cannot import") { try await teacher.roster.plan(batch) }
    }
}
