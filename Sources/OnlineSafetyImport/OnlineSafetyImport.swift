import OnlineSafetyCore

/// Readers of the files a school's MIS writes: the DfE Common Transfer File, OneRoster 1.1 CSV,
/// and column-mapped CSV exports (Bromcom-style and Tapestry-style presets).
///
/// Readers parse only: each turns files into a ``RosterBatch`` of normalised rows with every
/// problem located (file, line, column or field) and never quoting a child's data. The sync
/// itself (plan and apply) is the core's `session.roster`.
public enum OnlineSafetyImport {
    /// The version of the readers' mapping rules, recorded with each import run.
    public static let readerVersion = "1"
}
