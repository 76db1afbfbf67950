import Foundation
@_spi(StorageBackend) import OnlineSafetyCore
import Testing

/// A calendar date from `YYYY-MM-DD`, recording an issue when the text does not parse.
func day(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> CalendarDate {
    try #require(CalendarDate(iso: text), sourceLocation: sourceLocation)
}

/// A learner at a school, with the given UPN and registration group.
func learner(at schoolID: SchoolID, upn: String, group: String?, givenName: String = "Ava") throws -> Person {
    Person(
        tenancy: .school(schoolID), kind: .learner, givenName: givenName, familyName: "Learner",
        learner: LearnerDetails(
            upn: try UPN(upn), dateOfBirth: try day("2017-03-14"), ncYear: .year4, registrationGroup: group))
}

extension AccessDecision {
    /// The reason when denied, `nil` when allowed.
    var deniedReason: String? {
        if case .denied(let reason) = self { return reason }
        return nil
    }
}
