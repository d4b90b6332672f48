/// Keeps one Feishu app's message calls inside Feishu's limits (docs/protocols/feishu-app.md, "Limits"): at most 5
/// sends and thread replies per second in one chat (the chat's limit is shared by every bot in it, so we stay under
/// it), at most 5 updates per second of one message, at most 50 calls per second and 1000 per minute of the IM API,
/// and nothing at all while a rate-limit answer's reset time has not passed.
///
/// Each call `acquire`s before it starts and `release`s when its answer came, so calls in flight count (see
/// `RateLimiter`).
actor FeishuAppPacer {
    /// Which limits a call counts against.
    enum Call: Sendable {
        /// A new message or a thread reply in a chat.
        case post(chat: String)
        /// An update of a sent message.
        case update(message: String)
    }

    static let perChat = [RateWindow(limit: 5, per: .seconds(1))]
    static let perMessage = [RateWindow(limit: 5, per: .seconds(1))]
    static let perAPI = [RateWindow(limit: 50, per: .seconds(1)), RateWindow(limit: 1000, per: .seconds(60))]

    private let clock = ContinuousClock()
    private var chats: [String: RateLimiter] = [:]
    private var messages: [String: RateLimiter] = [:]
    private var api = RateLimiter(windows: perAPI)
    private var pausedUntil: ContinuousClock.Instant?
    /// How often a limiter with only in-flight calls in its way is looked at again.
    private let recheck: Duration = .milliseconds(20)

    /// Waits until the call may start, then counts it.
    func acquire(_ call: Call) async throws {
        while true {
            try Task.checkCancellation()
            let now = clock.now
            var earliest: ContinuousClock.Instant? = max(now, pausedUntil ?? now)
            for limiter in [api, limiter(call)] {
                guard let current = earliest else { break }
                earliest = limiter.nextAllowed(now: now).map { max($0, current) }
            }
            guard let start = earliest else {
                try await clock.sleep(for: recheck)
                continue
            }
            if start > now {
                try await clock.sleep(until: start)
                continue
            }
            api.sent()
            update(call) { $0.sent() }
            return
        }
    }

    /// The call got its answer (or failed).
    func release(_ call: Call) {
        let now = clock.now
        api.answered(now: now)
        update(call) { $0.answered(now: now) }
        prune(now: now)
    }

    /// A rate-limit answer: no call starts before `duration` passed.
    func pause(for duration: Duration) {
        let until = clock.now + duration
        pausedUntil = max(pausedUntil ?? until, until)
    }

    private func limiter(_ call: Call) -> RateLimiter {
        switch call {
        case .post(let chat): chats[chat] ?? RateLimiter(windows: Self.perChat)
        case .update(let message): messages[message] ?? RateLimiter(windows: Self.perMessage)
        }
    }

    private func update(_ call: Call, _ change: (inout RateLimiter) -> Void) {
        switch call {
        case .post(let chat): change(&chats[chat, default: RateLimiter(windows: Self.perChat)])
        case .update(let message): change(&messages[message, default: RateLimiter(windows: Self.perMessage)])
        }
    }

    /// Forgets limiters of messages that are idle (nothing in flight, nothing answered within the window).
    private func prune(now: ContinuousClock.Instant) {
        guard messages.count > 1000 else { return }
        let full = Self.perMessage[0].limit
        messages = messages.filter { $0.value.inFlight > 0 || $0.value.immediateAllowance(now: now) != full }
    }
}
