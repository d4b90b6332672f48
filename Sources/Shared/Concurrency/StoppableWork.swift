import Synchronization

/// Work that runs as a child task of a task group yet can be stopped on its own: a task group cannot cancel one of
/// its children, so `run(_:)` turns a stop request into the cancellation of just this work. Used for the per-target
/// pollers and the notifier's partition workers, which start and stop as partitions move.
public final class StoppableWork: Sendable {
    private let stopRequested = OneShotSignal()
    private let ended = OneShotSignal()

    public init() {}

    /// Runs `body` until it returns, or until `stop()`/`cancel()` (it is then cancelled and awaited). Call once,
    /// from a child task of the group that owns the work.
    public func run(_ body: @escaping @Sendable () async -> Void) async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                await body()
                self.stopRequested.fire()
            }
            await stopRequested.wait()
            group.cancelAll()
        }
        ended.fire()
    }

    /// Cancels the work and returns once it has ended.
    public func stop() async {
        stopRequested.fire()
        await ended.wait()
    }

    /// Cancels the work without waiting for it.
    public func cancel() {
        stopRequested.fire()
    }

    /// Whether the work has ended.
    public var hasEnded: Bool { ended.hasFired }
}

/// A signal that fires once; `wait()` returns at once after that.
final class OneShotSignal: Sendable {
    private struct State {
        var fired = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.fired else { return [] }
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var hasFired: Bool { state.withLock { $0.fired } }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if fired { continuation.resume() }
        }
    }
}
