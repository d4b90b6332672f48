import CKafka
import Logging
import ServiceLifecycle
import Synchronization

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
    private let logger: Logger
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
            rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
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

    // MARK: - Watermarks and metadata

    /// The offset the next record of a partition will get (its high watermark), asked from the leader.
    public func highWatermark(
        _ partition: KafkaTopicPartition, timeout: Duration = .seconds(5)
    ) async throws(KafkaClientError) -> Int64 {
        try await watermarks(partition, timeout: timeout).high
    }

    /// The offset of the first retained record (low) and of the next record (high) of a partition; equal when the
    /// partition holds no records (empty, or everything deleted by retention).
    public func watermarks(
        _ partition: KafkaTopicPartition, timeout: Duration = .seconds(5)
    ) async throws(KafkaClientError) -> (low: Int64, high: Int64) {
        let result: Result<(low: Int64, high: Int64), KafkaClientError> = await blocking.run { [handle, settings] in
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(
                handle.raw, partition.topic, partition.partition, &low, &high, Int32(timeout.milliseconds))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                if err == RD_KAFKA_RESP_ERR__TIMED_OUT {
                    return .failure(.timedOut(
                        operation: "querying watermarks of \(partition)", brokers: settings.client.bootstrapServers))
                }
                return .failure(.admin(topic: partition.topic, code: KafkaCode(err), reason: "watermark query failed"))
            }
            return .success((low, high))
        }
        return try result.get()
    }

    /// The number of partitions of a topic, from cluster metadata (nil when the topic does not exist).
    public func partitionCount(topic: String, timeout: Duration = .seconds(5)) async throws(KafkaClientError) -> Int? {
        let result: Result<Int?, KafkaClientError> = await blocking.run { [handle, settings] in
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = rd_kafka_metadata(handle.raw, 1, nil, &metadata, Int32(timeout.milliseconds))
            defer { if let metadata { rd_kafka_metadata_destroy(metadata) } }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return .failure(.timedOut(operation: "fetching metadata", brokers: settings.client.bootstrapServers))
            }
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let entry = metadata.pointee.topics[index]
                if String(cString: entry.topic) == topic, entry.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    return .success(Int(entry.partition_cnt))
                }
            }
            return .success(nil)
        }
        return try result.get()
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
                let topic = message.pointee.rkt.map { rkt in
                    if let name = topicNames[rkt] { return name }
                    let name = String(cString: rd_kafka_topic_name(rkt))
                    topicNames[rkt] = name
                    return name
                } ?? ""
                let key = PartitionKey(rkt: message.pointee.rkt, partition: message.pointee.partition)
                let isAssigned = assigned[key] ?? {
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

    // MARK: - Offsets

    /// Marks a record handled: its offset + 1 is stored and committed with the next commit.
    /// Returns false when the partition is no longer assigned (another member will handle the record again).
    @discardableResult
    public func markHandled(_ record: KafkaRecord) -> Bool {
        // rd_kafka_offset_store stores offset + 1, through a cached topic handle: no allocation per record.
        let err = rd_kafka_offset_store(handle.topic(named: record.topic), record.partition, record.offset)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.debug(
                "offset not stored: partition not assigned",
                metadata: ["kafka.topic": "\(record.topic)", "kafka.partition": "\(record.partition)"])
            return false
        }
        return true
    }

    /// Commits stored offsets now and waits for the broker's answer.
    public func commit() async throws(KafkaClientError) {
        let code = await blocking.run { [handle] in rd_kafka_commit(handle.raw, nil, 0) }
        if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET {
            throw .commit(topic: nil, partition: nil, code: KafkaCode(code))
        }
    }

    /// The committed offset (next offset to read) of a partition, or nil if none was committed.
    public func committedOffset(
        _ partition: KafkaTopicPartition, timeout: Duration = .seconds(5)
    ) async throws(KafkaClientError) -> Int64? {
        let result: Result<Int64?, KafkaClientError> = await blocking.run { [handle] in
            let list = KafkaTopicPartitionList.make([partition])
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let err = rd_kafka_committed(handle.raw, list, Int32(timeout.milliseconds))
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(.commit(topic: partition.topic, partition: partition.partition, code: KafkaCode(err)))
            }
            let offset = list.pointee.elems[0].offset
            return .success(offset >= 0 ? offset : nil)
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

extension KafkaRecord {
    /// Copies a librdkafka message into Swift values.
    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) {
        let pointee = message.pointee
        let key = pointee.key.map { Array(UnsafeRawBufferPointer(start: $0, count: pointee.key_len)) }
        let value = pointee.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: pointee.len)) }
        var headers: [KafkaHeader] = []
        var rawHeaders: OpaquePointer?
        if rd_kafka_message_headers(message, &rawHeaders) == RD_KAFKA_RESP_ERR_NO_ERROR, let rawHeaders {
            var index = 0
            var name: UnsafePointer<CChar>?
            var valuePointer: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(rawHeaders, index, &name, &valuePointer, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = valuePointer.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        self.init(
            topic: topic, partition: pointee.partition, offset: pointee.offset, key: key, value: value,
            headers: headers, timestampMilliseconds: timestamp >= 0 ? timestamp : nil)
    }
}

private let rebalanceCallback: @convention(c) (
    OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    UnsafeMutableRawPointer?
) -> Void = { rk, err, partitions, opaque in
    guard let rk, let context = KafkaCallbackContext.from(opaque) else { return }
    let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
    let changed = KafkaTopicPartitionList.partitions(partitions)
    switch err {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        if cooperative {
            if let error = rd_kafka_incremental_assign(rk, partitions) { rd_kafka_error_destroy(error) }
        } else {
            rd_kafka_assign(rk, partitions)
        }
        // librdkafka keeps an application pause across unassign/assign: a partition paused before the rebalance
        // would come back paused to a worker that never paused it, and stay so (no record arrives to resume it).
        resumeMoved(rk, partitions, changed, context)
        context.rebalance.assigned(changed)
        context.logger.info("partitions assigned", metadata: ["kafka.partitions": "\(changed)"])
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        // Commit what was handled before the partitions move, so the next owner does not redo it.
        let commitErr = rd_kafka_commit(rk, nil, 0)
        if commitErr != RD_KAFKA_RESP_ERR_NO_ERROR && commitErr != RD_KAFKA_RESP_ERR__NO_OFFSET {
            context.logger.warning("commit on revoke failed", metadata: ["kafka.error": "\(KafkaCode(commitErr))"])
        }
        resumeMoved(rk, partitions, changed, context)
        if cooperative {
            if let error = rd_kafka_incremental_unassign(rk, partitions) { rd_kafka_error_destroy(error) }
        } else {
            rd_kafka_assign(rk, nil)
        }
        context.rebalance.revoked(changed)
        context.logger.info("partitions revoked", metadata: ["kafka.partitions": "\(changed)"])
    default:
        context.logger.warning("rebalance error", metadata: ["kafka.error": "\(KafkaCode(err))"])
        let current = Array(context.rebalance.current)
        let list = KafkaTopicPartitionList.make(current)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        resumeMoved(rk, list, current, context)
        rd_kafka_assign(rk, nil)
        context.rebalance.revoked(current)
    }
}

/// Resumes partitions a rebalance moves (in either direction) and forgets that they were paused.
private func resumeMoved(
    _ rk: OpaquePointer, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    _ partitions: [KafkaTopicPartition], _ context: KafkaCallbackContext
) {
    guard let list, !partitions.isEmpty else { return }
    rd_kafka_resume_partitions(rk, list)
    context.rebalance.resumed(partitions)
}
