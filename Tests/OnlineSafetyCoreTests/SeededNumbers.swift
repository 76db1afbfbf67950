/// A reproducible sequence of numbers (a linear congruential generator), for sampled tests that
/// must draw the same samples on every run.
struct SeededNumbers: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }
}
