import ArgumentParser

/// `onlinesafety`: the example command-line tool built on the SDK's public API.
@main
struct OnlineSafetyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onlinesafety",
        abstract: "Keep the records a school's online safety policy demands.",
        discussion: """
            Every command works on a flat-file store (--store DIR, no server needed) or on PostgreSQL \
            (--postgres postgres://user@host/db, or ONLINESAFETY_POSTGRES_URL).
            """,
        subcommands: [
            DemoCommand.self, IncidentCommand.self, AUPCommand.self, AccessCommand.self, ConsentCommand.self, TrainingCommand.self,
            ComplianceCommand.self,
        ]
    )
}
