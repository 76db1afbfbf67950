import ArgumentParser

/// `benchmarks`: measures the SDK at trust scale on both backends and prints the figures.
///
/// Each benchmark loads its data set once per backend, times the operation several times, and
/// prints the median beside a baseline measured in the same process, as a ratio.
@main
struct BenchmarksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmarks",
        abstract: "Measure the SDK at trust scale on the flat-file store and PostgreSQL.",
        subcommands: [
            OverdueStepsBenchmark.self, ComplianceBenchmark.self, ReportsBenchmark.self, AuditedWritesBenchmark.self,
            RosterImportBenchmark.self, OpenStoreBenchmark.self,
        ]
    )
}
