import Dispatch
import Synchronization

/// Runs librdkafka's blocking calls on one serial dispatch queue per client, never on Swift's cooperative pool.
final class BlockingExecutor: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the client's queue and resumes the caller with its result.
    func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(E) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Runs `body` on the client's queue, but gives the caller up at `deadline` or when its task is cancelled,
    /// whichever comes first: nil then, and `body` finishes on the queue unobserved. For calls librdkafka may hold
    /// past their own timeout (a watermark query waits for its answer, however long a broker that went away takes).
    func run<T: Sendable>(
        givingUpAt deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () -> T
    ) async -> T? {
        let waiter = Mutex<CheckedContinuation<T?, Never>?>(nil)
        let answer: @Sendable (T?) -> Void = { value in
            waiter.withLock { continuation in
                defer { continuation = nil }
                return continuation
            }?.resume(returning: value)
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
                waiter.withLock { $0 = continuation }
                if Task.isCancelled { return answer(nil) }
                let wait = ContinuousClock.now.duration(to: deadline)
                let nanoseconds =
                    max(0, wait.components.seconds) * 1_000_000_000 + max(0, wait.components.attoseconds)
                    / 1_000_000_000
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { answer(nil) }
                queue.async { answer(body()) }
            }
        } onCancel: {
            answer(nil)
        }
    }
}
