import Synchronization

/// How one event fared at one sink.
enum DeliveryResult: Sendable, Equatable {
    /// Sent on its own (`digest == false`) or as part of a storm digest.
    case delivered(digest: Bool)
    /// Rejected by the platform or out of attempts; the event goes to the DLQ with this reason.
    case failed(reason: String)
    /// Dropped before sending (partition revoked, shutdown).
    case cancelled
}

/// A one-shot result a sink's dispatcher fulfils and a partition worker awaits.
final class DeliveryTicket: Sendable {
    let id: UInt64
    private struct State {
        var result: DeliveryResult?
        var waiter: CheckedContinuation<DeliveryResult, Never>?
    }
    private let state = Mutex(State())

    init(id: UInt64) {
        self.id = id
    }

    /// Sets the result once; later calls are ignored.
    func fulfil(_ result: DeliveryResult) {
        let waiter = state.withLock { state -> CheckedContinuation<DeliveryResult, Never>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }

    var isFulfilled: Bool { state.withLock { $0.result != nil } }

    /// Waits for the result. On cancellation the ticket is fulfilled with `.cancelled` and `onCancel` runs (the
    /// dispatcher then drops the queued send).
    func result(onCancel: @escaping @Sendable () -> Void) async -> DeliveryResult {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> DeliveryResult? in
                    if let result = state.result { return result }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            self.fulfil(.cancelled)
            onCancel()
        }
    }
}
