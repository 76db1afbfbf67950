import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

@testable import StoragePostgres

/// Rows for `COPY ... FROM STDIN` in its text format: what a field holds reaches the server as it
/// was, whichever way it was written.
@Suite("PostgreSQL: COPY text rows")
struct CopyTextTests {
    private func text(_ build: (inout CopyText.Rows) -> Void) -> String {
        var rows = CopyText.Rows()
        build(&rows)
        return String(decoding: rows.bytes, as: UTF8.self)
    }

    @Test func fieldsAreEscapedSeparatedAndEndedAndANullIsMarked() {
        let written = text { rows in
            rows.field("O'Brien\\tab\there\nnext\rline")
            rows.field(nil as String?)
            rows.field("plain")
            rows.endRow()
        }
        #expect(written == "O'Brien\\\\tab\\there\\nnext\\rline\t\\N\tplain\n")
    }

    @Test func anIdentifierIsWrittenInItsCanonicalForm() {
        let ids = [
            UUID(), UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!,
        ]
        for id in ids {
            #expect(text { $0.field(id) } == id.uuidString)
        }
        #expect(text { $0.field(nil as UUID?) } == "\\N")
        let indexed = text { $0.field(IndexValue.uuid(ids[0])) }
        #expect(indexed == ids[0].uuidString, "an indexed identifier is written the same way")
    }

    @Test func plainTextIsWrittenAsItIsBetweenEscapedFields() {
        let written = text { rows in
            rows.plain("42")
            rows.field(UUID(uuidString: "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9")!)
            rows.plain(nil)
            rows.field("a\tb")
            rows.endRow()
        }
        #expect(written == "42\t0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9\t\\N\ta\\tb\n")
    }
}
