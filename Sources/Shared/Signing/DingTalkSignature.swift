import Crypto
import Foundation

/// DingTalk's robot signature: `sign` = base64(HMAC-SHA256(key: secret, message: timestamp + "\n" + secret)),
/// timestamp in milliseconds. The same formula signs the custom robot webhook (the notifier appends it, URL-encoded,
/// to the webhook URL) and DingTalk's callbacks to the gateway (`AppSecret`). It covers the timestamp only, not the
/// body.
public enum DingTalkSignature {
    /// The `sign` value for a timestamp, not URL-encoded.
    public static func sign(timestamp: String, appSecret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp)\n\(appSecret)".utf8), using: SymmetricKey(data: Data(appSecret.utf8)))
        return Data(mac).base64EncodedString()
    }
}
