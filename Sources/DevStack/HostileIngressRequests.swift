import FeishuKit
import Foundation
import Signing

/// A reproducible stream of hostile requests for every ingress route (`/feishu/events`, `/feishu/flow`,
/// `/dingtalk/events`, `/guance/webhook/<target>`): numeric extremes and non-numbers in every header, empty, huge, invalid UTF-8 and deeply
/// nested bodies, missing and wrongly typed fields, mention lists with empty keys, and genuinely signed requests
/// whose content is hostile. The same seed always yields the same requests (timestamps aside, which follow the
/// clock so that signed cases stay inside the replay window).
public struct HostileIngressRequests: Sendable {
    public static let routes = ["/feishu/events", "/feishu/flow", "/dingtalk/events", "/guance/webhook"]

    var random: SplitMix64
    let secrets: IngressSecrets
    let maxBodyBytes: Int

    public init(seed: UInt64, secrets: IngressSecrets, maxBodyBytes: Int) {
        random = SplitMix64(seed: seed)
        self.secrets = secrets
        self.maxBodyBytes = maxBodyBytes
    }

    public mutating func next() -> HostileRequest {
        switch Self.routes[int(Self.routes.count)] {
        case "/feishu/events": feishu()
        case "/feishu/flow": flow()
        case "/dingtalk/events": dingTalk()
        default: guanceWebhook()
        }
    }

    // MARK: - Routes

    private mutating func feishu() -> HostileRequest {
        let path = "/feishu/events"
        let key = secrets.feishuEncryptKey
        switch int(6) {
        case 0:
            return HostileRequest(
                path: path, headers: hostileHeaders(FeishuHeaders.all), body: hostileBody(), authenticated: false,
                label: "feishu: hostile signature headers, hostile body")
        case 1:
            var request = FeishuEventFactory.request(
                feishuEvent(token: secrets.feishuVerificationToken), encryptKey: key)
            if !request.body.isEmpty { request.body[int(request.body.count)] ^= UInt8(1 + int(255)) }
            return HostileRequest(
                path: path, headers: request.headers, body: request.body, authenticated: false,
                label: "feishu: signed, body changed after signing")
        case 2:
            let request = FeishuEventFactory.request(feishuEvent(token: randomText(0...40)), encryptKey: key)
            return HostileRequest(
                path: path, headers: request.headers, body: request.body, authenticated: false,
                label: "feishu: signed and encrypted, wrong verification token")
        case 3:
            let request = FeishuEventFactory.request(
                feishuEvent(token: secrets.feishuVerificationToken), encryptKey: key)
            return HostileRequest(
                path: path, headers: request.headers, body: request.body, authenticated: true,
                label: "feishu: signed and encrypted, hostile event")
        case 4:
            let plain =
                chance(2) ? hostileText() : FeishuEventFactory.challenge(randomText(0...20), token: randomText(0...20))
            let body = Array(jsonString(["encrypt": FeishuEventCrypto.encrypt(plain, encryptKey: key)]).utf8)
            return HostileRequest(
                path: path, headers: chance(2) ? [:] : hostileHeaders(FeishuHeaders.all), body: body,
                authenticated: false, label: "feishu: encrypted with the key, unsigned, hostile plaintext")
        default:
            var request = FeishuEventFactory.request(
                feishuEvent(token: secrets.feishuVerificationToken), encryptKey: key)
            let name = FeishuHeaders.all[int(FeishuHeaders.all.count)]
            let original = request.headers[name]
            request.headers[name] = chance(2) ? hostileHeaderValue() : nil
            // A "hostile" timestamp can be the current second, i.e. the genuine one.
            return HostileRequest(
                path: path, headers: request.headers, body: request.body,
                authenticated: request.headers[name] == original,
                label: "feishu: signed, one signature header replaced or missing (\(name))")
        }
    }

    private mutating func flow() -> HostileRequest {
        let path = "/feishu/flow"
        let good = chance(3)
        var headers = hostileHeaders(["Authorization", "Client-Token", "Content-Type"])
        if good { headers["Authorization"] = "Bearer \(secrets.flowToken)" }
        let body: [UInt8] =
            chance(2) ? hostileBody() : Array(jsonString(mutated(["content": "#\(issueUUID())#\(hostileText())"])).utf8)
        return HostileRequest(
            path: path, headers: headers, body: body, authenticated: good,
            label: good ? "flow: bearer token, hostile body" : "flow: hostile Authorization")
    }

    private mutating func dingTalk() -> HostileRequest {
        let path = "/dingtalk/events"
        var good = chance(3)
        var headers = hostileHeaders(["timestamp", "sign", "Content-Type"])
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        if good {
            let timestamp = String(now)
            headers["timestamp"] = timestamp
            headers["sign"] = DingTalkSignature.sign(timestamp: timestamp, appSecret: secrets.dingtalkAppSecret)
        } else if chance(3) {
            // A genuine sign for a hostile timestamp: only the window can refuse it. The hostile numbers include
            // the current millisecond, which is a genuine request.
            let timestamp = hostileNumber()
            headers["timestamp"] = timestamp
            headers["sign"] = DingTalkSignature.sign(timestamp: timestamp, appSecret: secrets.dingtalkAppSecret)
            if let millis = Int64(timestamp), (now - 60_000...now + 60_000).contains(millis) { good = true }
        }
        let callback: [String: Any] = [
            "msgId": "msg_" + randomText(1...20), "msgtype": chance(4) ? randomText(0...10) : "text",
            "text": ["content": " #\(issueUUID())#\(hostileText())"], "conversationId": randomText(0...30),
            "senderNick": hostileText(), "senderStaffId": randomText(0...20),
            "sessionWebhook": hostileWebhook(), "sessionWebhookExpiredTime": Int64.max - Int64(int(3)),
        ]
        let body: [UInt8] = chance(3) ? hostileBody() : Array(jsonString(mutated(callback)).utf8)
        return HostileRequest(
            path: path, headers: headers, body: body, authenticated: good,
            label: good ? "dingtalk: signed, hostile body" : "dingtalk: hostile timestamp/sign")
    }
}
