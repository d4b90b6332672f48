import Crypto
import Foundation

/// The generic webhook's signature: `sha256=` + hex(HMAC-SHA256(key: secret, message: timestamp + "." + body)),
/// sent as `X-Signature` with `X-Signature-Timestamp` (Unix seconds), so receivers can reject replays.
public enum WebhookSignature {
    public static func sign(timestamp: String, body: some Sequence<UInt8>, secret: String) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(contentsOf: Array(body))
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Hex.encode(mac)
    }
}
