import KafkaClient
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Decides which targets this instance polls, through Kafka group membership: every instance joins consumer group
/// `poller` on `guance.poller-coordination`; a target is polled by the member assigned partition
/// `hash(target name) % partitions`. The group guarantees one owner per partition; when a member dies its
/// partitions move after the session timeout, when it leaves cleanly at once. Targets map with the topic's real
/// partition count; a target nobody polls is noticed by every instance (`TargetOwnershipWatch`).
///
/// When `config.pollTriggersTopic` is set, every instance also reads `PollTrigger`s from it in a consumer group of its
/// own (`poller-triggers.<instance>`, from the end: a wake-up is only worth something now), and wakes the target's
/// poller when it owns the target; triggers for targets it does not own are ignored.
final class PollerCoordinator: Service, Sendable {
    private let config: PollerConfig
    private let kafka: KafkaClientSettings
    private let makePoller: @Sendable (PollTarget) -> TargetPoller
    private let logger: Logger
    private let running = Mutex<[String: RunningPoller]>([:])
    /// Pollers to start, read by the task in `run()` that owns them all.
    private let starts: AsyncStream<(poller: TargetPoller, work: StoppableWork)>
    private let startsContinuation: AsyncStream<(poller: TargetPoller, work: StoppableWork)>.Continuation
    private let metrics = PollerMetrics()
    private let partitions: Mutex<Int>

    private let health: HealthChecks
    private let ownershipWatch: TargetOwnershipWatch

    init(
        config: PollerConfig, kafka: KafkaClientSettings, health: HealthChecks, logger: Logger,
        makePoller: @escaping @Sendable (PollTarget) -> TargetPoller
    ) {
        self.config = config
        self.kafka = kafka
        self.health = health
        self.logger = logger
        self.makePoller = makePoller
        self.partitions = Mutex(config.coordinationPartitions)
        (starts, startsContinuation) = AsyncStream.makeStream()
        // Silent longer than a few lease writes (or polls, when polls are rarer) plus a hand-over: nobody polls it.
        let settings = config.settings
        ownershipWatch = TargetOwnershipWatch(
            targets: config.targets.map(\.name),
            tail: KafkaPartitionReader(kafka: kafka, logger: logger, groupPrefix: "poller-reader"),
            timeout: max(settings.leaseInterval, settings.pollInterval) * 3 + config.sessionTimeout
                + settings.handoverGrace,
            checkInterval: min(settings.leaseInterval, .seconds(5)))
    }

    /// Names of the targets this instance polls right now.
    var ownedTargets: [String] { running.withLock { $0.keys.sorted() } }

    func run() async throws {
        var settings = KafkaConsumerSettings(
            client: kafka, groupID: config.groupID, topics: [config.coordinationTopic])
        settings.sessionTimeout = config.sessionTimeout
        let consumer = try KafkaConsumerClient(settings: settings, logger: logger)
        self.consumer.withLock { $0 = consumer }
        await refreshPartitionCount(consumer)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // The target pollers: children of this task, each stopped on its own when its target moves.
                await withDiscardingTaskGroup { pollers in
                    for await start in self.starts {
                        pollers.addTask { await start.work.run { await start.poller.run() } }
                    }
                }
            }
            group.addTask {
                // Drives the membership (heartbeats and rebalance callbacks); the topic carries no records.
                do {
                    for try await record in consumer.records { consumer.markHandled(record) }
                } catch {
                    self.logger.error("coordination consumer failed", metadata: [LogKey.error: "\(error)"])
                }
            }
            group.addTask {
                for await event in consumer.rebalanceEvents { await self.apply(event, consumer: consumer) }
            }
            group.addTask {
                await self.ownershipWatch.run { unowned in self.reportUnowned(unowned) }
            }
            if let topic = config.pollTriggersTopic {
                let listener = PollTriggerListener(
                    kafka: kafka, topic: topic, instanceID: config.settings.instanceID, logger: logger)
                group.addTask { await listener.run { target in self.wake(target: target) } }
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
        let works = running.withLock { running in
            defer { running.removeAll() }
            return running.values.map(\.work)
        }
        for work in works { work.cancel() }
    }

    /// Partitions of the coordination topic assigned to this instance.
    private let assigned = Mutex<Set<Int32>>([])

    /// Every assignment change re-reads the topic's partition count (partitions may have been added) and then starts
    /// exactly the targets whose partition is ours, stopping the others.
    private func apply(_ event: KafkaRebalanceEvent, consumer: KafkaConsumerClient) async {
        let mine = assigned.withLock { assigned in
            switch event {
            case let .assigned(partitions):
                assigned.formUnion(partitions.filter { $0.topic == config.coordinationTopic }.map(\.partition))
            case let .revoked(partitions):
                assigned.subtract(partitions.filter { $0.topic == config.coordinationTopic }.map(\.partition))
            }
            return assigned
        }
        if case .assigned = event { await refreshPartitionCount(consumer) }
        let count = partitions.withLock { $0 }
        let wanted = config.targets.filter { mine.contains($0.coordinationPartition(of: count)) }
        let wantedNames = Set(wanted.map(\.name))
        await stop(ownedTargets.filter { !wantedNames.contains($0) })
        for target in wanted { start(target) }
        let owned = ownedTargets
        metrics.ownedTargets(owned.count)
        logger.info(
            "poll targets owned by this instance",
            metadata: [
                "targets": "\(owned)", "partitions": "\(mine.sorted())", "of": "\(count)",
            ])
    }

    /// Maps targets with the topic's real partition count, so every instance agrees whatever the topic was created
    /// with (an auto-created topic has the broker's default count, not ours).
    private func refreshPartitionCount(_ consumer: KafkaConsumerClient) async {
        do {
            if let count = try await consumer.partitionCount(topic: config.coordinationTopic), count > 0 {
                let previous = partitions.withLock { partitions in
                    defer { partitions = count }
                    return partitions
                }
                if previous != count {
                    logger.info(
                        "coordination topic partition count",
                        metadata: [
                            LogKey.topic: "\(config.coordinationTopic)", "partitions": "\(count)",
                        ])
                }
                return
            }
            logger.error(
                "coordination topic not found; targets cannot be assigned",
                metadata: [
                    LogKey.topic: "\(config.coordinationTopic)"
                ])
        } catch {
            logger.warning(
                "could not read the coordination topic's partition count",
                metadata: [
                    LogKey.topic: "\(config.coordinationTopic)", LogKey.error: "\(error)",
                ])
        }
    }

    private let unowned = Mutex<[String]>([])

    /// Targets no instance polls: metric, readiness and one log line whenever the set changes.
    private func reportUnowned(_ names: [String]) {
        let previous = unowned.withLock { unowned in
            defer { unowned = names }
            return unowned
        }
        metrics.unownedTargets(names.count)
        guard names != previous else { return }
        if names.isEmpty {
            health.clear(Self.ownershipCheck)
            logger.notice("every poll target is owned again")
        } else {
            health.fail(Self.ownershipCheck, reason: "no instance polls \(names.joined(separator: ", "))")
            logger.error(
                "poll targets not polled by any instance",
                metadata: [
                    "targets": "\(names)", LogKey.topic: "\(config.coordinationTopic)",
                ])
        }
    }

    static let ownershipCheck = "poller.ownership"

    private func start(_ target: PollTarget) {
        running.withLock { running in
            guard running[target.name] == nil else { return }
            let wakeup = PollWakeup()
            let work = StoppableWork()
            running[target.name] = RunningPoller(work: work, wakeup: wakeup)
            startsContinuation.yield((makePoller(target).waking(on: wakeup), work))
        }
    }

    /// Makes the target's poller poll now (or once more after the poll it is in); false when this instance does
    /// not poll the target.
    @discardableResult
    func wake(target: String) -> Bool {
        guard let wakeup = running.withLock({ $0[target]?.wakeup }) else { return false }
        wakeup.wake()
        return true
    }

    private func stop(_ names: [String]) async {
        let works = running.withLock { running in names.compactMap { running.removeValue(forKey: $0)?.work } }
        for work in works { work.cancel() }
        for work in works { await work.stop() }
    }

    private func stopAll() async {
        await stop(running.withLock { Array($0.keys) })
    }
}

/// A target poller this instance runs, and how to wake it.
private struct RunningPoller {
    var work: StoppableWork
    var wakeup: PollWakeup
}
