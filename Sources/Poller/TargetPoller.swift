import Crypto
import Events
import Foundation
import GuanceAPI
import KafkaClient
import Logging
import ServiceKit
import Signing
import Timing

/// Polls one target while this instance owns it: takes the state over (recovering what a crashed owner published
/// after its last state write), then lists, detects, publishes and saves state every `pollInterval` until
/// cancelled, and finally marks the target released so the next owner need not wait.
struct TargetPoller: Sendable {
    let target: PollTarget
    let settings: PollerSettings
    private(set) var client: GuanceOpenAPIClient
    let publisher: any EventPublisher
    let store: PollerStateStore
    let tail: KafkaPartitionReader
    let health: HealthChecks
    /// Guance's pushes: a wake-up cuts the wait before the next poll short (coalesced while a poll runs).
    private(set) var wakeup = PollWakeup()
    let metrics = PollerMetrics()
    let logger: Logger
    /// Waits between attempts to take the target over (Kafka unreachable, state unreadable).
    static let takeoverBackoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))

    init(
        target: PollTarget, settings: PollerSettings, client: GuanceOpenAPIClient, publisher: any EventPublisher,
        store: PollerStateStore, tail: KafkaPartitionReader, health: HealthChecks, logger: Logger
    ) {
        self.target = target
        self.settings = settings
        self.client = client
        self.publisher = publisher
        self.store = store
        self.tail = tail
        self.health = health
        var logger = logger
        logger[metadataKey: LogKey.target] = "\(target.name)"
        self.logger = logger
    }

    var healthName: String { "guance.\(target.name)" }

    /// This poller, woken by `wakeup`.
    func waking(on wakeup: PollWakeup) -> TargetPoller {
        var poller = self
        poller.wakeup = wakeup
        return poller
    }

    /// This poller, calling through `client` (the same budget, other priorities).
    func borrowing(_ client: GuanceOpenAPIClient) -> TargetPoller {
        var poller = self
        poller.client = client
        return poller
    }

    /// Runs until the task is cancelled (ownership lost or shutdown).
    func run() async {
        logger.info("polling target")
        guard var state = await takeOver() else { return }
        var channel: IssueEvent.Channel?
        var stopped = false
        var nextSweep = ContinuousClock.now
        var lastSuccess = ContinuousClock.now
        var lease = Lease(interval: settings.leaseInterval)
        var pacer = PollPacer(share: settings.pushShare, burst: settings.pushBurst, window: settings.budgetWindow)
        let schedule = PollSchedule(interval: settings.pollInterval, whilePushing: settings.pushPollInterval)
        // Woken polls may borrow the reply writers' reserve (but `pushReserveKept` calls); interval polls do not.
        let lender = settings.pushReserveKept.map { borrowing(client.keeping($0)) } ?? self
        var woken = false
        while !Task.isCancelled && !stopped {
            let started = ContinuousClock.now
            wakeup.clear()
            // The sweep is an extra call: only while the window is at most half used, so it never takes the room a
            // push needs.
            let sweep = started >= nextSweep && pacer.isQuiet(at: started)
            if sweep { nextSweep = started + settings.sweepInterval }
            var calls = 1
            do {
                if channel == nil { channel = try await resolveChannel() }
                calls = try await (woken ? lender : self).cycle(
                    &state, channel: channel!, started: Date(), sweep: sweep)
                metrics.poll(target: target.name, outcome: "ok")
                lastSuccess = started
            } catch let error as GuanceAPIError where error.isInvalidAPIKey {
                metrics.poll(target: target.name, outcome: "invalid_key")
                health.fail(healthName, reason: "Guance rejected the API key (\(error.errorCode ?? ""))")
                logger.error(
                    "polling stopped: the API key is invalid; fix it and restart",
                    metadata: [LogKey.error: "\(error)"])
                stopped = true
            } catch {
                if Task.isCancelled { break }  // ownership lost or shutdown: not a failure
                metrics.poll(target: target.name, outcome: "failed")
                logger.warning("poll failed; next poll as scheduled", metadata: [LogKey.error: "\(error)"])
            }
            pacer.record(calls, at: started)
            metrics.budgetRemaining(target: target.name, await client.budget.remaining())
            metrics.lag(target: target.name, seconds: (ContinuousClock.now - lastSuccess).seconds)
            if stopped { break }
            await lease.renewIfDue(state, store: store, logger: logger)
            let due = schedule.nextIntervalPoll(lastListing: started, lastPush: wakeup.lastWake)
            woken = await wakeup.sleep(until: due)
            if woken {
                // Never faster than the pacer allows: a storm of early polls would empty the window and then stall
                // every poll of the key until calls age out of it.
                try? await Task.sleep(until: pacer.readyAt(.now), clock: .continuous)
                metrics.wakeup(target: target.name)
                logger.debug("woken by a Guance push: polling now")
            }
        }
        if stopped {
            // Keep ownership (no other instance should hammer a bad key) but do nothing until shutdown, except
            // showing the other instances that the target is owned.
            while !Task.isCancelled {
                await lease.renewIfDue(state, store: store, logger: logger)
                try? await Task.sleep(for: settings.leaseInterval)
            }
        }
        state.released = true
        do { try await store.save(state) } catch {
            logger.warning("could not mark the target released", metadata: [LogKey.error: "\(error)"])
        }
        logger.info("stopped polling target")
    }

    // MARK: - Channel

    func resolveChannel() async throws -> IssueEvent.Channel {
        let channels = try await client.listChannels()
        if let uuid = target.channelUUID {
            let name = channels.first { $0.uuid == uuid }?.name ?? target.channelName
            return IssueEvent.Channel(uuid: uuid, name: name)
        }
        guard let channel = channels.first(where: { $0.name == target.channelName && $0.isLive }) else {
            throw PollerError.channelNotFound(target: target.name, name: target.channelName)
        }
        logger.info("listing channel", metadata: ["channel": "\(channel.name)", "channel_uuid": "\(channel.uuid)"])
        return IssueEvent.Channel(uuid: channel.uuid, name: channel.name)
    }

    // MARK: - One poll

    /// One poll; returns the OpenAPI calls it made that answered (listing pages, sweep page, reply lists).
    @discardableResult
    func cycle(
        _ state: inout PollerState, channel: IssueEvent.Channel, started: Date, sweep: Bool = false
    ) async throws -> Int {
        let now = Int64(started.timeIntervalSince1970)
        let overlap = settings.overlap.components.seconds
        let factory = IssueEventFactory(workspaceUUID: "", channel: channel, consoleURL: target.consoleURL)
        let detector = IssueDetector(factory: factory)
        let listing = try await client.listAllIssues(
            channelUUID: channel.uuid, startTime: state.cursor - overlap, endTime: now + 300)
        var issues = listing.issues
        var rejected = listing.rejected
        var calls = listing.pages
        if sweep, let sweep = try await sweepPage(&state, channel: channel, now: now) {
            calls += 1
            issues += sweep.items
            rejected += sweep.rejected
        }
        for item in rejected {
            logger.error(
                "skipped an issue the API returned without required fields",
                metadata: [LogKey.issueUUID: "\(item.uuid ?? "-")", LogKey.error: "\(item.reason)"])
        }
        if !rejected.isEmpty { metrics.rejectedItems(target: target.name, count: rejected.count) }

        var detection = detector.detect(issues, state: state)
        var groups = Dictionary(uniqueKeysWithValues: detection.eventsByIssue.map { ($0.issueUUID, $0.events) })
        var order = detection.eventsByIssue.map(\.issueUUID)
        let published = Set(state.recentEventIDs)
        for issue in detection.replyChecks {
            let cursor = state.known[issue.uuid]?.replyCursor ?? issue.createAt
            calls += 1
            do {
                let page = try await client.listReplies(issueUUID: issue.uuid, pageIndex: 1, pageSize: 50)
                let events = detector.replyEvents(
                    for: issue, replies: page.items, replyCursor: cursor, published: published)
                let newest = page.items.filter(\.isHumanReply).map(\.createAt).max() ?? cursor
                detection.snapshots[issue.uuid]?.replyCursor = max(cursor, newest)
                detection.snapshots[issue.uuid]?.recheckReplies =
                    issue.updateAt >= Int64(Date().timeIntervalSince1970) - 1
                    ? true : nil
                if !events.isEmpty {
                    if groups[issue.uuid] == nil { order.append(issue.uuid) }
                    groups[issue.uuid, default: []] += events
                }
            } catch {
                // Shutdown or lost ownership mid-poll: stop quietly (the run loop does not count it as a failure).
                if error.isInvalidAPIKey || Task.isCancelled { throw error }
                // Keep the old snapshot: the replies are checked again next poll.
                detection.snapshots.removeValue(forKey: issue.uuid)
                logger.warning(
                    "reply list failed; will retry next poll",
                    metadata: [LogKey.issueUUID: "\(issue.uuid)", LogKey.error: "\(error)"])
            }
        }

        let outcome = await publish(order.map { ($0, groups[$0]!) })
        var changed = !outcome.publishedIDs.isEmpty
        state.remember(outcome.publishedIDs)
        for (partition, offset) in outcome.nextOffsets {
            let key = String(partition)
            state.eventOffsets[key] = max(state.eventOffsets[key] ?? 0, offset)
        }
        for (uuid, snapshot) in detection.snapshots where !outcome.failedIssues.contains(uuid) {
            if state.known[uuid] != snapshot {
                state.known[uuid] = snapshot
                changed = true
            }
        }
        // A `createAt` in the future (a skewed clock) must not carry the cursor past now: the next listing starts
        // at `cursor - overlap` and would skip every issue created until then.
        let ceiling = now + settings.maxClockSkew.components.seconds
        if outcome.failedIssues.isEmpty, let newest = detection.newestCreateAt, min(newest, ceiling) > state.cursor {
            state.cursor = min(newest, ceiling)
            changed = true
        }
        state.pruneKnown()
        if changed { try await store.save(state) }
        if let error = outcome.firstError { throw error }
        return calls
    }

    /// One page of the update sweep (issues older than the overlap window), when the budget has room to spare.
    private func sweepPage(
        _ state: inout PollerState, channel: IssueEvent.Channel, now: Int64
    ) async throws -> GuancePage<GuanceIssue>? {
        let window = settings.trackWindow.components.seconds
        guard window > settings.overlap.components.seconds else { return nil }
        let spare = await client.budget.remaining()
        guard spare >= max(2, client.budget.limit / 2) else { return nil }
        let pageSize = client.settings.issuePageSize
        let page = try await client.listIssues(
            channelUUID: channel.uuid, startTime: now - window, endTime: now + 300, pageIndex: state.sweepPage,
            pageSize: pageSize)
        let received = page.items.count + page.rejected.count
        let total = page.pageInfo?.totalCount ?? 0
        state.sweepPage = (received < pageSize || state.sweepPage * pageSize >= total) ? 1 : state.sweepPage + 1
        return page
    }
}

/// Poller failures that are not API or Kafka errors.
enum PollerError: Error, CustomStringConvertible {
    case channelNotFound(target: String, name: String)

    var description: String {
        switch self {
        case let .channelNotFound(target, name):
            "target \(target): the workspace has no live channel named \"\(name)\" (set channel_uuid)"
        }
    }
}
