import FeishuKit
import Foundation
import Signing

/// The hostile pieces requests are made of: bodies, JSON values, headers, numbers and text.
extension HostileIngressRequests {
    mutating func feishuEvent(token: String) -> String {
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

    mutating func hostileWebhook() -> Any {
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
        case 2:
            return [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80] + Array(#"{"a":""#.utf8) + [0xC3] + Array(#""}"#.utf8)
        case 3: return Array(repeating: UInt8(ascii: "["), count: 1000 + int(maxBodyBytes - 1000))
        case 4:
            let depth = 100 + int(20_000)
            return Array((String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)).utf8)
                .prefix(maxBodyBytes).map { $0 }
        case 5: return Array(repeating: UInt8(ascii: "a"), count: maxBodyBytes + 1 + int(4096))
        case 6: return Array(("\"" + String(repeating: "x", count: maxBodyBytes - 2) + "\"").utf8)
        case 7:
            let field = ["msgId", "content", "encrypt", "token", "sessionWebhookExpiredTime", "challenge", "type"][
                int(7)]
            return Array(#"{"\#(field)":\#(hostileNumber())}"#.utf8)
        case 8:
            return Array(
                ["null", "[]", "{}", "true", "\"\"", "0", "{\"encrypt\":null}", "{\"encrypt\":\"\"}"][int(8)].utf8)
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

    mutating func hostileNumber() -> String {
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
