/// The figures of a report that must not print, worked out so that no small count can be
/// recovered from the figures that do.
///
/// A count from 1 below a threshold prints as "fewer than N" (a *small* cell). That alone is not
/// enough when figures are tied by sums: a term's total is the sum of its categories, a trust's
/// figure the sum of its schools'. When only one figure of such a sum is hidden, the total minus
/// the others gives it back. So, as statistical offices do, further figures are *withheld* (they
/// print "not shown") until every hidden figure can take more than one value given all that prints.
///
/// The check plays the reader: it knows each printed figure, that a small cell lies from 1 to
/// N−1 and that a withheld one is at least N, and narrows each hidden figure through every sum
/// until nothing changes. Any hidden figure narrowed to one value has another figure of one of
/// its sums withheld (the smallest printed count above 0), and the check runs again.
struct Disclosure {
    /// How a cell prints.
    enum State: Sendable { case shown, small, withheld }

    private struct Cell {
        let value: Int
        let threshold: Int
        var state: State
    }

    private var index: [String: Int] = [:]
    private var cells: [Cell] = []
    private var keys: [String] = []
    /// Each sum as the indices of its total and its parts.
    private var sums: [(total: Int, parts: [Int])] = []

    /// Adds a cell (once per key: a later value for the same key is ignored). A count from 1 to
    /// `threshold − 1` is small.
    mutating func add(_ key: String, _ value: Int, threshold: Int) {
        guard index[key] == nil else { return }
        index[key] = cells.count
        keys.append(key)
        cells.append(Cell(value: value, threshold: threshold, state: value > 0 && value < threshold ? .small : .shown))
    }

    /// Records that the cell `total` is the sum of `parts` (keys not added count as 0 and print).
    mutating func sum(_ total: String, of parts: [String]) {
        guard let total = index[total] else { return }
        let parts = parts.compactMap { index[$0] }.filter { $0 != total }
        guard !parts.isEmpty else { return }
        sums.append((total, parts))
    }

    /// The state of a cell once ``protect()`` has run (`shown` for a key never added).
    func state(_ key: String) -> State {
        index[key].map { cells[$0].state } ?? .shown
    }

    /// Every key added, in the order added.
    var allKeys: [String] { keys }

    /// The keys withheld beyond the small cells.
    var withheld: Set<String> {
        Set(cells.indices.filter { cells[$0].state == .withheld }.map { keys[$0] })
    }

    /// Withholds figures until no hidden figure can be worked out from what prints.
    mutating func protect() {
        var bySum: [[Int]] = Array(repeating: [], count: cells.count)
        for (number, sum) in sums.enumerated() {
            bySum[sum.total].append(number)
            for part in sum.parts { bySum[part].append(number) }
        }
        var beyondHelp: Set<Int> = []
        func members(_ sum: Int) -> [Int] { [sums[sum].total] + sums[sum].parts }
        func alone(_ cell: Int) -> [Int] {
            bySum[cell].filter { sum in members(sum).allSatisfy { $0 == cell || cells[$0].state == .shown } }
        }
        while true {
            let exposed = exposedCells(skipping: beyondHelp)
            // A cell that is the only one hidden in a sum first: what gives it away is plain, and
            // withholding beside it may free the others exposed through it.
            guard let cell = exposed.first(where: { !alone($0).isEmpty }) ?? exposed.first else { return }
            let direct = alone(cell)
            // The smallest printed count above 0 in such a sum, else in any sum the cell is part of.
            let candidates = (direct.isEmpty ? bySum[cell] : direct).flatMap(members)
                .filter { cells[$0].state == .shown && cells[$0].value > 0 }
            guard let pick = candidates.min(by: { (cells[$0].value, $0) < (cells[$1].value, $1) }) else {
                beyondHelp.insert(cell)
                continue
            }
            cells[pick].state = .withheld
        }
    }

    /// The hidden cells the reader can narrow to a single value (a small cell whose range is one
    /// value to begin with, under a threshold of 2, is not counted).
    private func exposedCells(skipping: Set<Int>) -> [Int] {
        let unbounded = Int(Int32.max)
        var low = cells.map { cell -> Int in
            switch cell.state {
            case .shown: cell.value
            case .small: 1
            case .withheld: cell.threshold
            }
        }
        var high = cells.map { cell -> Int in
            switch cell.state {
            case .shown: cell.value
            case .small: cell.threshold - 1
            case .withheld: unbounded
            }
        }
        // total − Σ parts = 0: each member's bounds follow from the others'.
        var changed = true
        var rounds = 0
        while changed && rounds < 64 {
            changed = false
            rounds += 1
            for sum in sums {
                let partsLow = sum.parts.reduce(0) { $0 + low[$1] }
                let open = sum.parts.filter { high[$0] >= unbounded }.count
                let boundedHigh = sum.parts.reduce(0) { high[$1] >= unbounded ? $0 : $0 + high[$1] }
                if cells[sum.total].state != .shown {
                    changed = narrow(sum.total, partsLow, open > 0 ? unbounded : boundedHigh, &low, &high) || changed
                }
                for part in sum.parts where cells[part].state != .shown {
                    let othersLow = partsLow - low[part]
                    let ownOpen = high[part] >= unbounded
                    let othersOpen = open - (ownOpen ? 1 : 0) > 0
                    let othersHigh = boundedHigh - (ownOpen ? 0 : high[part])
                    let from = othersOpen ? 0 : low[sum.total] - othersHigh
                    let to = high[sum.total] >= unbounded ? unbounded : high[sum.total] - othersLow
                    changed = narrow(part, from, to, &low, &high) || changed
                }
            }
        }
        return cells.indices.filter {
            cells[$0].state != .shown && !skipping.contains($0) && low[$0] >= high[$0]
                && !(cells[$0].state == .small && cells[$0].threshold <= 2)
        }
    }

    private func narrow(_ cell: Int, _ from: Int, _ to: Int, _ low: inout [Int], _ high: inout [Int]) -> Bool {
        var changed = false
        if from > low[cell] {
            low[cell] = from
            changed = true
        }
        if to < high[cell] {
            high[cell] = to
            changed = true
        }
        return changed
    }
}
