import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import KafkaClient
import Logging
import ServiceLifecycle
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

    private struct State {
        var messages: [Message] = []
        var failures: [Platform: [Failure]] = [:]
        var windows: [Platform: [Date]] = [:]
        var secondWindow: [Date] = []
        var penaltyUntil: Date?
        var port: Int?
        var runner: (group: ServiceGroup, task: Task<Void, any Error>)?
    }

    public let options: Options
    private let logger: Logger
    private let state = Mutex(State())
    /// Injected for tests that need a fixed "now" (signature windows).
    private let now: @Sendable () -> Date

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
        guard let running = state.withLock({ value in defer { value.runner = nil }; return value.runner }) else { return }
        await running.group.triggerGracefulShutdown()
        _ = await running.task.result
    }

    /// Serves until graceful shutdown (as a `Service`).
    public func run() async throws {
        try await serve()
    }

    enum CaptureError: Error { case notStarted }

    private func serve() async throws {
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

    // MARK: - Handling

    private func handle(
        _ platform: Platform, _ request: Request, _ context: some RequestContext
    ) async throws
        -> Response
    {
        let body = Array(buffer: try await request.body.collect(upTo: 8 << 20))
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let query = request.uri.query ?? ""
        let token = context.parameters.get("token") ?? ""
        let params = request.uri.queryParameters
        let injected = state.withLock { state -> Failure? in
            guard var list = state.failures[platform], !list.isEmpty else { return nil }
            let first = list.removeFirst()
            state.failures[platform] = list
            return first
        }
        if case let .delay(duration) = injected { try await Task.sleep(for: duration) }
        if options.latency > .zero { try await Task.sleep(for: options.latency) }
        let answer: Answer
        switch injected {
        case let .http(status)?:
            answer = Answer(httpStatus: status, code: status, body: "upstream error \(status)")
        case let .code(code, message)?:
            answer = errorAnswer(platform, code, message)
        default:
            answer = verify(platform, body: body, token: token, params: params, headers: headers)
        }
        let accepted = answer.httpStatus == 200 && answer.code == 0
        let message = Message(
            platform: platform, body: body, headers: headers, query: query, accepted: accepted, code: answer.code,
            receivedAt: now())
        state.withLock { $0.messages.append(message) }
        if accepted, let printer = options.printer { printer(Self.describe(message)) }
        return Response(
            status: .init(code: answer.httpStatus), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }

    private struct Answer {
        var httpStatus = 200
        var code = 0
        var body: String
    }

    private func errorAnswer(_ platform: Platform, _ code: Int, _ message: String) -> Answer {
        let escaped = message.replacingOccurrences(of: "\"", with: "'")
        switch platform {
        case .feishu, .feishuFlow:
            return Answer(code: code, body: "{\"code\":\(code),\"data\":{},\"msg\":\"\(escaped)\"}")
        case .dingtalk, .wecom: return Answer(code: code, body: "{\"errcode\":\(code),\"errmsg\":\"\(escaped)\"}")
        case .webhook: return Answer(httpStatus: code, code: code, body: "{\"error\":\"\(escaped)\"}")
        }
    }

    private func success(_ platform: Platform) -> Answer {
        switch platform {
        case .feishu: Answer(body: "{\"code\":0,\"data\":{},\"msg\":\"success\"}")
        case .feishuFlow: Answer(body: "{\"code\":0,\"data\":{},\"msg\":\"\"}")
        case .dingtalk, .wecom: Answer(body: "{\"errcode\":0,\"errmsg\":\"ok\"}")
        case .webhook: Answer(body: "{\"ok\":true}")
        }
    }

    private func verify(
        _ platform: Platform, body: [UInt8], token: String, params: FlatDictionary<Substring, Substring>,
        headers: [String: String]
    ) -> Answer {
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let current = now()
        switch platform {
        case .feishu:
            guard token == options.token else {
                return errorAnswer(.feishu, 19001, "param invalid: incoming webhook access token invalid")
            }
            guard body.count <= 20 * 1024, let json else { return errorAnswer(.feishu, 9499, "Bad Request") }
            if let secret = options.feishuSecret {
                guard let timestamp = json["timestamp"] as? String, let sign = json["sign"] as? String,
                    let seconds = Double(timestamp), abs(current.timeIntervalSince1970 - seconds) < 3600,
                    Self.feishuSign(timestamp: timestamp, secret: secret) == sign
                else {
                    return errorAnswer(
                        .feishu, 19021, "sign match fail or timestamp is not within one hour from current time")
                }
            }
            if let problem = Self.feishuBodyProblem(json) {
                return errorAnswer(.feishu, 9499, "Bad Request: \(problem)")
            }
            if let limited = limit(.feishu, code: 11232, message: "frequency limited", at: current) { return limited }
        case .feishuFlow:
            guard token == options.token else {
                return errorAnswer(.feishuFlow, 800004509, "webhook trigger workflow is disabled")
            }
            guard body.count <= 4 << 20 else { return errorAnswer(.feishuFlow, 800005647, "request body too large") }
            guard json != nil else { return errorAnswer(.feishuFlow, 9499, "Bad Request") }
        case .dingtalk:
            guard params["access_token"].map(String.init) == options.token else {
                return errorAnswer(.dingtalk, 300001, "token is not exist")
            }
            if let secret = options.dingtalkSecret {
                guard let timestamp = params["timestamp"].map(String.init), let sign = params["sign"].map(String.init),
                    let millis = Double(timestamp), abs(current.timeIntervalSince1970 * 1000 - millis) < 3_600_000,
                    Self.dingtalkSign(timestamp: timestamp, secret: secret) == sign
                else {
                    return errorAnswer(.dingtalk, 310000, "sign not match")
                }
            }
            // 40035 "missing parameter" for bodies DingTalk cannot use (code **unconfirmed** in the protocol notes).
            guard let json else { return errorAnswer(.dingtalk, 40035, "缺少参数 json") }
            if let problem = Self.dingtalkBodyProblem(json) {
                return errorAnswer(.dingtalk, 40035, "invalid message: \(problem)")
            }
            if let limited = limit(
                .dingtalk, code: 130101, message: "send too fast, exceed 20 times per minute", at: current)
            {
                return limited
            }
        case .wecom:
            guard params["key"].map(String.init) == options.token else {
                return errorAnswer(.wecom, 93000, "invalid webhook url")
            }
            guard let json else {
                return errorAnswer(.wecom, 40008, "Warning: wrong json format. invalid message type")
            }
            if let (code, problem) = Self.wecomBodyProblem(json) { return errorAnswer(.wecom, code, problem) }
            if let limited = limit(.wecom, code: 45009, message: "api freq out of limit", at: current) {
                return limited
            }
        case .webhook:
            if let secret = options.webhookSecret {
                guard let timestamp = headers["x-signature-timestamp"], let signature = headers["x-signature"],
                    Self.webhookSign(timestamp: timestamp, body: body, secret: secret) == signature
                else {
                    return errorAnswer(.webhook, 401, "bad signature")
                }
            }
            guard json != nil else { return errorAnswer(.webhook, 400, "not JSON") }
        }
        return success(platform)
    }

    /// Sliding windows per platform, as the platforms count; nil when allowed. Feishu and DingTalk count the requests
    /// they accept; WeCom counts every request, "whether or not the message succeeds". A DingTalk robot over its limit
    /// answers 130101 to everything for the penalty.
    private func limit(_ platform: Platform, code: Int, message: String, at now: Date) -> Answer? {
        guard options.enforceRateLimits else { return nil }
        let minute = Double(options.minuteWindow.milliseconds) / 1000
        return state.withLock { state -> Answer? in
            if platform == .dingtalk, let until = state.penaltyUntil, now < until {
                return errorAnswer(platform, code, message)
            }
            var recent = state.windows[platform, default: []].filter { now.timeIntervalSince($0) < minute }
            defer { state.windows[platform] = recent }
            if platform == .wecom { recent.append(now) }
            let perMinute = platform == .feishu ? 100 : 20
            if recent.count > perMinute || platform != .wecom && recent.count >= perMinute {
                if platform == .dingtalk {
                    state.penaltyUntil = now.addingTimeInterval(Double(options.dingtalkPenalty.milliseconds) / 1000)
                }
                return errorAnswer(platform, code, message)
            }
            if platform == .feishu {
                state.secondWindow = state.secondWindow.filter { now.timeIntervalSince($0) < 1 }
                if state.secondWindow.count >= 5 { return errorAnswer(platform, code, message) }
                state.secondWindow.append(now)
            }
            if platform != .wecom { recent.append(now) }
            return nil
        }
    }

    // MARK: - Body checks (the documented structure)

    public static func feishuBodyProblem(_ json: [String: Any]) -> String? {
        guard let type = json["msg_type"] as? String else { return "msg_type missing" }
        switch type {
        case "text":
            guard let content = json["content"] as? [String: Any], content["text"] is String else {
                return "content.text missing"
            }
        case "post":
            guard let content = json["content"] as? [String: Any], content["post"] is [String: Any] else {
                return "content.post missing"
            }
        case "interactive":
            guard let card = json["card"] as? [String: Any] else {
                return "card missing (interactive uses card, not content)"
            }
            guard let elements = card["elements"] as? [[String: Any]] else { return "card.elements missing" }
            if let header = card["header"] as? [String: Any] {
                guard let title = header["title"] as? [String: Any], title["tag"] as? String == "plain_text",
                    title["content"] is String
                else { return "card.header.title must be plain_text" }
                if let template = header["template"] as? String, !feishuColours.contains(template) {
                    return "unknown header template \(template)"
                }
            }
            let tags: Set<String> = ["markdown", "div", "hr", "note", "action", "img", "column_set"]
            for element in elements {
                guard let tag = element["tag"] as? String, tags.contains(tag) else { return "unknown element tag" }
            }
        case "image", "share_chat":
            break
        default:
            return "unknown msg_type \(type)"
        }
        return nil
    }

    static let feishuColours: Set<String> = [
        "blue", "wathet", "turquoise", "green", "yellow", "orange", "red", "carmine", "violet", "purple", "indigo",
        "grey",
    ]

    public static func dingtalkBodyProblem(_ json: [String: Any]) -> String? {
        guard let type = json["msgtype"] as? String else { return "msgtype missing" }
        switch type {
        case "text":
            guard let text = json["text"] as? [String: Any], text["content"] is String else {
                return "text.content missing"
            }
        case "markdown":
            guard let markdown = json["markdown"] as? [String: Any], markdown["title"] is String,
                markdown["text"] is String
            else { return "markdown.title and markdown.text are required" }
        case "actionCard", "link", "feedCard":
            break
        default:
            return "unknown msgtype \(type)"
        }
        return nil
    }

    public static func wecomBodyProblem(_ json: [String: Any]) -> (Int, String)? {
        let types: Set<String> = ["text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"]
        guard let type = json["msgtype"] as? String, types.contains(type) else {
            return (40008, "invalid message type")
        }
        switch type {
        case "text":
            guard let content = (json["text"] as? [String: Any])?["content"] as? String, !content.isEmpty else {
                return (44004, "empty content")
            }
            if content.utf8.count > 2048 { return (45002, "content size out of limit") }
        case "markdown", "markdown_v2":
            guard let content = (json[type] as? [String: Any])?["content"] as? String, !content.isEmpty else {
                return (44004, "empty content")
            }
            if content.utf8.count > 4096 { return (45002, "content size out of limit") }
        default:
            break
        }
        return nil
    }

    // MARK: - Signatures (independent of the notifier's implementation)

    static func feishuSign(timestamp: String, secret: String) -> String {
        let key = SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(), using: key)).base64EncodedString()
    }

    static func dingtalkSign(timestamp: String, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret)".utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    static func webhookSign(timestamp: String, body: [UInt8], secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).".utf8) + Data(body), using: key)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Console

    /// A readable rendering of an accepted message for the dev-stack console, the same for every platform:
    /// `[platform] title` on the first line, then the details indented below it.
    public static func describe(_ message: Message) -> String {
        let (title, details) = titleAndDetails(of: message)
        let header = "[\(message.platform.rawValue)] \(title)"
        let body = details.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: true) }
            .map { "    " + $0 }
        return ([header] + body).joined(separator: "\n")
    }

    /// The message's title and the lines of detail below it, read from each platform's body shape.
    static func titleAndDetails(of message: Message) -> (String, [String]) {
        let json = message.json ?? [:]
        switch message.platform {
        case .feishu:
            let card = json["card"] as? [String: Any]
            let header = ((card?["header"] as? [String: Any])?["title"] as? [String: Any])?["content"] as? String
            var details: [String] = []
            for element in card?["elements"] as? [[String: Any]] ?? [] {
                if let text = (element["text"] as? [String: Any])?["content"] as? String { details.append(text) }
                if let text = element["content"] as? String { details.append(text) }
                for note in element["elements"] as? [[String: Any]] ?? [] {
                    if let text = note["content"] as? String { details.append(text) }
                }
                for action in element["actions"] as? [[String: Any]] ?? [] {
                    if let url = action["url"] as? String { details.append("→ \(url)") }
                }
            }
            return (header ?? (json["msg_type"] as? String ?? "message"), details)
        case .feishuFlow:
            let title = "\(json["title"] as? String ?? "") (\(json["level"] ?? ""))"
            return (title, [json["message"] as? String].compactMap { $0 })
        case .dingtalk:
            let markdown = json["markdown"] as? [String: Any]
            return markdownTitleAndDetails(markdown?["text"] as? String ?? "", title: markdown?["title"] as? String)
        case .wecom:
            let markdown = json["markdown"] as? [String: Any]
            return markdownTitleAndDetails(markdown?["content"] as? String ?? "", title: nil)
        case .webhook:
            let issue = json["issue"] as? [String: Any]
            let title = "\(json["kind"] as? String ?? "") \(issue?["name"] as? String ?? "")"
            let level = (issue?["level"] as? String).map { "level: \($0)" }
            return (title, [level, issue?["url"] as? String].compactMap { $0 })
        }
    }

    /// A markdown message's title (the given one, else its first line without `#` marks) and the remaining lines;
    /// a heading that repeats the title is not printed twice.
    static func markdownTitleAndDetails(_ text: String, title: String?) -> (String, [String]) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let heading = lines.first.map { $0.drop(while: { $0 == "#" || $0 == " " }) }.map(String.init)
        if let heading, title == nil || heading == title { lines.removeFirst() }
        return (title ?? heading ?? "", lines)
    }
}
