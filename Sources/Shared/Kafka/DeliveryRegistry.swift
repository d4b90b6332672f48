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
        let topics: [String]

        init(topics: [String]) {
            self.topics = topics
            results = Array(repeating: nil, count: topics.count)
            remaining = topics.count
        }
    }

    private enum Waiter {
        case single(CheckedContinuation<Outcome, Never>, topic: String)
        case member(Batch, index: Int)
    }

    private struct State {
        var nextID: UInt = 1
        var pending: [UInt: Waiter] = [:]
        /// Sends that give up at a deadline (few: most sends wait for their report however long it takes).
        var deadlines: [UInt: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())
    /// Bounds the messages in flight; released when a message completes.
    let inFlight: AsyncLimiter

    init(maxInFlight: Int) {
        inFlight = AsyncLimiter(limit: maxInFlight)
    }

    /// Registers a single send and returns its id. With a `deadline`, `expire(now:brokers:)` fails it once the
    /// deadline has passed (if its report did not come first).
    func register(
        _ continuation: CheckedContinuation<Outcome, Never>, topic: String, deadline: ContinuousClock.Instant? = nil
    ) -> UInt {
        let id = add(.single(continuation, topic: topic))
        if let deadline { state.withLock { $0.deadlines[id] = deadline } }
        return id
    }

    /// Fails the pending sends whose deadline is at or before `now` with `.timedOut`. The producer's poll loop
    /// calls it, so a deadline passes at most one poll interval late and needs no timer of its own.
    func expire(now: ContinuousClock.Instant, brokers: String) {
        let expired: [UInt] = state.withLock { state in
            guard !state.deadlines.isEmpty else { return [] }
            return state.deadlines.filter { $0.value <= now }.map(\.key)
        }
        for id in expired {
            let topic: String? = state.withLock { state in
                if case let .single(_, topic)? = state.pending[id] { return topic }
                return nil
            }
            complete(id, with: .failed(.timedOut(operation: "delivery to \(topic ?? "?")", brokers: brokers)))
        }
    }

    /// Fails a pending single send whose sender was cancelled, as a timeout would (its report, if it comes, is
    /// ignored).
    func abandon(_ id: UInt) {
        let topic: String? = state.withLock { state in
            if case let .single(_, topic)? = state.pending[id] { return topic }
            return nil
        }
        guard let topic else { return }
        complete(
            id, with: .failed(.timedOut(operation: "delivery to \(topic) (the sender was cancelled)", brokers: "-")))
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

    /// What a completed message wakes up.
    private enum Wakeup {
        case none
        case single(CheckedContinuation<Outcome, Never>, Outcome)
        case batch(CheckedContinuation<[Outcome], Never>, [Outcome])
    }

    /// Resumes and forgets the waiter for `id`, if it is still pending. The topic comes from the registration, so
    /// the delivery report callback needs no string per message.
    func complete(_ id: UInt, with report: DeliveryReport) {
        let wakeup: Wakeup? = state.withLock { state in
            state.deadlines.removeValue(forKey: id)
            switch state.pending.removeValue(forKey: id) {
            case nil:
                return nil
            case let .single(continuation, topic):
                return .single(continuation, report.outcome(topic: topic))
            case let .member(batch, index):
                batch.results[index] = report.outcome(topic: batch.topics[index])
                batch.remaining -= 1
                guard batch.remaining == 0, let continuation = batch.continuation else { return Wakeup.none }
                batch.continuation = nil
                return .batch(continuation, batch.results.map { $0! })
            }
        }
        guard let wakeup else { return }
        inFlight.release()
        switch wakeup {
        case .none: break
        case let .single(continuation, outcome): continuation.resume(returning: outcome)
        case let .batch(continuation, outcomes): continuation.resume(returning: outcomes)
        }
    }

    /// Fails every pending send (used at shutdown, after the final flush).
    func failAll(with error: KafkaClientError) {
        let ids = state.withLock { Array($0.pending.keys) }
        for id in ids { complete(id, with: .failed(error)) }
    }

    var pendingCount: Int { state.withLock { $0.pending.count } }
}

/// What librdkafka (or the client) said about one message.
enum DeliveryReport {
    case acknowledged(partition: Int32, offset: Int64)
    case rejected(KafkaCode)
    case enqueueFailed(KafkaCode)
    case failed(KafkaClientError)

    func outcome(topic: String) -> DeliveryRegistry.Outcome {
        switch self {
        case let .acknowledged(partition, offset):
            .success(KafkaOffset(topic: topic, partition: partition, offset: offset))
        case let .rejected(code): .failure(.delivery(topic: topic, code: code))
        case let .enqueueFailed(code): .failure(.enqueue(topic: topic, code: code))
        case let .failed(error): .failure(error)
        }
    }
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
