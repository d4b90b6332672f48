import KafkaClient
import Logging

/// The owner's periodic state write that tells every instance the target is polled (see `TargetOwnershipWatch`).
struct Lease {
    let interval: Duration
    private var lastWrite = ContinuousClock.now

    init(interval: Duration) {
        self.interval = interval
    }

    /// Writes `state` when the last lease write is `interval` old (a failed write is retried next time).
    mutating func renewIfDue(_ state: PollerState, store: PollerStateStore, logger: Logger) async {
        guard ContinuousClock.now - lastWrite >= interval else { return }
        do {
            try await store.save(state)
            lastWrite = ContinuousClock.now
        } catch {
            logger.warning("could not renew the target's lease", metadata: [LogKey.error: "\(error)"])
        }
    }
}
