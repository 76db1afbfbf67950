import Foundation
import Logging
@_spi(StorageBackend) import OnlineSafetyCore
import OnlineSafetyImport

private typealias Files = RosterFormatFixtures

/// Per-format roster checks: the project's own export files read by the real readers, then
/// planned and applied through a session, so each check says what a school sees after importing
/// a CTF, a OneRoster set, a Bromcom report or a Tapestry export on this backend.
extension StorageConformance {
    /// The people of the fixture's school.
    private static func schoolPeople(_ store: any OnlineSafetyStore, _ fixture: Fixture) async throws -> [Person] {
        try await store.people.find(PersonQuery(scope: .school(fixture.school.id)))
    }

    /// The stored learner with a UPN, or `nil`.
    private static func learner(_ store: any OnlineSafetyStore, _ fixture: Fixture, upn: String) async throws -> Person? {
        try await store.people.find(PersonQuery(scope: .school(fixture.school.id), upn: try UPN(upn))).first
    }

    /// The day an export of the checks was taken.
    private static let exportDay = CalendarDate(year: 2026, month: 11, day: 23)!

    /// A full CTF 25 creates the new pupils and their parents, matches the stored pupils by UPN and
    /// the siblings' shared parents by name with email and with phone (each match naming both
    /// rows), and rejects the pupil whose UPN check letter is wrong at its line; importing it again
    /// writes nothing; a later full CTF without Ben makes him a leaver from the file's day (his
    /// role ends and his access is revoked) once many leavers are allowed; a third listing him
    /// restores him.
    @_spi(StorageBackend)
    public static func ctfImportEndToEnd(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let ben = fixture.ashLearner.id
        let september = CalendarDate(year: 2026, month: 9, day: 1)!
        let aup = try await admin.agreements.publish(
            audience: .olderLearners, title: "KS2 AUP", content: Data("KS2".utf8), effectiveFrom: september)
        _ = try await admin.agreements.accept(aup.id, for: ben, by: fixture.parent.id, method: .online, at: september.startOfDay)
        let benRole = try await admin.roles.grant(
            RoleGrant(personID: ben, role: .learner, scope: .school(fixture.school.id), starts: CalendarDate(year: 2024, month: 9, day: 1)!)
        )
        let benAccess = try await admin.access.grant(.learningPlatform, to: ben, from: september)

        let text = Files.ctfFirst
        let batch = try CTFReader().read(data: Data(text.utf8), name: Files.ctfFile)
        // Pupils: Ava, Ben, Cleo, Dev, Eli. Contacts: Cara; Zoë and Raj under Cleo; again under Dev.
        let pupils = Files.lines(of: "<Pupil>", in: text)
        let contacts = Files.lines(of: "<Contact>", in: text)
        try expect(pupils.count == 5 && contacts.count == 5, "the fixture has five pupils and five contacts")
        try expect(batch.problems.map(\.code) == ["upn.checkLetter"], "the reader rejects only Eli: \(batch.problems.map(\.code))")
        try expect(batch.sections.first?.learners.count == 4, "four pupils are read")

        let plan = try await admin.roster.plan(batch)
        try expect(plan.refusal == nil, "a complete export is not refused: \(String(describing: plan.refusal))")
        let counts = plan.counts
        try expect(counts[.learner, .create] == 2, "Cleo and Dev are new: \(counts.counts)")
        try expect(counts[.learner, .update] == 2, "Ava and Ben gain their CTF id: \(counts.counts)")
        try expect(counts[.contact, .create] == 2, "Zoë and Raj are created once each: \(counts.counts)")
        try expect(counts[.contact, .unchanged] == 1, "Cara is found as Ben's contact, unchanged: \(counts.counts)")
        try expect(counts[.contactLink, .create] == 4, "both parents are linked to both children: \(counts.counts)")
        try expect(counts[.contactLink, .unchanged] == 1, "Cara's link to Ben is unchanged: \(counts.counts)")
        try expect(counts[.row, .reject] == 1 && plan.rejections.count == 1, "one rejection: \(counts.counts)")
        try expect(counts.total(.leaver) == 0 && counts.total(.restore) == 0, "no one leaves: \(counts.counts)")
        let rejection = plan.rejections[0]
        try expect(
            rejection.code == "upn.checkLetter" && rejection.location?.line == pupils[4] && rejection.location?.field == "UPN"
                && rejection.location?.file == Files.ctfFile,
            "Eli is rejected at his line (\(pupils[4])) for the check letter: \(rejection.code) at \(String(describing: rejection.location))"
        )
        try expect(rejection.schoolURN == fixture.school.urn, "the rejection names the school of its file")
        let matches = plan.matches.sorted { $0.location < $1.location }
        try expect(matches.count == 2, "each of the siblings' parents is matched once: \(matches.map(\.rule))")
        try expect(
            matches.map(\.rule) == ["name and email", "name and phone"],
            "Zoë by name and email, Raj by name and phone: \(matches.map(\.rule))")
        try expect(
            matches.map { $0.location.line } == [contacts[3], contacts[4]]
                && matches.map { $0.matchedTo?.line } == [contacts[1], contacts[2]],
            "each match names Dev's row and Cleo's row: \(matches.map { ($0.location.line, $0.matchedTo?.line ?? 0) })")
        try expect(Set(matches.map(\.recordID)).count == 2, "the two parents are two records")
        let before = try await schoolPeople(store, fixture)
        try expect(before.count == 5, "a plan writes nothing: \(before.count) people")

        let result = try await admin.roster.apply(batch)
        try expect(result.applied && result.plan.counts == counts, "the apply does what the plan said: \(result.plan.counts.counts)")
        let people = try await schoolPeople(store, fixture)
        try expect(people.count == 9, "Cleo, Dev, Zoë and Raj are added: \(people.count - 5) new")
        guard let cleo = try await learner(store, fixture, upn: Files.cleoUPN),
            let dev = try await learner(store, fixture, upn: Files.devUPN)
        else { throw ConformanceFailure("Cleo and Dev are stored") }
        try expect(
            cleo.givenName == "Cleo" && cleo.familyName == "Marsh-Hale" && cleo.learner?.dateOfBirth == CalendarDate(iso: "2019-05-01")
                && cleo.learner?.ncYear == .year2 && cleo.sources == [SourceRef(system: "ctf", id: Files.cleoUPN)],
            "Cleo is stored as the file says")
        let cleoLinks = try await admin.people.contacts(of: cleo.id)
        let devLinks = try await admin.people.contacts(of: dev.id)
        try expect(cleoLinks.count == 2 && devLinks.count == 2, "each sibling has two contacts")
        try expect(Set(cleoLinks.map(\.adultID)) == Set(devLinks.map(\.adultID)), "the siblings share both parents")
        try expect(
            cleoLinks.allSatisfy(\.parentalResponsibility) && Set(cleoLinks.map(\.relationship)) == [.mother, .father]
                && cleoLinks.sorted { $0.priority < $1.priority }.map(\.relationship) == [.mother, .father],
            "mother first, father second, both with responsibility")
        let adults = people.filter { $0.kind == .parentCarer && $0.familyName == "Marsh-Hale" }
        try expect(
            adults.count == 2 && adults.contains { $0.givenName == "Zoë" && $0.email == "zoe.marsh-hale@example.org" }
                && adults.contains { $0.givenName == "Raj" && $0.phone == "07700 900456" },
            "Zoë keeps her email and Raj his phone")
        let ava = try await admin.people.get(fixture.oakLearner.id)
        try expect(ava.sources == [SourceRef(system: "ctf", id: Files.avaUPN)] && ava.learner?.send == true, "Ava gains her CTF id only")
        try expect(!people.contains { $0.familyName == "Brook" }, "Eli is not stored")

        let revisions = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0.revision) })
        let linksBefore = try await store.contacts.find(ContactQuery())
        let eventsBefore = try await store.audit.heads()
        let again = try await admin.roster.apply(try CTFReader().read(data: Data(text.utf8), name: Files.ctfFile))
        let againCounts = again.plan.counts
        try expect(!againCounts.writesAnything, "importing the same file again changes nothing: \(againCounts.counts)")
        try expect(
            againCounts[.learner, .unchanged] == 4 && againCounts[.contact, .unchanged] == 3
                && againCounts[.contactLink, .unchanged] == 5 && againCounts[.row, .reject] == 1,
            "every record is unchanged and Eli is still rejected: \(againCounts.counts)")
        try expect(again.plan.matches.count == 2, "the siblings' parents are matched again: \(again.plan.matches.count)")
        let peopleAgain = try await schoolPeople(store, fixture)
        try expect(
            peopleAgain.count == people.count && peopleAgain.allSatisfy { revisions[$0.id] == $0.revision }, "no person is rewritten")
        try expect(Set(try await store.contacts.find(ContactQuery())) == Set(linksBefore), "no link is rewritten")
        let eventsAfter = try await store.audit.heads()
        let added = eventsAfter.reduce(Int64(0)) { $0 + $1.value - (eventsBefore[$1.key] ?? 0) }
        try expect(added == 1, "only the run's own event is added: \(added) events")

        let leaving = try CTFReader().read(data: Data(Files.ctfWithoutBen.utf8), name: "8862074_CTF_8862074_002.xml")
        let refused = try await admin.roster.plan(leaving)
        try expect(
            refused.refusal?.code == "leavers.tooMany" && refused.refusal?.reason.contains("1 of 4 learners") == true,
            "a quarter of the roll leaving is refused by default: \(String(describing: refused.refusal))")
        let left = try await admin.roster.apply(leaving, options: RosterOptions(allowManyLeavers: true))
        try expect(left.applied, "with many leavers allowed the run is applied")
        try expect(
            left.plan.counts[.learner, .leaver] == 1 && left.plan.counts[.learner, .unchanged] == 3
                && left.plan.entries.first { $0.action == .leaver }?.recordID == ben.uuid,
            "Ben, and only Ben, leaves: \(left.plan.counts.counts)")
        let leftDay = CalendarDate(year: 2026, month: 11, day: 20)!
        let benLeft = try await admin.people.get(ben)
        try expect(benLeft.leftOn == leftDay, "Ben leaves from the file's DateTime day: \(String(describing: benLeft.leftOn))")
        let benRoles = try await store.roleGrants.find(RoleGrantQuery(personID: ben))
        try expect(benRoles.count == 1 && benRoles[0].id == benRole.id && benRoles[0].ends == leftDay, "his learner role ends that day")
        let benGrants = try await admin.access.grants(for: ben)
        try expect(
            benGrants.count == 1 && benGrants[0].id == benAccess.id && benGrants[0].revokedOn == leftDay
                && benGrants[0].revocationReason == "leaver",
            "his access is revoked from that day")
        try expect(try await admin.access.holders(of: .learningPlatform).isEmpty, "no one has the learning platform now")
        try expect(try await admin.people.contacts(of: ben).count == 1, "his record and his mother's link stay")

        let back = try CTFReader().read(data: Data(Files.ctfBenBack.utf8), name: "8862074_CTF_8862074_003.xml")
        let restored = try await admin.roster.apply(back)
        try expect(restored.applied && restored.plan.refusal == nil, "the third file is applied")
        try expect(
            restored.plan.counts[.learner, .restore] == 1 && restored.plan.counts[.learner, .unchanged] == 3
                && restored.plan.counts.total(.create) == 0,
            "Ben is restored and nothing is duplicated: \(restored.plan.counts.counts)")
        let restore = restored.plan.entries.first { $0.action == .restore }
        try expect(restore?.recordID == ben.uuid && restore?.code == "restore.listedAgain", "the restore names Ben's record")
        try expect(restore?.location?.line == Files.lines(of: "<Pupil>", in: Files.ctfBenBack)[1], "and his row")
        try expect(try await admin.people.get(ben).leftOn == nil, "Ben is on roll again")

        // The runs read back under the PostgreSQL integrity key (their counts encode by name).
        let runs = try await admin.roster.runs()
        try expect(runs.count == 4, "four runs are recorded (the refused plan is not one): \(runs.count)")
        let firstRun = runs.first { $0.id == result.run?.id }
        try expect(
            firstRun?.files == batch.files && firstRun?.files.first?.format == "ctf-25" && firstRun?.files.first?.rows == 5
                && firstRun?.counts == counts,
            "the first run is recorded with the file, its format, its five pupils and its counts")
    }

    /// A OneRoster 1.1 bulk set with real sets' quirks creates the new student, the teacher (a
    /// staff role teaching the homeroom), the parents linked through agentSourcedIds in either
    /// direction, skips the student to be deleted, and matches the stored students by UPN; it is
    /// idempotent; a delta set that lists no student makes no one a leaver, and its change to a
    /// parent alone updates the parent while the link keeps the more specific relationship held.
    @_spi(StorageBackend)
    public static func oneRosterImportEndToEnd(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let usersFile = "\(Files.oneRosterName)/users.csv"
        let giaLine = Files.line(of: "stu-gia", in: Files.oneRosterUsers)

        let batch = try OneRosterReader().read(files: Files.oneRosterBulk, name: Files.oneRosterName)
        try expect(batch.problems.isEmpty, "the quirks are all accepted: \(batch.problems.map(\.code))")
        try expect(
            batch.sections.count == 1 && batch.sections[0].school.urn == fixture.school.urn && batch.sections[0].coverage == .full,
            "one full section for URN 999001")
        try expect(batch.files.first?.rows == 7, "seven users are read: \(batch.files.first?.rows ?? 0)")

        let plan = try await admin.roster.plan(batch)
        let counts = plan.counts
        try expect(plan.refusal == nil && plan.rejections.isEmpty, "nothing is refused: \(plan.rejections.map(\.code))")
        try expect(counts[.learner, .create] == 1, "Finn is new: \(counts.counts)")
        try expect(counts[.learner, .update] == 2, "Ava and Ben gain their OneRoster ids: \(counts.counts)")
        try expect(counts[.learner, .skip] == 1, "Gia, to be deleted, is skipped: \(counts.counts)")
        try expect(counts[.staff, .create] == 1 && counts[.role, .create] == 1, "Nia is added with a role: \(counts.counts)")
        try expect(counts[.contact, .create] == 2 && counts[.contactLink, .create] == 2, "Gus and Hal are linked to Finn: \(counts.counts)")
        try expect(counts.total(.leaver) == 0, "no one leaves: \(counts.counts)")
        let skip = plan.entries.first { $0.action == .skip }
        try expect(
            skip?.code == "status.inactive" && skip?.location?.file == usersFile && skip?.location?.line == giaLine,
            "the skip names Gia's line \(giaLine): \(String(describing: skip?.location))")

        let result = try await admin.roster.apply(batch)
        try expect(result.applied && result.plan.counts == counts, "applied as planned: \(result.plan.counts.counts)")
        guard let finn = try await learner(store, fixture, upn: Files.finnUPN) else { throw ConformanceFailure("Finn is stored") }
        try expect(
            finn.givenName == "Finn" && finn.familyName == "Garner" && finn.learner?.dateOfBirth == CalendarDate(iso: "2018-07-09")
                && finn.learner?.ncYear == .year3 && finn.learner?.registrationGroup == "Oak"
                && finn.sources == [SourceRef(system: "oneroster", id: "{LDAP:12}")],
            "Finn is stored with his demographics, grade, homeroom and {LDAP:12} id")
        try expect(try await learner(store, fixture, upn: Files.giaUPN) == nil, "Gia is not stored")
        let ava = try await admin.people.get(fixture.oakLearner.id)
        let ben = try await admin.people.get(fixture.ashLearner.id)
        try expect(
            ava.sources == [SourceRef(system: "oneroster", id: "stu-ava")]
                && ben.sources == [SourceRef(system: "oneroster", id: "stu-ben")],
            "Ava and Ben are matched by UPN, not duplicated")
        try expect(ben.learner?.registrationGroup == "Ash", "Ben, in no homeroom, keeps his group")
        let nia = try await store.people.find(PersonQuery(scope: .school(fixture.school.id), email: "nia.newton@chilton.example"))
        try expect(nia.count == 1 && nia[0].kind == .staff && nia[0].jobTitle == "teacher", "Nia is staff")
        let niaRoles = try await store.roleGrants.find(RoleGrantQuery(personID: nia[0].id))
        try expect(
            niaRoles.count == 1 && niaRoles[0].role == .staff && niaRoles[0].groups == ["Oak"] && niaRoles[0].starts == Fixture.today,
            "Nia holds a staff role teaching the homeroom Oak: \(niaRoles.map(\.groups))")
        let finnLinks = try await admin.people.contacts(of: finn.id).sorted { $0.priority < $1.priority }
        try expect(finnLinks.count == 2, "Finn has two contacts")
        let gus = try await admin.people.get(finnLinks[0].adultID)
        let hal = try await admin.people.get(finnLinks[1].adultID)
        try expect(
            gus.givenName == "Gus" && gus.email == "gus.garner@example.org" && finnLinks[0].relationship == .parent
                && finnLinks[0].parentalResponsibility,
            "Gus, listed by Finn, is his parent, first")
        try expect(
            hal.givenName == "Hal" && hal.phone == "07700900322" && finnLinks[1].relationship == .carer
                && finnLinks[1].parentalResponsibility && finnLinks[1].priority == 2,
            "Hal, who lists Finn, is his guardian, second")

        let again = try await admin.roster.apply(try OneRosterReader().read(files: Files.oneRosterBulk, name: Files.oneRosterName))
        let againCounts = again.plan.counts
        try expect(!againCounts.writesAnything, "re-importing the set changes nothing: \(againCounts.counts)")
        try expect(
            againCounts[.learner, .unchanged] == 3 && againCounts[.learner, .skip] == 1 && againCounts[.staff, .unchanged] == 1
                && againCounts[.contact, .unchanged] == 2 && againCounts[.contactLink, .unchanged] == 2 && againCounts[.role, .update] == 0,
            "everything is unchanged: \(againCounts.counts)")

        // A source that said Father before OneRoster's "parent" (a CTF, say) keeps its word.
        var gusLink = finnLinks[0]
        gusLink.relationship = .father
        _ = try await store.contacts.update(gusLink)
        let delta = try OneRosterReader().read(files: Files.oneRosterDelta, name: "chilton-delta.zip")
        try expect(delta.sections.first?.coverage == .delta, "the delta set is read as a delta")
        try expect(delta.problems.isEmpty, "the delta reads cleanly: \(delta.problems.map(\.code))")
        let deltaResult = try await admin.roster.apply(delta)
        let deltaCounts = deltaResult.plan.counts
        try expect(deltaResult.applied && deltaResult.plan.refusal == nil, "the delta is applied")
        try expect(deltaCounts.total(.leaver) == 0, "a delta without students makes no leavers: \(deltaCounts.counts)")
        try expect(deltaCounts[.staff, .create] == 1 && deltaCounts[.role, .create] == 1, "Oli is added: \(deltaCounts.counts)")
        try expect((deltaCounts.counts[.learner] ?? [:]).isEmpty, "no learner is touched: \(deltaCounts.counts)")
        try expect(
            deltaCounts[.contact, .update] == 1 && deltaCounts[.contactLink, .unchanged] == 1 && deltaCounts[.contactLink, .update] == 0,
            "Gus, listed without Finn, is updated and his link left as it was: \(deltaCounts.counts)")
        let gusAfter = try await admin.people.get(gus.id)
        let linksAfter = try await admin.people.contacts(of: finn.id).sorted { $0.priority < $1.priority }
        try expect(gusAfter.email == "gus.g@example.net", "Gus's new email address is stored")
        try expect(
            linksAfter.map(\.adultID) == [gus.id, hal.id] && linksAfter[0].relationship == .father && linksAfter[0].priority == 1,
            "Gus stays Finn's father, called first")
        let learners = try await store.people.find(PersonQuery(scope: .school(fixture.school.id), kinds: [.learner]))
        try expect(learners.count == 3 && learners.allSatisfy { $0.leftOn == nil }, "all three learners are on roll")
        let staffLeft = try await schoolPeople(store, fixture).filter { $0.kind == .staff && $0.leftOn != nil }
        try expect(staffLeft.isEmpty, "and no member of staff has left")
    }

    /// After a CTF import, a Bromcom students report (BOM, CRLF, dd/MM/yyyy, one child without
    /// data processing consent) and contacts report (a mother, and an aunt with no responsibility)
    /// of the same children duplicate no one: the learners gain their Bromcom ids, the mothers are
    /// matched; importing them again changes nothing.
    @_spi(StorageBackend)
    public static func bromcomAfterCTFMatches(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let first = try await admin.roster.apply(try CTFReader().read(data: Data(Files.ctfFirst.utf8), name: Files.ctfFile))
        try expect(first.applied && first.plan.counts[.learner, .create] == 2, "the CTF is imported first")
        let peopleBefore = try await schoolPeople(store, fixture)

        func bromcom(_ coverage: RosterCoverage) throws -> RosterBatch {
            let key = RosterSchoolKey(urn: fixture.school.urn)
            var batch = try MappedCSVReader(mapping: .bromcomStudents, school: key, coverage: coverage, exportedOn: exportDay)
                .read(data: Files.bromcomStudentsData, name: Files.bromcomStudentsFile)
            batch.merge(
                try MappedCSVReader(mapping: .bromcomContacts, school: key, coverage: coverage, exportedOn: exportDay)
                    .read(data: Files.bromcomContactsData, name: Files.bromcomContactsFile))
            return batch
        }
        let batch = try bromcom(.partial)
        let skips = batch.problems.sorted { $0.location < $1.location }
        try expect(
            skips.map(\.code) == ["contact.notParentNoResponsibility", "consent.notGranted"]
                && skips.map { $0.location.line } == [4, 5] && skips.allSatisfy { $0.severity == .skip },
            "the aunt (contacts line 4) and Dev (students line 5) are skipped: \(skips.map { ($0.code, $0.location.line) })")

        let plan = try await admin.roster.plan(batch)
        let counts = plan.counts
        try expect(plan.refusal == nil && plan.rejections.isEmpty, "nothing is rejected: \(plan.rejections.map(\.code))")
        try expect(counts.total(.create) == 0, "nothing is duplicated: \(counts.counts)")
        try expect(counts[.learner, .update] == 3, "Ava, Ben and Cleo gain their Bromcom ids: \(counts.counts)")
        try expect(counts[.row, .skip] == 2, "the two skips are reported: \(counts.counts)")
        try expect(counts[.contact, .update] == 2 && counts[.contactLink, .unchanged] == 2, "Zoë and Cara are matched: \(counts.counts)")
        let cleoUpdate = plan.entries.first { $0.subject == .learner && $0.location?.line == 4 }
        try expect(cleoUpdate?.fields == ["sources", "registrationGroup"], "Cleo moves to Elm: \(cleoUpdate?.fields ?? [])")
        let matches = plan.matches.sorted { $0.location < $1.location }
        try expect(
            matches.map(\.rule) == ["name and email", "name, a contact of the same learner"]
                && matches.map { $0.location.line } == [2, 3] && matches.allSatisfy { $0.location.file == Files.bromcomContactsFile },
            "Zoë is matched by name and email, Cara as Ben's contact: \(matches.map(\.rule))")

        let result = try await admin.roster.apply(batch)
        try expect(result.applied && result.plan.counts == counts, "applied as planned")
        let peopleAfter = try await schoolPeople(store, fixture)
        try expect(peopleAfter.count == peopleBefore.count, "no person is added: \(peopleAfter.count - peopleBefore.count)")
        guard let cleo = try await learner(store, fixture, upn: Files.cleoUPN),
            let dev = try await learner(store, fixture, upn: Files.devUPN)
        else { throw ConformanceFailure("Cleo and Dev are stored") }
        try expect(
            cleo.sources == [SourceRef(system: "bromcom", id: "S1003"), SourceRef(system: "ctf", id: Files.cleoUPN)]
                && cleo.learner?.registrationGroup == "Elm",
            "Cleo keeps her CTF id beside her Bromcom one")
        try expect(dev.sources == [SourceRef(system: "ctf", id: Files.devUPN)], "Dev, without consent, is untouched")
        let zoe = peopleAfter.first { $0.givenName == "Zoë" }
        try expect(zoe?.sources == [SourceRef(system: "bromcom", id: "C2001")], "Zoë gains her Bromcom id")
        let cara = try await admin.people.get(fixture.parent.id)
        try expect(cara.sources == [SourceRef(system: "bromcom", id: "C2002")], "Cara gains hers")
        try expect(!peopleAfter.contains { $0.givenName == "Ivy" }, "the aunt is not stored")

        let again = try await admin.roster.apply(try bromcom(.partial))
        try expect(!again.plan.counts.writesAnything, "re-importing the reports changes nothing: \(again.plan.counts.counts)")
        try expect(
            again.plan.counts[.learner, .unchanged] == 3 && again.plan.counts[.contact, .unchanged] == 2,
            "every record is unchanged: \(again.plan.counts.counts)")

        // A students report taken as a full export: Dev, left out only for want of consent, is
        // still on roll and must not be made a leaver.
        let full = try await admin.roster.plan(try bromcom(.full))
        let leaving = full.entries.filter { $0.action == .leaver }.compactMap(\.recordID)
        try expect(
            leaving.isEmpty && full.refusal == nil,
            "a child skipped for want of consent is still on roll, not a leaver: "
                + "\(leaving == [dev.id.uuid] ? "Dev" : "\(leaving.count) learners") would leave, "
                + "refusal \(full.refusal?.code ?? "none")")
    }

    /// Tapestry children (a key person, groups `Robins; Wrens`, both stored) and relatives for the school: the
    /// new child and relatives are created, Ava is matched by UPN, a child without a UPN cannot be
    /// created and a relative without an email is rejected, each at its line.
    @_spi(StorageBackend)
    public static func tapestryImportEndToEnd(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let key = RosterSchoolKey(urn: fixture.school.urn)
        func tapestry() throws -> RosterBatch {
            var batch = try MappedCSVReader(mapping: .tapestryChildren, school: key, coverage: .partial, exportedOn: exportDay)
                .read(data: Data(Files.tapestryChildren.utf8), name: Files.tapestryChildrenFile)
            batch.merge(
                try MappedCSVReader(mapping: .tapestryRelatives, school: key, coverage: .partial, exportedOn: exportDay)
                    .read(data: Data(Files.tapestryRelatives.utf8), name: Files.tapestryRelativesFile))
            return batch
        }
        let batch = try tapestry()
        let children = batch.sections.first { $0.file == Files.tapestryChildrenFile }?.learners ?? []
        try expect(
            children.count == 3 && children[0].groups == ["Robins", "Wrens"] && children[0].keyPerson == "Kate Law",
            "the reader reads the key person and both groups")
        try expect(
            batch.problems.map(\.code) == ["email.required"] && batch.problems[0].location.line == 4
                && batch.problems[0].location.field == "Email",
            "Una, without an email, is rejected by the reader at line 4: \(batch.problems.map(\.code))")

        let plan = try await admin.roster.plan(batch)
        let counts = plan.counts
        try expect(plan.refusal == nil, "the run is not refused")
        try expect(counts[.learner, .create] == 1 && counts[.learner, .update] == 1, "Nell is new, Ava matched: \(counts.counts)")
        try expect(counts[.contact, .create] == 2 && counts[.contactLink, .create] == 3, "Sam and Pia, three links: \(counts.counts)")
        let rejections = plan.rejections.sorted {
            ($0.location ?? FileLocation(file: "", line: 0)) < ($1.location ?? FileLocation(file: "", line: 0))
        }
        try expect(
            rejections.map(\.code) == ["learner.missingDetails", "email.required", "contact.learnerRejected"],
            "three rejections: \(rejections.map(\.code))")
        try expect(
            rejections.map { $0.location?.file } == [Files.tapestryChildrenFile, Files.tapestryRelativesFile, Files.tapestryRelativesFile]
                && rejections.map { $0.location?.line } == [4, 4, 5],
            "each at its file and line: \(rejections.map { $0.location?.description ?? "none" })")
        try expect(rejections.map(\.subject) == [.learner, .row, .contact], "a learner, a row and a contact")
        try expect(rejections.allSatisfy { $0.schoolURN == fixture.school.urn }, "each names the school")

        let result = try await admin.roster.apply(batch)
        try expect(result.applied && result.plan.counts == counts, "applied as planned")
        guard let nell = try await learner(store, fixture, upn: Files.nellUPN) else { throw ConformanceFailure("Nell is stored") }
        try expect(
            nell.givenName == "Nell" && nell.learner?.dateOfBirth == CalendarDate(iso: "2022-04-03") && nell.learner?.ncYear == .nursery2
                && nell.sources == [SourceRef(system: "tapestry", id: "T2")],
            "Nell is stored with her date of birth read as dd/MM/yyyy")
        try expect(
            nell.learner?.keyPerson == "Kate Law" && nell.learner?.groups == ["Robins"],
            "Nell keeps her key person and group: \(nell.learner?.groups ?? [])")
        let avaAfter = try await admin.people.get(fixture.oakLearner.id)
        try expect(
            avaAfter.learner?.groups == ["Robins", "Wrens"] && avaAfter.learner?.keyPerson == "Kate Law"
                && avaAfter.learner?.registrationGroup == "Oak",
            "Ava gains her Tapestry groups and key person and keeps her registration group")
        let avaUpdate = plan.entries.first { $0.action == .update && $0.recordID == fixture.oakLearner.id.uuid }
        try expect(
            avaUpdate.map { Set(["groups", "keyPerson"]).isSubset(of: Set($0.fields)) } == true,
            "the plan names the groups and key person among Ava's changes: \(avaUpdate?.fields ?? [])")
        let people = try await schoolPeople(store, fixture)
        try expect(people.count == 5 + 3, "Nell, Sam and Pia are added: \(people.count - 5)")
        try expect(!people.contains { ["Otto", "Una", "Vic"].contains($0.givenName) }, "no rejected row is stored")
        let nellLinks = try await admin.people.contacts(of: nell.id).sorted { $0.priority < $1.priority }
        let avaLinks = try await admin.people.contacts(of: fixture.oakLearner.id)
        try expect(nellLinks.count == 2 && avaLinks.count == 1, "Nell has two contacts, Ava one")
        try expect(
            avaLinks[0].adultID == nellLinks[0].adultID && nellLinks[0].relationship == .father && nellLinks[1].relationship == .mother,
            "Sam is the sisters' one father, first for Nell; Pia second")

        let again = try await admin.roster.apply(try tapestry())
        try expect(!again.plan.counts.writesAnything, "re-importing changes nothing: \(again.plan.counts.counts)")
        try expect(again.plan.rejections.count == 3, "and rejects the same three rows")

        // A children's file without the groups column says nothing of them; one whose cell is
        // blank says Ava is in none, and her groups are cleared.
        func importChildren(_ csv: String) async throws -> RosterResult {
            try await admin.roster.apply(
                try MappedCSVReader(mapping: .tapestryChildren, school: key, coverage: .partial, exportedOn: exportDay)
                    .read(data: Data(csv.utf8), name: Files.tapestryChildrenFile))
        }
        let withoutColumn = Files.tapestryChildren.split(separator: "\n").map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",")
        }.joined(separator: "\n")
        let silent = try await importChildren(withoutColumn)
        let avaSilent = try await admin.people.get(fixture.oakLearner.id)
        try expect(
            !silent.plan.counts.writesAnything && avaSilent.learner?.groups == ["Robins", "Wrens"],
            "without the column nothing changes: \(silent.plan.counts.counts)")
        let cleared = try await importChildren(Files.tapestryChildren.replacingOccurrences(of: "Kate Law,Robins; Wrens", with: "Kate Law,"))
        let avaCleared = cleared.plan.entries.first { $0.action == .update && $0.recordID == fixture.oakLearner.id.uuid }
        try expect(
            cleared.plan.counts[.learner, .update] == 1 && avaCleared?.fields == ["groups"],
            "a blank groups cell is one change to Ava's groups: \(cleared.plan.counts.counts)")
        let avaNone = try await admin.people.get(fixture.oakLearner.id)
        try expect(
            avaNone.learner?.groups == [] && avaNone.learner?.registrationGroup == "Oak",
            "and her groups are cleared, her registration group kept")
        let nellAfter = try await learner(store, fixture, upn: Files.nellUPN)
        try expect(nellAfter?.learner?.groups == ["Robins"], "Nell keeps hers")
    }

    /// Names with apostrophes, hyphens, Chinese, Greek and Polish letters, an emoji, SQL and markup
    /// metacharacters, read from a CTF (entities, character references, CDATA) and a Tapestry CSV
    /// (quoted fields), read back exactly through a session, also after the store is reopened.
    @_spi(StorageBackend)
    public static func importRoundTripsAwkwardText(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        func batch() throws -> RosterBatch {
            var batch = try CTFReader().read(data: Data(Files.awkwardCTF.utf8), name: "awkward.xml")
            batch.merge(
                try MappedCSVReader(
                    mapping: .tapestryChildren, school: RosterSchoolKey(urn: fixture.school.urn), coverage: .partial,
                    exportedOn: exportDay
                ).read(data: Data(Files.awkwardTapestry.utf8), name: "awkward.csv"))
            return batch
        }
        let read = try batch()
        try expect(read.problems.isEmpty, "the readers accept every name: \(read.problems.map(\.code))")
        let result = try await admin.roster.apply(read)
        try expect(
            result.applied && result.plan.counts[.learner, .create] == 10 && result.plan.counts[.contact, .create] == 1
                && result.plan.rejections.isEmpty,
            "ten learners and a contact are created: \(result.plan.counts.counts)")

        var expected: [(upn: String, given: String, family: String)] = Files.awkwardNames.map {
            (Fixture.upn(serial: $0.upnSerial), $0.given, $0.family)
        }
        expected += Files.awkwardCSVNames.map { (Fixture.upn(serial: $0.upnSerial), $0.given, $0.family) }

        func readBack(_ session: SafetySession, _ label: String) async throws {
            var firstID: PersonID?
            for (index, name) in expected.enumerated() {
                let id = try await session.people.identify(name.upn)
                if index == 0 { firstID = id }
                let person = try await session.people.get(id)
                try expect(
                    person.givenName == name.given && person.familyName == name.family,
                    "\(label): name \(index + 1) reads back unchanged: \(person.givenName) \(person.familyName)")
            }
            guard let firstID else { return }
            let links = try await session.people.contacts(of: firstID)
            try expect(links.count == 1, "\(label): the first pupil has their contact")
            let contact = try await session.people.get(links[0].adultID)
            try expect(
                contact.givenName == Files.awkwardContact.given && contact.familyName == Files.awkwardContact.family
                    && contact.email == Files.awkwardContact.email,
                "\(label): the contact reads back unchanged: \(contact.givenName) \(contact.familyName)")
            let count = try await session.people.list(PersonQuery(scope: .school(fixture.school.id))).count
            try expect(count == 5 + 11, "\(label): every person is there: \(count)")
        }
        try await readBack(admin, "as stored")
        let again = try await admin.roster.apply(try batch())
        try expect(!again.plan.counts.writesAnything, "re-importing them changes nothing: \(again.plan.counts.counts)")

        let reopened = try await harness.reopen(store)
        defer { Task { try? await reopened.close() } }
        var logger = Logger(label: "conformance")
        logger.logLevel = .warning
        let safety = OnlineSafety(backend: reopened, clock: .fixed(Fixture.now), logger: logger)
        let session = try await safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        try await readBack(session, "after reopening")
    }

    /// An import that fails while writing (a name holding U+0000, which the readers refuse and only
    /// the store refuses in a hand-built batch) leaves every person, contact link and role exactly
    /// as before and records no run.
    @_spi(StorageBackend)
    public static func allOrNothingOnFailure(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let key = RosterSchoolKey(urn: fixture.school.urn)

        // The readers refuse the character before any sync sees it.
        let nulCTF = Files.ctfFirst.replacingOccurrences(of: "<Forename>Dev</Forename>", with: "<Forename>De\u{0}v</Forename>")
        do {
            _ = try CTFReader().read(data: Data(nulCTF.utf8), name: "nul.xml")
            throw ConformanceFailure("the CTF reader refuses a NUL character")
        } catch let problem as RosterProblem {
            try expect(problem.code == "xml.malformed", "the CTF reader refuses the file: \(problem.code)")
        }
        let nulCSV = Files.tapestryChildren.replacingOccurrences(of: "T2,Nell,", with: "T2,Ne\u{0}ll,")
        let csv = try MappedCSVReader(mapping: .tapestryChildren, school: key, coverage: .partial, exportedOn: exportDay)
            .read(data: Data(nulCSV.utf8), name: "nul.csv")
        try expect(
            csv.problems.map(\.code) == ["text.controlCharacter"] && csv.problems[0].location.line == 3
                && csv.sections[0].learners.count == 2,
            "the CSV reader rejects the row at line 3: \(csv.problems.map(\.code))")

        // A CTF batch in which Ben's new family name holds the character: his update is written
        // after the new people are inserted, so the store refuses it in the middle of the run.
        var batch = try CTFReader().read(data: Data(Files.ctfFirst.utf8), name: Files.ctfFile)
        guard let benIndex = batch.sections[0].learners.firstIndex(where: { $0.givenName == "Ben" }) else {
            throw ConformanceFailure("the CTF lists Ben")
        }
        batch.sections[0].learners[benIndex].familyName = "Ash\u{0}worth"
        let plan = try await admin.roster.plan(batch)
        try expect(
            plan.refusal == nil && plan.counts[.learner, .create] == 2 && plan.counts[.contact, .create] == 2
                && plan.counts[.learner, .update] == 2,
            "the plan would write new people and Ben's update: \(plan.counts.counts)")

        let people = try await store.people.find(PersonQuery(scope: .everywhere))
        let links = try await store.contacts.find(ContactQuery())
        let grants = try await store.roleGrants.find(RoleGrantQuery())
        try await expectError(.invalidInput, "the store refuses the character") { try await admin.roster.apply(batch) }

        let peopleAfter = try await store.people.find(PersonQuery(scope: .everywhere))
        try expect(peopleAfter.count == people.count, "no person is added: \(peopleAfter.count - people.count)")
        try expect(Set(peopleAfter) == Set(people), "every person is exactly as before")
        try expect(Set(try await store.contacts.find(ContactQuery())) == Set(links), "every contact link is exactly as before")
        try expect(Set(try await store.roleGrants.find(RoleGrantQuery())) == Set(grants), "every role is exactly as before")
        try expect(try await learner(store, fixture, upn: Files.cleoUPN) == nil, "Cleo, inserted before the failure, is not kept")
        try expect(try await admin.roster.runs().isEmpty, "no run is recorded")
        try expect(try await store.importRuns.find(ImportRunQuery(scope: .everywhere)).isEmpty, "nor stored")
        try expect(try await AuditChain.verify(store.audit).isIntact, "the audit chains still verify")

        // The same file without the character then imports in full.
        let clean = try await admin.roster.apply(try CTFReader().read(data: Data(Files.ctfFirst.utf8), name: Files.ctfFile))
        try expect(clean.applied && clean.plan.counts[.learner, .create] == 2, "the clean file imports afterwards")
    }
}
