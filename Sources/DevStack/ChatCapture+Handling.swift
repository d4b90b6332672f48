import Crypto
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Signing
import Synchronization
import Timing

/// Answering one request: verification (signature, keyword, body), injected failures, rate limits.
extension ChatCapture {
    func handle(
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

    struct Answer {
        var httpStatus = 200
        var code = 0
        var body: String
    }

    func errorAnswer(_ platform: Platform, _ code: Int, _ message: String) -> Answer {
        let escaped = message.replacingOccurrences(of: "\"", with: "'")
        switch platform {
        case .feishu, .feishuFlow:
            return Answer(code: code, body: "{\"code\":\(code),\"data\":{},\"msg\":\"\(escaped)\"}")
        case .dingtalk, .wecom: return Answer(code: code, body: "{\"errcode\":\(code),\"errmsg\":\"\(escaped)\"}")
        case .webhook: return Answer(httpStatus: code, code: code, body: "{\"error\":\"\(escaped)\"}")
        }
    }

    func success(_ platform: Platform) -> Answer {
        switch platform {
        case .feishu: Answer(body: "{\"code\":0,\"data\":{},\"msg\":\"success\"}")
        case .feishuFlow: Answer(body: "{\"code\":0,\"data\":{},\"msg\":\"\"}")
        case .dingtalk, .wecom: Answer(body: "{\"errcode\":0,\"errmsg\":\"ok\"}")
        case .webhook: Answer(body: "{\"ok\":true}")
        }
    }

    func verify(
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
                    FeishuWebhookSignature.sign(timestamp: timestamp, secret: secret) == sign
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
                return errorAnswer(.feishuFlow, 800_004_509, "webhook trigger workflow is disabled")
            }
            guard body.count <= 4 << 20 else { return errorAnswer(.feishuFlow, 800_005_647, "request body too large") }
            guard json != nil else { return errorAnswer(.feishuFlow, 9499, "Bad Request") }
        case .dingtalk:
            guard params["access_token"].map(String.init) == options.token else {
                return errorAnswer(.dingtalk, 300001, "token is not exist")
            }
            if let secret = options.dingtalkSecret {
                guard let timestamp = params["timestamp"].map(String.init), let sign = params["sign"].map(String.init),
                    let millis = Double(timestamp), abs(current.timeIntervalSince1970 * 1000 - millis) < 3_600_000,
                    DingTalkSignature.sign(timestamp: timestamp, appSecret: secret) == sign
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
                    WebhookSignature.sign(timestamp: timestamp, body: body, secret: secret) == signature
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
    func limit(_ platform: Platform, code: Int, message: String, at now: Date) -> Answer? {
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
}
