import Logging
import ServiceLifecycle
import Shared
import Synchronization

/// Decides which targets this instance polls, through Kafka group membership: every instance joins consumer group
/// `poller` on `guance.poller-coordination`; a target is polled by the member assigned partition
/// `hash(target name) % partitions`. The group guarantees one owner per partition; when a member dies its
/// partitions move after the session timeout, when it leaves cleanly at once.
final class PollerCoordinator: Service, Sendable {
    private let config: PollerConfig
    private let kafka: KafkaClientSettings
    private let makePoller: @Sendable (PollTarget) -> TargetPoller
    private let logger: Logger
    private let running = Mutex<[String: Task<Void, Never>]>([:])
    private let metrics = PollerMetrics()
    private let partitions: Mutex<Int>

    init(
        config: PollerConfig, kafka: KafkaClientSettings, logger: Logger,
        makePoller: @escaping @Sendable (PollTarget) -> TargetPoller
    ) {
        self.config = config
        self.kafka = kafka
        self.logger = logger
        self.makePoller = makePoller
        self.partitions = Mutex(config.coordinationPartitions)
    }

    /// Names of the targets this instance polls right now.
    var ownedTargets: [String] { running.withLock { $0.keys.sorted() } }

    func run() async throws {
        var settings = KafkaConsumerSettings(
            client: kafka, groupID: config.groupID, topics: [config.coordinationTopic])
        settings.sessionTimeout = config.sessionTimeout
        let consumer = try KafkaConsumerClient(settings: settings, logger: logger)
        self.consumer.withLock { $0 = consumer }
        // Every instance maps targets with the topic's real partition count, so they all agree.
        if let count = try? await consumer.partitionCount(topic: config.coordinationTopic), count > 0 {
            partitions.withLock { $0 = count }
        } else {
            logger.warning("coordination topic not found; using the configured partition count", metadata: [
                LogKey.topic: "\(config.coordinationTopic)", "partitions": "\(config.coordinationPartitions)",
            ])
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Drives the membership (heartbeats and rebalance callbacks); the topic carries no records.
                do {
                    for try await record in consumer.records { consumer.markHandled(record) }
                } catch {
                    self.logger.error("coordination consumer failed", metadata: [LogKey.error: "\(error)"])
                }
            }
            group.addTask {
                for await event in consumer.rebalanceEvents { await self.apply(event) }
            }
            group.addTask {
                try? await gracefulShutdown()
            }
            await group.next()
            // Release the targets first (their state says "released"), then leave the group: the next owner
            // starts at once instead of waiting for the hand-over grace.
            await self.stopAll()
            await consumer.close()
            group.cancelAll()
        }
    }

    private let consumer = Mutex<KafkaConsumerClient?>(nil)

    /// Test support: stops polling and drops the group membership without leaving the group, as a crashed process
    /// would; the targets move only after the session timeout.
    func crashForTesting() async {
        consumer.withLock { consumer in
            consumer?.abandonWithoutClosing()
            consumer = nil  // the handle is destroyed (without leaving the group) once run() returns
        }
        let tasks = running.withLock { running in
            defer { running.removeAll() }
            return Array(running.values)
        }
        for task in tasks { task.cancel() }
    }

    private func apply(_ event: KafkaRebalanceEvent) async {
        switch event {
        case let .assigned(partitions):
            let mine = Set(partitions.filter { $0.topic == config.coordinationTopic }.map(\.partition))
            let count = self.partitions.withLock { $0 }
            for target in config.targets where mine.contains(target.coordinationPartition(of: count)) {
                start(target)
            }
        case let .revoked(partitions):
            let lost = Set(partitions.filter { $0.topic == config.coordinationTopic }.map(\.partition))
            let count = self.partitions.withLock { $0 }
            let targets = config.targets.filter { lost.contains($0.coordinationPartition(of: count)) }
            await stop(targets.map(\.name))
        }
        let owned = ownedTargets
        metrics.ownedTargets(owned.count)
        logger.info("poll targets owned by this instance", metadata: ["targets": "\(owned)"])
    }

    private func start(_ target: PollTarget) {
        running.withLock { running in
            guard running[target.name] == nil else { return }
            let poller = makePoller(target)
            running[target.name] = Task { await poller.run() }
        }
    }

    private func stop(_ names: [String]) async {
        let tasks = running.withLock { running in names.compactMap { running.removeValue(forKey: $0) } }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    private func stopAll() async {
        await stop(running.withLock { Array($0.keys) })
    }
}
