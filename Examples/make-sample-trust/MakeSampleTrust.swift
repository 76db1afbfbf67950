import ArgumentParser
import Foundation
import SampleTrust

/// `make-sample-trust`: writes the synthetic Northdown Learning Trust, the small committed
/// sample or (with `--scale`) the benchmark trust.
@main
struct MakeSampleTrust: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-sample-trust",
        abstract: "Write a synthetic trust (invented people only) as CTF, OneRoster, Bromcom and Tapestry files with trust.json.",
        discussion: """
            Without --scale, writes the small sample (4 schools) that is committed under \
            Examples/SampleTrust/data. With --scale, writes the benchmark trust (40 schools, 60,000 \
            learners, 120,000 contact rows, 8,000 staff) as OneRoster and CTF into a temporary \
            directory, or --output.
            """)

    @Option(help: "Where to write (default: Examples/SampleTrust/data, or a new temporary directory with --scale).")
    var output: String?

    @Flag(help: "Write the benchmark trust instead of the sample.")
    var scale = false

    @Option(help: "Schools in the benchmark trust (with --scale; 1,500 learners and 200 staff each).")
    var schools: Int = 40

    @Option(help: "The random seed.")
    var seed: UInt64 = 20_261_130

    func validate() throws {
        guard schools >= 2 else { throw ValidationError("--schools is at least 2") }
    }

    func run() throws {
        let directory: URL
        if let output {
            directory = URL(fileURLWithPath: output)
        } else if scale {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sample-trust-\(UUID().uuidString)")
        } else {
            directory = URL(fileURLWithPath: "Examples/SampleTrust/data")
        }
        let summary: SampleTrustSummary
        if scale {
            var size = SampleTrustScale.benchmark(schools: schools)
            size.seed = seed
            summary = try SampleTrust.writeScale(size, to: directory)
        } else {
            summary = try SampleTrust.writeSample(to: directory, seed: seed)
        }
        print("Wrote \(directory.path)")
        print(
            "  \(summary.schools) schools, \(summary.learners) learners, \(summary.adults) adult contacts "
                + "(\(summary.contactLinks) contact rows), \(summary.staff) staff")
        for (path, bytes) in summary.files.sorted(by: { $0.key < $1.key }) {
            print("  \(path): \(bytes) bytes")
        }
        print("  total: \(summary.bytes) bytes")
    }
}
