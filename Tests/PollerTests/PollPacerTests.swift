import Testing

@testable import Poller

/// The pacer and the interval schedule on a synthetic clock: instants are computed, nothing sleeps.
@Suite("Woken polls spend the budget where it buys latency")
struct PollPacerTests {
    let start = ContinuousClock.now
    /// The default budget: 20 calls a minute, one kept for reply writes, one target.
    let pacer = PollPacer(share: 19, burst: 3, window: .seconds(60))

    func count(_ polls: [ContinuousClock.Instant], from first: ContinuousClock.Instant, span: Duration) -> Int {
        polls.filter { $0 >= first && $0 < first + span }.count
    }

    @Test func fifteenPushesAMinuteAreAllAnsweredAtOnce() {
        // 15 a minute is above what a token bucket refilled at the average (12 a minute) answers at once.
        var pacer = pacer
        for index in 0..<150 {
            let push = start + .seconds(4) * index
            #expect(pacer.readyAt(push) == push, "push \(index) waited")
            pacer.record(at: push)
        }
    }

    @Test func aStormOfPushesNeverExceedsTheShareInAnyWindowAndIsSpreadOverIt() {
        var pacer = pacer
        var polls: [ContinuousClock.Instant] = []
        var now = start
        // Pushes as fast as they come for ten minutes; every woken poll starts as soon as the pacer allows, and
        // some polls make extra calls (a reply list, a second page).
        while now < start + .seconds(600) {
            now = max(now, pacer.readyAt(now))
            let calls = polls.count % 5 == 0 ? 2 : 1
            pacer.record(calls, at: now)
            polls += Array(repeating: now, count: calls)
            now += .milliseconds(50)
        }
        for first in polls {
            #expect(count(polls, from: first, span: .seconds(60)) <= 19 + 1, "the share (+1: an extra call)")
            #expect(count(polls, from: first, span: .seconds(15)) <= 4 + 3 + 1, "a quarter of it plus the burst")
        }
        #expect(polls.filter { $0 < start + .seconds(1) }.count >= 7, "a burst is answered at once")
        #expect(polls.count >= 19 * 9, "the share is used, not left idle")
        let gaps = zip(polls, polls.dropFirst()).map { $1 - $0 }
        #expect(gaps.max()! <= .seconds(30), "never a whole window's stall: the storm is spread over it")
    }

    @Test func intervalPollsAreCountedSoWokenPollsWaitForTheirRoom() {
        var pacer = pacer
        for index in 0..<19 { pacer.record(at: start + .seconds(3) * index) }  // a minute of interval polls
        let now = start + .seconds(57)
        #expect(pacer.readyAt(now) == start + .seconds(60), "the oldest call leaves the window first")
        #expect(!pacer.isQuiet(at: now), "no room for the sweep's extra call")
        #expect(pacer.isQuiet(at: start + .seconds(90)))
    }

    @Test func withoutAShareNothingIsPaced() {
        var pacer = PollPacer(share: 0, burst: 0, window: .seconds(60))
        for _ in 0..<100 { pacer.record(at: start) }
        #expect(pacer.readyAt(start) == start)
    }

    @Test func whilePushesArriveTheIntervalStretchesAndWhenTheyStopItReturns() {
        let schedule = PollSchedule(interval: .seconds(5), whilePushing: .seconds(30))
        #expect(schedule.nextIntervalPoll(lastListing: start, lastPush: nil) == start + .seconds(5), "no push yet")
        // A push woke the last listing: the next interval poll is the safety net, 30 s on.
        #expect(schedule.nextIntervalPoll(lastListing: start, lastPush: start) == start + .seconds(30))
        // Pushes stopped 20 s before this listing: polling returns to the interval 30 s after the last push.
        let listing = start + .seconds(20)
        #expect(schedule.nextIntervalPoll(lastListing: listing, lastPush: start) == start + .seconds(30))
        // ... and from then on every 5 s.
        let later = start + .seconds(30)
        #expect(schedule.nextIntervalPoll(lastListing: later, lastPush: start) == later + .seconds(5))
        // A lost push costs at most the stretched interval: whatever the listing, the next one is due by then.
        for offset in stride(from: 0, through: 60, by: 7) {
            let last = start + .seconds(offset)
            let due = schedule.nextIntervalPoll(lastListing: last, lastPush: start)
            #expect(due <= max(last, start) + .seconds(30))
        }
        let off = PollSchedule(interval: .seconds(5), whilePushing: .zero)
        #expect(off.nextIntervalPoll(lastListing: start, lastPush: start) == start + .seconds(5))
    }
}
