import Crypto
import Foundation

/// Feishu custom bot webhook signature: `sign` = base64(HMAC-SHA256(key: timestamp + "\n" + secret, message: "")),
/// timestamp in seconds. The key is the timestamp and secret; the message is empty.
public enum FeishuWebhookSignature {
    public static func sign(timestamp: String, secret: String) -> String {
        let key = SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(), using: key)).base64EncodedString()
    }
}
