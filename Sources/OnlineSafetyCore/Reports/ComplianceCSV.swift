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
        func figures(_ urn: String, _ name: String, _ figures: ComplianceFigures) {
            for aup in figures.aup {
                let item = aup.audience.rawValue
                row(urn, name, "aup", item, "people", "\(aup.people)")
                row(urn, name, "aup", item, "accepted", "\(aup.accepted)")
                row(urn, name, "aup", item, "due", "\(aup.due)")
                row(urn, name, "aup", item, "version", aup.currentVersion.map { "\($0)" } ?? "")
            }
            row(urn, name, "access", "grants", "active", "\(figures.access.activeGrants)")
            row(urn, name, "access", "grants", "without_current_aup", "\(figures.access.withoutCurrentAUP)")
            for consent in figures.consent {
                let item = consent.purposeCode
                row(urn, name, "consent", item, "learners", "\(consent.learners)")
                row(urn, name, "consent", item, "granted", "\(consent.granted)")
                row(urn, name, "consent", item, "refused", "\(consent.refused)")
                row(urn, name, "consent", item, "withdrawn", "\(consent.withdrawn)")
                row(urn, name, "consent", item, "no_record", "\(consent.noRecord)")
            }
            training(urn, name, figures.training)
        }
        func training(_ urn: String, _ name: String, _ rows: [TrainingCoverage]) {
            for training in rows {
                let item = "\(training.role.rawValue)/\(training.requirementCode)"
                row(urn, name, "training", item, "people", "\(training.people)")
                row(urn, name, "training", item, "compliant", "\(training.compliant)")
                row(urn, name, "training", item, "due_soon", "\(training.dueSoon)")
                row(urn, name, "training", item, "overdue", "\(training.overdue)")
                row(urn, name, "training", item, "never_done", "\(training.neverDone)")
            }
        }
        for school in schools {
            figures(school.urn, school.name, school.figures)
            for exception in school.accessExceptions {
                let item = exception.grant.id.uuidString
                row(school.urn, school.name, "access_exception", item, "system", exception.grant.system.rawValue)
                row(school.urn, school.name, "access_exception", item, "person", exception.grant.personID.uuidString)
                row(school.urn, school.name, "access_exception", item, "audience", exception.audience.rawValue)
                row(school.urn, school.name, "access_exception", item, "required_version", exception.requiredVersion.map { "\($0)" } ?? "")
            }
        }
        training("", "Trust-wide roles", trustWideTraining)
        figures("", "Total", totals)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
