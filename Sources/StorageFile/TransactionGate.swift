/// An asynchronous mutex: one transaction at a time, waiters served in arrival order.
///
/// Waiting suspends the task instead of blocking a thread. `release` hands the gate straight to
/// the next waiter, so no newcomer can slip in between.
actor TransactionGate {
    private var isHeld = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Waits until the gate is free, then holds it.
    func acquire() async {
        guard isHeld else {
            isHeld = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Passes the gate to the next waiter, or frees it.
    func release() {
        if waiters.isEmpty {
            isHeld = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
