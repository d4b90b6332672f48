import Metrics
import Synchronization

/// A change of this consumer's partition assignment, as seen by the caller.
public enum KafkaRebalanceEvent: Sendable, Equatable {
    /// These partitions are now ours.
    case assigned([KafkaTopicPartition])
    /// These partitions were taken away; stored offsets for them were committed first.
    case revoked([KafkaTopicPartition])
}

/// The consumer's current assignment and the stream its rebalance events go to.
final class RebalanceState: Sendable {
    private let assignedPartitions = Mutex<Set<KafkaTopicPartition>>([])
    private let revokeHandler = Mutex<(@Sendable ([KafkaTopicPartition]) -> Void)?>(nil)
    let events: AsyncStream<KafkaRebalanceEvent>
    private let continuation: AsyncStream<KafkaRebalanceEvent>.Continuation

    init() {
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1000))
    }

    func assigned(_ partitions: [KafkaTopicPartition]) {
        assignedPartitions.withLock { $0.formUnion(partitions) }
        continuation.yield(.assigned(partitions))
    }

    func revoked(_ partitions: [KafkaTopicPartition]) {
        assignedPartitions.withLock { $0.subtract(partitions) }
        revokeHandler.withLock { $0 }?(partitions)
        continuation.yield(.revoked(partitions))
    }

    /// Partitions the application paused (`KafkaConsumerClient.pause`) and nobody resumed since. Exported as the
    /// gauge `partitions_paused` (in the notifier `guance_chatops_notifier_partitions_paused`) whenever it changes.
    private let pausedSet = Mutex<Set<KafkaTopicPartition>>([])

    func paused(_ partitions: [KafkaTopicPartition]) {
        updatePaused { $0.formUnion(partitions) }
    }

    func resumed(_ partitions: [KafkaTopicPartition]) {
        updatePaused { $0.subtract(partitions) }
    }

    var pausedPartitions: Set<KafkaTopicPartition> { pausedSet.withLock { $0 } }

    private func updatePaused(_ change: (inout Set<KafkaTopicPartition>) -> Void) {
        let count = pausedSet.withLock { set -> Int? in
            let before = set.count
            change(&set)
            return set.count == before ? nil : set.count
        }
        if let count { Gauge(label: "partitions_paused").record(count) }
    }

    func setRevokeHandler(_ handler: (@Sendable ([KafkaTopicPartition]) -> Void)?) {
        revokeHandler.withLock { $0 = handler }
    }

    var current: Set<KafkaTopicPartition> { assignedPartitions.withLock { $0 } }

    func finish() { continuation.finish() }
}
