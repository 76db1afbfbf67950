import Foundation

/// The sync of one school: its stored roll, contacts and roles, matched against the rows of every
/// section for the school.
struct SchoolSync {
    let sync: RosterSync
    let work: RosterSync.SchoolWork

    private var school: School { work.school }
    private var urn: String { work.school.urn }

    // Stored state.
    private var stored: [PersonID: Person] = [:]
    private var storedLinks: [ContactLink] = []
    private var storedGrants: [RoleGrant] = []
    private var storedGrantByID: [RoleGrantID: RoleGrant] = [:]
    private let fileRanks: [String: Int]

    // Working state.
    private var people: [PersonID: Person] = [:]
    /// The people a row created or changed (perhaps back to what is stored): the only ones the
    /// plan compares with the stored records.
    private var touched: Set<PersonID> = []
    private var created: Set<PersonID> = []
    private var firstRow: [PersonID: FileLocation] = [:]
    /// The row that last changed each person in this run: the one an update is credited to.
    private var changedBy: [PersonID: FileLocation] = [:]
    /// For a stored person changed in this run, the row that last changed each field.
    private var fieldChangedBy: [PersonID: [String: FileLocation]] = [:]
    private var byUPN: [String: PersonID] = [:]
    private var bySource: [SourceRef: PersonID] = [:]
    private var byEmail: [String: PersonID] = [:]
    private var adultsByName: [String: [PersonID]] = [:]
    /// Each given or family name's matching form, worked out once: the same names recur
    /// across a school's contacts, and folding accents is slow.
    private var nameParts: [String: String] = [:]
    private var links: [LinkKey: ContactLink] = [:]
    /// The stored links by key, as the plan first holds them (the last of two for one key).
    private var storedLinkByKey: [LinkKey: ContactLink] = [:]
    private var linkRow: [LinkKey: FileLocation] = [:]
    private var grants: [RoleGrantID: RoleGrant] = [:]
    private var newGrants: [RoleGrant] = []
    private var listedLearners: Set<PersonID> = []
    private var listedStaff: [String: Set<PersonID>] = [:]
    private var rejectedLearners: Set<SourceRef> = []
    private var leftOutLearners: Set<SourceRef> = []
    /// Stored learners a row names, even a row rejected or left out: still on the source's roll,
    /// so never made leavers by it.
    private var stillListed: Set<PersonID> = []
    private let leftOutRows: Set<SourceRef>
    /// Rows left out without naming who they were, counted by file (``RosterSync/unidentifiedRows``).
    private let unidentifiedRows: [String: Int]
    private let leftOutUPNs: Set<UPN>
    /// The session's day, read once: the whole plan judges dates against the same day.
    private let today: CalendarDate
    private var leavers: [(Person, CalendarDate)] = []
    /// By file, the people whose leaving someone decided by hand on or after the export's day,
    /// which the export therefore does not undo (``Person/leavingDecidedOn``).
    private var keptByHand: [String: Set<PersonID>] = [:]

    // Results.
    private(set) var entries: [RosterPlanEntry] = []
    private(set) var matches: [RosterMatch] = []
    private(set) var leaverRefusal: RosterRefusal?
    /// What the plan could not do and the user should know: a full export that makes no leavers.
    private(set) var warnings: [RosterProblem] = []
    private var rollBefore = 0

    init(sync: RosterSync, work: RosterSync.SchoolWork) {
        self.sync = sync
        self.work = work
        self.leftOutRows = sync.leftOutRows.union(work.unplacedSources)
        self.unidentifiedRows = sync.unidentifiedRows
        self.today = sync.context.session.today
        self.leftOutUPNs = Set(sync.batch.problems.filter { $0.severity != .warning }.compactMap(\.upn)).union(work.unplacedUPNs)
        var ranks: [String: Int] = [:]
        for (index, file) in sync.batch.files.enumerated() where ranks[file.name] == nil { ranks[file.name] = index }
        for section in work.sections where ranks[section.file] == nil { ranks[section.file] = ranks.count }
        self.fileRanks = ranks
    }

    /// A learner and one of their contacts: the key of a contact link.
    private struct LinkKey: Hashable {
        let learner: PersonID
        let adult: PersonID
    }

    private static func linkKey(_ learner: PersonID, _ adult: PersonID) -> LinkKey { LinkKey(learner: learner, adult: adult) }

    // MARK: Loading

    mutating func load() async throws {
        guard !work.created else { return }
        let tx = sync.context.tx
        // Read in no order: the plan indexes what it reads, and puts in order only what it writes.
        // The roles are asked for with the people, so neither waits for the other's answer.
        async let grants = tx.roleGrants.findAll(matching: RoleGrantQuery(schoolID: school.id).conditions)
        for person in try await tx.people.findAll(matching: PersonQuery(scope: .school(school.id)).conditions) {
            stored[person.id] = person
        }
        // Every learner's links in one query: a backend binds a long list as one value.
        let learnerIDs = stored.values.compactMap { $0.kind == .learner ? IndexValue.uuid($0.id.uuid) : nil }
        if !learnerIDs.isEmpty { storedLinks = try await tx.contacts.findAll(matching: [.oneOf("learner_id", learnerIDs)]) }
        storedGrants = try await grants
        storedGrantByID = Dictionary(storedGrants.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: Planning

    mutating func plan() {
        // About one entry per row, and one more per contact's link and member of staff's role:
        // room made once, rather than the list copied each time it grows.
        entries.reserveCapacity(work.sections.reduce(0) { $0 + $1.learners.count + 2 * ($1.contacts.count + $1.staff.count) })
        people = stored
        for person in stored.values { index(person) }
        for link in storedLinks { links[Self.linkKey(link.learnerID, link.adultID)] = link }
        storedLinkByKey = links
        for grant in storedGrants { grants[grant.id] = grant }
        rollBefore = stored.values.count { $0.kind == .learner && !$0.hasLeft(by: today) }

        var ahead: Set<String> = []
        for section in work.sections where section.exportedOn > today && ahead.insert(section.file).inserted {
            warnings.append(
                .warning(
                    "export.dayAhead", at: FileLocation(file: section.file, line: 0),
                    "the file says it was exported on a day after today: check the day it was taken, as a full export's leavers "
                        + "leave from it and it decides again what was decided by hand before it"))
        }
        for section in work.sections { for row in section.learners { learner(row, in: section) } }
        for section in work.sections { for row in section.staff { staff(row, in: section) } }
        for section in work.sections { for row in section.contacts { contact(row, in: section) } }
        for holder in work.roleHolders { roleHolder(holder) }
        planLeavers()
        describeChanges()
    }

    /// Keeps a person as the row leaves them, indexed for the rows after; a person the row left
    /// as they were is indexed already (a re-import's every row). `previous` is the person as
    /// the row found them (`nil` for someone it creates), so nothing is looked up again.
    /// With `conflicts`, a row that undoes another file's change is warned of (``noteConflict``).
    private mutating func remember(_ person: Person, was previous: Person?, at location: FileLocation, conflicts: Bool = false) {
        if let previous, previous == person { return }
        if let previous, !created.contains(person.id) {
            let changed = Self.changes(from: previous, to: person)
            if conflicts { noteConflict(person, was: previous, changed: changed, at: location) }
            for field in changed { fieldChangedBy[person.id, default: [:]][field] = location }
        }
        people[person.id] = person
        touched.insert(person.id)
        changedBy[person.id] = location
        index(person)
    }

    /// Where the rows that changed a stored person's fields are, when more than one row did:
    /// each field beside the last row that changed it, for the plan and the audit to credit each
    /// change to its own row. `nil` when one row made every change.
    private func fieldRows(of id: PersonID, fields: [String]) -> String? {
        guard let rows = fieldChangedBy[id] else { return nil }
        let located = fields.compactMap { field in rows[field].map { (field, $0) } }
        guard Set(located.map { "\($0.1.file):\($0.1.line)" }).count > 1 else { return nil }
        return located.map { "\($0.0) at \($0.1.file):\($0.1.line)" }.joined(separator: ", ")
    }

    /// Warns when a row of one file undoes what a row of another file changed earlier in the
    /// run (`row.conflict`, at the later row, naming the fields and the earlier row): the files
    /// disagree, and the later one's values are kept. Differences that only say more (another
    /// source's id) are none, nor is a given or family name that the later row keeps as the name
    /// the learner is known by (a source that gives known-as names as given names).
    /// `changed` is what the row changes (``changes(from:to:)`` of `previous` and `person`).
    private mutating func noteConflict(_ person: Person, was previous: Person, changed: [String], at location: FileLocation) {
        guard let before = stored[person.id], let earlier = changedBy[person.id], earlier.file != location.file else { return }
        let changedEarlier = Set(Self.changes(from: before, to: previous))
        var fields = changed.filter { changedEarlier.contains($0) && $0 != "sources" && $0 != "leftOn" }
        if previous.givenName == person.learner?.preferredGivenName { fields.removeAll { $0 == "givenName" } }
        if previous.familyName == person.learner?.preferredFamilyName { fields.removeAll { $0 == "familyName" } }
        guard !fields.isEmpty else { return }
        warnings.append(
            .warning(
                "row.conflict", at: location.field(fields.joined(separator: ",")),
                "this row gives \(fields.joined(separator: ", ")) otherwise than \(earlier.file):\(earlier.line), which changed "
                    + "\(fields.count == 1 ? "it" : "them") earlier in this run; this row's \(fields.count == 1 ? "value is" : "values are") kept"
            ))
    }

    private mutating func index(_ person: Person) {
        if let upn = person.learner?.upn.value { byUPN[upn] = person.id }
        for source in person.sources { bySource[source] = person.id }
        // Staff and role holders are matched by the address they sign in with: a parent who
        // shares it is never matched as them.
        if person.kind.signsInByEmail, let email = RosterNormal.email(person.email) {
            if let other = byEmail[email], other != person.id {
                // Two stored people share the address (a store written before addresses were
                // checked): the one with the lower identifier is matched, whichever is read first,
                // so a plan does not change from one run to the next.
                if stored[other] != nil, stored[person.id] != nil, UUIDText.precedes(person.id.uuid, other.uuid) {
                    byEmail[email] = person.id
                }
            } else {
                byEmail[email] = person.id
            }
        }
        if person.kind == .parentCarer {
            let name = matchName(person.givenName, person.familyName)
            if adultsByName[name]?.contains(person.id) != true { adultsByName[name, default: []].append(person.id) }
        }
    }

    /// ``RosterNormal/name(_:_:)`` of a given and a family name, each part's form remembered.
    private mutating func matchName(_ given: String, _ family: String) -> String {
        func part(_ text: String, _ known: inout [String: String]) -> String {
            if let form = known[text] { return form }
            let form = RosterNormal.name(text, "")
            known[text] = form
            return form
        }
        let first = part(given, &nameParts)
        let last = part(family, &nameParts)
        return first.isEmpty ? last : last.isEmpty ? first : first + " " + last
    }

    private mutating func reject(
        _ subject: RosterSubject, at location: FileLocation, _ code: String, _ reason: String
    ) {
        entries.append(RosterPlanEntry(.reject, subject, school: urn, at: location, code: code, reason))
    }

    private mutating func learner(_ row: RosterLearner, in section: RosterSection) {
        guard row.status == .active else {
            leftOutLearners.insert(row.source)
            entries.append(
                RosterPlanEntry(
                    .skip, .learner, school: urn, record: find(row)?.uuid, at: row.location, code: "status.inactive",
                    "the source lists this learner as inactive or to be deleted"))
            return
        }
        let found = find(row)
        if let found, stored[found] != nil { stillListed.insert(found) }
        if let found, listedLearners.contains(found), firstRow[found]?.file == row.location.file {
            rejectedLearners.insert(row.source)
            return reject(.learner, at: row.location, "row.duplicate", "the same learner is listed twice in this file")
        }
        var person: Person
        let previous = found.flatMap { people[$0] }
        if let current = previous {
            person = current
            guard person.kind == .learner else {
                rejectedLearners.insert(row.source)
                return reject(.learner, at: row.location, "match.notALearner", "the source's id names someone who is not a learner")
            }
        } else {
            guard let upn = row.upn, let dateOfBirth = row.dateOfBirth, let ncYear = row.ncYear else {
                rejectedLearners.insert(row.source)
                return reject(
                    .learner, at: row.location, "learner.missingDetails",
                    "a new learner needs a UPN, a date of birth and a year group, and this row lacks one of them")
            }
            person = Person(
                tenancy: .school(school.id), kind: .learner, givenName: RosterNormal.text(row.givenName),
                familyName: RosterNormal.text(row.familyName),
                learner: LearnerDetails(upn: upn, dateOfBirth: dateOfBirth, ncYear: ncYear))
            created.insert(person.id)
        }
        person.givenName = RosterNormal.text(row.givenName)
        person.familyName = RosterNormal.text(row.familyName)
        if let email = RosterNormal.optional(row.email) { person.email = email }
        if var details = person.learner {
            if let upn = row.upn { details.upn = upn }
            if let dateOfBirth = row.dateOfBirth { details.dateOfBirth = dateOfBirth }
            if let ncYear = row.ncYear { details.ncYear = ncYear }
            if let group = RosterNormal.optional(row.registrationGroup) { details.registrationGroup = group }
            if let lookedAfter = row.lookedAfter { details.lookedAfter = lookedAfter }
            if let send = row.send { details.send = send }
            if let listed = row.groups { details.groups = Self.groups(listed, besides: details.registrationGroup) }
            if let keyPerson = RosterNormal.optional(row.keyPerson) { details.keyPerson = keyPerson }
            // The legal names stay in givenName and familyName; a source that carries preferred
            // names says which the learner is known by, and one that does not leaves them.
            if let preferred = row.preferredGivenName {
                details.preferredGivenName = Self.preferredName(preferred, besides: person.givenName)
            }
            if let preferred = row.preferredFamilyName {
                details.preferredFamilyName = Self.preferredName(preferred, besides: person.familyName)
            }
            person.learner = details
        }
        if !person.sources.contains(row.source) { person.sources = (person.sources + [row.source]).sorted() }
        // Listed by an export taken on or after the day they left: they are back. A leaving day
        // after the export (one recorded ahead) is kept: the export cannot know of it.
        if let left = person.leftOn, left <= section.exportedOn, !created.contains(person.id) {
            if Self.decidedByHand(person, since: section.exportedOn) {
                keptByHand[section.file, default: []].insert(person.id)
            } else {
                person.leftOn = nil
            }
        }
        do {
            try person.validate(asOf: today)
        } catch {
            if created.contains(person.id) { created.remove(person.id) }
            rejectedLearners.insert(row.source)
            return reject(.learner, at: row.location, "learner.invalid", error.reason)
        }
        if let upn = person.learner?.upn.value, let holder = byUPN[upn], holder != person.id {
            rejectedLearners.insert(row.source)
            return reject(.learner, at: row.location, "upn.taken", "another learner at the school has this UPN")
        }
        if firstRow[person.id] == nil { firstRow[person.id] = row.location }
        remember(person, was: previous, at: row.location, conflicts: true)
        listedLearners.insert(person.id)
    }

    /// Whether someone decided by hand, on or after an export's day, whether and when the person
    /// leaves: an export taken then cannot know of it, so does not undo it.
    private static func decidedByHand(_ person: Person, since exportedOn: CalendarDate) -> Bool {
        person.leavingDecidedOn.map { $0 >= exportedOn } ?? false
    }

    /// A row's preferred name, normalised: `nil` (none held) when it is blank or the same as the
    /// legal name beside it.
    private static func preferredName(_ name: String, besides legal: String) -> String? {
        guard let name = RosterNormal.optional(name), name != legal else { return nil }
        return name
    }

    /// A row's other groups, normalised, each once, in the source's order, without the
    /// registration group.
    private static func groups(_ names: [String], besides registrationGroup: String?) -> [String] {
        var seen: Set<String> = []
        return names.compactMap { RosterNormal.optional($0) }.filter { $0 != registrationGroup && seen.insert($0).inserted }
    }

    private func find(_ row: RosterLearner) -> PersonID? {
        if let upn = row.upn, let id = byUPN[upn.value] { return id }
        return bySource[row.source]
    }

    private mutating func staff(_ row: RosterStaff, in section: RosterSection) {
        let email = RosterNormal.email(row.email)
        let found = email.flatMap { byEmail[$0] } ?? bySource[row.source]
        guard row.status == .active else {
            entries.append(
                RosterPlanEntry(
                    .skip, .staff, school: urn, record: found?.uuid, at: row.location, code: "status.inactive",
                    "the source lists this member of staff as inactive or to be deleted"))
            return
        }
        // A row that names a stored member of staff, by address or by id, keeps them on the roll,
        // even if it is rejected.
        for id in [found, bySource[row.source]].compactMap({ $0 }) where stored[id] != nil { stillListed.insert(id) }
        guard let email else {
            return reject(.staff, at: row.location, "email.required", "staff are matched by email address, and this row has none")
        }
        var person: Person
        let previous = found.flatMap { people[$0] }
        if let current = previous {
            guard current.kind == .staff || current.kind == .governor || current.kind == .volunteer else {
                return reject(.staff, at: row.location, "match.notStaff", "the email address belongs to someone who is not staff")
            }
            person = current
        } else {
            person = Person(tenancy: .school(school.id), kind: .staff, givenName: row.givenName, familyName: row.familyName, email: email)
            created.insert(person.id)
        }
        person.givenName = RosterNormal.text(row.givenName)
        person.familyName = RosterNormal.text(row.familyName)
        if person.email?.lowercased() != email { person.email = email }
        if let title = RosterNormal.optional(row.jobTitle) { person.jobTitle = title }
        if !person.sources.contains(row.source) { person.sources = (person.sources + [row.source]).sorted() }
        // Listed by an export taken on or after the day they left: they are back. A leaving day
        // after the export (one recorded ahead) is kept: the export cannot know of it.
        if let left = person.leftOn, left <= section.exportedOn, !created.contains(person.id) {
            if Self.decidedByHand(person, since: section.exportedOn) {
                keptByHand[section.file, default: []].insert(person.id)
            } else {
                person.leftOn = nil
            }
        }
        do { try person.validate(asOf: today) } catch {
            created.remove(person.id)
            return reject(.staff, at: row.location, "staff.invalid", error.reason)
        }
        if firstRow[person.id] == nil { firstRow[person.id] = row.location }
        remember(person, was: previous, at: row.location, conflicts: true)
        listedStaff[row.source.system, default: []].insert(person.id)
        if !row.teachingGroups.isEmpty {
            ensureGrant(of: .staff, for: person.id, groups: row.teachingGroups.map(RosterNormal.text).sorted(), at: row.location)
        } else if !created.contains(person.id) {
            // A listed member of staff keeps what they hold.
        } else {
            ensureGrant(of: .staff, for: person.id, groups: [], at: row.location)
        }
    }

    private mutating func contact(_ row: RosterContact, in section: RosterSection) {
        guard !rejectedLearners.contains(row.learner) else {
            return reject(
                .contact, at: row.location, "contact.learnerRejected", "the learner this contact belongs to was rejected")
        }
        if bySource[row.learner] == nil, leftOutLearners.contains(row.learner) || leftOutRows.contains(row.learner) {
            entries.append(
                RosterPlanEntry(
                    .skip, .contact, school: urn, at: row.location, code: "contact.learnerLeftOut",
                    "the learner this contact belongs to was left out of the import (skipped, rejected or inactive)"))
            return
        }
        guard let learnerID = bySource[row.learner], people[learnerID]?.kind == .learner else {
            return reject(
                .contact, at: row.location, "contact.unknownLearner",
                "the learner this contact belongs to is neither in the import nor on the school's roll")
        }
        guard row.status == .active else {
            entries.append(
                RosterPlanEntry(
                    .skip, .contact, school: urn, at: row.location, code: "status.inactive",
                    "the source lists this contact as inactive or to be deleted"))
            return
        }
        let given = RosterNormal.text(row.givenName)
        let family = RosterNormal.text(row.familyName)
        let email = RosterNormal.email(row.email)
        let phone = RosterNormal.phone(row.phone)
        var rule = "source id"
        var adultID = row.source.flatMap { bySource[$0] }
        if adultID == nil {
            let candidates = (adultsByName[matchName(given, family)] ?? []).compactMap { people[$0] }
            if let email, let match = candidates.first(where: { RosterNormal.email($0.email) == email }) {
                adultID = match.id
                rule = "name and email"
            } else if let phone, let match = candidates.first(where: { RosterNormal.phone($0.phone) == phone }) {
                adultID = match.id
                rule = "name and phone"
            } else if let match = candidates.first(where: { links[Self.linkKey(learnerID, $0.id)] != nil }) {
                adultID = match.id
                rule = "name, a contact of the same learner"
            }
            if let adultID, row.source != nil || firstRow[adultID] != nil || !(people[adultID]?.sources.isEmpty ?? true) {
                matches.append(RosterMatch(location: row.location, matchedTo: firstRow[adultID], recordID: adultID.uuid, rule: rule))
            }
        }
        var person: Person
        let previous = adultID.flatMap { people[$0] }
        if let current = previous {
            guard current.kind == .parentCarer else {
                return reject(.contact, at: row.location, "match.notAContact", "the source's id names someone who is not a contact")
            }
            person = current
        } else {
            person = Person(tenancy: .school(school.id), kind: .parentCarer, givenName: given, familyName: family)
            created.insert(person.id)
        }
        person.givenName = given
        person.familyName = family
        if let email { person.email = email }
        if let value = RosterNormal.optional(row.phone) { person.phone = value }
        if let source = row.source, !person.sources.contains(source) { person.sources = (person.sources + [source]).sorted() }
        do { try person.validate(asOf: today) } catch {
            created.remove(person.id)
            return reject(.contact, at: row.location, "contact.invalid", error.reason)
        }
        if firstRow[person.id] == nil { firstRow[person.id] = row.location }
        remember(person, was: previous, at: row.location)
        let key = Self.linkKey(learnerID, person.id)
        // The link is looked up once, and stored again only when the row changes it.
        let held = links[key]
        let priority = row.priority.map { max(1, $0) } ?? held?.priority ?? nextPriority(of: learnerID)
        var link =
            held
            ?? ContactLink(
                schoolID: school.id, learnerID: learnerID, adultID: person.id, relationship: row.relationship,
                parentalResponsibility: row.parentalResponsibility, priority: priority)
        if !Self.isVaguer(row.relationship, than: link.relationship) { link.relationship = row.relationship }
        link.parentalResponsibility = row.parentalResponsibility
        link.priority = priority
        if link != held { links[key] = link }
        if linkRow[key] == nil { linkRow[key] = row.location }
    }

    /// The place after a learner's last contact, for a row whose source gives no order.
    private func nextPriority(of learnerID: PersonID) -> Int {
        (links.values.lazy.filter { $0.learnerID == learnerID }.map(\.priority).max() ?? 0) + 1
    }

    /// Whether a row's relationship says less than the one held: a source that knows only
    /// "parent" (OneRoster) never turns a stored mother or father into a parent.
    static func isVaguer(_ relationship: Relationship, than held: Relationship) -> Bool {
        switch relationship {
        case .parent: [.mother, .father, .stepParent].contains(held)
        case .carer: held == .fosterCarer
        case .otherRelative: held == .grandparent
        case .other: held != .other
        default: false
        }
    }

    private mutating func roleHolder(_ holder: RosterRoleHolder) {
        guard let email = RosterNormal.email(holder.email) else {
            return reject(.role, at: holder.location, "email.required", "a role holder is matched by email address")
        }
        var person: Person
        if let found = byEmail[email], let current = people[found] {
            guard holder.role.canBeHeld(by: current.kind) else {
                return reject(
                    .role, at: holder.location, "role.notForKind",
                    "the person with this email address cannot hold the role of \(holder.role.title)")
            }
            person = current
            if firstRow[person.id] == nil { firstRow[person.id] = holder.location }
        } else {
            let kind: PersonKind = [.governor, .chairOfGovernors].contains(holder.role) ? .governor : .staff
            guard holder.role.canBeHeld(by: kind) else {
                return reject(
                    .role, at: holder.location, "role.notForKind", "a role holder cannot hold the role of \(holder.role.title)")
            }
            person = Person(
                tenancy: .school(school.id), kind: kind, givenName: RosterNormal.text(holder.givenName),
                familyName: RosterNormal.text(holder.familyName), email: email, jobTitle: holder.jobTitle)
            do { try person.validate(asOf: today) } catch { return reject(.role, at: holder.location, "roleHolder.invalid", error.reason) }
            created.insert(person.id)
            people[person.id] = person
            touched.insert(person.id)
            firstRow[person.id] = holder.location
            index(person)
        }
        ensureGrant(of: holder.role, for: person.id, groups: holder.groups.sorted(), at: holder.location)
    }

    private mutating func ensureGrant(of role: Role, for personID: PersonID, groups: [String], at location: FileLocation) {
        if var existing = grants.values.first(where: { $0.personID == personID && $0.role == role && $0.isActive(on: today) }) {
            if existing.groups.sorted() != groups, role == .staff || !groups.isEmpty {
                existing.groups = groups
                grants[existing.id] = existing
            }
            return
        }
        if newGrants.contains(where: { $0.personID == personID && $0.role == role }) { return }
        newGrants.append(RoleGrant(personID: personID, role: role, scope: .school(school.id), starts: today, groups: groups))
        entries.append(
            RosterPlanEntry(.create, .role, school: urn, at: location, code: "role.\(role.rawValue)", "grants the role of \(role.title)"))
    }

    /// How many rows of a section's file (or of the files of its set) were left out without
    /// naming who they were.
    private func unidentified(in section: RosterSection) -> Int {
        unidentifiedRows.reduce(0) { total, item in
            item.key == section.file || item.key.hasPrefix(section.file + "/") ? total + item.value : total
        }
    }

    /// The full exports that may make leavers: those whose every left-out row named who it was.
    /// A full export with a row nobody can be sure of is not trusted to say who has left: it
    /// makes no leavers, and the plan says so once for its file.
    private mutating func leaverSections() -> [RosterSection] {
        var warned: Set<String> = []
        return work.sections.filter { section in
            guard section.coverage == .full, !section.kinds.isDisjoint(with: [.learners, .staff]) else { return false }
            let count = unidentified(in: section)
            guard count > 0 else { return true }
            if warned.insert(section.file).inserted {
                warnings.append(
                    .warning(
                        "leavers.withheld", at: FileLocation(file: section.file, line: 0),
                        "\(count) row\(count == 1 ? " was" : "s were") left out without an id or UPN, so this full export makes "
                            + "no leavers at URN \(urn) this run; correct \(count == 1 ? "it" : "them") and import again"))
            }
            return false
        }
    }

    private mutating func planLeavers() {
        // A left-out row that names a stored learner or member of staff keeps them on the roll.
        for source in leftOutRows {
            if let id = bySource[source], let kind = stored[id]?.kind, kind == .learner || kind == .staff { stillListed.insert(id) }
        }
        for upn in leftOutUPNs { if let id = byUPN[upn.value], stored[id]?.kind == .learner { stillListed.insert(id) } }
        let trusted = leaverSections()
        let learnerSections = trusted.filter { $0.kinds.contains(.learners) }
        if let latest = learnerSections.max(by: { $0.exportedOn < $1.exportedOn }) {
            let exportedOn = latest.exportedOn
            // Tested before they are put in order: most of the roll is still listed.
            let (listed, still) = (listedLearners, stillListed)
            let notListed = stored.values.filter {
                $0.kind == .learner && $0.leftOn == nil && !listed.contains($0.id) && !still.contains($0.id)
            }
            for person in Self.inIdentifierOrder(notListed) {
                if Self.decidedByHand(person, since: exportedOn) {
                    keptByHand[latest.file, default: []].insert(person.id)
                } else {
                    leavers.append((people[person.id] ?? person, exportedOn))
                }
            }
        }
        let learnerLeavers = leavers.count
        var leaving = Set(leavers.map(\.0.id))
        for section in trusted where section.kinds.contains(.staff) {
            let (listed, still) = (listedStaff[section.system] ?? [], stillListed)
            let gone = stored.values.filter {
                $0.kind == .staff && $0.leftOn == nil && !listed.contains($0.id) && !still.contains($0.id)
                    && $0.sources.contains { $0.system == section.system }
            }
            for person in Self.inIdentifierOrder(gone) where !leaving.contains(person.id) {
                if Self.decidedByHand(person, since: section.exportedOn) {
                    keptByHand[section.file, default: []].insert(person.id)
                    continue
                }
                leavers.append((people[person.id] ?? person, section.exportedOn))
                leaving.insert(person.id)
            }
        }
        for (file, kept) in keptByHand.sorted(by: { $0.key < $1.key }) {
            warnings.append(
                .warning(
                    "leaving.decidedByHand", at: FileLocation(file: file, line: 0),
                    "what was decided by hand about \(kept.count) \(kept.count == 1 ? "person's" : "people's") leaving at URN \(urn), "
                        + "on or after the day this export was taken, stands: the export does not undo it; a later export decides again"))
        }
        for (person, _) in leavers {
            entries.append(
                RosterPlanEntry(
                    .leaver, person.kind == .learner ? .learner : .staff, school: urn, record: person.id.uuid, at: nil,
                    code: "leaver.notListed", "no longer listed by a full export: leaves from the export's day"))
        }
        refuseTooManyLeavers(learners: learnerLeavers, staff: leavers.count - learnerLeavers)
    }

    /// The safety stops (``RosterOptions``): refuses the run when more than the share of the
    /// school's roll would leave, or more than the share of its staff on roll and more than the
    /// staff allowance. The reason gives counts and the URN only, never who.
    private mutating func refuseTooManyLeavers(learners: Int, staff: Int) {
        let options = sync.options
        guard !options.allowManyLeavers else { return }
        let share = Int((options.maximumLeaverShare * 100).rounded())
        var reasons: [String] = []
        if rollBefore > 0, Double(learners) / Double(rollBefore) > options.maximumLeaverShare {
            reasons.append("\(learners) of \(rollBefore) learners at URN \(urn) would leave, more than \(share)% of the roll")
        }
        if staff > options.staffLeaverAllowance {
            // Counted only when enough staff would leave to matter: most runs make none.
            let today = self.today
            let staffBefore = stored.values.count { $0.kind == .staff && !$0.hasLeft(by: today) }
            if staffBefore > 0, Double(staff) / Double(staffBefore) > options.maximumLeaverShare {
                reasons.append("\(staff) of \(staffBefore) staff at URN \(urn) would leave, more than \(share)% of the school's staff")
            }
        }
        guard !reasons.isEmpty else { return }
        leaverRefusal = RosterRefusal(
            code: "leavers.tooMany",
            reason: (reasons + ["check the export is complete, or allow many leavers to apply it"]).joined(separator: "; "))
    }

    private mutating func describeChanges() {
        // Read through local copies, so no closure copies the whole sync.
        let (ranks, firstRow, created, stored, linkRow) = (fileRanks, self.firstRow, self.created, self.stored, self.linkRow)
        let ordered = touched.compactMap { people[$0] }.filter { created.contains($0.id) || stored[$0.id] != $0 }
            .map { (Self.rank(firstRow[$0.id], ranks), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        var described = Set(ordered.map(\.id))
        for person in ordered {
            let subject = Self.subject(of: person)
            if created.contains(person.id) {
                entries.append(
                    RosterPlanEntry(
                        .create, subject, school: urn, record: person.id.uuid, at: firstRow[person.id], code: "new",
                        "not found at the school by \(Self.keys(of: subject))"))
            } else if let before = stored[person.id] {
                if before.leftOn != nil, person.leftOn == nil {
                    entries.append(
                        RosterPlanEntry(
                            .restore, subject, school: urn, record: person.id.uuid, at: firstRow[person.id], code: "restore.listedAgain",
                            "had left and is listed again"))
                }
                let fields = Self.changes(from: before, to: person).filter { $0 != "leftOn" }
                if !fields.isEmpty {
                    entries.append(
                        RosterPlanEntry(
                            .update, subject, school: urn, record: person.id.uuid, at: changedBy[person.id] ?? firstRow[person.id],
                            code: "changed",
                            fieldRows(of: person.id, fields: fields).map { "the sources say something else: \($0)" }
                                ?? "the source says something else", fields: fields))
                }
            }
        }
        for (id, location) in firstRow where !described.contains(id) {
            guard let person = people[id] else { continue }
            described.insert(id)
            entries.append(
                RosterPlanEntry(
                    .unchanged, Self.subject(of: person), school: urn, record: id.uuid, at: location, code: "unchanged",
                    "the stored record already says this"))
        }
        for (_, key, link) in links.map({ (Self.rank(linkRow[$0.key], ranks), $0.key, $0.value) }).sorted(by: { $0.0 < $1.0 }) {
            guard let location = linkRow[key] else { continue }
            if let before = storedLinkByKey[key] {
                var fields: [String] = []
                if before.relationship != link.relationship { fields.append("relationship") }
                if before.parentalResponsibility != link.parentalResponsibility { fields.append("parentalResponsibility") }
                if before.priority != link.priority { fields.append("priority") }
                entries.append(
                    fields.isEmpty
                        ? RosterPlanEntry(
                            .unchanged, .contactLink, school: urn, record: link.id.uuid, at: location, code: "unchanged",
                            "the stored link already says this")
                        : RosterPlanEntry(
                            .update, .contactLink, school: urn, record: link.id.uuid, at: location, code: "changed",
                            "the source says something else", fields: fields))
            } else {
                entries.append(
                    RosterPlanEntry(
                        .create, .contactLink, school: urn, record: link.id.uuid, at: location, code: "new",
                        "links the contact to the learner"))
            }
        }
        for grant in grants.values where storedGrantByID[grant.id] != grant {
            entries.append(
                RosterPlanEntry(
                    .update, .role, school: urn, record: grant.id.uuid, at: nil, code: "role.groups", "the groups taught change",
                    fields: ["groups"]))
        }
    }

    /// People in the order of their identifiers.
    private static func inIdentifierOrder(_ people: some Collection<Person>) -> [Person] {
        people.sorted { $0.id < $1.id }
    }

    /// A row's place as one number, files in the batch's order, for sorting.
    private static func rank(_ location: FileLocation?, _ fileRanks: [String: Int]) -> Int {
        guard let location else { return Int.max }
        return (fileRanks[location.file] ?? fileRanks.count) * 100_000_000 + location.line
    }

    private static func subject(of person: Person) -> RosterSubject {
        switch person.kind {
        case .learner: .learner
        case .parentCarer: .contact
        default: .staff
        }
    }

    private static func keys(of subject: RosterSubject) -> String {
        switch subject {
        case .learner: "UPN or source id"
        case .contact: "source id, or name with email, phone or the same learner"
        default: "email address"
        }
    }

    private static func changes(from before: Person, to after: Person) -> [String] {
        var fields: [String] = []
        if before.givenName != after.givenName { fields.append("givenName") }
        if before.familyName != after.familyName { fields.append("familyName") }
        if before.learner?.preferredGivenName != after.learner?.preferredGivenName { fields.append("preferredGivenName") }
        if before.learner?.preferredFamilyName != after.learner?.preferredFamilyName { fields.append("preferredFamilyName") }
        if before.email != after.email { fields.append("email") }
        if before.phone != after.phone { fields.append("phone") }
        if before.jobTitle != after.jobTitle { fields.append("jobTitle") }
        if before.sources != after.sources { fields.append("sources") }
        if before.leftOn != after.leftOn { fields.append("leftOn") }
        let (a, b) = (before.learner, after.learner)
        if a?.upn != b?.upn { fields.append("upn") }
        if a?.dateOfBirth != b?.dateOfBirth { fields.append("dateOfBirth") }
        if a?.ncYear != b?.ncYear { fields.append("ncYear") }
        if a?.registrationGroup != b?.registrationGroup { fields.append("registrationGroup") }
        if a?.lookedAfter != b?.lookedAfter { fields.append("lookedAfter") }
        if a?.send != b?.send { fields.append("send") }
        if a?.groups != b?.groups { fields.append("groups") }
        if a?.keyPerson != b?.keyPerson { fields.append("keyPerson") }
        return fields
    }

    // MARK: Results

    var summary: RosterSchoolSummary {
        let leaving = Set(leavers.map(\.0.id))
        let after = people.values.count { $0.kind == .learner && !$0.hasLeft(by: today) && !leaving.contains($0.id) }
        return RosterSchoolSummary(
            urn: urn, name: school.name, created: work.created, rollBefore: rollBefore, rollAfter: after,
            counts: RosterCounts(entries))
    }

    func collect(into writes: inout RosterSync.Writes) {
        if work.created { writes.schools.append(school) }
        // Only the people written are put in order: on a re-import, none.
        let (created, stored) = (self.created, self.stored)
        let written = touched.compactMap { people[$0] }.filter { person in
            created.contains(person.id) || stored[person.id].map { $0 != person } == true
        }
        // What the run creates is audited a source file at a time, not a record at a time.
        var creations = RosterCreations()
        for person in written.map({ ($0.sortKey, $0) }).sorted(by: { $0.0 < $1.0 }).map(\.1) {
            if created.contains(person.id) {
                writes.newPeople.append(person)
                creations.add(.personInsert, Person.recordKind, person.id.uuid, from: firstRow[person.id]?.file)
            } else if let before = stored[person.id], before != person {
                writes.changedPeople.append(person)
                let action: AuditAction = before.leftOn != nil && person.leftOn == nil ? .personRestore : .personUpdate
                // Credited to the row that last changed the record, and, when other rows changed
                // some of its fields, each field to its own row.
                let rows = fieldRows(of: person.id, fields: Self.changes(from: before, to: person)).map { " (\($0))" } ?? ""
                writes.drafts.append(
                    sync.draft(
                        action, Person.recordKind, person.id.uuid, school: school.id,
                        reason: sync.because(changedBy[person.id] ?? firstRow[person.id]) + rows))
            }
        }
        for (key, link) in links where linkRow[key] != nil {
            if let before = storedLinkByKey[key] {
                guard before != link else { continue }
                writes.changedLinks.append(link)
                writes.drafts.append(
                    sync.draft(.contactUpdate, ContactLink.recordKind, link.id.uuid, school: school.id, reason: sync.because(linkRow[key])))
            } else {
                writes.newLinks.append(link)
                creations.add(.contactInsert, ContactLink.recordKind, link.id.uuid, from: linkRow[key]?.file)
            }
        }
        for grant in newGrants {
            writes.newGrants.append(grant)
            creations.add(.roleGrantInsert, RoleGrant.recordKind, grant.id.uuid, from: nil)
        }
        writes.drafts += creations.drafts { action, kind, file, listed in
            var draft = sync.draft(action, kind, nil, school: school.id, reason: sync.because(file: file))
            draft.listed = listed
            return draft
        }
        for grant in grants.values where storedGrantByID[grant.id] != grant {
            writes.changedGrants.append(grant)
            writes.drafts.append(
                sync.draft(.roleGrantUpdate, RoleGrant.recordKind, grant.id.uuid, school: school.id, reason: sync.because(nil)))
        }
        writes.leavers += leavers
    }
}

/// The records a run creates at one school, gathered by action, kind and source file, so that
/// the audit records them in a few events that name them (``AuditDraft/listed``) rather than in
/// one event each: a trust's first import creates hundreds of thousands of records.
struct RosterCreations {
    private struct Group: Hashable {
        let action: AuditAction
        let kind: String
        let file: String?
    }

    private var order: [Group] = []
    private var ids: [Group: [UUID]] = [:]

    /// Adds a created record, from a source file or from none (a role from the configuration).
    mutating func add(_ action: AuditAction, _ kind: String, _ id: UUID, from file: String?) {
        let group = Group(action: action, kind: kind, file: file)
        if ids[group] == nil { order.append(group) }
        ids[group, default: []].append(id)
    }

    /// One draft per group and `perEvent` records, made by `make`, in the order the groups were
    /// first added and each group's records in the order they were added.
    func drafts(
        perEvent: Int = AuditDraft.listedPerEvent, _ make: (AuditAction, String, String?, [UUID]) -> AuditDraft
    ) -> [AuditDraft] {
        order.flatMap { group -> [AuditDraft] in
            let listed = ids[group] ?? []
            return stride(from: 0, to: listed.count, by: max(1, perEvent)).map { start in
                make(group.action, group.kind, group.file, Array(listed[start..<min(listed.count, start + max(1, perEvent))]))
            }
        }
    }
}
