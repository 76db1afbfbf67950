import Foundation
import OnlineSafetyCore
import OnlineSafetyPolicyText
import Testing

/// The policy text loader and `onlinesafety policy validate`.
@Suite("Policy files")
struct CLIPolicyTests {
    static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Sources/OnlineSafetyCore/Policy/Seeds")

    @Test(arguments: [("chilton", SeedPolicies.chilton), ("mersham", SeedPolicies.mersham), ("dormansland", SeedPolicies.dormansland)])
    func committedYAMLIsTheShippedPolicy(name: String, document: PolicyDocument) throws {
        #expect(try PolicyLoader.load(contentsOf: Self.seeds.appending(path: "\(name).yaml")) == document)
    }

    @Test func aBadDeadlineNamesTheLineAndField() throws {
        var text = try String(contentsOf: Self.seeds.appending(path: "chilton.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "due: settings.ladoContactWorkingDays", with: "due: soon")
        let issue = try #require(PolicyLoader.check(text, file: "edited.yaml").first)
        #expect(issue.file == "edited.yaml" && issue.line > 0)
        #expect(issue.field.hasSuffix(".due") && issue.message.contains("'soon' is not a deadline"))
    }

    @Test func aLoosenedFloorStepNamesItsLineAndStep() throws {
        var text = try String(contentsOf: Self.seeds.appending(path: "chilton.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "due: settings.ladoContactWorkingDays", with: "due: 5 working days")
        let issue = try #require(PolicyLoader.check(text, file: "edited.yaml").first)
        #expect(issue.floorStep == "lado.contacted")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false)[issue.line - 1]
        #expect(line.contains("5 working days"), "the issue points at the loosened line: \(issue)")
    }

    @Test func validateExitsWithDataErrorForALoosenedCopy() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        var text = try String(contentsOf: Self.seeds.appending(path: "mersham.yaml"), encoding: .utf8)
        #expect(try cli.run(["policy", "validate", Self.seeds.appending(path: "mersham.yaml").path]).status == 0)
        text = text.replacingOccurrences(of: "code: decision.referral", with: "code: decision.considered")
        try text.write(toFile: cli.path("loose.yaml"), atomically: true, encoding: .utf8)
        let result = try cli.run(["policy", "validate", cli.path("loose.yaml")])
        #expect(result.status == 65)
        #expect(result.standardError.contains("loose.yaml:") && result.standardError.contains("'decision.referral'"))
    }

    @Test func aKeyStageConditionIsReadAndABadOneNamesItsLineAndField() throws {
        let text = try String(contentsOf: Self.seeds.appending(path: "chilton.yaml"), encoding: .utf8)
        let step = """
                  - code: antiBullying.response
                    title: Respond under the anti-bullying policy and support the child harmed
                    responsible: dsl
                    due: 1 working day
                    when: {keyStageAtMost: KS}
            """
        let original = """
                  - code: antiBullying.response
                    title: Respond under the anti-bullying policy and support the child harmed
                    responsible: dsl
                    due: 1 working day
            """
        #expect(text.contains(original))
        let good = text.replacingOccurrences(of: original, with: step.replacingOccurrences(of: "KS", with: "ks2"))
        let document = try PolicyLoader.load(good, file: "edited.yaml")
        let procedure = try #require(document.procedure(for: "cyberbullying"))
        #expect(procedure.steps[0].when?.keyStageAtMost == .ks2)
        let bad = text.replacingOccurrences(of: original, with: step.replacingOccurrences(of: "KS", with: "year6"))
        let issue = try #require(PolicyLoader.check(bad, file: "edited.yaml").first)
        #expect(issue.field.hasSuffix("steps[0].when.keyStageAtMost"), "\(issue)")
        #expect(issue.message.contains("not a key stage") && issue.message.contains("ks2"))
        let line = bad.split(separator: "\n", omittingEmptySubsequences: false)[issue.line - 1]
        #expect(line.contains("year6"), "the issue points at the key stage: \(issue)")
    }
}
