import Crypto
import Foundation

/// The signatures the platforms require (docs/protocols/; vectors in docs/protocols/test-vectors.md).
enum SinkSigner {
    /// Feishu custom bot: `base64(HMAC-SHA256(key: "<timestamp>\n<secret>", message: ""))`, timestamp in seconds.
    static func feishu(timestamp: String, secret: String) -> String {
        let key = SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(), using: key)
        return Data(mac).base64EncodedString()
    }

    /// DingTalk custom robot: `base64(HMAC-SHA256(key: secret, message: "<timestamp>\n<secret>"))`, timestamp in ms.
    /// Not URL-encoded; `dingtalkQuery` encodes it.
    static func dingtalk(timestamp: String, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret)".utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// `&timestamp=<ms>&sign=<url-encoded sign>` to append to a DingTalk webhook URL.
    static func dingtalkQuery(timestamp: String, secret: String) -> String {
        "timestamp=\(timestamp)&sign=\(formEncode(dingtalk(timestamp: timestamp, secret: secret)))"
    }

    /// Generic webhook: `sha256=<hex HMAC-SHA256(key: secret, message: "<timestamp>.<body>")>`, sent as
    /// `X-Signature` with `X-Signature-Timestamp` (Unix seconds), so receivers can reject replays.
    static func webhook(timestamp: String, body: [UInt8], secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        var message = Data("\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        let digits = Array("0123456789abcdef".utf8)
        var hex = Array("sha256=".utf8)
        hex.reserveCapacity(hex.count + 64)
        for byte in mac {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
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
