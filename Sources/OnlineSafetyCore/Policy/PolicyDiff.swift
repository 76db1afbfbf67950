/// The differences between two versions of a policy, step by step and category by category.
public enum PolicyDiff {
    /// One step added, removed or changed for a category (`common` for every category).
    public struct Change: Hashable, Sendable, CustomStringConvertible {
        /// Added, removed or changed.
        public enum Kind: String, Hashable, Sendable {
            /// Only in the newer version.
            case added
            /// Only in the older version.
            case removed
            /// In both, differently.
            case changed
        }

        /// The category code, or `common`.
        public var category: String
        /// The step code.
        public var step: String
        /// What happened to it.
        public var kind: Kind
        /// The fields that differ, for a changed step.
        public var fields: [String]

        /// "nudeImageSharing: changed decision.referral (due)".
        public var description: String {
            "\(category): \(kind.rawValue) \(step)" + (fields.isEmpty ? "" : " (\(fields.joined(separator: ", ")))")
        }
    }

    /// The changes from `old` to `new`, in category order then step order.
    public static func changes(from old: PolicyDocument, to new: PolicyDocument) -> [Change] {
        var changes: [Change] = []
        let groups = IncidentCategory.builtIns.map(\.code).map { code in
            (code, old.procedure(for: code)?.steps ?? [], new.procedure(for: code)?.steps ?? [])
        }
        for (category, before, after) in groups + [("common", old.common, new.common)] {
            for step in after where !before.contains(where: { $0.code == step.code }) {
                changes.append(Change(category: category, step: step.code, kind: .added, fields: []))
            }
            for step in before {
                guard let newer = after.first(where: { $0.code == step.code }) else {
                    changes.append(Change(category: category, step: step.code, kind: .removed, fields: []))
                    continue
                }
                let fields = differing(step, newer)
                if !fields.isEmpty { changes.append(Change(category: category, step: step.code, kind: .changed, fields: fields)) }
            }
        }
        return changes
    }

    static func differing(_ a: PolicyStep, _ b: PolicyStep) -> [String] {
        var fields: [String] = []
        if a.title != b.title { fields.append("title") }
        if a.responsible != b.responsible { fields.append("responsible") }
        if a.due != b.due { fields.append("due \(a.due) → \(b.due)") }
        if a.when != b.when { fields.append("when") }
        if a.contacts != b.contacts { fields.append("contacts") }
        if a.section != b.section { fields.append("section") }
        if a.rule != b.rule { fields.append("rule") }
        if a.evidence != b.evidence { fields.append("evidence") }
        if a.after != b.after || a.deletes != b.deletes || a.perLearner != b.perLearner { fields.append("order") }
        return fields
    }
}
