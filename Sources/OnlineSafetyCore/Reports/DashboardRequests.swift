public import Foundation

/// What the dashboard asks of the procedure steps at some schools at an instant at or after every
/// satisfaction recorded (the session's now, or later): the incidents with a step overdue and with
/// one due within a window, counted, and the first of each listed.
@_spi(StorageBackend)
public struct PendingStepsRequest: Sendable, Hashable {
    /// The schools.
    public var schoolIDs: [SchoolID]
    /// Whether restricted incidents count.
    public var includeRestricted: Bool
    /// The instant the steps are weighed at.
    public var time: Date
    /// The due-soon window, in hours from `time`.
    public var dueSoonHours: Int
    /// At most this many incidents are listed for each school and list.
    public var listLimit: Int

    /// Creates a request.
    public init(schoolIDs: [SchoolID], includeRestricted: Bool, at time: Date, dueSoonHours: Int, listLimit: Int) {
        self.schoolIDs = schoolIDs
        self.includeRestricted = includeRestricted
        self.time = time
        self.dueSoonHours = dueSoonHours
        self.listLimit = listLimit
    }

    /// The due-soon window's end.
    public var horizon: Date { time.addingTimeInterval(Double(dueSoonHours) * 3_600) }

    /// Incidents at `schoolIDs` with a step not yet satisfied that fell due before the instant.
    public func overdueQuery(_ schoolIDs: [SchoolID]) -> ProcedureStatusQuery {
        ProcedureStatusQuery(schoolIDs: schoolIDs, includeRestricted: includeRestricted, unsatisfiedDueBefore: time)
    }

    /// Incidents at `schoolIDs` whose earliest deadline not yet satisfied falls from the instant to
    /// the window's end.
    public func soonQuery(_ schoolIDs: [SchoolID]) -> ProcedureStatusQuery {
        ProcedureStatusQuery(
            schoolIDs: schoolIDs, includeRestricted: includeRestricted,
            unsatisfiedDueBefore: SafetyClock.truncated(horizon).addingTimeInterval(0.001), unsatisfiedDueFrom: time)
    }
}

/// One school's answer to a ``PendingStepsRequest``.
@_spi(StorageBackend)
public struct PendingSteps: Sendable, Equatable {
    /// How many incidents have a step overdue.
    public var overdueTotal: Int
    /// How many incidents have their earliest outstanding step due within the window.
    public var dueSoonTotal: Int
    /// The first of the overdue, as ``Repository/find(_:)`` of the request's overdue query
    /// narrowed to the school and limited gives them.
    public var overdue: [ProcedureStatus]
    /// The first of the due soon, likewise.
    public var dueSoon: [ProcedureStatus]

    /// Creates an answer.
    public init(overdueTotal: Int, dueSoonTotal: Int, overdue: [ProcedureStatus], dueSoon: [ProcedureStatus]) {
        self.overdueTotal = overdueTotal
        self.dueSoonTotal = dueSoonTotal
        self.overdue = overdue
        self.dueSoon = dueSoon
    }
}

/// What the dashboard asks of the open incidents at some schools: how many occurred within each
/// of a few windows (its age bands).
@_spi(StorageBackend)
public struct OpenIncidentsRequest: Sendable, Hashable {
    /// A window of occurrence: from its first instant (from the first incident when `nil`) to its
    /// last, both included.
    public struct Window: Sendable, Hashable {
        /// The first instant, if any.
        public var from: Date?
        /// The last instant.
        public var to: Date

        /// Creates a window.
        public init(from: Date?, to: Date) {
            self.from = from
            self.to = to
        }
    }

    /// The schools.
    public var schoolIDs: [SchoolID]
    /// Whether restricted incidents count.
    public var includeRestricted: Bool
    /// The windows, in the order their counts are given.
    public var windows: [Window]

    /// Creates a request.
    public init(schoolIDs: [SchoolID], includeRestricted: Bool, windows: [Window]) {
        self.schoolIDs = schoolIDs
        self.includeRestricted = includeRestricted
        self.windows = windows
    }

    /// The open incidents at `schoolIDs` that occurred within `window`.
    public func query(_ window: Window, at schoolIDs: [SchoolID]) -> IncidentQuery {
        IncidentQuery(
            schoolIDs: schoolIDs, includeRestricted: includeRestricted, occurredFrom: window.from, occurredTo: window.to, open: true)
    }
}
