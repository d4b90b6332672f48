import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Signing
import Synchronization

/// Fake chat endpoints for `make run` and tests: a Feishu custom bot, a Feishu flow trigger-webhook, a DingTalk
/// custom robot, a WeCom group robot and a generic webhook, on one loopback port.
///
/// They follow the platforms' documentation strictly: signatures are verified (Feishu: key `timestamp\nsecret`, empty
/// message; DingTalk: key secret, URL-encoded sign; both within one hour), answers are the platforms' real bodies
/// (HTTP 200 with a non-zero `code`/`errcode` on errors), rate limits are enforced as sliding windows (Feishu 5/s and
/// 100/min, DingTalk 20/min with a 10-minute penalty, WeCom 20/min counting rejected requests too), bodies are
/// checked (msg types, card fields, 20 KB Feishu body, 4096-byte WeCom markdown). Failures can be injected per
/// platform, and everything received is recorded.
///
/// Use in-process: `let capture = ChatCapture(); try await capture.start()`, point sinks at `capture.feishuURL` etc.,
/// read `capture.accepted(.feishu)`; `await capture.stop()`. Or run it as a `Service` (dev-stack does).
public final class ChatCapture: Service, Sendable {
    /// The fake platforms.
    public enum Platform: String, Sendable, CaseIterable {
        case feishu
        case feishuFlow = "feishu-flow"
        case dingtalk
        case wecom
        case webhook
    }

    /// One request as received, with what the capture answered.
    public struct Message: Sendable {
        public let platform: Platform
        public let body: [UInt8]
        /// Header names in lower case.
        public let headers: [String: String]
        public let query: String
        /// Whether the capture answered success.
        public let accepted: Bool
        /// The platform's answer code (0 = success); for the generic webhook the HTTP status.
        public let code: Int
        public let receivedAt: Date

        /// The body as a JSON object, if it is one.
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// An answer to give instead of the normal one.
    public enum Failure: Sendable, Equatable {
        /// A bare HTTP status with a plain-text body (a proxy or platform outage).
        case http(Int)
        /// The platform's error body with this code (Feishu `code`, DingTalk/WeCom `errcode`), HTTP 200.
        case code(Int, String)
        /// No answer for this long (to exercise client timeouts), then the normal handling.
        case delay(Duration)
    }

    public struct Options: Sendable {
        /// Feishu custom bot signing secret; when set, unsigned or badly signed requests get 19021.
        public var feishuSecret: String?
        /// DingTalk robot secret (`SEC...`); when set, unsigned requests get 310000.
        public var dingtalkSecret: String?
        /// Generic webhook HMAC key; when set, requests without a valid `X-Signature` get HTTP 401.
        public var webhookSecret: String?
        /// Enforce the documented rate limits.
        public var enforceRateLimits = true
        /// DingTalk throttles a robot that exceeded 20/min for 10 minutes.
        public var dingtalkPenalty: Duration = .seconds(600)
        /// The window of the per-minute limits (Feishu 100, DingTalk 20, WeCom 20); tests compress it with the penalty.
        public var minuteWindow: Duration = .seconds(60)
        /// The path token / key the fake accepts (`.../hook/<token>`, `access_token=`, `key=`).
        public var token = "devstack"
        /// Added before every answer (a slower platform), for tests that need deliveries to take time.
        public var latency: Duration = .zero
        /// Print each accepted message readably (dev-stack's console).
        public var printer: (@Sendable (String) -> Void)?

        public init(
            feishuSecret: String? = nil, dingtalkSecret: String? = nil, webhookSecret: String? = nil,
            enforceRateLimits: Bool = true
        ) {
            self.feishuSecret = feishuSecret
            self.dingtalkSecret = dingtalkSecret
            self.webhookSecret = webhookSecret
            self.enforceRateLimits = enforceRateLimits
        }
    }

    struct State {
        var messages: [Message] = []
        var failures: [Platform: [Failure]] = [:]
        var windows: [Platform: [Date]] = [:]
        var secondWindow: [Date] = []
        var penaltyUntil: Date?
        var port: Int?
        var runner: (group: ServiceGroup, task: Task<Void, any Error>)?
    }

    public let options: Options
    let logger: Logger
    let state = Mutex(State())
    /// Injected for tests that need a fixed "now" (signature windows).
    let now: @Sendable () -> Date

    public init(
        options: Options = Options(), logger: Logger = Logger(label: "chat-capture"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.options = options
        self.logger = logger
        self.now = now
    }

    // MARK: - Addresses

    /// The bound port (after `start()` or once `run()` is serving).
    public var port: Int { state.withLock { $0.port } ?? 0 }
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var feishuURL: String { "\(baseURL)/open-apis/bot/v2/hook/\(options.token)" }
    public var feishuFlowURL: String { "\(baseURL)/flow/api/trigger-webhook/\(options.token)" }
    public var dingtalkURL: String { "\(baseURL)/robot/send?access_token=\(options.token)" }
    public var wecomURL: String { "\(baseURL)/cgi-bin/webhook/send?key=\(options.token)" }
    public var webhookURL: String { "\(baseURL)/webhook" }

    /// `KEY=VALUE` lines pointing the notifier at this capture. A platform whose URL variable is already set in
    /// `environment` is left out with its secret, so a real webhook is never paired with the capture's secret.
    public func environmentLines(skipping environment: [String: String] = [:]) -> [String] {
        let platforms: [(url: String, value: String, secret: (String, String?)?)] = [
            ("FEISHU_WEBHOOK_URL", feishuURL, ("FEISHU_WEBHOOK_SECRET", options.feishuSecret)),
            ("FEISHU_FLOW_WEBHOOK_URL", feishuFlowURL, nil),
            ("DINGTALK_WEBHOOK_URL", dingtalkURL, ("DINGTALK_SECRET", options.dingtalkSecret)),
            ("WECOM_WEBHOOK_URL", wecomURL, nil),
        ]
        var lines: [String] = []
        for platform in platforms where (environment[platform.url] ?? "").isEmpty {
            lines.append("\(platform.url)=\(platform.value)")
            if let (name, value) = platform.secret, let value { lines.append("\(name)=\(value)") }
        }
        return lines
    }

    // MARK: - What was received

    /// Every request of a platform (nil: all), accepted or not, in arrival order.
    public func requests(_ platform: Platform? = nil) -> [Message] {
        state.withLock { state in state.messages.filter { platform == nil || $0.platform == platform } }
    }

    /// The messages the capture answered with success.
    public func accepted(_ platform: Platform? = nil) -> [Message] {
        requests(platform).filter(\.accepted)
    }

    /// Requests answered with the platform's rate-limit code.
    public func rateLimited(_ platform: Platform? = nil) -> Int {
        requests(platform).filter { [11232, 130101, 45009].contains($0.code) }.count
    }

    /// The next requests of `platform` get these answers, in order.
    public func inject(_ platform: Platform, _ failures: [Failure]) {
        state.withLock { $0.failures[platform, default: []].append(contentsOf: failures) }
    }

    public func reset() {
        state.withLock { state in
            state.messages.removeAll()
            state.failures.removeAll()
            state.windows.removeAll()
            state.secondWindow.removeAll()
            state.penaltyUntil = nil
        }
    }

    // MARK: - Lifecycle

    /// Starts serving on 127.0.0.1, port 0, in the background; returns once the port is bound.
    public func start() async throws {
        let group = ServiceGroup(configuration: .init(services: [self], logger: logger))
        let task = Task { try await group.run() }
        state.withLock { $0.runner = (group, task) }
        let deadline = ContinuousClock.now + .seconds(10)
        while port == 0 {
            guard ContinuousClock.now < deadline else { throw CaptureError.notStarted }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Stops a capture started with `start()`: a graceful shutdown, so the server closes without an error line.
    public func stop() async {
        guard
            let running = state.withLock({ value in
                defer { value.runner = nil }
                return value.runner
            })
        else { return }
        await running.group.triggerGracefulShutdown()
        _ = await running.task.result
    }

    /// Serves until graceful shutdown (as a `Service`).
    public func run() async throws {
        try await serve()
    }

    enum CaptureError: Error { case notStarted }

    func serve() async throws {
        let router = Router()
        router.post("/open-apis/bot/v2/hook/:token") { request, context in
            try await self.handle(.feishu, request, context)
        }
        router.post("/flow/api/trigger-webhook/:token") { request, context in
            try await self.handle(.feishuFlow, request, context)
        }
        router.post("/robot/send") { request, context in try await self.handle(.dingtalk, request, context) }
        router.post("/cgi-bin/webhook/send") { request, context in try await self.handle(.wecom, request, context) }
        router.post("/webhook") { request, context in try await self.handle(.webhook, request, context) }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "chat-capture"),
            onServerRunning: { channel in self.state.withLock { $0.port = channel.localAddress?.port } },
            logger: logger)
        try await app.run()
    }
}
