import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// The extra people the incident scenarios need beside the fixture's: a headteacher who is not
/// the DSL, a deputy DSL, a governor, a technician, a second teacher, and a data manager session.
struct IncidentCast: Sendable {
    let fixture: Fixture
    let head: Person
    let deputy: Person
    let governor: Person
    let technician: Person
    let otherTeacher: Person

    static func make(on store: any OnlineSafetyStore) async throws -> IncidentCast {
        let fixture = try await Fixture.make(on: store)
        let admin = try await fixture.safety.session(actingAs: fixture.admin.id, at: fixture.school.id)
        let start = CalendarDate(year: 2024, month: 9, day: 1)!
        let school = fixture.school.id
        func adult(_ given: String, _ role: Role, kind: PersonKind = .staff, groups: [String] = []) async throws -> Person {
            let person = try await admin.people.add(Person(tenancy: .school(school), kind: kind, givenName: given, familyName: "Cast"))
            try await admin.roles.grant(RoleGrant(personID: person.id, role: role, scope: .school(school), starts: start, groups: groups))
            return person
        }
        return IncidentCast(
            fixture: fixture, head: try await adult("Hana", .headteacher),
            deputy: try await adult("Dev", .deputyDesignatedSafeguardingLead),
            governor: try await adult("Gail", .governor, kind: .governor), technician: try await adult("Tariq", .technicalStaff),
            otherTeacher: try await adult("Olu", .staff, groups: ["Ash"]))
    }

    func session(_ person: Person) async throws -> SafetySession {
        try await fixture.safety.session(actingAs: person.id, at: fixture.school.id)
    }

    var now: Date { Fixture.now }
}

extension StorageConformance {
    /// A concern recorded through a session round-trips with its chronology, steps, device and category.
    @_spi(StorageBackend)
    public static func incidentRoundTripAndSteps(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let cast = try await IncidentCast.make(on: store)
        let fixture = cast.fixture
        let teacher = try await cast.session(fixture.teacher)
        let incident = try await teacher.incidents.record(
            NewIncident(
                occurredAt: cast.now.addingTimeInterval(-7200), location: .offSite, equipment: .personal,
                summary: "A learner says an image of them is being shared", riskArea: .conduct, categoryCode: "nudeImageSharing",
                participants: [.victim: [fixture.oakLearner.id], .witness: [fixture.ashLearner.id]], facts: [.sexualActs]))
        try expect(try await store.incidents.get(incident.id) == incident, "the incident round-trips")
        try expect(incident.reporterID == fixture.teacher.id && incident.isRestricted, "recorded by the teacher, restricted")
        try expect(incident.participants.first { $0.personID == fixture.oakLearner.id }?.dateOfBirth != nil, "learner birth date kept")

        let dsl = try await cast.session(fixture.dsl)
        var steps = try await dsl.steps.steps(for: incident.id)
        let referral = steps.first { $0.code == "referral.socialCareOrPolice" }
        try expect(referral != nil, "a 9-year-old and sexual acts: immediate referral step: \(steps.map(\.code))")
        try expect(referral?.responsible.name == "Kate Law", "Chilton's DSL is responsible")
        try expect(referral?.contacts.contains { $0.phone == "03000 418 503" } == true, "with the Kent advice line")
        try expect(referral?.isOverdue(asOf: cast.now.addingTimeInterval(7200)) == true, "overdue two hours later if not done")

        let entry = try await dsl.chronology.append(
            .referral(Referral(agency: .childrensSocialCare, reference: "MASH-1", method: .phone)), to: incident.id)
        try expect(try await store.chronology.get(entry.id) == entry, "the chronology entry round-trips")
        steps = try await dsl.steps.steps(for: incident.id)
        try expect(steps.first { $0.code == "referral.socialCareOrPolice" }?.satisfiedBy == entry.id, "the referral satisfies the step")
        let device = try await dsl.devices.seize(
            for: incident.id, item: "Phone in a blue case", ownerID: fixture.oakLearner.id, reason: "holds the image",
            storageLocation: "DSL office safe", holdsEvidence: false)
        try expect(try await store.devices.get(device.id) == device, "the device record round-trips")
        try expect(device.holdsEvidence, "a device in a nude-image incident is always kept as evidence")
        steps = try await dsl.steps.steps(for: incident.id)
        try expect(steps.first { $0.code == "device.secured" }?.satisfiedAt != nil, "seizing the device satisfies securing it")
        let category = try await dsl.incidents.addCategory(
            code: "gaming-chat", name: "Contact through game chat", under: "sexualAbuseExploitation")
        try expect(try await store.categories.get(category.id) == category, "a school's own category round-trips")
        try expect(
            try await dsl.incidents.categories().contains { $0.code == "custom.gaming-chat" && $0.restricted }, "inherits restriction")
        let chronology = try await dsl.chronology.entries(of: incident.id)
        try expect(
            chronology.map(\.content.kind) == ["referral", "deviceCustody"], "chronology in order: \(chronology.map(\.content.kind))")
    }

    /// No one but the DSL and deputies can learn that a restricted incident exists, by any query.
    @_spi(StorageBackend)
    public static func restrictedIncidentsAreInvisibleToOthers(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let cast = try await IncidentCast.make(on: store)
        let fixture = cast.fixture
        let dsl = try await cast.session(fixture.dsl)
        let open = try await dsl.incidents.record(
            NewIncident(
                occurredAt: cast.now, location: .onSite, equipment: .school, summary: "Unkind messages in a class chat", riskArea: .conduct,
                categoryCode: "cyberbullying", participants: [.victim: [fixture.ashLearner.id]]))
        var restricted: [Incident] = []
        for code in ["nudeImageSharing", "indecentImages", "sexualAbuseExploitation", "staffConduct"] {
            restricted.append(
                try await dsl.incidents.record(
                    NewIncident(
                        occurredAt: cast.now, location: .offSite, equipment: .personal, summary: "Restricted concern", riskArea: .contact,
                        categoryCode: code, participants: [.victim: [fixture.oakLearner.id]], facts: [.contentOnSchoolNetwork])))
        }
        _ = try await dsl.devices.seize(
            for: restricted[0].id, item: "Tablet", ownerID: fixture.oakLearner.id, reason: "evidence", storageLocation: "Safe",
            holdsEvidence: true)
        let hidden = Set(restricted.map(\.id.uuid))

        let deputy = try await cast.session(cast.deputy)
        try expect(Set(try await deputy.incidents.list().map(\.id.uuid)).isSuperset(of: hidden), "the deputy sees restricted incidents")

        let others: [(String, Person)] = [
            ("head", cast.head), ("teacher", fixture.teacher), ("other teacher", cast.otherTeacher), ("governor", cast.governor),
            ("technician", cast.technician), ("data manager", fixture.admin),
        ]
        for (name, person) in others {
            let session = try await cast.session(person)
            let incidents = session.incidents
            for incident in restricted {
                do {
                    _ = try await incidents.get(incident.id)
                    throw ConformanceFailure("the \(name) read a restricted incident")
                } catch let error as SafetyError {
                    try expect(error.code == .notFound, "the \(name) gets notFound, exactly as for an unknown id (got \(error.code))")
                }
                for probe in [
                    { _ = try await session.chronology.entries(of: incident.id) }, { _ = try await session.steps.steps(for: incident.id) },
                    { _ = try await session.chronology.append(.note("probe"), to: incident.id) },
                ] as [@Sendable () async throws -> Void] {
                    do {
                        try await probe()
                        throw ConformanceFailure("the \(name) reached a restricted incident")
                    } catch let error as SafetyError {
                        try expect(error.code == .notFound, "the \(name) gets notFound (got \(error.code): \(error.reason))")
                    }
                }
            }
            do {
                _ = try await incidents.get(IncidentID())
                throw ConformanceFailure("an unknown id was found")
            } catch let error as SafetyError {
                try expect(error.code == .notFound, "an unknown id gives the same notFound")
            }
            let listed = Set(try await incidents.list().map(\.id.uuid))
            try expect(listed.isDisjoint(with: hidden), "the \(name)'s list holds no restricted incident")
            for code in ["nudeImageSharing", "indecentImages", "sexualAbuseExploitation", "staffConduct"] {
                try expect(try await incidents.count(IncidentQuery(categoryCodes: [code])) == 0, "the \(name) counts none of \(code)")
                try expect(try await incidents.list(IncidentQuery(categoryCodes: [code])).isEmpty, "the \(name) searches none of \(code)")
            }
            try expect(
                try await incidents.list(IncidentQuery(participantID: fixture.oakLearner.id)).isEmpty,
                "the \(name) finds nothing by the child")
            let total = try await incidents.count()
            let expected = person.id == fixture.admin.id || person.id == cast.governor.id || person.id == cast.technician.id ? 0 : nil
            if let expected { try expect(total == expected, "the \(name) counts \(expected), got \(total)") }
            if person.id == cast.head.id { try expect(total == 1 && listed == [open.id.uuid], "the head sees only the open incident") }
            if let figures = try await unlessForbidden({ try await incidents.countsByCategory() }) {
                try expect(figures.keys.allSatisfy { IncidentCategory.builtIn(code: $0)?.restricted != true }, "no restricted figures")
                try expect(figures.values.reduce(0, +) == 1, "the \(name)'s figures count only the open incident")
            }
            for report in [
                { try await session.steps.outstanding() },
                { try await session.steps.overdue(asOf: cast.now.addingTimeInterval(86_400 * 30)) },
            ] as [@Sendable () async throws -> [IncidentSteps]] {
                if let found = try await unlessForbidden(report) {
                    try expect(Set(found.map(\.incidentID.uuid)).isDisjoint(with: hidden), "the \(name)'s step reports hide restricted")
                }
            }
            if let chronology = try await unlessForbidden({ try await session.chronology.childChronology(of: fixture.oakLearner.id) }) {
                try expect(chronology.isEmpty, "the \(name) sees nothing of the child's restricted chronology")
            }
            if let devices = try await unlessForbidden({ try await session.devices.list() }) {
                try expect(devices.allSatisfy { !hidden.contains($0.incidentID?.uuid ?? UUID()) }, "the \(name) sees no evidence device")
            }
            if let events = try await unlessForbidden({ try await session.audit.events() }) {
                try expect(
                    events.allSatisfy { !$0.draft.restricted && $0.draft.subjects.allSatisfy { !hidden.contains($0) } },
                    "the \(name)'s audit view holds no event about a restricted incident")
            }
        }
        let allCategories = try await dsl.incidents.countsByCategory()
        try expect(allCategories.values.reduce(0, +) == 5, "the DSL's figures count all five")
    }

    /// The chronology is never rewritten: corrections are new entries; closing needs an outcome.
    @_spi(StorageBackend)
    public static func chronologyIsAppendOnlyWithCorrections(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let cast = try await IncidentCast.make(on: store)
        let fixture = cast.fixture
        let dsl = try await cast.session(fixture.dsl)
        let incident = try await dsl.incidents.record(
            NewIncident(
                occurredAt: cast.now, location: .onSite, equipment: .school, summary: "Hateful post about a family", riskArea: .content,
                categoryCode: "onlineHate", participants: [.victim: [fixture.ashLearner.id], .allegedPerpetrator: [fixture.oakLearner.id]]))
        let note = try await dsl.chronology.append(.note("Spoke to the learner at 10:15"), to: incident.id)
        var changed = note
        changed.content = .note("Spoke to the learner at 11:15")
        try await expectError(.constraintViolation, "an entry cannot be updated") { try await store.chronology.update(changed) }
        let correction = try await dsl.chronology.append(
            .correction(entryID: note.id, reason: "wrong time written", text: "Spoke to the learner at 11:15"), to: incident.id)
        let entries = try await dsl.chronology.entries(of: incident.id)
        try expect(entries.map(\.id) == [note.id, correction.id], "the original stays beside its correction")
        try expect(entries[0].content == .note("Spoke to the learner at 10:15"), "the original is unchanged")
        try await expectError(.invalidInput, "a correction must name an entry of this incident") {
            try await dsl.chronology.append(.correction(entryID: ChronologyEntryID(), reason: "x", text: "y"), to: incident.id)
        }
        try await expectError(.invalidInput, "a decision without a reason") {
            try await dsl.chronology.append(.decision(decision: "No further action", reason: " "), to: incident.id)
        }
        try await expectError(.invalidInput, "withholding from parents without a reason") {
            try await dsl.chronology.append(.parentNotification(.withheld(fixture.ashLearner.id, reason: "")), to: incident.id)
        }
        try await expectError(.invalidInput, "closing without an outcome") {
            try await dsl.chronology.close(fixture.ashLearner.id, in: incident.id, outcome: "")
        }
        try expect(try await dsl.incidents.get(incident.id).isOpen, "still open after the refused closures")
        _ = try await dsl.chronology.close(fixture.ashLearner.id, in: incident.id, outcome: "Supported; post removed")
        try await expectError(.constraintViolation, "closing the same part twice") {
            try await dsl.chronology.close(fixture.ashLearner.id, in: incident.id, outcome: "Again")
        }
        try expect(try await dsl.incidents.get(incident.id).isOpen, "open while the other part is open")
        _ = try await dsl.chronology.close(fixture.oakLearner.id, in: incident.id, outcome: "Sanction under the behaviour policy")
        let closed = try await dsl.incidents.get(incident.id)
        try expect(!closed.isOpen && closed.participants.allSatisfy { $0.outcome != nil }, "closed with an outcome per participant")
        let steps = try await dsl.steps.steps(for: incident.id)
        try expect(steps.contains { $0.code == "debrief" && $0.satisfiedAt == nil }, "a debrief is due after closure")
        _ = try await dsl.chronology.append(.debrief(lessonsLearnt: "Teach reporting tools in year 4"), to: incident.id)
        try expect(try await dsl.steps.steps(for: incident.id).first { $0.code == "debrief" }?.satisfiedAt != nil, "debrief done")
        let teacher = try await cast.session(fixture.teacher)
        try await expectError(.notFound, "a teacher cannot add to an incident they did not report") {
            try await teacher.chronology.append(.note("x"), to: incident.id)
        }
    }

    /// Imagery is refused for nude-image and IIOC incidents; evidence devices are never wiped.
    @_spi(StorageBackend)
    public static func imageryAndEvidenceGuards(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let cast = try await IncidentCast.make(on: store)
        let fixture = cast.fixture
        let dsl = try await cast.session(fixture.dsl)
        let image = AttachmentReference(
            fileName: "screenshot.png", mediaType: "image/png", byteCount: 2048, sha256: "ab", location: "vault:1")
        for code in ["nudeImageSharing", "indecentImages"] {
            let incident = try await dsl.incidents.record(
                NewIncident(
                    occurredAt: cast.now, location: .onSite, equipment: .school, summary: "Concern", riskArea: .content, categoryCode: code,
                    participants: [.subject: [fixture.oakLearner.id]]))
            do {
                _ = try await dsl.chronology.attach(image, to: incident.id)
                throw ConformanceFailure("an image was attached to a \(code) incident")
            } catch let error as SafetyError {
                try expect(error.code == .constraintViolation, "refused as a constraint")
                try expect(error.reason.contains("storage location") && error.reason.contains("IWF"), "says what to record instead")
            }
            try expect(try await dsl.chronology.entries(of: incident.id).isEmpty, "nothing was written")
            let device = try await dsl.devices.seize(
                for: incident.id, item: "Laptop", ownerID: nil, reason: "suspected image", storageLocation: "Locked cupboard",
                holdsEvidence: true)
            try await expectError(.constraintViolation, "evidence cannot be wiped") {
                try await dsl.devices.move(device.id, to: .contentDeleted)
            }
            let handed = try await dsl.devices.move(device.id, to: .handedToPolice, note: "collected by PC 123")
            try expect(handed.status == .handedToPolice && handed.history.count == 2, "custody history kept")
        }
        let bullying = try await dsl.incidents.record(
            NewIncident(
                occurredAt: cast.now, location: .onSite, equipment: .school, summary: "Mean comments", riskArea: .conduct,
                categoryCode: "cyberbullying", participants: [.victim: [fixture.ashLearner.id]]))
        let attached = try await dsl.chronology.attach(image, to: bullying.id)
        try expect(attached.content == .attachment(image), "a screenshot of bullying may be referenced")
        let phone = try await dsl.devices.seize(
            for: bullying.id, item: "Phone", ownerID: fixture.ashLearner.id, reason: "used in class", storageLocation: "Office",
            holdsEvidence: false)
        try expect(
            try await dsl.devices.move(phone.id, to: .returnedToParent).status == .returnedToParent, "returned at end of day")
        let register = try await dsl.devices.list()
        try expect(register.count == 3, "the register lists every device: \(register.count)")
        let teacher = try await cast.session(fixture.teacher)
        try await expectError(.forbidden, "a teacher cannot read the custody register") { try await teacher.devices.list() }
        try await expectError(.forbidden, "only the DSL decides on viewing imagery") {
            let head = try await cast.session(cast.head)
            _ = try await head.chronology.append(.imageViewing(view: true, justification: "to assess"), to: bullying.id)
        }
    }

    /// A child's chronology spans incidents in time order, filtered by category and date; staff see
    /// only what they reported.
    @_spi(StorageBackend)
    public static func childChronologyAndReporterView(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let cast = try await IncidentCast.make(on: store)
        let fixture = cast.fixture
        let teacher = try await cast.session(fixture.teacher)
        let dsl = try await cast.session(fixture.dsl)
        let first = try await teacher.incidents.record(
            NewIncident(
                occurredAt: cast.now.addingTimeInterval(-86_400 * 20), location: .onSite, equipment: .school,
                summary: "Searched for a blocked site", riskArea: .content, categoryCode: "filteringBreach",
                participants: [.subject: [fixture.oakLearner.id]]))
        let second = try await dsl.incidents.record(
            NewIncident(
                occurredAt: cast.now.addingTimeInterval(-86_400 * 2), location: .offSite, equipment: .personal,
                summary: "Contact from an adult in a game", riskArea: .contact, categoryCode: "sexualAbuseExploitation",
                participants: [.victim: [fixture.oakLearner.id]], facts: [.adultInvolved]))
        _ = try await dsl.chronology.append(.escalation(to: .technicalStaff, note: "URL passed to IT"), to: first.id)
        _ = try await dsl.chronology.append(.referral(Referral(agency: .police101, method: .phone)), to: second.id)
        let all = try await dsl.chronology.childChronology(of: fixture.oakLearner.id)
        try expect(all.map(\.at) == all.map(\.at).sorted(), "in time order")
        try expect(Set(all.map(\.incidentID)) == [first.id, second.id], "across both incidents")
        try expect(all.filter { $0.entry == nil }.count == 2 && all.count == 4, "two reports and two entries: \(all.count)")
        let onlyFiltering = try await dsl.chronology.childChronology(of: fixture.oakLearner.id, categories: ["filteringBreach"])
        try expect(Set(onlyFiltering.map(\.incidentID)) == [first.id], "filtered by category")
        let since = cast.now.addingTimeInterval(-86_400 * 5)
        let recent = try await dsl.chronology.childChronology(of: fixture.oakLearner.id, from: since)
        try expect(recent.allSatisfy { $0.at >= since } && recent.count == 3, "filtered by date: \(recent.count)")
        try expect(!recent.contains { $0.incidentID == first.id && $0.entry == nil }, "the older report is left out")
        try expect(try await teacher.incidents.list().map(\.id) == [first.id], "the teacher sees only what they reported")
        try expect(try await teacher.incidents.get(first.id) == first, "and can read it")
        try await expectError(.notFound, "but not the chronology behind it") { try await teacher.chronology.entries(of: first.id) }
        try await expectError(.forbidden, "nor a child's chronology") {
            try await teacher.chronology.childChronology(of: fixture.oakLearner.id)
        }
        _ = try await teacher.chronology.append(.note("The learner told me more at lunch"), to: first.id)
        try await expectError(.forbidden, "nor manage it (it is theirs, so the refusal says why)") {
            try await teacher.chronology.append(.decision(decision: "close", reason: "fine"), to: first.id)
        }
    }

    /// Outstanding and overdue steps per school and across the trust, as of a given time.
    @_spi(StorageBackend)
    public static func overdueStepsAsOfATime(_ harness: ConformanceHarness) async throws {
        let store = try await harness.makeStore()
        defer { Task { try? await store.close() } }
        let cast = try await IncidentCast.make(on: store)
        let fixture = cast.fixture
        let admin = try await cast.session(fixture.admin)
        let upton = try await admin.organisation.addSchool(
            School(
                trustID: fixture.trust.id, urn: "118999", dfeNumber: try DfENumber("8862999"), name: "Upton Junior School", phase: .junior,
                keyStages: [.ks2], settings: SeedSchools.chiltonSettings()))
        let trustDSL = try await admin.people.add(
            Person(tenancy: .trust(fixture.trust.id), kind: .staff, givenName: "Tess", familyName: "Trust"))
        try await admin.roles.grant(
            RoleGrant(personID: trustDSL.id, role: .designatedSafeguardingLead, scope: .trust(fixture.trust.id), starts: Fixture.today))
        let dsl = try await cast.session(fixture.dsl)
        let staffConcern = try await dsl.incidents.record(
            NewIncident(
                occurredAt: cast.now, location: .onSite, equipment: .school, summary: "A teacher messaged a learner privately",
                riskArea: .contact, categoryCode: "staffConduct", participants: [.subject: [fixture.teacher.id]]))
        let uptonAdmin = try await cast.fixture.safety.session(actingAs: fixture.admin.id, at: upton.id)
        let uptonLearner = try await uptonAdmin.people.add(
            Person(
                tenancy: .school(upton.id), kind: .learner, givenName: "Uma", familyName: "Upton",
                learner: LearnerDetails(
                    upn: try UPN(Fixture.upn(serial: 401)), dateOfBirth: CalendarDate(year: 2015, month: 4, day: 4)!, ncYear: .year6)))
        let uptonSession = try await cast.fixture.safety.session(actingAs: trustDSL.id, at: upton.id)
        let uptonIncident = try await uptonSession.incidents.record(
            NewIncident(
                occurredAt: cast.now, location: .onSite, equipment: .school, summary: "Radical video shared", riskArea: .content,
                categoryCode: "radicalisation", participants: [.subject: [uptonLearner.id]]))
        let soon = cast.now.addingTimeInterval(30 * 60)
        let later = cast.now.addingTimeInterval(3 * 3600)
        try expect(try await dsl.steps.overdue(asOf: soon).isEmpty, "nothing is overdue within the hour")
        let overdue = try await dsl.steps.overdue(asOf: later)
        try expect(overdue.map(\.incidentID) == [staffConcern.id], "only this school's incident: \(overdue.map(\.incidentID))")
        try expect(overdue[0].steps.map(\.code) == ["head.informed"], "the head was not told: \(overdue[0].steps.map(\.code))")
        let outstanding = try await dsl.steps.outstanding(asOf: later)
        try expect(outstanding[0].steps.map(\.code).contains("lado.contacted"), "the LADO step is outstanding, not yet overdue")
        let trustWide = try await uptonSession.steps.overdue(asOf: later, acrossTrust: true)
        try expect(Set(trustWide.map(\.incidentID)) == [staffConcern.id, uptonIncident.id], "across the trust")
        try await expectError(.forbidden, "a school DSL cannot read across the trust") {
            try await dsl.steps.overdue(asOf: later, acrossTrust: true)
        }
        _ = try await dsl.chronology.append(.escalation(to: .headteacher, note: nil), to: staffConcern.id)
        try expect(try await dsl.steps.overdue(asOf: later.addingTimeInterval(60)).isEmpty, "done now")
        let asBefore = try await dsl.steps.overdue(asOf: later)
        try expect(asBefore.isEmpty, "as of a time after the escalation: nothing overdue")
        let history = try await dsl.steps.steps(for: staffConcern.id, asOf: later)
        try expect(history.first { $0.code == "head.informed" }?.isOverdue(asOf: later) == false, "satisfied before 'later'")
        let lado = try await dsl.steps.overdue(asOf: cast.now.addingTimeInterval(86_400 * 3))
        try expect(lado.first?.steps.map(\.code) == ["lado.contacted"], "the LADO step falls due after one working day")
    }
}
