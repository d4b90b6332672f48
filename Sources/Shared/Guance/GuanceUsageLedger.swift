import Events
import Foundation
import KafkaClient
import Logging
import ServiceLifecycle
import Synchronization
import Timing

/// The process's view of `guance.api-usage`: one budget per API key across every process that uses the key.
///
/// A call is made only with a granted claim: the process appends a claim to the topic, reads the topic back in
/// offset order up to its own claim, and applies `GuanceUsageWindow`'s rule, which every reader computes the same
/// way. No leader, no RPC; the broker's log order is the agreement. Run it as a `Service` (it reads the topic from
/// its first retained record, so a restarted process knows every claim of the last window before its first call).
/// When Kafka cannot be reached the ledger fails closed: no claim is granted, so no call is made.
public final class GuanceUsageLedger: Service, Sendable {
    /// What a claim came to.
    public struct ClaimOutcome: Sendable {
        public var decision: GuanceUsageWindow.Decision
        /// From sending the claim to reading it back.
        public var latency: Duration
    }

    public enum LedgerError: Error, CustomStringConvertible {
        case send(topic: String, KafkaClientError)
        case cancelled

        public var description: String {
            switch self {
            case let .send(topic, error): "could not append a claim to \(topic): \(error)"
            case .cancelled: "cancelled while waiting for a claim"
            }
        }
    }

    public let topic: String
    /// `<service>@<host>`: who this process is in the log and in the `process` metrics label.
    public let process: String
    private let kafka: KafkaClientSettings
    private let producer: KafkaProducerClient
    private let logger: Logger
    private let state = Mutex(State())
    private let metrics = GuanceBudgetMetrics()

    struct State {
        var windows: [String: GuanceUsageWindow] = [:]
        /// Own claims sent and not yet read back: id → the waiter.
        var pending: [String: CheckedContinuation<GuanceUsageWindow.Decision?, Never>] = [:]
        /// Own claims read back before their sender started waiting.
        var early: [String: GuanceUsageWindow.Decision] = [:]
        /// True once the log is read up to where it ended at start.
        var ready = false
        /// Estimated log time minus local wall time (ms), from own claims; never overestimated.
        var skew: Int64 = 0
        /// Processes seen per key (their share gauges go to zero when they stop claiming).
        var processes: [String: Set<String>] = [:]
    }

    public init(
        kafka: KafkaClientSettings, producer: KafkaProducerClient, service: String, logger: Logger,
        topic: String = Topics.apiUsage
    ) {
        self.kafka = kafka
        self.producer = producer
        self.topic = topic
        self.process = "\(service)@\(ProcessInfo.processInfo.hostName)"
        self.logger = logger
    }

    // MARK: - Claims

    /// Appends a claim and waits until it is read back; returns the log's decision. Throws when Kafka does not
    /// take the claim (the caller makes no call and tries again).
    public func claim(
        key: String, priority: GuanceCallPriority, limit: Int, reserve: Int, window: Duration
    ) async throws(LedgerError) -> ClaimOutcome {
        await waitUntilReady()
        if Task.isCancelled { throw .cancelled }
        let record = GuanceUsageRecord(
            kind: .claim, key: key, process: process, priority: priority, limit: limit, reserve: reserve,
            windowMs: window.milliseconds)
        let started = ContinuousClock.now
        do {
            _ = try await producer.send(
                KafkaProducerMessage(topic: topic, key: key, value: record.encoded()), timeout: .seconds(5),
                giveUpOnCancel: true)
        } catch {
            state.withLock { _ = $0.early.removeValue(forKey: record.id) }
            throw .send(topic: topic, error)
        }
        let decision = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let early = state.withLock { state -> GuanceUsageWindow.Decision? in
                    if let decision = state.early.removeValue(forKey: record.id) { return decision }
                    state.pending[record.id] = continuation
                    return nil
                }
                if let early {
                    continuation.resume(returning: early)
                } else if Task.isCancelled {  // cancelled before the waiter was registered: onCancel found nothing
                    state.withLock { $0.pending.removeValue(forKey: record.id) }?.resume(returning: nil)
                }
            }
        } onCancel: {
            state.withLock { $0.pending.removeValue(forKey: record.id) }?.resume(returning: nil)
        }
        guard let decision else { throw .cancelled }
        let latency = ContinuousClock.now - started
        metrics.claimed(key: key, latency: latency, decision: decision, priority: priority)
        return ClaimOutcome(decision: decision, latency: latency)
    }

    /// Announces (`.demand`) or withdraws (`.clear`) an interactive caller waiting on `key`. Best effort.
    public func announce(_ kind: GuanceUsageRecord.Kind, key: String, window: Duration) async {
        let record = GuanceUsageRecord(kind: kind, key: key, process: process, windowMs: window.milliseconds)
        do {
            _ = try await producer.send(
                KafkaProducerMessage(topic: topic, key: key, value: record.encoded()), timeout: .seconds(5))
        } catch {
            logger.warning(
                "could not announce waiting replies",
                metadata: [
                    LogKey.topic: "\(topic)", LogKey.error: "\(error)",
                ])
        }
    }

    /// Whether a claim now would be granted as far as this process has read, or when to look again (local clock).
    public func room(
        key: String, priority: GuanceCallPriority, limit: Int, reserve: Int, window: Duration
    ) -> ContinuousClock.Instant? {
        let (room, logNow) = state.withLock { state -> (GuanceUsageWindow.Room?, Int64) in
            guard state.ready else { return (nil, 0) }
            let logNow = Self.wallMilliseconds() + state.skew
            let room = (state.windows[key] ?? GuanceUsageWindow()).room(
                priority: priority, limit: limit, reserve: reserve, windowMs: window.milliseconds, at: logNow)
            return (room, logNow)
        }
        switch room {
        case nil: return .now + .milliseconds(20)  // still reading the log
        case .now: return nil
        case let .after(logTime): return .now + .milliseconds(max(logTime - logNow, 1))
        }
    }

    /// Calls the log counts in the window ending now (every process), for the spare-budget checks.
    public func counted(key: String, window: Duration) -> Int? {
        state.withLock { state in
            guard state.ready else { return nil }
            let logNow = Self.wallMilliseconds() + state.skew
            return (state.windows[key] ?? GuanceUsageWindow()).claimsByProcess(
                windowMs: window.milliseconds, at: logNow
            ).values.reduce(0, +)
        }
    }

    /// True once the log is read up to where it ended when this process started.
    public var isReady: Bool { state.withLock { $0.ready } }

    private func waitUntilReady() async {
        while !isReady && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: - Reading the log

    public func run() async throws {
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        var settings = KafkaConsumerSettings(
            client: kafka, groupID: "api-usage-reader-\(UUID().uuidString.prefix(8))", topics: [])
        settings.client.extraProperties["enable.auto.commit"] = "false"
        // A broker answers a waiting fetch as soon as a record arrives; librdkafka's mock cluster only when this
        // passes, so it bounds a claim's round trip there (and costs an idle reader 50 small fetches a second).
        settings.client.extraProperties["fetch.wait.max.ms"] = "20"
        // One record per poll: a batch poll waits for a full batch or its timeout, which would delay every claim.
        settings.batchSize = 1
        let reader = try KafkaConsumerClient(
            settings: settings, assignment: [partition: KafkaConsumerClient.offsetBeginning], logger: logger)
        if (try? await reader.partitionCount(topic: topic)) == nil { await createTopic() }
        var end: (low: Int64, high: Int64)?
        while end == nil && !Task.isShuttingDownGracefully && !Task.isCancelled {
            do { end = try await reader.watermarks(partition) } catch {
                logger.warning(
                    "cannot read the API usage log yet; no OpenAPI call until it can",
                    metadata: [
                        LogKey.topic: "\(topic)", LogKey.error: "\(error)",
                    ])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        guard let end else { return await reader.close() }
        let logStart = end.low
        if end.high <= end.low { state.withLock { $0.ready = true } }
        logger.info(
            "reading the API usage log",
            metadata: [
                LogKey.topic: "\(topic)", "from": "\(end.low)", "to": "\(end.high)",
            ])
        var first = true
        do {
            for try await record in reader.records.cancelOnGracefulShutdown() {
                let time = record.timestampMilliseconds ?? Self.wallMilliseconds()
                apply(record, time: time, blind: first && logStart > 0, readyAt: end.high)
                first = false
            }
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        state.withLock { state in
            for waiter in state.pending.values { waiter.resume(returning: nil) }
            state.pending.removeAll()
        }
    }

    /// What applying a record of the log led to.
    private struct Applied {
        var waiter: CheckedContinuation<GuanceUsageWindow.Decision?, Never>?
        var decision: GuanceUsageWindow.Decision?
        var shares: [String: Int]?
    }

    /// Applies one record of the log. `blind`: the first record read of a log whose start was deleted, so claims
    /// older than it are unknown: nothing is granted until a whole window after it.
    private func apply(_ kafkaRecord: KafkaRecord, time: Int64, blind: Bool, readyAt end: Int64) {
        let record = kafkaRecord.value.flatMap(GuanceUsageRecord.decode)
        let now = Self.wallMilliseconds()
        let applied = state.withLock { state -> Applied in
            if kafkaRecord.offset >= end - 1 { state.ready = true }
            guard let record else { return Applied() }
            var window = state.windows[record.key] ?? GuanceUsageWindow()
            if blind { window.blindUntil = time + (record.windowMs ?? 0) }
            let decision = window.apply(record, offset: kafkaRecord.offset, time: time)
            state.windows[record.key] = window
            guard record.kind == .claim, let decision else { return Applied() }
            var applied = Applied()
            var shares = window.claimsByProcess(windowMs: record.windowMs ?? 0, at: time)
            state.processes[record.key, default: []].insert(record.process)
            for process in state.processes[record.key, default: []] where shares[process] == nil { shares[process] = 0 }
            applied.shares = shares
            guard record.process == process else { return applied }
            state.skew = time - now
            if let waiter = state.pending.removeValue(forKey: record.id) {
                applied.waiter = waiter
                applied.decision = decision
            } else {
                if state.early.count >= 1000 { state.early.removeAll() }  // claims whose sender gave up
                state.early[record.id] = decision
            }
            return applied
        }
        if let record, let shares = applied.shares {
            metrics.shares(key: record.key, limit: record.limit ?? 0, byProcess: shares)
        }
        if let waiter = applied.waiter { waiter.resume(returning: applied.decision) }
    }

    /// Creates the topic (a deployment may create it out of band and forbid this).
    private func createTopic() async {
        do {
            let admin = try KafkaAdminClient(settings: kafka, logger: logger)
            let created = try await admin.createMissingTopics([Self.topicSpec(topic)], timeout: .seconds(10))
            if !created.isEmpty { logger.info("created topics", metadata: ["topics": "\(created)"]) }
        } catch {
            logger.debug(
                "could not create the API usage topic; expecting it to exist",
                metadata: [
                    LogKey.topic: "\(topic)", LogKey.error: "\(error)",
                ])
        }
    }

    /// One partition (the log's order is the agreement; the volume is a few records per call), deleted after
    /// 15 minutes (every window fits many times), broker timestamps (one clock orders every claim).
    public static func topicSpec(_ topic: String = Topics.apiUsage) -> KafkaAdminClient.TopicSpec {
        .init(
            name: topic, partitions: 1,
            config: [
                "cleanup.policy": "delete", "retention.ms": "900000", "segment.ms": "300000",
                "message.timestamp.type": "LogAppendTime",
            ])
    }

    static func wallMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
