public import Foundation

/// Reading and verifying the audit trail. Requires `readAudit`; reading it is itself audited.
public struct AuditService: Sendable {
    let session: SafetySession

    /// Events at the session's school, in order (the query's school is always the session's).
    public func events(_ query: AuditQuery = AuditQuery()) async throws -> [AuditEvent] {
        var scoped = query
        scoped.schoolID = session.principal.school.id
        scoped.includeRestricted = session.principal.can(.readRestrictedIncidents)
        let query = scoped
        let decision = AccessPolicy.require(.readAudit, session.principal, to: "read the audit trail")
        return try await session.perform("audit.read", "audit", subject: nil, decision: decision) { tx in
            try await tx.audit.events(query)
        }
    }

    /// Who read or changed one record, in order.
    public func trail(of subjectID: UUID) async throws -> [AuditEvent] {
        try await events(AuditQuery(subjectID: subjectID))
    }

    /// Verifies the whole hash chain and returns the first broken link, if any.
    public func verify() async throws -> AuditVerification {
        let decision = AccessPolicy.require(.readAudit, session.principal, to: "verify the audit trail")
        return try await session.perform("audit.verify", "audit", subject: nil, decision: decision) { tx in
            try await AuditChain.verify(tx.audit)
        }
    }
}
