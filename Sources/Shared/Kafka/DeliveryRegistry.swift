import Synchronization

/// Pending sends waiting for their delivery report, keyed by the id passed as librdkafka's per-message opaque.
/// No Swift object is retained per message: only an integer travels through librdkafka. Completing a message also
/// frees its in-flight slot, so back-pressure follows the broker's acknowledgements.
final class DeliveryRegistry: Sendable {
    typealias Outcome = Result<KafkaOffset, KafkaClientError>

    /// Several messages awaited together by one `send(_ messages:)` call.
    final class Batch: @unchecked Sendable {  // mutated only under the registry's lock
        var results: [Outcome?]
        var remaining: Int
        var continuation: CheckedContinuation<[Outcome], Never>?

        init(count: Int) {
            results = Array(repeating: nil, count: count)
            remaining = count
        }
    }

    private enum Waiter {
        case single(CheckedContinuation<Outcome, Never>)
        case member(Batch, index: Int)
    }

    private struct State {
        var nextID: UInt = 1
        var pending: [UInt: Waiter] = [:]
    }

    private let state = Mutex(State())
    /// Bounds the messages in flight; released when a message completes.
    let inFlight: AsyncLimiter

    init(maxInFlight: Int) {
        inFlight = AsyncLimiter(limit: maxInFlight)
    }

    /// Registers a single send and returns its id.
    func register(_ continuation: CheckedContinuation<Outcome, Never>) -> UInt {
        add(.single(continuation))
    }

    /// Registers message `index` of a batch and returns its id.
    func register(_ batch: Batch, index: Int) -> UInt {
        add(.member(batch, index: index))
    }

    private func add(_ waiter: Waiter) -> UInt {
        state.withLock { state in
            let id = state.nextID
            state.nextID = state.nextID == UInt.max ? 1 : state.nextID + 1
            state.pending[id] = waiter
            return id
        }
    }

    /// Sets the continuation a batch resumes once every member completed (at once if all already did).
    func await(_ batch: Batch, _ continuation: CheckedContinuation<[Outcome], Never>) {
        let done = state.withLock { _ -> Bool in
            if batch.remaining == 0 { return true }
            batch.continuation = continuation
            return false
        }
        if done { continuation.resume(returning: batch.results.map { $0! }) }
    }

    /// Resumes and forgets the waiter for `id`, if it is still pending.
    func complete(_ id: UInt, with outcome: Outcome) {
        let resume: (() -> Void)? = state.withLock { state in
            switch state.pending.removeValue(forKey: id) {
            case nil:
                return nil
            case let .single(continuation):
                return { continuation.resume(returning: outcome) }
            case let .member(batch, index):
                batch.results[index] = outcome
                batch.remaining -= 1
                guard batch.remaining == 0, let continuation = batch.continuation else { return {} }
                batch.continuation = nil
                let results = batch.results.map { $0! }
                return { continuation.resume(returning: results) }
            }
        }
        guard let resume else { return }
        inFlight.release()
        resume()
    }

    /// Fails every pending send (used at shutdown, after the final flush).
    func failAll(with error: KafkaClientError) {
        let ids = state.withLock { Array($0.pending.keys) }
        for id in ids { complete(id, with: .failure(error)) }
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
