import CKafka
import Logging
import ServiceLifecycle
import Synchronization
import Timing

/// A member of a Kafka consumer group with at-least-once semantics.
///
/// Offsets are stored only when the caller calls `markHandled(_:)`; stored offsets are committed in the background,
/// when partitions are revoked, and on close. Records arrive through `records`; assignment changes through
/// `rebalanceEvents`. Run it as a `Service`: `run()` keeps the membership until graceful shutdown, then leaves the
/// group after committing.
public final class KafkaConsumerClient: Service, Sendable {
    public let settings: KafkaConsumerSettings
    let handle: KafkaHandle
    let blocking: BlockingExecutor
    private let queue: KafkaQueue
    let logger: Logger
    let closed = Mutex(false)
    private let closeOnce = Mutex(false)

    /// A group member: subscribes to `settings.topics`; the group assigns partitions.
    public convenience init(settings: KafkaConsumerSettings, logger: Logger) throws(KafkaClientError) {
        try self.init(settings: settings, logger: logger, startOffsets: nil)
    }

    /// A reader outside group management: reads exactly these partitions from these offsets (a negative offset is
    /// librdkafka's logical offset, e.g. `KafkaConsumerClient.offsetBeginning`). Nothing is committed unless the
    /// caller commits; `settings.topics` is ignored.
    public convenience init(
        settings: KafkaConsumerSettings, assignment: [KafkaTopicPartition: Int64], logger: Logger
    ) throws(KafkaClientError) {
        try self.init(settings: settings, logger: logger, startOffsets: assignment)
    }

    /// The logical offset "the partition's first retained record".
    public static let offsetBeginning = Int64(RD_KAFKA_OFFSET_BEGINNING)

    private init(
        settings: KafkaConsumerSettings, logger: Logger, startOffsets: [KafkaTopicPartition: Int64]?
    ) throws(KafkaClientError) {
        self.settings = settings
        self.logger = logger
        let handle = try KafkaHandle(RD_KAFKA_CONSUMER, properties: settings.properties, logger: logger) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback)
        }
        self.handle = handle
        self.blocking = BlockingExecutor(label: "kafka.consumer.\(settings.groupID)")
        rd_kafka_poll_set_consumer(handle.raw)
        self.queue = KafkaQueue(raw: rd_kafka_queue_get_consumer(handle.raw))
        if let startOffsets {
            let list = KafkaTopicPartitionList.make(Array(startOffsets.keys))
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                let key = KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)
                list.pointee.elems[index].offset = startOffsets[key] ?? Self.offsetBeginning
            }
            let err = rd_kafka_assign(handle.raw, list)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw .subscribe(topics: startOffsets.keys.map(\.description), code: KafkaCode(err))
            }
            handle.context.rebalance.assigned(Array(startOffsets.keys))
            return
        }
        let topics = KafkaTopicPartitionList.make(settings.topics.map { .init(topic: $0, partition: -1) })
        defer { rd_kafka_topic_partition_list_destroy(topics) }
        let err = rd_kafka_subscribe(handle.raw, topics)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw .subscribe(topics: settings.topics, code: KafkaCode(err))
        }
    }

    // MARK: - Records

    /// The records of the assigned partitions, in order per partition. Iterate from one task at a time.
    public var records: KafkaRecordSequence { KafkaRecordSequence(consumer: self) }

    /// The records in the batches they were fetched in.
    public var recordBatches: KafkaRecordBatchSequence { KafkaRecordBatchSequence(consumer: self) }

    /// Assignment changes: after `.revoked`, records of those partitions may be handled by another member.
    public var rebalanceEvents: AsyncStream<KafkaRebalanceEvent> { handle.context.rebalance.events }

    /// Runs `handler` inside the rebalance that revokes partitions, before any record fetched after it is handed out
    /// (`rebalanceEvents` can be read late: by then records of a partition that came straight back may already have
    /// been handed to the old owner's work). The place to drop queued work of partitions that moved. Runs on the
    /// consumer's poll thread: it must be quick and must not block. `nil` removes it.
    public func setRevokeHandler(_ handler: (@Sendable ([KafkaTopicPartition]) -> Void)?) {
        handle.context.rebalance.setRevokeHandler(handler)
    }

    /// The partitions currently assigned to this member.
    public var assignment: Set<KafkaTopicPartition> { handle.context.rebalance.current }

    /// Fetches up to `settings.batchSize` records, waiting at most `timeout`. Blocking: runs on `blocking`.
    func poll(timeout: Duration) async throws(KafkaClientError) -> [KafkaRecord] {
        let batchSize = settings.batchSize
        let result: Result<[KafkaRecord], KafkaClientError> = await blocking.run { [handle, queue, logger] in
            if let fatal = handle.fatalError() { return .failure(fatal) }
            var messages = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: batchSize)
            let count = rd_kafka_consume_batch_queue(queue.raw, Int32(timeout.milliseconds), &messages, batchSize)
            guard count > 0 else { return .success([]) }
            var records: [KafkaRecord] = []
            records.reserveCapacity(count)
            var topicNames: [OpaquePointer: String] = [:]  // one String per topic, not per record
            // Records of partitions revoked during this poll belong to the next owner: check the assignment once per
            // partition and batch, not per record.
            let assignment = handle.context.rebalance.current
            var assigned: [PartitionKey: Bool] = [:]
            for message in messages.prefix(count) {
                guard let message else { continue }
                defer { rd_kafka_message_destroy(message) }
                if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    let code = KafkaCode(message.pointee.err)
                    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "-"
                    logger.warning("consumer error", metadata: ["kafka.topic": "\(topic)", "kafka.error": "\(code)"])
                    continue
                }
                let topic =
                    message.pointee.rkt.map { rkt in
                        if let name = topicNames[rkt] { return name }
                        let name = String(cString: rd_kafka_topic_name(rkt))
                        topicNames[rkt] = name
                        return name
                    } ?? ""
                let key = PartitionKey(rkt: message.pointee.rkt, partition: message.pointee.partition)
                let isAssigned =
                    assigned[key]
                    ?? {
                        let value = assignment.contains(KafkaTopicPartition(topic: topic, partition: key.partition))
                        assigned[key] = value
                        return value
                    }()
                if isAssigned { records.append(KafkaRecord(message, topic: topic)) }
            }
            return .success(records)
        }
        return try result.get()
    }

    // MARK: - Lifecycle

    /// Keeps the membership until graceful shutdown or cancellation, then commits and leaves the group.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !closed.withLock({ $0 }) && handle.fatalError() == nil {
                try? await Task.sleep(for: .milliseconds(100))
            }
        } onGracefulShutdown: {
            self.closed.withLock { $0 = true }
        }
        await close()
        if let fatal = handle.fatalError() { throw fatal }
    }

    /// Commits stored offsets and leaves the group (partitions move to other members at once). Idempotent.
    public func close() async {
        closed.withLock { $0 = true }
        let first = closeOnce.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        await blocking.run { [handle, logger] in
            let err = rd_kafka_consumer_close(handle.raw)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("consumer close failed", metadata: ["kafka.error": "\(KafkaCode(err))"])
            }
        }
        handle.context.rebalance.finish()
        logger.debug("consumer left group", metadata: ["kafka.group": "\(settings.groupID)"])
    }

    /// Test support: makes destruction skip leaving the group and committing, as a crashed process would.
    package func abandonWithoutClosing() {
        handle.skipConsumerCloseOnDestroy.withLock { $0 = true }
        closed.withLock { $0 = true }
        closeOnce.withLock { $0 = true }
    }

    /// Succeeds when a broker answers a metadata request within `timeout`.
    public func checkConnection(timeout: Duration) async throws(KafkaClientError) {
        let code = await blocking.run { [handle] in handle.fetchMetadata(timeout: timeout) }
        if code != nil {
            throw .timedOut(operation: "connecting to Kafka", brokers: settings.client.bootstrapServers)
        }
    }
}

/// A partition identified by librdkafka's topic handle: cheap to hash.
private struct PartitionKey: Hashable {
    let rkt: OpaquePointer?
    let partition: Int32
}

/// Owns a `rd_kafka_queue_t` reference.
final class KafkaQueue: @unchecked Sendable {  // librdkafka queues are thread-safe
    let raw: OpaquePointer

    init(raw: OpaquePointer) {
        self.raw = raw
    }

    deinit { rd_kafka_queue_destroy(raw) }
}
