import ArgumentParser

/// `onlinesafety`: the example command-line tool built on the SDK's public API.
@main
struct OnlineSafetyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onlinesafety",
        abstract: "Keep the records a school's online safety policy demands.",
        discussion: """
            Every command works on a flat-file store (--store DIR, no server needed) or on PostgreSQL \
            (--postgres postgres://user@host/db, or ONLINESAFETY_POSTGRES_URL). Only `store init` and `demo` create a store.

            A trust's data manager keeps the records up to date: `school` (the school, its policy settings, the trust's \
            schools), `people` and `contacts` (who is who), `roles` (who holds which role) and `audit` (who read what). \
            `whoami` says who a --as/--school pair acts as and what they may do. \
            `register` keeps the filtering and monitoring register (changes, checks, the annual review); `calendar` says \
            which governance reviews, meetings and renewals are due, done or overdue.

            Exit status, the same for every command: 0 done; 64 the command line is wrong (an unknown option or value, \
            --output inside a store); 65 a rule refused the input, or data is malformed or damaged; 66 a record, a person \
            or the store was not found; 69 the store is unavailable (locked after --wait, or the server cannot be reached \
            or refused the connection); 70 an unexpected failure; 73 an output file cannot be written; 77 the acting \
            person may not do this.
            """,
        subcommands: [
            DemoCommand.self, ImportCommand.self, StoreCommand.self, IncidentCommand.self, AUPCommand.self, AccessCommand.self,
            ConsentCommand.self,
            TrainingCommand.self, ComplianceCommand.self, ReportCommand.self, DashboardCommand.self, RegisterCommand.self,
            CalendarCommand.self, PeopleCommand.self, ContactsCommand.self, RolesCommand.self, SchoolCommand.self, PolicyCommand.self,
            WhoAmICommand.self, AuditCommand.self,
        ]
    )
}
