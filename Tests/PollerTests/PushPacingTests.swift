import DevStack
import Events
import Foundation
import GuanceAPI
import Testing

@testable import Poller

/// Woken polls against the simulator with Guance's limit, time scaled 20×: a 3-second window stands for Guance's
/// minute, and the poll intervals shrink by the same factor.
@Suite("Guance pushes spend the budget without breaking it", .timeLimit(.minutes(1)))
struct PushPacingTests {
    static let scale = 20
    static let window = Duration.seconds(60) / scale

    /// A target on a 20-calls-a-window key with the default reserve (4), configured as `PollerConfig` does.
    func pushing(_ harness: PollerHarness, interval: Duration, whilePushing: Duration) -> TargetPoller.Setup {
        var settings = harness.settings()
        settings.budgetWindow = Self.window
        settings.budget.reserve = 4
        settings.pollInterval = interval
        settings.pushPollInterval = whilePushing
        settings.retry = GuanceRetryPolicy(
            maxAttempts: 6, baseDelay: .milliseconds(25), maxDelay: .milliseconds(500),
            rateLimitDelay: .milliseconds(150))
        var config = PollerConfig(targets: [harness.target(rateLimit: 20)], settings: settings)
        config.clampInterval()
        let budget = GuanceRequestBudget(limit: 20, window: Self.window, reserve: 4)
        let wakeup = PollWakeup()
        let poller = harness.poller(
            config.targets[0], settings: config.settings, budget: budget, priority: .polling
        ).waking(on: wakeup)
        return .init(poller: poller, wakeup: wakeup)
    }

    func listings(_ harness: PollerHarness, after instant: ContinuousClock.Instant) -> Int {
        harness.simulator.calls(apiKey: harness.simulator.apiKey).filter {
            $0.endpoint == "issue_list" && $0.at > instant
        }.count
    }

    @Test func wokenPollsBorrowTheReserveButTheCallKeptForReplies() async throws {
        let budget = GuanceRequestBudget(limit: 20, window: .seconds(60), reserve: 4)
        for _ in 0..<16 { _ = try await budget.acquire(priority: .polling) }
        #expect(await budget.remaining() == 4, "interval polling leaves the reserve")
        for _ in 0..<3 { _ = try await budget.acquire(priority: .polling, keeping: 1) }
        #expect(await budget.remaining() == 1, "woken polls borrowed all of it but one call")
        _ = try await budget.acquire(priority: .interactive)
        #expect(await budget.remaining() == 0, "a reply write found its call at once")
    }

    @Test func aStormOfPushesUsesTheLentReserveButNeverExceedsTheWindowsLimit() async throws {
        var options = GuanceSimulator.Options()
        options.keyRateLimit = 20
        options.rateLimitWindow = Self.window
        try await withPollerHarness(options: options) { harness in
            let setup = pushing(harness, interval: .seconds(5) / Self.scale, whilePushing: .seconds(30) / Self.scale)
            let run = Task { await setup.poller.run() }
            // Four windows of pushes far faster than the budget answers, each with a new issue.
            var created: [String] = []
            let end = ContinuousClock.now + Self.window * 4
            while ContinuousClock.now < end {
                created.append(harness.simulator.addIssue(.init(name: "storm \(created.count)")).uuid)
                setup.wakeup.wake()
                try await Task.sleep(for: .milliseconds(20))  // the push source's pace, not a synchronisation
            }
            try await eventually(timeout: .seconds(20), "every issue announced") {
                try await harness.events().filter { $0.event.kind == .created }.count == created.count
            }
            run.cancel()
            await run.value
            let calls = harness.simulator.calls(apiKey: harness.simulator.apiKey)
            let worst = harness.simulator.maxCallsInAnyWindow(apiKey: harness.simulator.apiKey, window: Self.window)
            #expect(worst <= 20, "\(worst) calls in one window")
            #expect(worst > 16, "woken polls borrowed the reserve (polling alone stops at 16): \(worst)")
            #expect(!calls.contains { $0.status == 401 }, "never a rate-limit answer")
        }
    }

    @Test func whilePushesArriveTheIntervalStretchesAndWhenTheyStopTheNormalIntervalReturns() async throws {
        try await withPollerHarness(options: .unlimited) { harness in
            let interval = Duration.milliseconds(200)
            let whilePushing = Duration.seconds(2)
            let setup = pushing(harness, interval: interval, whilePushing: whilePushing)
            let run = Task { await setup.poller.run() }
            try await eventually(timeout: .seconds(20), "the first listing") {
                listings(harness, after: .now - .seconds(60)) > 0
            }

            // Pushes every 500 ms for 3 s: one listing per push, the 200 ms interval polls (15 in 3 s) are skipped.
            let pushing = ContinuousClock.now
            var pushes = 0
            while ContinuousClock.now < pushing + .seconds(3) {
                setup.wakeup.wake()
                pushes += 1
                try await Task.sleep(for: .milliseconds(500))  // the push source's pace
            }
            let stopped = ContinuousClock.now
            #expect(listings(harness, after: pushing) <= pushes + 2, "listings while pushing (\(pushes) pushes)")

            // Pushes stopped: 2 s after the last one, listings every 200 ms again (stuck at the stretched interval
            // there would be at most 3 in the time allowed).
            try await eventually(timeout: .seconds(6), "listings at the normal interval again") {
                listings(harness, after: stopped + whilePushing + .milliseconds(500)) >= 8
            }
            run.cancel()
            await run.value
        }
    }
}

extension TargetPoller {
    /// A poller under test and the wake-up its pushes ring.
    struct Setup {
        var poller: TargetPoller
        var wakeup: PollWakeup
    }
}
