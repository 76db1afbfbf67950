/// Something a session may do. Capabilities follow from roles, never from storage.
public enum Capability: String, Hashable, Sendable, Codable, CaseIterable {
    /// Create and change trusts, schools and their policy settings.
    case manageOrganisation
    /// Add and change people and contacts, and record leavers.
    case managePeople
    /// Grant and end roles.
    case manageRoles
    /// Read the record of anyone at the school.
    case readAnyPersonRecord
    /// Read the records of the learners in the groups one teaches.
    case readTaughtLearners
    /// Record a concern (every adult working at the school).
    case recordConcern
    /// Read every incident at the school, except restricted categories.
    case readAllIncidents
    /// Read restricted incidents (nude images, IIOC, exploitation, allegations against staff).
    case readRestrictedIncidents
    /// Read anonymised figures (governors' reports).
    case readAggregates
    /// Read the audit trail and verify its chain.
    case readAudit
    /// Publish acceptable use policies and record acceptances for others.
    case manageAgreements
    /// Grant and revoke access to devices and systems (the access register).
    case manageAccess
    /// Record consent decisions for learners and extend the catalogue of purposes.
    case manageConsent
    /// Record training and read everyone's training status.
    case manageTraining
    /// Read the compliance report in detail (which grants lack an agreement, who is due).
    case readCompliance
    /// Remove a record's body for good once its retention period is over (the DSL's decision).
    case purgeRecords
    /// Read the filtering and monitoring register: providers, responsibilities, changes, checks, reviews, alerts.
    case readFilteringRegister
    /// Approve or refuse a request to block or allow a site or category (the DSL or a senior leader).
    case decideFilteringChanges
    /// Record that an approved filtering change was applied (technical staff only).
    case applyFilteringChanges
    /// Record filtering and monitoring checks, their follow-up, and monitoring alerts.
    case operateFilteringAndMonitoring
    /// Name the senior leader and governor responsible for filtering, and record the annual review.
    case manageFilteringRegister
    /// Record governance meetings and reviews (policy review, DSL–governor meetings).
    case manageGovernance

    /// The capabilities each role carries.
    public static func granted(to role: Role) -> Set<Capability> {
        switch role {
        case .headteacher:
            [
                .manageOrganisation, .managePeople, .manageRoles, .readAnyPersonRecord, .recordConcern, .readAllIncidents, .readAggregates,
                .readAudit, .manageAgreements, .manageAccess, .manageConsent, .manageTraining, .readCompliance, .readFilteringRegister,
                .decideFilteringChanges, .operateFilteringAndMonitoring, .manageFilteringRegister, .manageGovernance,
            ]
        case .leadership:
            [
                .managePeople, .readAnyPersonRecord, .recordConcern, .readAggregates, .manageAgreements, .manageAccess, .manageConsent,
                .manageTraining, .readCompliance, .readFilteringRegister, .decideFilteringChanges, .operateFilteringAndMonitoring,
                .manageFilteringRegister, .manageGovernance,
            ]
        case .designatedSafeguardingLead:
            [
                .readAnyPersonRecord, .recordConcern, .readAllIncidents, .readRestrictedIncidents, .readAggregates, .readAudit,
                .readCompliance, .purgeRecords, .readFilteringRegister, .decideFilteringChanges, .operateFilteringAndMonitoring,
                .manageFilteringRegister, .manageGovernance,
            ]
        case .deputyDesignatedSafeguardingLead:
            [
                .readAnyPersonRecord, .recordConcern, .readAllIncidents, .readRestrictedIncidents, .readAggregates, .readAudit,
                .readCompliance, .readFilteringRegister, .operateFilteringAndMonitoring,
            ]
        case .staff:
            [.readTaughtLearners, .recordConcern]
        case .technicalStaff:
            [
                .readTaughtLearners, .recordConcern, .manageAccess, .readFilteringRegister, .applyFilteringChanges,
                .operateFilteringAndMonitoring,
            ]
        case .governor, .chairOfGovernors:
            [.readAggregates]
        case .learner, .parentCarer:
            []
        case .dataManager:
            [
                .manageOrganisation, .managePeople, .manageRoles, .readAnyPersonRecord, .readAudit, .manageAgreements, .manageAccess,
                .manageConsent, .manageTraining, .readCompliance,
            ]
        }
    }
}
