import Crypto
import Foundation

/// DingTalk's robot callback signature: `sign` = base64(HMAC-SHA256(key: AppSecret, message: timestamp + "\n" +
/// AppSecret)). It covers the timestamp only, not the body.
public enum DingTalkSignature {
    /// The expected `sign` header for a timestamp header.
    public static func sign(timestamp: String, appSecret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp)\n\(appSecret)".utf8), using: SymmetricKey(data: Data(appSecret.utf8)))
        return Data(mac).base64EncodedString()
    }
}
