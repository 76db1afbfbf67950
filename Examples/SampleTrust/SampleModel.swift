import Foundation
import OnlineSafetyCore

/// A deterministic pseudo-random generator (SplitMix64), so a seed always gives the same trust.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}

/// A day, kept as numbers so writers can format it each source's way.
struct Day: Hashable {
    var year: Int
    var month: Int
    var day: Int

    var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }
    var dayMonthYear: String { String(format: "%02d/%02d/%04d", day, month, year) }
}

/// An invented adult linked to one or more children.
struct SampleAdult {
    var id: String
    var title: String?
    var givenName: String
    var familyName: String
    var email: String?
    var phone: String?
    var female: Bool
}

/// How a child is linked to an adult.
struct SampleLink {
    var adult: Int
    /// The CTF relationship code (`PAM`, `PAF`, `PAR`, `GRM`, `CAR` ...).
    var code: String
    var responsibility: Bool
    var priority: Int

    /// The relationship in words, as CSV exports write it.
    var word: String {
        switch code {
        case "PAM": "Mother"
        case "PAF": "Father"
        case "PAR": "Parent"
        case "GRM": "Grandmother"
        case "GRF": "Grandfather"
        case "CAR": "Carer"
        case "FOS": "Foster Carer"
        case "STP": "Step-parent"
        case "REL": "Aunt"
        default: "Other"
        }
    }
}

/// An invented child.
struct SampleChild {
    var id: String
    var upn: String
    var givenName: String
    var preferredName: String?
    var familyName: String
    var female: Bool
    var dateOfBirth: Day
    var ncYear: NCYear
    var registrationGroup: String
    var groups: [String]
    var keyPerson: String?
    var lookedAfter: Bool
    var senProvision: String
    var consent: Bool = true
    var status: String = "active"
    var links: [SampleLink]

    var knownAs: String { preferredName ?? givenName }
}

/// An invented member of staff.
struct SampleStaff {
    var id: String
    var givenName: String
    var familyName: String
    var email: String
    var role: String
    var classes: [String]
    var enabled: String = "true"
    var status: String = "active"
}

/// One school's people.
struct SampleSchool {
    var key: String
    var urn: String
    var laCode: String
    var establishmentNumber: String
    var name: String
    var phase: String
    var policy: String
    var children: [SampleChild] = []
    var adults: [SampleAdult] = []
    var staff: [SampleStaff] = []

    var orgID: String { "org-\(key)" }
    var domain: String { "\(key).northdown.example" }
}

/// Invented names, from many languages, with the characters real rolls hold.
enum SampleNames {
    static let girls = [
        "Amelia", "Isla", "Ava", "Mia", "Freya", "Zoë", "Aoife", "Siobhán", "Niamh", "Ελένη", "Chloé", "Maja", "Zofia",
        "Anaïs", "Priya", "Aisha", "Fatima", "Yasmin", "Mei", "娜", "Hana", "Ngozi", "Amara", "Saoirse", "Léa", "Ines",
        "Ruby", "Grace", "Evie", "Ivy", "Nadia", "Olga",
    ]
    static let boys = [
        "Oliver", "George", "Noah", "Arthur", "Leo", "Oscar", "Łukasz", "Jakub", "Søren", "Seán", "Tomás", "Dmitri",
        "Γιώργος", "伟", "Kwame", "Arjun", "Mohammed", "Yusuf", "Omar", "Kai", "Jan", "Mateo", "Finn", "Rhys", "Dylan",
        "Hamish", "Ciarán", "Aarav", "Ethan", "Theo", "Bartosz", "Jiří",
    ]
    static let families = [
        "Smith", "Jones", "O'Neill", "O'Brien", "D'Souza", "Smith-Jones", "Taylor-Brown", "Ní Bhriain", "Mac an tSaoir",
        "Nowak", "Kowalczyk", "Wiśniewski", "Παπαδοπούλου", "Nikolaidis", "李", "王", "Chen", "Nguyen", "Okafor",
        "Adeyemi", "Patel", "Khan", "Begum", "Hussain", "Müller", "García", "Fernández", "van der Berg", "de la Cruz",
        "Evans", "Williams", "Brown", "Wilson", "Murphy", "Kelly", "Ahmed", "Novák", "Dvořák", "Ionescu", "Kaur",
    ]
    static let staffGiven = [
        "Alex", "Sam", "Jo", "Chris", "Helen", "Mark", "Sarah", "David", "Rachel", "Peter", "Anita", "Gareth", "Joanna",
        "Ravi", "Bronwen", "Colm", "Marta", "Piotr", "Femi", "Lucy",
    ]
    static let mothers = ["Claire", "Emma", "Agnieszka", "Μαρία", "Li", "Adaeze", "Sinéad", "Farah", "Kerry-Anne", "Joanne"]
    static let fathers = ["James", "Paul", "Tomasz", "Νίκος", "Wei", "Chinedu", "Pádraig", "Imran", "Jean-Luc", "Steven"]

    /// ASCII letters of a name, lower case, for an invented email address.
    static func slug(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        let letters = folded.unicodeScalars.filter { $0.isASCII && CharacterSet.letters.contains($0) }
        return String(String.UnicodeScalarView(letters)).lowercased()
    }
}
