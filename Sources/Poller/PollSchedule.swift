/// When a target's next interval poll is due. The interval counts from the last listing of either kind: an interval
/// poll right after a woken one would buy nothing. While Guance pushes arrive (the last one less than `whilePushing`
/// ago) interval polling is only the safety net and stretches to `whilePushing`, leaving the budget to pushes; when
/// pushes stop, the normal `interval` returns once `whilePushing` has passed since the last push. A lost push
/// therefore costs at most `whilePushing`.
struct PollSchedule {
    var interval: Duration
    /// The interval while pushes arrive; not above `interval` = no stretching.
    var whilePushing: Duration

    func nextIntervalPoll(
        lastListing: ContinuousClock.Instant, lastPush: ContinuousClock.Instant?
    ) -> ContinuousClock.Instant {
        let normal = lastListing + interval
        guard let lastPush, whilePushing > interval else { return normal }
        return max(normal, min(lastListing, lastPush) + whilePushing)
    }
}
