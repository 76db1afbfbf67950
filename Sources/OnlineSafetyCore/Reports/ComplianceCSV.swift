import Foundation

extension ComplianceReport {
    /// The report as CSV, one figure per row: `school_urn,school_name,section,item,measure,value`.
    ///
    /// Sections are `aup` (item: audience; measures people, accepted, due, version), `access`
    /// (item `grants`; measures active, without_current_aup), `consent` (item: purpose code;
    /// measures learners, granted, refused, withdrawn, no_record) and `training` (item:
    /// `role/requirement`; measures people, compliant, due_soon, overdue, never_done). A detailed
    /// report adds `access_exception` rows (item: grant identifier; measures system, person,
    /// audience, required_version). Each school comes first, then trust-wide roles' training, then
    /// the totals (URN empty, name `Total`).
    ///
    /// ```swift
    /// try report.csv().write(toFile: "compliance.csv", atomically: true, encoding: .utf8)
    /// ```
    public func csv() -> String {
        var lines = ["school_urn,school_name,section,item,measure,value"]
        func row(_ urn: String, _ name: String, _ section: String, _ item: String, _ measure: String, _ value: String) {
            lines.append([urn, name, section, item, measure, value].map(Self.csvField).joined(separator: ","))
        }
        func figures(_ urn: String, _ name: String, _ figures: ComplianceFigures, scope: String) {
            func n(_ value: Int, _ section: String, _ item: String, _ measure: String) -> String {
                shown(value, scope, section, item, measure)
            }
            for aup in figures.aup {
                let item = aup.audience.rawValue
                row(urn, name, "aup", item, "people", n(aup.people, "aup", item, "people"))
                row(urn, name, "aup", item, "accepted", n(aup.accepted, "aup", item, "accepted"))
                row(urn, name, "aup", item, "due", n(aup.due, "aup", item, "due"))
                row(urn, name, "aup", item, "version", aup.currentVersion.map { "\($0)" } ?? "")
            }
            row(urn, name, "access", "grants", "active", n(figures.access.activeGrants, "access", "grants", "active"))
            row(
                urn, name, "access", "grants", "without_current_aup",
                n(figures.access.withoutCurrentAUP, "access", "grants", "without_current_aup"))
            for consent in figures.consent {
                let item = consent.purposeCode
                row(urn, name, "consent", item, "learners", n(consent.learners, "consent", item, "learners"))
                row(urn, name, "consent", item, "granted", n(consent.granted, "consent", item, "granted"))
                row(urn, name, "consent", item, "refused", n(consent.refused, "consent", item, "refused"))
                row(urn, name, "consent", item, "withdrawn", n(consent.withdrawn, "consent", item, "withdrawn"))
                row(urn, name, "consent", item, "no_record", n(consent.noRecord, "consent", item, "no_record"))
            }
            training(urn, name, figures.training, scope: scope)
        }
        func training(_ urn: String, _ name: String, _ rows: [TrainingCoverage], scope: String) {
            for training in rows {
                let item = "\(training.role.rawValue)/\(training.requirementCode)"
                row(urn, name, "training", item, "people", shown(training.people, scope, "training", item, "people"))
                row(urn, name, "training", item, "compliant", shown(training.compliant, scope, "training", item, "compliant"))
                row(urn, name, "training", item, "due_soon", shown(training.dueSoon, scope, "training", item, "due_soon"))
                row(urn, name, "training", item, "overdue", shown(training.overdue, scope, "training", item, "overdue"))
                row(urn, name, "training", item, "never_done", shown(training.neverDone, scope, "training", item, "never_done"))
            }
        }
        for school in schools {
            figures(school.urn, school.name, school.figures, scope: school.urn)
            for exception in school.accessExceptions {
                let item = exception.grant.id.uuidString
                row(school.urn, school.name, "access_exception", item, "system", exception.grant.system.rawValue)
                row(school.urn, school.name, "access_exception", item, "person", exception.grant.personID.uuidString)
                row(school.urn, school.name, "access_exception", item, "audience", exception.audience.rawValue)
                row(school.urn, school.name, "access_exception", item, "required_version", exception.requiredVersion.map { "\($0)" } ?? "")
            }
        }
        training("", "Trust-wide roles", trustWideTraining, scope: "trust-wide")
        figures("", "Total", totals, scope: "total")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
