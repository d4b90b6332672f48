import Synchronization

/// A coalescing wake-up for one target poller: any number of `wake()` calls while the poller is busy (polling, or
/// waiting for the request budget) leave one pending wake-up, so a burst of pushes costs at most one follow-up poll;
/// wake-ups that arrived before a poll started are covered by it (`clear()`).
final class PollWakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Bool, Never>?
        var lastWake: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    init() {}

    /// When the last wake-up arrived (nil: none yet): whether pushes are arriving.
    var lastWake: ContinuousClock.Instant? { state.withLock { $0.lastWake } }

    /// Wakes the waiting poller now, or its next wait if it is busy.
    func wake(at now: ContinuousClock.Instant = .now) {
        let waiter = state.withLock { state in
            state.lastWake = max(state.lastWake ?? now, now)
            guard let waiter = state.waiter else {
                state.pending = true
                return nil as CheckedContinuation<Bool, Never>?
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// Drops a pending wake-up: called as a poll starts, which covers every push that arrived before it.
    func clear() {
        state.withLock { $0.pending = false }
    }

    /// Waits until `deadline`, a wake-up or cancellation, whichever comes first; true when woken (a wake-up that
    /// arrived while the poller was busy counts, and is consumed).
    func sleep(until deadline: ContinuousClock.Instant) async -> Bool {
        if state.withLock({ state in
            defer { state.pending = false }
            return state.pending
        }) {
            return true
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            group.addTask { await self.waitForWake() }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func waitForWake() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow: Bool? = state.withLock { state in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return false }
                    state.waiter = continuation
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: false)
        }
    }
}
