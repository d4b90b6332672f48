import FeishuKit
import Foundation
import Signing

/// The secrets a gateway under test was started with, so that hostile requests can also be genuinely signed.
public struct IngressSecrets: Sendable {
    public var feishuVerificationToken: String
    public var feishuEncryptKey: String
    public var flowToken: String
    public var dingtalkAppSecret: String
    /// `GUANCE_WEBHOOK_TOKEN`; nil = the gateway runs without `/guance/webhook/<target>`.
    public var guanceWebhookToken: String?

    public init(
        feishuVerificationToken: String, feishuEncryptKey: String, flowToken: String, dingtalkAppSecret: String,
        guanceWebhookToken: String? = nil
    ) {
        self.feishuVerificationToken = feishuVerificationToken
        self.feishuEncryptKey = feishuEncryptKey
        self.flowToken = flowToken
        self.dingtalkAppSecret = dingtalkAppSecret
        self.guanceWebhookToken = guanceWebhookToken
    }
}

/// One request from the generator.
public struct HostileRequest: Sendable {
    public var path: String
    public var headers: [String: String]
    public var body: [UInt8]
    /// True when the request carries valid credentials for its route (it may lead to a published command); false
    /// means nothing may be published because of it.
    public var authenticated: Bool
    /// What kind of case this is, for failure messages.
    public var label: String
}

/// A reproducible stream of hostile requests for every ingress route (`/feishu/events`, `/feishu/flow`,
/// `/dingtalk/events`, `/guance/webhook/<target>`): numeric extremes and non-numbers in every header, empty, huge, invalid UTF-8 and deeply
/// nested bodies, missing and wrongly typed fields, mention lists with empty keys, and genuinely signed requests
/// whose content is hostile. The same seed always yields the same requests (timestamps aside, which follow the
/// clock so that signed cases stay inside the replay window).
public struct HostileIngressRequests: Sendable {
    public static let routes = ["/feishu/events", "/feishu/flow", "/dingtalk/events", "/guance/webhook"]

    private var random: SplitMix64
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
            var request = FeishuEventFactory.request(feishuEvent(token: secrets.feishuVerificationToken), encryptKey: key)
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
            let request = FeishuEventFactory.request(feishuEvent(token: secrets.feishuVerificationToken), encryptKey: key)
            return HostileRequest(
                path: path, headers: request.headers, body: request.body, authenticated: true,
                label: "feishu: signed and encrypted, hostile event")
        case 4:
            let plain = chance(2) ? hostileText() : FeishuEventFactory.challenge(randomText(0...20), token: randomText(0...20))
            let body = Array(jsonString(["encrypt": FeishuEventCrypto.encrypt(plain, encryptKey: key)]).utf8)
            return HostileRequest(
                path: path, headers: chance(2) ? [:] : hostileHeaders(FeishuHeaders.all), body: body,
                authenticated: false, label: "feishu: encrypted with the key, unsigned, hostile plaintext")
        default:
            var request = FeishuEventFactory.request(feishuEvent(token: secrets.feishuVerificationToken), encryptKey: key)
            let name = FeishuHeaders.all[int(FeishuHeaders.all.count)]
            let original = request.headers[name]
            request.headers[name] = chance(2) ? hostileHeaderValue() : nil
            // A "hostile" timestamp can be the current second, i.e. the genuine one.
            return HostileRequest(
                path: path, headers: request.headers, body: request.body, authenticated: request.headers[name] == original,
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

    // MARK: - Pieces

    private mutating func feishuEvent(token: String) -> String {
        if chance(3) { return cardActionEvent(token: token) }
        let mentionCount = int(4) == 0 ? int(300) : int(4)
        let mentions = (0..<mentionCount).map { index -> (key: String, name: String) in
            (key: chance(3) ? "" : (chance(2) ? "@_user_\(index)" : randomText(0...12)), name: hostileText())
        }
        let event = FeishuEventFactory.messageEvent(
            eventID: "ev_" + randomText(1...30), token: token,
            text: mentions.prefix(3).map(\.key).joined(separator: " ") + " #\(issueUUID())#\(hostileText())",
            messageID: "om_" + randomText(1...30), mentions: mentions)
        guard chance(2), let object = try? JSONSerialization.jsonObject(with: Data(event.utf8)) else { return event }
        return jsonString(mutated(object))
    }

    mutating func issueUUID() -> String {
        switch int(5) {
        case 0: return ""
        case 1: return String(repeating: "a", count: 129 + int(200))
        case 2: return "issue_" + randomText(0...8) + "#"
        default: return "issue_" + randomText(4...30)
        }
    }

    private mutating func hostileWebhook() -> Any {
        let options: [Any] = [
            "http://127.0.0.1:1/robot/sendBySession", "https://evil.example/robot/sendBySession", "file:///etc/passwd",
            "http://169.254.169.254/latest/meta-data/", "https://oapi.dingtalk.com/robot/sendBySession?session=x",
            "", 42, NSNull(), ["a": 1],
        ]
        return options[int(options.count)]
    }

    /// Replaces, removes or retypes random members of a JSON tree.
    mutating func mutated(_ value: Any, depth: Int = 0) -> Any {
        if depth > 8 { return value }
        if let object = value as? [String: Any] {
            var result: [String: Any] = [:]
            for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                switch int(10) {
                case 0: continue
                case 1: result[key] = jsonValue(depth: 2)
                default: result[key] = mutated(member, depth: depth + 1)
                }
            }
            if chance(8) { result[randomText(0...10)] = jsonValue(depth: 2) }
            return result
        }
        if let array = value as? [Any] {
            return array.map { mutated($0, depth: depth + 1) } + (chance(6) ? [jsonValue(depth: 2)] : [])
        }
        return chance(10) ? jsonValue(depth: 1) : value
    }

    mutating func jsonValue(depth: Int) -> Any {
        switch int(depth > 0 ? 9 : 7) {
        case 0: return NSNull()
        case 1: return chance(2)
        case 2: return [Int64.max, Int64.min, 0, -1, 1 << 53][int(5)]
        case 3: return [1e300, -1e300, 1.5, -0.0, 4.9e-324][int(5)]
        case 4, 5: return hostileText()
        case 6: return ""
        case 7: return (0..<int(4)).map { _ in jsonValue(depth: depth - 1) }
        default:
            var object: [String: Any] = [:]
            for _ in 0..<int(4) { object[randomText(0...8)] = jsonValue(depth: depth - 1) }
            return object
        }
    }

    mutating func hostileBody() -> [UInt8] {
        switch int(12) {
        case 0: return []
        case 1: return (0..<int(2048)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 2: return [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80] + Array(#"{"a":""#.utf8) + [0xC3] + Array(#""}"#.utf8)
        case 3: return Array(repeating: UInt8(ascii: "["), count: 1000 + int(maxBodyBytes - 1000))
        case 4:
            let depth = 100 + int(20_000)
            return Array((String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)).utf8)
                .prefix(maxBodyBytes).map { $0 }
        case 5: return Array(repeating: UInt8(ascii: "a"), count: maxBodyBytes + 1 + int(4096))
        case 6: return Array(("\"" + String(repeating: "x", count: maxBodyBytes - 2) + "\"").utf8)
        case 7:
            let field = ["msgId", "content", "encrypt", "token", "sessionWebhookExpiredTime", "challenge", "type"][int(7)]
            return Array(#"{"\#(field)":\#(hostileNumber())}"#.utf8)
        case 8: return Array(["null", "[]", "{}", "true", "\"\"", "0", "{\"encrypt\":null}", "{\"encrypt\":\"\"}"][int(8)].utf8)
        case 9: return Array(jsonString(["encrypt": randomText(0...200)]).utf8)
        default:
            let value = jsonValue(depth: 4)
            return Array(jsonString(value as? [String: Any] ?? ["value": value]).utf8)
        }
    }

    mutating func hostileHeaders(_ names: [String]) -> [String: String] {
        var headers: [String: String] = [:]
        for name in names where !chance(4) { headers[name] = hostileHeaderValue() }
        return headers
    }

    mutating func hostileHeaderValue() -> String {
        chance(2) ? hostileNumber() : randomText(0...(chance(10) ? 4000 : 40))
    }

    private mutating func hostileNumber() -> String {
        let values = [
            "1e300", "-1e300", "inf", "-inf", "Infinity", "nan", "NaN", "-0", "0", "1.5", "-1", "+1", " 1",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
            "18446744073709551616", "0x7fffffff", "1e999", "4.9e-324", String(repeating: "9", count: 400),
            String(Int64(Date().timeIntervalSince1970)), String(Int64(Date().timeIntervalSince1970 * 1000)),
        ]
        return values[int(values.count)]
    }

    mutating func hostileText() -> String {
        let pieces = [
            "<at id=all></at>", "<at user_id=\"all\">所有人</at>", "[x](https://evil.example)", "#", "＃", "@_user_1",
            "\u{202E}", "\u{0}", "\\u0000", "😀", "\n", "收到", "%00", "'; DROP TABLE", String(repeating: "#", count: 50),
        ]
        var text = ""
        for _ in 0..<int(6) { text += chance(2) ? pieces[int(pieces.count)] : randomText(0...20) }
        return text
    }

    mutating func randomText(_ lengths: ClosedRange<Int>) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-=+/ .:#@")
        let length = lengths.lowerBound + int(lengths.count)
        return String((0..<length).map { _ in alphabet[int(alphabet.count)] })
    }

    mutating func int(_ upperBound: Int) -> Int {
        upperBound <= 1 ? 0 : Int(random.next() % UInt64(upperBound))
    }

    mutating func chance(_ oneIn: Int) -> Bool { int(oneIn) == 0 }

    func jsonString(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension FeishuHeaders {
    /// The three signature headers.
    public static let all = [timestamp, nonce, signature]
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same sequence on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
