import Events
import GuanceAPI

/// Timing and identity settings shared by every target poller of one process.
struct PollerSettings: Sendable {
    /// Time between the starts of two polls of a target (clamped to what the request budget allows).
    var pollInterval: Duration = .seconds(5)
    /// The shortest time between the starts of two polls of a target that the request budget sustains (its key's
    /// polling share spread over the window). Set by `PollerConfig`.
    var minimumPollGap: Duration = .zero
    /// Polls woken by Guance pushes (`PollPacer`): at most `pushShare` calls of the target in any budget window
    /// (its part of the key's limit less `pushReserveKept`), and `pushBurst` above the even share in any half or
    /// quarter window. Set by `PollerConfig`; a zero share = no pacing.
    var pushShare = 0
    var pushBurst = 1
    /// Woken polls may use the budget's reserve for reply writes but these calls of each window (nil: none lent).
    var pushReserveKept: Int?
    /// The interval while pushes arrive (`PollSchedule`); not above `pollInterval` = always `pollInterval`.
    var pushPollInterval: Duration = .seconds(30)
    /// How far back each listing reaches before the cursor, so late-indexed issues and window edges are not lost.
    var overlap: Duration = .seconds(60)
    /// The cursor never goes beyond the poll's start plus this, whatever `createAt` the API reports (a future
    /// timestamp would otherwise hide every issue created before it). Keep it well below `overlap`.
    var maxClockSkew: Duration = .seconds(10)
    /// On the very first poll of a target (no state), issues this recent are announced.
    var lookback: Duration = .seconds(300)
    /// How far back the update sweep looks for status/level changes of older issues; zero turns the sweep off.
    var trackWindow: Duration = .seconds(86_400)
    /// How often one page of the update sweep is listed (when the budget has room to spare).
    var sweepInterval: Duration = .seconds(30)
    /// The OpenAPI budget: window, reserve for replies, shared or per process.
    var budget = GuanceBudgetSettings()
    /// The budget window (a minute for Guance; tests scale it down).
    var budgetWindow: Duration {
        get { budget.window }
        set { budget.window = newValue }
    }
    /// A new owner waits at most this long for the previous owner to mark the target released.
    var handoverGrace: Duration = .seconds(3)
    /// An owner writes its target's state at least this often, even when nothing changed: how every instance tells
    /// an owned target from one nobody polls (`TargetOwnershipWatch`).
    var leaseInterval: Duration = .seconds(10)
    /// Events of different issues published at once.
    var publishConcurrency = 32
    /// This instance's name in the state (`owner`).
    var instanceID: String
    var eventsTopic = Topics.issueEvents
    /// Retries of each OpenAPI call.
    var retry = GuanceRetryPolicy()
    /// Timeout of each OpenAPI call.
    var requestTimeout: Duration = .seconds(10)

    init(instanceID: String) {
        self.instanceID = instanceID
    }
}
