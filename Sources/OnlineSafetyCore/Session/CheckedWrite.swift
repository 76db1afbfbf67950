import Foundation
import Logging

/// The outcome of a write whose domain rules are checked inside its transaction.
enum Checked<Value: Sendable>: Sendable {
    /// The write went ahead.
    case done(Value)
    /// A rule refused it, with the error to throw.
    case refused(SafetyError)
}

extension SafetySession {
    /// Like `perform`, for writes a domain rule may refuse after reading the store (an acceptance
    /// without parental responsibility, access without the agreement): the refusal rolls the
    /// transaction back, is audited as denied with its reason in a transaction of its own, and is
    /// thrown.
    func performChecked<R: Sendable>(
        _ action: String, _ kind: String, subject: UUID?, decision: AccessDecision,
        _ body: @Sendable @escaping (any OnlineSafetyStore) async throws -> Checked<R>
    ) async throws -> R {
        if case .denied(let reason) = decision { try await refuse(action, kind, subject, reason: reason) }
        let event = draft(action, kind, subject)
        let refusal: SafetyError
        do {
            return try await store.withTransaction { tx in
                switch try await body(tx) {
                case .done(let value):
                    _ = try await tx.audit.append(event)
                    return value
                case .refused(let error):
                    throw CheckedRefusal(error: error)
                }
            }
        } catch let rolledBack as CheckedRefusal {
            refusal = rolledBack.error
        }
        let denied = draft(action, kind, subject, .denied, reason: refusal.reason)
        try await store.withTransaction { tx in _ = try await tx.audit.append(denied) }
        logger.notice("write refused by a rule", metadata: ["action": "\(action)", "actor": "\(principal.person.id)"])
        throw refusal
    }
}

/// Thrown to roll a transaction back while carrying a rule's refusal out of it.
private struct CheckedRefusal: Error {
    let error: SafetyError
}
