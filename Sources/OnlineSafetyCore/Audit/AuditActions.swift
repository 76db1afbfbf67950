/// The audit actions of the SDK: every audited operation records one of these.
extension AuditAction {
    /// Adding a person.
    public static let personInsert = AuditAction("person.insert")
    /// Changing a person's record.
    public static let personUpdate = AuditAction("person.update")
    /// Reading a person's record.
    public static let personRead = AuditAction("person.read")
    /// Listing people (one event per person returned).
    public static let personList = AuditAction("person.list")
    /// Recording a leaver.
    public static let personLeave = AuditAction("person.leave")
    /// Looking someone up by UPN or email (the subject is who was found).
    public static let personIdentify = AuditAction("person.identify")
    /// Reading a child's chronology across incidents.
    public static let personChronology = AuditAction("person.chronology")
    /// Linking a learner to a contact.
    public static let contactInsert = AuditAction("contact.insert")
    /// Reading a learner's contacts.
    public static let contactList = AuditAction("contact.list")
    /// Granting a role.
    public static let roleGrantInsert = AuditAction("roleGrant.insert")
    /// Ending a role.
    public static let roleGrantEnd = AuditAction("roleGrant.end")
    /// Listing role holders (one event per person returned).
    public static let roleGrantList = AuditAction("roleGrant.list")
    /// Reading the audit trail.
    public static let auditRead = AuditAction("audit.read")
    /// Verifying the audit chains.
    public static let auditVerify = AuditAction("audit.verify")
    /// Reading the school's record.
    public static let schoolRead = AuditAction("school.read")
    /// Listing the trust's schools.
    public static let schoolList = AuditAction("school.list")
    /// Adding a school.
    public static let schoolInsert = AuditAction("school.insert")
    /// Changing a school or its policy settings.
    public static let schoolUpdate = AuditAction("school.update")
    /// Reading the trust's record.
    public static let trustRead = AuditAction("trust.read")
    /// Changing the trust.
    public static let trustUpdate = AuditAction("trust.update")
    /// Reading the incident categories.
    public static let categoryList = AuditAction("category.list")
    /// Adding an incident category.
    public static let categoryInsert = AuditAction("category.insert")
    /// Recording a concern.
    public static let incidentInsert = AuditAction("incident.insert")
    /// Reading an incident.
    public static let incidentRead = AuditAction("incident.read")
    /// Listing incidents (one event per incident returned).
    public static let incidentList = AuditAction("incident.list")
    /// Counting incidents.
    public static let incidentCount = AuditAction("incident.count")
    /// Reading incident figures by category.
    public static let incidentFigures = AuditAction("incident.figures")
    /// Reading an incident's chronology.
    public static let chronologyRead = AuditAction("chronology.read")
    /// Reading an incident's steps.
    public static let procedureRead = AuditAction("procedure.read")
    /// Reading outstanding or overdue steps (one event per incident returned).
    public static let procedureReport = AuditAction("procedure.report")
    /// Recording a seized device.
    public static let deviceSeize = AuditAction("device.seize")
    /// Moving a device in the custody register.
    public static let deviceMove = AuditAction("device.move")
    /// Reading the custody register (one event per device returned).
    public static let deviceList = AuditAction("device.list")
    /// Publishing an acceptable use policy.
    public static let aupDocumentInsert = AuditAction("aupDocument.insert")
    /// Reading the acceptable use policies.
    public static let aupDocumentList = AuditAction("aupDocument.list")
    /// Recording an acceptance.
    public static let aupAcceptanceInsert = AuditAction("aupAcceptance.insert")
    /// Reading a person's acceptances.
    public static let aupAcceptanceList = AuditAction("aupAcceptance.list")
    /// Listing who must accept a policy (one event per person returned).
    public static let aupAcceptanceDue = AuditAction("aupAcceptance.due")
    /// Granting access to a system.
    public static let accessGrantInsert = AuditAction("accessGrant.insert")
    /// Revoking access.
    public static let accessGrantRevoke = AuditAction("accessGrant.revoke")
    /// Reading the access register.
    public static let accessGrantList = AuditAction("accessGrant.list")
    /// Listing grants without a current agreement.
    public static let accessGrantExceptions = AuditAction("accessGrant.exceptions")
    /// Reading the consent purposes.
    public static let consentPurposeList = AuditAction("consentPurpose.list")
    /// Adding a consent purpose.
    public static let consentPurposeInsert = AuditAction("consentPurpose.insert")
    /// Recording a consent decision.
    public static let consentDecisionInsert = AuditAction("consentDecision.insert")
    /// Reading a learner's consent history.
    public static let consentDecisionList = AuditAction("consentDecision.list")
    /// Asking whether consent is in force (one event per learner asked about).
    public static let consentCheck = AuditAction("consent.check")
    /// Recording training.
    public static let trainingRecordInsert = AuditAction("trainingRecord.insert")
    /// Reading a person's training records.
    public static let trainingRecordList = AuditAction("trainingRecord.list")
    /// Reading training status.
    public static let trainingStatus = AuditAction("training.status")
    /// Reading the compliance report (one event per school read).
    public static let complianceReport = AuditAction("compliance.report")
    /// Creating a new organisation.
    public static let bootstrap = AuditAction("organisation.bootstrap")
    /// Removing a record's body for good (retention); the subject is the record purged.
    public static let recordPurge = AuditAction("record.purge")
    /// Repairing a flat-file store by setting aside its journal from a damaged record on.
    public static let storeRepair = AuditAction("store.repair")
    /// Opening a session.
    public static let sessionOpen = AuditAction("session.open")
    /// A learner or member of staff who had left, listed again by an import, or restored by a
    /// correction that says they did not leave (``PeopleService/correctLeaving(_:to:reason:)``, its
    /// reason in the event).
    public static let personRestore = AuditAction("person.restore")
    /// Moving a leaving day recorded by mistake to the right day
    /// (``PeopleService/correctLeaving(_:to:reason:)``); the event's reason is the correction's.
    public static let personLeaveCorrect = AuditAction("person.leaveCorrect")
    /// Changing a contact link (relationship, parental responsibility, priority).
    public static let contactUpdate = AuditAction("contact.update")
    /// Changing a role grant's groups.
    public static let roleGrantUpdate = AuditAction("roleGrant.update")
    /// Planning an import (a dry run); the subject is the run.
    public static let importPlan = AuditAction("import.plan")
    /// Applying an import; the subject is the run, and each record it writes has its own event.
    public static let importApply = AuditAction("import.apply")
    /// Listing import runs.
    public static let importRunList = AuditAction("import.list")
    /// Listing a school's adopted policy versions.
    public static let policyList = AuditAction("policy.list")
    /// Reading the policy in force at a school.
    public static let policyRead = AuditAction("policy.read")
    /// Adopting a version of a school's policy.
    public static let policyAdopt = AuditAction("policy.adopt")
    /// Applying the policy in force to an open incident.
    public static let policyApply = AuditAction("policy.apply")

    /// Naming the senior leader or governor responsible for filtering and monitoring.
    public static let filteringAssign = AuditAction("filtering.assign")
    /// Reading the filtering and monitoring register's state.
    public static let filteringState = AuditAction("filtering.state")
    /// Requesting that a site or category be blocked or allowed.
    public static let filteringChangeRequest = AuditAction("filteringChange.request")
    /// Approving or refusing a filtering change.
    public static let filteringChangeDecide = AuditAction("filteringChange.decide")
    /// Recording that an approved filtering change was applied.
    public static let filteringChangeApply = AuditAction("filteringChange.apply")
    /// Listing filtering changes.
    public static let filteringChangeList = AuditAction("filteringChange.list")
    /// Recording a filtering or monitoring check.
    public static let filteringCheckRecord = AuditAction("filteringCheck.record")
    /// Recording the action taken on a failed check.
    public static let filteringCheckResolve = AuditAction("filteringCheck.resolve")
    /// Listing filtering checks.
    public static let filteringCheckList = AuditAction("filteringCheck.list")
    /// Recording the annual filtering and monitoring review.
    public static let filteringReviewRecord = AuditAction("filteringReview.record")
    /// Listing filtering reviews.
    public static let filteringReviewList = AuditAction("filteringReview.list")
    /// Recording a monitoring alert (one that needs action also records an incident).
    public static let monitoringAlertRecord = AuditAction("monitoringAlert.record")
    /// Listing monitoring alerts.
    public static let monitoringAlertList = AuditAction("monitoringAlert.list")
    /// Recording a governance meeting or review.
    public static let governanceRecord = AuditAction("governance.record")
    /// Listing governance meetings and reviews.
    public static let governanceList = AuditAction("governance.list")
    /// Reading the governance calendar.
    public static let governanceCalendar = AuditAction("governance.calendar")

    /// Reading the DSL's dashboard (one event per incident, person or check it names).
    public static let dashboardRead = AuditAction("dashboard.read")
    /// Reading the governors' report (one event per school reported on).
    public static let governorsReport = AuditAction("report.governors")

    /// Appending an entry of a kind to an incident's chronology, for example `chronology.referral`.
    public static func chronology(_ content: ChronologyContent) -> AuditAction { AuditAction("chronology.\(content.kind)") }

    /// Every fixed action (chronology entries add one per kind of entry).
    public static let all: [AuditAction] = [
        .personInsert, .personUpdate, .personRead, .personList, .personLeave, .personIdentify, .personChronology, .contactInsert,
        .contactList, .roleGrantInsert, .roleGrantEnd, .roleGrantList, .auditRead, .auditVerify, .schoolRead, .schoolList, .schoolInsert,
        .schoolUpdate, .trustRead, .trustUpdate, .categoryList, .categoryInsert, .incidentInsert, .incidentRead, .incidentList,
        .incidentCount, .incidentFigures, .chronologyRead, .procedureRead, .procedureReport, .deviceSeize, .deviceMove, .deviceList,
        .aupDocumentInsert, .aupDocumentList, .aupAcceptanceInsert, .aupAcceptanceList, .aupAcceptanceDue, .accessGrantInsert,
        .accessGrantRevoke, .accessGrantList, .accessGrantExceptions, .consentPurposeList, .consentPurposeInsert, .consentDecisionInsert,
        .consentDecisionList, .consentCheck, .trainingRecordInsert, .trainingRecordList, .trainingStatus, .complianceReport, .bootstrap,
        .recordPurge,
        .sessionOpen, .personRestore, .personLeaveCorrect, .contactUpdate, .roleGrantUpdate, .importPlan, .importApply, .importRunList,
        .filteringAssign, .filteringState, .filteringChangeRequest, .filteringChangeDecide, .filteringChangeApply, .filteringChangeList,
        .filteringCheckRecord, .filteringCheckResolve, .filteringCheckList, .filteringReviewRecord, .filteringReviewList,
        .monitoringAlertRecord, .monitoringAlertList, .governanceRecord, .governanceList, .governanceCalendar,
        .policyList, .policyRead, .policyAdopt, .policyApply,
        .dashboardRead, .governorsReport,
    ]
}
