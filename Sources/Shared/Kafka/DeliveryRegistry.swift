import Synchronization

/// Pending `send` calls waiting for their delivery report, keyed by the id passed as librdkafka's per-message opaque.
/// No Swift object is retained per message: only an integer travels through librdkafka.
final class DeliveryRegistry: Sendable {
    typealias Outcome = Result<KafkaOffset, KafkaClientError>

    private struct State {
        var nextID: UInt = 1
        var pending: [UInt: CheckedContinuation<Outcome, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Registers a continuation and returns its id.
    func register(_ continuation: CheckedContinuation<Outcome, Never>) -> UInt {
        state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            if state.nextID == 0 { state.nextID = 1 }
            state.pending[id] = continuation
            return id
        }
    }

    /// Resumes and forgets the continuation for `id`, if it is still pending.
    func complete(_ id: UInt, with outcome: Outcome) {
        let continuation = state.withLock { $0.pending.removeValue(forKey: id) }
        continuation?.resume(returning: outcome)
    }

    /// Fails every pending send (used at shutdown, after the final flush).
    func failAll(with error: KafkaClientError) {
        let all = state.withLock { state in
            let pending = state.pending
            state.pending.removeAll()
            return pending
        }
        for continuation in all.values { continuation.resume(returning: .failure(error)) }
    }

    var pendingCount: Int { state.withLock { $0.pending.count } }
}

/// A counting semaphore for async code: bounds the number of messages in flight.
final class AsyncLimiter: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: max(limit, 1)))
    }

    func acquire() async {
        let acquired = state.withLock { state -> Bool in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
        if acquired { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }
}
