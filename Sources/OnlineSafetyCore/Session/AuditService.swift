public import Foundation

/// Reading and verifying the audit trail. Requires `readAudit`; reading it is itself audited.
///
/// A reader sees the chain of their school's ordinary events, and the DSL and deputies also the
/// chain of its restricted events. Each chain numbers its events without gaps, so what a reader
/// may see betrays nothing of the events they may not.
public struct AuditService: Sendable {
    let session: SafetySession

    /// The chains the principal may read at the session's school.
    var readableChains: Set<AuditChainID> {
        let school = session.principal.school.id
        var chains: Set<AuditChainID> = [.school(school, restricted: false)]
        if session.principal.can(.readRestrictedIncidents) { chains.insert(.school(school, restricted: true)) }
        return chains
    }

    /// Events at the session's school that the principal may read, in time order (the query's
    /// chains and school are always the session's). Throws `forbidden` without `readAudit`.
    public func events(_ query: AuditQuery = AuditQuery()) async throws -> [AuditEvent] {
        var scoped = query
        scoped.chains = query.chains.map { $0.intersection(readableChains) } ?? readableChains
        scoped.schoolID = session.principal.school.id
        let query = scoped
        let decision = AccessPolicy.require(.readAudit, session.principal, to: "read the audit trail")
        return try await session.gate(.auditRead, "audit", subject: nil, authority: decision) { context in
            try await context.tx.audit.events(query)
        }
    }

    /// Who read or changed one record, in order. Throws `forbidden` without `readAudit`.
    public func trail(of subjectID: UUID) async throws -> [AuditEvent] {
        try await events(AuditQuery(subjectID: subjectID))
    }

    /// Verifies the chains the principal may read and returns the first broken link, if any.
    /// Throws `forbidden` without `readAudit`.
    public func verify() async throws -> AuditVerification {
        let decision = AccessPolicy.require(.readAudit, session.principal, to: "verify the audit trail")
        let chains = Array(readableChains)
        return try await session.gate(.auditVerify, "audit", subject: nil, authority: decision) { context in
            try await AuditChain.verify(context.tx.audit, chains: chains)
        }
    }
}
