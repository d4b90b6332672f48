import Synchronization

/// What the tasks of one connection share: the ping interval (a pong may change it), when a frame last arrived,
/// the handlers in flight and whether the session is stopping.
final class SessionState: Sendable {
    private struct Values {
        var pingInterval: Int
        var lastReceived = ContinuousClock.now
        var inFlight = 0
        var stopping = false
        var failure: LongConnectionError?
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let values: Mutex<Values>

    init(pingInterval: Int) {
        values = Mutex(Values(pingInterval: pingInterval))
    }

    var pingInterval: Int {
        get { values.withLock { $0.pingInterval } }
        set { values.withLock { $0.pingInterval = newValue } }
    }

    var lastReceived: ContinuousClock.Instant { values.withLock { $0.lastReceived } }
    var isStopping: Bool { values.withLock { $0.stopping } }

    /// Why the session closed the connection itself (nil when the server or the network did).
    var failure: LongConnectionError? {
        get { values.withLock { $0.failure } }
        set { values.withLock { $0.failure = newValue } }
    }

    func received() { values.withLock { $0.lastReceived = .now } }

    /// Counts a handler in; false once the session is stopping (the message is left for Feishu to re-send).
    func begin() -> Bool {
        values.withLock { values in
            guard !values.stopping else { return false }
            values.inFlight += 1
            return true
        }
    }

    func end() {
        let waiters = values.withLock { values -> [CheckedContinuation<Void, Never>] in
            values.inFlight -= 1
            guard values.inFlight == 0 else { return [] }
            defer { values.drained = [] }
            return values.drained
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops taking messages and returns once every handler in flight has answered.
    func stopAndDrain() async {
        await withCheckedContinuation { continuation in
            let done = values.withLock { values -> Bool in
                values.stopping = true
                guard values.inFlight > 0 else { return true }
                values.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
