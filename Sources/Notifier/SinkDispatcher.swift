import Events
import Foundation
import KafkaClient
import Logging

/// Sends one sink's messages: FIFO per partition, several partitions at once, inside the sink's rate limit, with
/// bounded retries, and storm digests when the backlog exceeds what the rate allows.
///
/// Partition workers `enqueue` in record order and await the ticket. The `run()` loop picks the first ready message
/// whose partition has nothing in flight or waiting for a retry (so one partition's order holds at each sink while a
/// failing partition never blocks the others), waits for the limiter, and sends it in a child task.
///
/// Storms follow `StormPolicy`: events on their own while the sink is calm, otherwise paced messages each carrying
/// everything that waits. Every event in a digest counts as delivered.
///
/// A rate-limit answer pauses the whole sink for the platform's penalty window (`SinkDefinition.rateLimitPause`):
/// the events of that message go back to the front of their queues without using an attempt, nothing is sent until
/// the window ends, and what piled up meanwhile leaves as paced digests.
actor SinkDispatcher {
    struct Settings: Sendable {
        var retry = RetryPolicy()
        var requestTimeout: Duration = .seconds(10)
        /// Sends in flight at once (distinct partitions).
        var maxConcurrentSends = 16
        /// Events in one digest at most (chat digests list only the newest titles; webhook digests carry every event).
        var maxDigestEvents = 1000
        /// How long the oldest of events arriving close together waits for the rest of its burst.
        var digestLinger: Duration = .seconds(1)
    }

    nonisolated let definition: SinkDefinition
    private let renderer: MessageRenderer
    private let delivery: any SinkDelivery
    private let settings: Settings
    private let metrics: SinkMetrics
    private let logger: Logger
    private let clock = ContinuousClock()

    private var limiter: RateLimiter
    private let storm: StormPolicy?
    private var queue = KeyedFIFO<Pending>()
    private var busyKeys: Set<String> = []
    private var inFlight = 0
    private var nextID: UInt64 = 0
    private var lastArrival: ContinuousClock.Instant?
    /// When the last paced (storm) message went.
    private var lastPaced: ContinuousClock.Instant?
    /// After a rate-limit answer: nothing is sent before this instant.
    private var pausedUntil: ContinuousClock.Instant?
    private var wake: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>

    init(
        definition: SinkDefinition, transport: any SinkTransport, settings: Settings, logger: Logger,
        context: SinkContext? = nil
    ) {
        self.definition = definition
        self.renderer = MessageRenderer(kind: definition.kind, template: definition.template)
        self.delivery = definition.kind.platform.makeDelivery(
            definition, transport: transport, context: context ?? SinkContext(logger: logger))
        self.settings = settings
        self.logger = logger
        self.limiter = RateLimiter(windows: definition.limits)
        self.storm = StormPolicy(
            limits: definition.limits, linger: settings.digestLinger, maxDigestEvents: settings.maxDigestEvents)
        self.metrics = SinkMetrics(sink: definition.name)
        (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    var name: String { definition.name }

    /// Queues one event; the ticket is fulfilled when it was delivered (alone or in a digest) or failed for good.
    func enqueue(_ event: IssueEvent, raw: [UInt8], key: String) -> DeliveryTicket {
        nextID += 1
        let ticket = DeliveryTicket(id: nextID)
        let now = clock.now
        let isolated = lastArrival.map { now - $0 >= settings.digestLinger } ?? true
        lastArrival = now
        queue.append(
            Pending(
                payload: Pending.Payload(
                    ticket: ticket, event: event, raw: raw, key: key, enqueuedAt: now, isolated: isolated),
                notBefore: now),
            key: key)
        metrics.queueDepth(queue.count)
        wake.yield()
        return ticket
    }

    /// Drops a queued (not yet sent) message whose waiter went away.
    func cancel(_ id: UInt64) {
        queue.removeAll { $0.ticket.id == id }
        metrics.queueDepth(queue.count)
    }

    /// Events waiting (not in flight).
    var backlog: Int { queue.count }

    // MARK: - Loop

    /// Picks and sends until cancelled; queued tickets are then fulfilled with `.cancelled`.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { [delivery] in await delivery.run() }
            var iterator = wakeups.makeAsyncIterator()
            while !Task.isCancelled {
                let now = clock.now
                switch pick(now: now) {
                case let .send(batch):
                    inFlight += 1
                    for item in batch { busyKeys.insert(item.key) }
                    limiter.sent()
                    group.addTask { await self.attempt(batch) }
                case let .wait(until):
                    // The deadline's timer is a child task living only as long as this wait. Ending early (the
                    // loop was woken by something else) it still wakes the loop once more: a pick right after the
                    // one that woke it, as the former detached timer did; without that extra pick, the records of
                    // the storm digests sent just before a SIGTERM were delivered again after a restart.
                    await withTaskGroup(of: Void.self) { timer in
                        if let until {
                            timer.addTask { [wake] in
                                try? await Task.sleep(until: until, clock: .continuous)
                                wake.yield()
                            }
                        }
                        _ = await iterator.next(isolation: self)
                        timer.cancelAll()
                    }
                }
            }
            group.cancelAll()
        }
        for item in queue.drain() { item.ticket.fulfil(.cancelled) }
    }

    private enum Pick {
        case send([Pending])
        /// Nothing to do before this instant (nil: until woken).
        case wait(ContinuousClock.Instant?)
    }

    private func pick(now: ContinuousClock.Instant) -> Pick {
        if let pausedUntil {
            if pausedUntil > now { return .wait(pausedUntil) }
            self.pausedUntil = nil
            metrics.paused(false)
            logger.info("sink penalty window over, sending again", metadata: [LogKey.sink: "\(name)"])
        }
        guard inFlight < settings.maxConcurrentSends, queue.count > 0 else { return .wait(nil) }
        // One head per partition: the next message of a partition is eligible when nothing of that partition is in
        // flight and it is not waiting for a retry.
        var earliestRetry: ContinuousClock.Instant?
        var ready: [(key: String, since: ContinuousClock.Instant)] = []
        for key in queue.nonEmptyKeys where !busyKeys.contains(key) {
            guard let head = queue.head(of: key) else { continue }
            if head.notBefore > now {
                earliestRetry = min(earliestRetry ?? head.notBefore, head.notBefore)
            } else {
                ready.append((key, head.enqueuedAt))
            }
        }
        guard !ready.isEmpty else { return .wait(earliestRetry) }
        // nil: only an answer of a request in flight makes room (answers wake the loop).
        guard let allowed = limiter.nextAllowed(now: now) else { return .wait(nil) }
        if allowed > now { return .wait(allowed) }
        var wanted = 1
        if let storm, let allowance = limiter.immediateAllowance(now: now), let oldest = ready.map(\.since).min() {
            let isolated = queue.count == 1 && queue.head(of: ready[0].key)?.isolated == true
            let backlog = StormPolicy.Backlog(waiting: queue.count, oldestArrival: oldest, isolated: isolated)
            switch storm.decide(backlog, allowance: allowance, lastPaced: lastPaced, now: now) {
            case .single:
                break
            case let .paced(events):
                // Let the partitions in flight answer first, so their events join this message.
                if inFlight > 0 { return .wait(nil) }
                wanted = events
                lastPaced = now
            case let .wait(until):
                return .wait(until)
            }
        }
        var batch: [Pending] = []
        var keys = ready.map(\.key)
        while batch.count < wanted, !keys.isEmpty {
            // Oldest first across partitions; within a partition in order.
            var best = 0
            var bestSince: ContinuousClock.Instant?
            for (index, key) in keys.enumerated() {
                guard let head = queue.head(of: key), head.notBefore <= now else { continue }
                if bestSince == nil || head.enqueuedAt < bestSince! {
                    best = index
                    bestSince = head.enqueuedAt
                }
            }
            guard bestSince != nil, let item = queue.popHead(of: keys[best]) else { break }
            batch.append(item)
            if queue.head(of: keys[best]) == nil { keys.remove(at: best) }
        }
        metrics.queueDepth(queue.count)
        return .send(batch)
    }

    // MARK: - Sending

    /// Delivers off the actor (other partitions keep being picked meanwhile), then records the outcome.
    private nonisolated func attempt(_ batch: [Pending]) async {
        let message: SinkMessage =
            batch.count == 1 ? .event(batch[0].event, raw: batch[0].raw) : .digest(batch.map(\.event))
        let outcome = await delivery.deliver(message, renderer: renderer, timeout: settings.requestTimeout)
        await complete(batch, outcome)
    }

    private func complete(_ batch: [Pending], _ outcome: SendOutcome) {
        inFlight -= 1
        for item in batch { busyKeys.remove(item.key) }
        defer { wake.yield() }
        let now = clock.now
        limiter.answered(now: now)
        let digest = batch.count > 1
        switch outcome {
        case .delivered:
            metrics.attempt("ok")
            if digest { metrics.digest(events: batch.count) }
            for item in batch {
                metrics.delivery(digest ? "digested" : "delivered")
                metrics.latency(now - item.enqueuedAt)
                item.ticket.fulfil(.delivered(digest: digest))
            }
        case let .rateLimited(reason, retryAfter):
            metrics.attempt("rate_limited")
            pause(until: now + (retryAfter ?? definition.rateLimitPause), reason: reason, events: batch.count)
            // Not the events' fault: back to the front of their queues, attempts untouched.
            let waiting = batch.filter { !$0.ticket.isFulfilled }
            for (key, items) in Dictionary(grouping: waiting, by: \.key) { queue.prepend(items, key: key) }
        case let .retryable(reason):
            metrics.attempt("retryable")
            var retries: [Pending] = []
            for var item in batch where !item.ticket.isFulfilled {
                item.attempts += 1
                if item.attempts >= settings.retry.maxAttempts {
                    metrics.delivery("failed")
                    item.ticket.fulfil(.failed(reason: "gave up after \(item.attempts) attempts: \(reason)"))
                    continue
                }
                item.notBefore = now + settings.retry.delay(afterAttempt: item.attempts)
                metrics.retry()
                retries.append(item)
            }
            logger.warning(
                "sink answered with a retryable error",
                metadata: [
                    LogKey.sink: "\(name)", LogKey.error: "\(reason)", "events": "\(batch.count)",
                    "retrying": "\(retries.count)",
                ])
            for (key, items) in Dictionary(grouping: retries, by: \.key) { queue.prepend(items, key: key) }
        case let .rejected(reason):
            metrics.attempt("rejected")
            logger.error(
                "sink rejected the message; parking in the DLQ",
                metadata: [LogKey.sink: "\(name)", LogKey.error: "\(reason)", "events": "\(batch.count)"])
            for item in batch {
                metrics.delivery("failed")
                item.ticket.fulfil(.failed(reason: reason))
            }
        }
    }

    /// The platform said "rate limited": nothing more goes to it before `until` (its penalty window).
    private func pause(until: ContinuousClock.Instant, reason: String, events: Int) {
        let extended = pausedUntil.map { until > $0 } ?? true
        guard extended else { return }
        pausedUntil = until
        metrics.paused(true)
        logger.warning(
            "sink answered rate limited; pausing it for the platform's penalty window",
            metadata: [
                LogKey.sink: "\(name)", LogKey.error: "\(reason)", "events": "\(events)",
                "pause_seconds": "\((until - clock.now).components.seconds)",
            ])
    }
}
