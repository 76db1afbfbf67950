import OnlineSafetyImport
import Testing

@Suite("Import module")
struct ImportModuleTests {
    @Test func readerVersionIsRecorded() {
        #expect(OnlineSafetyImport.readerVersion == "1")
    }
}
