/// A key stage of the English national curriculum.
public enum KeyStage: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Early years foundation stage (nursery and reception).
    case eyfs
    /// Key stage 1 (years 1 and 2).
    case ks1
    /// Key stage 2 (years 3 to 6).
    case ks2
    /// Key stage 3 (years 7 to 9).
    case ks3
    /// Key stage 4 (years 10 and 11).
    case ks4
    /// Key stage 5 (years 12 and 13).
    case ks5

    /// Orders key stages from youngest to oldest.
    public static func < (lhs: KeyStage, rhs: KeyStage) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The stage in words: "the early years foundation stage", "key stage 2".
    public var words: String {
        switch self {
        case .eyfs: "the early years foundation stage"
        case .ks1: "key stage 1"
        case .ks2: "key stage 2"
        case .ks3: "key stage 3"
        case .ks4: "key stage 4"
        case .ks5: "key stage 5"
        }
    }
}

/// A national curriculum year group, in the codes the DfE Common Transfer File uses.
public enum NCYear: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Nursery, first year.
    case nursery1 = "N1"
    /// Nursery, second year.
    case nursery2 = "N2"
    /// Reception.
    case reception = "R"
    /// Year 1.
    case year1 = "1"
    /// Year 2.
    case year2 = "2"
    /// Year 3.
    case year3 = "3"
    /// Year 4.
    case year4 = "4"
    /// Year 5.
    case year5 = "5"
    /// Year 6.
    case year6 = "6"
    /// Year 7.
    case year7 = "7"
    /// Year 8.
    case year8 = "8"
    /// Year 9.
    case year9 = "9"
    /// Year 10.
    case year10 = "10"
    /// Year 11.
    case year11 = "11"
    /// Year 12.
    case year12 = "12"
    /// Year 13.
    case year13 = "13"
    /// Year 14 (a further post-16 year).
    case year14 = "14"
    /// Not following national curriculum year groups (CTF `X`, in some special schools).
    case outsideYearGroups = "X"

    /// The key stage this year group belongs to; `nil` for a learner outside year groups (`X`).
    public var keyStage: KeyStage? {
        switch self {
        case .nursery1, .nursery2, .reception: .eyfs
        case .year1, .year2: .ks1
        case .year3, .year4, .year5, .year6: .ks2
        case .year7, .year8, .year9: .ks3
        case .year10, .year11: .ks4
        case .year12, .year13, .year14: .ks5
        case .outsideYearGroups: nil
        }
    }

    /// Orders year groups from youngest to oldest.
    public static func < (lhs: NCYear, rhs: NCYear) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
