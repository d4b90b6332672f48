import DevStack
import Foundation
import NIOHTTP1
import Synchronization
import Testing

@testable import Notifier

/// A transport answering from a script, recording every request.
final class ScriptedTransport: SinkTransport {
    struct Call: Sendable {
        let request: SinkRequest
        let at: ContinuousClock.Instant
    }
    private let state = Mutex<(script: [(Int, String)], calls: [Call])>(([], []))
    let fallback: (Int, String)
    /// Headers of every answer.
    let answerHeaders: HTTPHeaders
    /// Requests whose URL contains this string fail with 500 forever (a dead sink or partition).
    let alwaysFail: String?

    init(
        _ script: [(Int, String)] = [], fallback: (Int, String) = (200, #"{"code":0,"msg":"success"}"#),
        alwaysFail: String? = nil, answerHeaders: HTTPHeaders = [:]
    ) {
        self.fallback = fallback
        self.answerHeaders = answerHeaders
        self.alwaysFail = alwaysFail
        state.withLock { $0.script = script }
    }

    func send(_ request: SinkRequest, timeout: Duration) async throws -> SinkAnswer {
        let answer = state.withLock { state -> (Int, String) in
            state.calls.append(Call(request: request, at: .now))
            if let alwaysFail, String(decoding: request.body, as: UTF8.self).contains(alwaysFail) {
                return (500, "down")
            }
            return state.script.isEmpty ? fallback : state.script.removeFirst()
        }
        return SinkAnswer(status: answer.0, body: Array(answer.1.utf8), headers: answerHeaders)
    }

    var calls: [Call] { state.withLock { $0.calls } }
}

@Suite("Sink dispatcher: retries, DLQ decisions, rate limits, digests, isolation", .timeLimit(.minutes(1)))
struct SinkDispatcherTests {
    func dispatcher(
        _ kind: SinkKind = .feishu, _ transport: ScriptedTransport, limits: [RateWindow]? = [],
        attempts: Int = 5, digestLinger: Duration = .seconds(1), rateLimitPause: Duration = .milliseconds(200)
    ) -> SinkDispatcher {
        var settings = SinkDispatcher.Settings()
        settings.digestLinger = digestLinger
        settings.retry = RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))
        var definition = SinkDefinition(name: kind.rawValue, kind: kind, url: "http://127.0.0.1:1/x", limits: limits)
        definition.rateLimitPause = rateLimitPause
        return SinkDispatcher(definition: definition, transport: transport, settings: settings, logger: testLogger)
    }

    func withRunning<T: Sendable>(_ dispatcher: SinkDispatcher, _ body: () async throws -> T) async rethrows -> T {
        let loop = Task { await dispatcher.run() }
        defer { loop.cancel() }
        return try await body()
    }

    @Test func feishu500TwiceThenSuccessIsDeliveredOnce() async {
        let transport = ScriptedTransport([(500, "error"), (500, "error")])
        let sink = dispatcher(.feishu, transport)
        let result = await withRunning(sink) {
            await sink.enqueue(makeEvent(), raw: [], key: "p0").result {}
        }
        #expect(result == .delivered(digest: false))
        #expect(transport.calls.count == 3)
    }

    @Test func badSignatureFailsAtOnceWithTheReason() async {
        let transport = ScriptedTransport([
            (200, #"{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}"#)
        ])
        let sink = dispatcher(.feishu, transport)
        let result = await withRunning(sink) { await sink.enqueue(makeEvent(), raw: [], key: "p0").result {} }
        guard case let .failed(reason) = result else {
            Issue.record("expected failure, got \(result)")
            return
        }
        #expect(reason.contains("19021"))
        #expect(transport.calls.count == 1)
    }

    @Test func frequencyLimitedPausesTheSinkAndDelivers() async throws {
        let transport = ScriptedTransport([(200, #"{"code":11232,"msg":"frequency limited"}"#)])
        #expect(SinkKind.feishu.rateLimitPause == .seconds(60))
        let sink = dispatcher(.feishu, transport, attempts: 1, rateLimitPause: .milliseconds(300))
        let result = await withRunning(sink) { await sink.enqueue(makeEvent(), raw: [], key: "p0").result {} }
        #expect(result == .delivered(digest: false))
        let calls = transport.calls
        try #require(calls.count == 2)
        #expect(calls[1].at - calls[0].at >= .milliseconds(300))
    }

    @Test func attemptsAreBounded() async {
        let transport = ScriptedTransport(fallback: (503, "unavailable"))
        let sink = dispatcher(.wecom, transport, attempts: 3)
        let result = await withRunning(sink) { await sink.enqueue(makeEvent(), raw: [], key: "p0").result {} }
        guard case let .failed(reason) = result else {
            Issue.record("expected failure")
            return
        }
        #expect(reason.contains("3 attempts"))
        #expect(transport.calls.count == 3)
    }

    @Test func onePartitionsFailingEventDoesNotStallOtherPartitions() async {
        let transport = ScriptedTransport(alwaysFail: "Checkout latency #1\"")
        let sink = dispatcher(.feishu, transport, attempts: 50)
        await withRunning(sink) {
            let stuck = await sink.enqueue(makeEvent(1), raw: [], key: "p0")
            let behind = await sink.enqueue(makeEvent(2), raw: [], key: "p0")
            var others: [DeliveryTicket] = []
            for n in 3...12 { others.append(await sink.enqueue(makeEvent(n), raw: [], key: "p\(n)")) }
            for ticket in others { #expect(await ticket.result {} == .delivered(digest: false)) }
            // The event behind the stuck one (same partition) waits: order within a partition holds.
            #expect(!behind.isFulfilled)
            #expect(!stuck.isFulfilled)
        }
    }

    @Test func aStormBecomesDigestsWithinTheRateAndEveryEventIsAccountedFor() async {
        let transport = ScriptedTransport(fallback: (200, #"{"errcode":0,"errmsg":"ok"}"#))
        let sink = dispatcher(.dingtalk, transport, limits: SinkKind.dingtalk.documentedLimits)
        // The whole storm is waiting before the sink starts sending (as after a burst on the topic): how fast a
        // loaded machine enqueues must not decide whether the first messages of the window go out one by one.
        var tickets: [DeliveryTicket] = []
        for n in 1...300 { tickets.append(await sink.enqueue(makeEvent(n), raw: [], key: "p\(n % 6)")) }
        let results = await withRunning(sink) {
            var results: [DeliveryResult] = []
            for ticket in tickets { results.append(await ticket.result {}) }
            return results
        }
        #expect(results.count == 300)
        #expect(results.allSatisfy { if case .delivered = $0 { true } else { false } })
        #expect(transport.calls.count <= 20, "\(transport.calls.count) messages for 20/min")
        #expect(results.contains(.delivered(digest: true)))
        let counted = transport.calls.map { call -> Int in
            let text = String(decoding: call.request.body, as: UTF8.self)
            guard let range = text.range(of: #"(\d+) issue events"#, options: .regularExpression) else { return 1 }
            return Int(text[range].split(separator: " ")[0]) ?? 1
        }.reduce(0, +)
        #expect(counted == 300)
    }

    /// A storm that arrives more slowly than the sink could send (the first events of the window would go out one by
    /// one) still never waits for the window to roll over: once half the window is used, paced digests carry what
    /// arrives. Time is scaled 10x: 20 per 6 s stands for DingTalk's 20 per minute.
    @Test func aStormArrivingSlowlyIsPacedNotHeldForTheNextWindow() async throws {
        let transport = ScriptedTransport(fallback: (200, #"{"errcode":0,"errmsg":"ok"}"#))
        let window = RateWindow(limit: 20, per: .seconds(6))
        let sink = dispatcher(.dingtalk, transport, limits: [window], digestLinger: .milliseconds(100))
        let started = ContinuousClock.now
        let results = await withRunning(sink) {
            var tickets: [DeliveryTicket] = []
            for n in 1...150 {
                tickets.append(await sink.enqueue(makeEvent(n), raw: [], key: "p\(n % 6)"))
                // The arrival pattern under test (100 events/s), not a synchronisation.
                try? await Task.sleep(for: .milliseconds(10))
            }
            var results: [DeliveryResult] = []
            for ticket in tickets { results.append(await ticket.result {}) }
            return results
        }
        #expect(results.allSatisfy { if case .delivered = $0 { true } else { false } })
        let calls = transport.calls.map(\.at)
        let counted = transport.calls.map { call -> Int in
            let text = String(decoding: call.request.body, as: UTF8.self)
            guard let range = text.range(of: #"(\d+) issue events"#, options: .regularExpression) else { return 1 }
            return Int(text[range].split(separator: " ")[0]) ?? 1
        }.reduce(0, +)
        #expect(counted == 150)
        // Never more than the window allows, in any window.
        for (index, call) in calls.enumerated() {
            #expect(calls[index...].prefix { $0 < call + window.window }.count <= window.limit)
        }
        // Paced every 6 s / 10 = 0.6 s: no gap near the window's 6 s, and everything out soon after the last arrival.
        let gaps = zip(calls.dropFirst(), calls).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 < .seconds(2) }, "largest gap \(gaps.max() ?? .zero)")
        #expect(try #require(calls.last) - started < .seconds(5), "the storm took \(calls.last! - started)")
    }

    @Test func stormPolicyDecisions() {
        let policy = StormPolicy(
            limits: [RateWindow(limit: 20, per: .seconds(60))], linger: .seconds(1), maxDigestEvents: 1000)!
        let now = ContinuousClock.now
        func backlog(_ waiting: Int, since: Duration = .seconds(2), isolated: Bool = false) -> StormPolicy.Backlog {
            StormPolicy.Backlog(waiting: waiting, oldestArrival: now - since, isolated: isolated)
        }
        #expect(policy.pace == .seconds(12))
        #expect(policy.singlesShare == 10)
        // Calm: an event on its own goes at once; a few arriving together wait for the rest of their burst, then go
        // one by one.
        #expect(
            policy.decide(backlog(1, since: .zero, isolated: true), allowance: 20, lastPaced: nil, now: now) == .single)
        #expect(
            policy.decide(backlog(2, since: .milliseconds(200)), allowance: 20, lastPaced: nil, now: now)
                == .wait(until: now + .milliseconds(800)))
        #expect(policy.decide(backlog(3), allowance: 20, lastPaced: nil, now: now) == .single)
        // A burst: everything that arrived within the linger in one message.
        #expect(
            policy.decide(backlog(49, since: .milliseconds(10)), allowance: 19, lastPaced: nil, now: now)
                == .wait(until: now + .milliseconds(990)))
        #expect(policy.decide(backlog(49), allowance: 19, lastPaced: nil, now: now) == .paced(events: 49))
        #expect(policy.decide(backlog(4_000), allowance: 19, lastPaced: nil, now: now) == .paced(events: 1000))
        // In the storm, messages are paced, whatever the arrival pattern; a lone event waits its turn too.
        #expect(
            policy.decide(backlog(50), allowance: 18, lastPaced: now - .seconds(4), now: now)
                == .wait(until: now + .seconds(8)))
        #expect(
            policy.decide(backlog(1, isolated: true), allowance: 18, lastPaced: now - .seconds(4), now: now)
                == .wait(until: now + .seconds(8)))
        #expect(
            policy.decide(backlog(100), allowance: 18, lastPaced: now - .seconds(12), now: now) == .paced(events: 100))
        // The storm is over half a window after its last paced message.
        #expect(policy.decide(backlog(2), allowance: 18, lastPaced: now - .seconds(31), now: now) == .single)
        // Singles use at most half the window; beyond that even a few events are paced.
        #expect(policy.decide(backlog(2), allowance: 11, lastPaced: nil, now: now) == .paced(events: 2))
        #expect(StormPolicy(limits: [], linger: .seconds(1), maxDigestEvents: 50) == nil)
        // Feishu: the per-minute window decides, paced every 2.4 s.
        let feishu = StormPolicy(limits: SinkKind.feishu.documentedLimits, linger: .seconds(1), maxDigestEvents: 50)!
        #expect(feishu.pace == .milliseconds(2400))
    }

    /// A rate-limit answer pauses the whole sink for the platform's penalty window; the events of that message keep
    /// their attempts (one attempt in total here: a per-event back-off would have failed them), and what piles up
    /// meanwhile leaves as one digest when the window ends.
    @Test func aRateLimitAnswerPausesTheSinkWithoutUsingAttemptsAndThePileLeavesAsADigest() async throws {
        let transport = ScriptedTransport(
            [(200, #"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#)],
            fallback: (200, #"{"errcode":0,"errmsg":"ok"}"#))
        #expect(SinkDefinition(name: "d", kind: .dingtalk, url: "http://127.0.0.1:1/x").rateLimitPause == .seconds(600))
        // DingTalk's documented limits; its 10-minute penalty compressed.
        let sink = dispatcher(.dingtalk, transport, limits: nil, attempts: 1, rateLimitPause: .milliseconds(800))
        let results = await withRunning(sink) {
            var tickets = [await sink.enqueue(makeEvent(1), raw: [], key: "p0")]
            try? await eventually(timeout: .seconds(5)) { transport.calls.count == 1 }
            for n in 2...31 { tickets.append(await sink.enqueue(makeEvent(n), raw: [], key: "p\(n % 4)")) }
            var results: [DeliveryResult] = []
            for ticket in tickets { results.append(await ticket.result {}) }
            return results
        }
        #expect(results.allSatisfy { if case .delivered = $0 { true } else { false } }, "\(results)")
        let calls = transport.calls
        #expect(calls.count == 2, "the rejected message, then one digest")
        #expect(calls[1].at - calls[0].at >= .milliseconds(800), "nothing was sent during the penalty")
        #expect(String(decoding: calls[1].request.body, as: UTF8.self).contains("31 issue events"))
    }

    /// A burst on a calm sink lingers for the rest of it, then leaves as one digest about `digestLinger` after the
    /// burst, woken by the dispatcher's own timer: nothing enqueues, answers or cancels after the burst.
    @Test func aLingeringDigestLeavesAfterTheLingerWithoutAnyFurtherWakeUp() async throws {
        let transport = ScriptedTransport()
        let linger = Duration.milliseconds(300)
        let sink = dispatcher(.feishu, transport, limits: SinkKind.feishu.documentedLimits, digestLinger: linger)
        let burst = ContinuousClock.now
        var tickets: [DeliveryTicket] = []
        for n in 1...5 { tickets.append(await sink.enqueue(makeEvent(n), raw: [], key: "p\(n % 2)")) }
        let results = await withRunning(sink) {
            var results: [DeliveryResult] = []
            for ticket in tickets { results.append(await ticket.result {}) }
            return results
        }
        #expect(results.allSatisfy { $0 == .delivered(digest: true) }, "\(results)")
        let calls = transport.calls
        #expect(calls.count == 1)
        #expect(String(decoding: try #require(calls.first).request.body, as: UTF8.self).contains("5 issue events"))
        let after = try #require(calls.first).at - burst
        #expect(after >= linger && after < linger + .seconds(2), "sent \(after) after the burst")
    }

    /// A 429 with `Retry-After` (Slack, Teams) pauses the sink for as long as the platform asked, not for the
    /// platform's default penalty window (30 s here: the test's one-minute limit would not allow it).
    @Test func aRetryAfterAnswerPausesTheSinkForAsLongAsAsked() async throws {
        let transport = ScriptedTransport(
            [(429, "rate_limited")], fallback: (200, "ok"), answerHeaders: ["Retry-After": "1"])
        let sink = dispatcher(.slack, transport, limits: [], rateLimitPause: .seconds(30))
        let result = await withRunning(sink) { await sink.enqueue(makeEvent(), raw: [], key: "p0").result {} }
        #expect(result == .delivered(digest: false))
        let calls = transport.calls
        try #require(calls.count == 2)
        let gap = calls[1].at - calls[0].at
        #expect(gap >= .seconds(1) && gap < .seconds(10), "resent after \(gap)")
    }

    @Test func cancelledWaitersDropTheirQueuedMessage() async {
        let transport = ScriptedTransport()
        let sink = dispatcher(.feishu, transport)
        let ticket = await sink.enqueue(makeEvent(), raw: [], key: "p0")
        let waiter = Task { await ticket.result { Task { await sink.cancel(ticket.id) } } }
        waiter.cancel()
        #expect(await waiter.value == .cancelled)
        try? await eventually(timeout: .seconds(5)) { await sink.backlog == 0 }
        let next = await sink.enqueue(makeEvent(2), raw: [], key: "p0")
        let result = await withRunning(sink) { await next.result {} }
        #expect(result == .delivered(digest: false))
        #expect(transport.calls.count == 1, "only the second event was sent")
    }
}
