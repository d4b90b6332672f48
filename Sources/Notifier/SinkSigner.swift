import Foundation
import Signing

/// The signatures the sinks send (docs/protocols/; vectors in docs/protocols/test-vectors.md), from the formulas in
/// `Signing`: the one home of each platform's signature, shared with the gateway's callback checks.
enum SinkSigner {
    /// Feishu custom bot: `base64(HMAC-SHA256(key: "<timestamp>\n<secret>", message: ""))`, timestamp in seconds.
    static func feishu(timestamp: String, secret: String) -> String {
        FeishuWebhookSignature.sign(timestamp: timestamp, secret: secret)
    }

    /// DingTalk custom robot: `base64(HMAC-SHA256(key: secret, message: "<timestamp>\n<secret>"))`, timestamp in ms.
    /// Not URL-encoded; `dingtalkQuery` encodes it.
    static func dingtalk(timestamp: String, secret: String) -> String {
        DingTalkSignature.sign(timestamp: timestamp, appSecret: secret)
    }

    /// `&timestamp=<ms>&sign=<url-encoded sign>` to append to a DingTalk webhook URL.
    static func dingtalkQuery(timestamp: String, secret: String) -> String {
        "timestamp=\(timestamp)&sign=\(formEncode(dingtalk(timestamp: timestamp, secret: secret)))"
    }

    /// Generic webhook: `sha256=<hex HMAC-SHA256(key: secret, message: "<timestamp>.<body>")>`, sent as
    /// `X-Signature` with `X-Signature-Timestamp` (Unix seconds), so receivers can reject replays.
    static func webhook(timestamp: String, body: [UInt8], secret: String) -> String {
        WebhookSignature.sign(timestamp: timestamp, body: body, secret: secret)
    }

    /// `application/x-www-form-urlencoded` escaping as Python's `quote_plus` does it.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-_.~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// Header names of the generic webhook signature.
enum WebhookHeaders {
    static let signature = "X-Signature"
    static let timestamp = "X-Signature-Timestamp"
    static let eventID = "X-Event-Id"
}
