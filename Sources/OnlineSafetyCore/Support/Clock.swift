public import Foundation

/// The source of the current time, injected so that deadlines and "annual" rules are testable.
///
/// Instants are truncated to whole milliseconds so that they round-trip exactly through every
/// backend and hash identically in the audit chain.
public struct SafetyClock: Sendable {
    private let source: @Sendable () -> Date

    /// Creates a clock from a closure returning the current instant.
    public init(_ source: @escaping @Sendable () -> Date) { self.source = source }

    /// The system clock.
    public static let system = SafetyClock { Date() }

    /// A clock stopped at one instant, for tests and replays.
    public static func fixed(_ date: Date) -> SafetyClock { SafetyClock { date } }

    /// The current instant, truncated to milliseconds.
    public func now() -> Date { SafetyClock.truncated(source()) }

    /// Truncates an instant to whole milliseconds since 1970.
    public static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    /// Whole milliseconds since 1970 for an instant.
    public static func milliseconds(_ date: Date) -> Int64 {
        // Round to whole microseconds first, so a millisecond value stored as a Double (which may sit
        // a hair below it) is not truncated to the millisecond before.
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        return Int64((micros / 1000).rounded(.down))
    }
}
