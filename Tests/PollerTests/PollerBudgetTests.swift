import DevStack
import Events
import Foundation
import GuanceAPI
import Logging
import TestSupport
import Testing

@testable import Poller

/// Time is scaled 20×: the budget and the simulator's limit use a 3-second window (Guance's 60 s / 20), the poll
/// interval and sweep interval shrink by the same factor, so 9 real seconds stand for 3 minutes.
@Suite("The poller stays inside the OpenAPI budget", .timeLimit(.minutes(1)))
struct PollerBudgetTests {
    static let scale = 20
    static let window = Duration.seconds(60) / scale

    @Test func aThreeMinuteSimulatedRunWithBurstsNeverExceeds20CallsPerWindow() async throws {
        var options = GuanceSimulator.Options()
        options.keyRateLimit = 20
        options.rateLimitWindow = Self.window
        try await withPollerHarness(options: options) { harness in
            var settings = harness.settings()
            settings.budgetWindow = Self.window
            settings.pollInterval = Self.window / 20  // what GUANCE_POLL_INTERVAL is clamped to at 20/min
            settings.sweepInterval = .seconds(30) / Self.scale
            settings.trackWindow = .seconds(3600)
            settings.retry = GuanceRetryPolicy(
                maxAttempts: 6, baseDelay: .milliseconds(25), maxDelay: .milliseconds(500),
                rateLimitDelay: .milliseconds(150))
            let budget = GuanceRequestBudget(limit: 20, window: Self.window)
            let poller = harness.poller(harness.target(rateLimit: 20), settings: settings, budget: budget)
            let run = Task { await poller.run() }

            var created: [String] = []
            var replied: [String] = []
            let start = ContinuousClock.now
            let runLength = Duration.seconds(180) / Self.scale
            var burst = 0
            while ContinuousClock.now - start < runLength {
                burst += 1
                for index in 0..<(burst % 3 == 0 ? 120 : 15) {  // bursts of several pages, and quiet spells
                    created.append(harness.simulator.addIssue(.init(name: "b\(burst)-\(index)")).uuid)
                }
                // People reply in Guance to older issues (their updateAt moves: reply lists are needed).
                for uuid in created.dropLast(20).suffix(3) where !replied.contains(uuid) {
                    harness.simulator.addReply(issueUUID: uuid, content: "ack \(uuid)")
                    replied.append(uuid)
                }
                if burst == 4 { harness.simulator.injectFault(.rateLimited, endpoint: "issue_list", count: 2) }
                if burst == 6 { harness.simulator.injectFault(.rateLimited, endpoint: "reply_list", count: 1) }
                try await Task.sleep(for: .milliseconds(700))
            }
            try await eventually(timeout: .seconds(20), "every issue announced") {
                try await harness.events().filter { $0.event.kind == .created }.count == created.count
            }
            run.cancel()
            await run.value

            let calls = harness.simulator.calls(apiKey: harness.simulator.apiKey)
            let worst = harness.simulator.maxCallsInAnyWindow(apiKey: harness.simulator.apiKey, window: Self.window)
            #expect(worst <= 20, "\(worst) calls in one window")
            #expect(calls.contains { $0.status == 401 }, "the injected rate-limit answers were seen")
            #expect(calls.filter { $0.status == 401 }.count == 3, "no limit hit beyond the injected ones")
            let events = try await harness.events()
            #expect(Set(events.map(\.event.eventId)).count == events.count)
            #expect(Set(events.filter { $0.event.kind == .created }.map(\.event.issue.uuid)) == Set(created))
            let failures = harness.logs.entries.filter { $0.level >= .warning && !$0.message.contains("retrying") }
            #expect(
                failures.isEmpty,
                "rate limits led to back-off, not failure: \(failures.map { "\($0.message) \($0.metadata)" })")
            #expect(harness.logs.contains(level: .warning, "retrying"))
            let replyEvents = events.filter { $0.event.kind == .reply }.count
            #expect(replyEvents > 0 && replyEvents <= replied.count)
        }
    }
}
