import Testing

@testable import Notifier

@Suite("Sliding-window limiter at the platforms' documented limits")
struct RateLimiterTests {
    @Test func feishuFivePerSecondAndHundredPerMinute() throws {
        var limiter = RateLimiter(windows: SinkKind.feishu.documentedLimits, margin: .zero)
        var now = ContinuousClock.now
        var sent = 0
        // Send as fast as allowed for 70 simulated seconds.
        let end = now + .seconds(70)
        var perSecond: [Int: Int] = [:]
        let start = now
        var times: [ContinuousClock.Instant] = []
        while now < end {
            let next = try #require(limiter.nextAllowed(now: now))
            if next > now {
                now = next
                continue
            }
            limiter.sent()
            limiter.answered(now: now)
            times.append(now)
            sent += 1
            perSecond[Int((now - start) / .seconds(1)), default: 0] += 1
        }
        #expect(perSecond.values.allSatisfy { $0 <= 5 })
        // Any 60-second window holds at most 100.
        for (index, time) in times.enumerated() {
            let inWindow = times[index...].prefix { $0 < time + .seconds(60) }.count
            #expect(inWindow <= 100)
        }
        #expect(sent >= 100 && sent <= 200)
    }

    @Test func allowanceIsWhatTheLongestWindowStillAllows() {
        var limiter = RateLimiter(windows: SinkKind.dingtalk.documentedLimits, margin: .zero)
        let now = ContinuousClock.now
        #expect(limiter.immediateAllowance(now: now) == 20)
        for _ in 0..<15 {
            limiter.sent()
            limiter.answered(now: now)
        }
        #expect(limiter.immediateAllowance(now: now) == 5)
        #expect(limiter.immediateAllowance(now: now + .seconds(61)) == 20)
        #expect(RateLimiter(windows: []).immediateAllowance(now: now) == nil)
    }

    @Test func ratesInMessagesPerSecond() {
        #expect(RateWindow.perSecond(0) == nil)
        #expect(RateWindow.perSecond(5) == RateWindow(limit: 5, per: .seconds(1)))
        #expect(RateWindow.perSecond(0.5) == RateWindow(limit: 1, per: .seconds(2)))
    }

    /// The platform counts a request when it arrives, somewhere between our start and its answer: requests in flight
    /// count until answered, answered ones for a window after the answer (not after the start).
    @Test func requestsCountFromTheirAnswerAndWhileInFlight() throws {
        var limiter = RateLimiter(windows: [RateWindow(limit: 5, per: .seconds(1))], margin: .milliseconds(100))
        let start = ContinuousClock.now
        for _ in 0..<5 { limiter.sent() }
        // Five in flight: only an answer can make room, however long they take.
        #expect(limiter.nextAllowed(now: start + .seconds(5)) == nil)
        #expect(limiter.immediateAllowance(now: start) == 0)
        // Answered 2 s after they started: they count until a window (plus margin) after the answers.
        for _ in 0..<5 { limiter.answered(now: start + .seconds(2)) }
        #expect(limiter.nextAllowed(now: start + .seconds(2)) == start + .milliseconds(3100))
        #expect(limiter.nextAllowed(now: start + .milliseconds(3100)) == start + .milliseconds(3100))
        // Four answered and one in flight leave no room either: the in-flight one may arrive any moment.
        var mixed = RateLimiter(windows: [RateWindow(limit: 2, per: .seconds(1))], margin: .zero)
        mixed.sent()
        mixed.sent()
        mixed.answered(now: start + .milliseconds(10))
        #expect(mixed.nextAllowed(now: start + .milliseconds(20)) == start + .milliseconds(1010))
    }
}

/// Rates from configuration (variables, routes files) never trap, whatever number they hold.
@Suite("Configured rates")
struct ConfiguredRateTests {
    @Test(arguments: [Double.infinity, -.infinity, .nan, 1e300, 1e-300, .leastNonzeroMagnitude, -1])
    func anyNumberGivesAWindowOrNoneWithoutTrapping(rate: Double) {
        let window = RateWindow.perSecond(rate)
        #expect(RateWindow.isAcceptable(rate) == false)
        if let window { #expect(window.limit >= 1 && window.window > .zero) }
    }

    @Test func acceptedRatesKeepTheirMeaning() {
        #expect(RateWindow.perSecond(5) == RateWindow(limit: 5, per: .seconds(1)))
        #expect(RateWindow.perSecond(0.33) == RateWindow(limit: 1, per: .milliseconds(3031)))
        #expect(RateWindow.perSecond(0) == nil)
    }
}
