import Testing
@testable import Notifier

@Suite("Sliding-window limiter at the platforms' documented limits")
struct RateLimiterTests {
    @Test func feishuFivePerSecondAndHundredPerMinute() {
        var limiter = RateLimiter(windows: SinkKind.feishu.documentedLimits, margin: .zero)
        var now = ContinuousClock.now
        var sent = 0
        // Send as fast as allowed for 70 simulated seconds.
        let end = now + .seconds(70)
        var perSecond: [Int: Int] = [:]
        let start = now
        var times: [ContinuousClock.Instant] = []
        while now < end {
            let next = limiter.nextAllowed(now: now)
            if next > now { now = next; continue }
            limiter.record(now: now)
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
        for _ in 0..<15 { limiter.record(now: now) }
        #expect(limiter.immediateAllowance(now: now) == 5)
        #expect(limiter.immediateAllowance(now: now + .seconds(61)) == 20)
        #expect(RateLimiter(windows: []).immediateAllowance(now: now) == nil)
    }

    @Test func ratesInMessagesPerSecond() {
        #expect(RateWindow.perSecond(0) == nil)
        #expect(RateWindow.perSecond(5) == RateWindow(limit: 5, per: .seconds(1)))
        #expect(RateWindow.perSecond(0.5) == RateWindow(limit: 1, per: .seconds(2)))
    }
}
