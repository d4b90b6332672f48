import KafkaClient
import Logging
import ServiceLifecycle
import Synchronization

/// The notifier's work loop: reads `guance.issue-events` as a member of group `notifier`, feeds one
/// `PartitionWorker` per partition (partitions run in parallel, each in order), and runs one `SinkDispatcher` per
/// sink. On revocation a partition's queued work is dropped (the next owner redoes it from the committed offset);
/// on graceful shutdown pulling stops and records already handed to sinks finish before the consumer closes.
/// Dispatchers and workers are child tasks of `run()`: when it returns, none of them is left running.
final class NotifierService: Service {
    private let config: NotifierConfig
    private let consumer: KafkaConsumerClient
    private let dispatchers: [String: SinkDispatcher]
    private let handler: RecordHandler
    private let logger: Logger
    private let workers = Mutex<[KafkaTopicPartition: PartitionWorker]>([:])
    let running = Atomic<Bool>(false)

    init(
        config: NotifierConfig, consumer: KafkaConsumerClient, deadLetters: any DeadLetterPublisher,
        transport: any SinkTransport, logger: Logger
    ) {
        self.config = config
        self.consumer = consumer
        self.logger = logger
        var dispatchers: [String: SinkDispatcher] = [:]
        for sink in config.sinks {
            var sinkLogger = logger
            sinkLogger[metadataKey: LogKey.sink] = "\(sink.name)"
            dispatchers[sink.name] = SinkDispatcher(
                definition: sink, transport: transport, settings: config.dispatch, logger: sinkLogger,
                context: SinkContext(kafka: config.consumer.client, publisher: deadLetters, logger: sinkLogger))
        }
        self.dispatchers = dispatchers
        self.handler = RecordHandler(
            dispatchers: dispatchers, router: EventRouter(sinkNames: config.sinks.map(\.name), routes: config.routes),
            deadLetters: deadLetters, logger: logger)
    }

    func run() async throws {
        running.store(true, ordering: .relaxed)
        defer { running.store(false, ordering: .relaxed) }
        logger.info(
            "notifier consuming",
            metadata: [
                "sinks": "\(config.sinks.map { "\($0.name)(\($0.kind.rawValue))" }.joined(separator: ", "))",
                "routes": "\(config.routes.count)",
            ])
        // Revokes are handled inside the rebalance: a partition that comes straight back must get a new worker for
        // the records fetched after it, never the old worker that is about to be cancelled.
        consumer.setRevokeHandler { [weak self] partitions in self?.revoke(partitions) }
        defer { consumer.setRevokeHandler(nil) }
        var failure: (any Error)?
        await withDiscardingTaskGroup { sinks in
            for dispatcher in dispatchers.values { sinks.addTask { await dispatcher.run() } }
            await withDiscardingTaskGroup { partitions in
                do {
                    // Batches: the graceful-shutdown wrapper costs a merge step per element.
                    for try await batch in consumer.recordBatches.cancelOnGracefulShutdown() {
                        for record in batch {
                            let (worker, isNew) = worker(for: record)
                            if isNew { partitions.addTask { await worker.run() } }
                            worker.push(record)
                        }
                    }
                } catch {
                    logger.error("consumer failed", metadata: [LogKey.error: "\(error)"])
                    failure = error
                }
                // Graceful stop (or cancellation): every worker finishes what it handed to sinks, or is cancelled
                // with this task; the group waits for all of them.
                stopWorkers()
            }
            sinks.cancelAll()
        }
        if let failure { throw failure }
        logger.info("notifier stopped consuming")
    }

    /// The worker of the record's partition, and whether it was created now (its `run()` is then to be started).
    private func worker(for record: KafkaRecord) -> (PartitionWorker, isNew: Bool) {
        let partition = record.topicPartition
        return workers.withLock { workers in
            if let existing = workers[partition] { return (existing, false) }
            let worker = PartitionWorker(
                partition: partition, consumer: consumer, handler: handler, maxInFlight: config.maxInFlightPerPartition)
            workers[partition] = worker
            return (worker, true)
        }
    }

    /// Drops the queued work of revoked partitions; their records will be handled by the next owner.
    private func revoke(_ partitions: [KafkaTopicPartition]) {
        let removed = workers.withLock { workers in partitions.compactMap { workers.removeValue(forKey: $0) } }
        for worker in removed { worker.revoke() }
        if !removed.isEmpty {
            logger.info("dropped work of revoked partitions", metadata: ["kafka.partitions": "\(partitions)"])
        }
    }

    /// Graceful stop: every worker finishes what it handed to sinks.
    private func stopWorkers() {
        let all = workers.withLock { workers in
            defer { workers.removeAll() }
            return Array(workers.values)
        }
        for worker in all { worker.stop() }
    }
}
