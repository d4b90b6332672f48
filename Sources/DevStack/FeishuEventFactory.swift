import FeishuKit
import Foundation

/// A callback request as Feishu would send it: exact body bytes and headers.
public struct FeishuSignedRequest: Sendable {
    public var body: [UInt8]
    public var headers: [String: String]

    public init(body: [UInt8], headers: [String: String]) {
        self.body = body
        self.headers = headers
    }
}

/// Builds Feishu event subscription v2 callbacks (docs/protocols/feishu.md) the way Feishu does: JSON
/// envelope, AES-256-CBC `encrypt` with a random IV, `X-Lark-Signature` over the exact body. Used by DevStack's
/// event sender and by tests.
public enum FeishuEventFactory {
    /// An `im.message.receive_v1` event whose text content is `text` (mention placeholders included verbatim).
    public static func messageEvent(
        eventID: String, token: String, text: String, messageID: String, rootID: String? = nil,
        chatID: String = "oc_devstack", senderType: String = "user", senderOpenID: String = "ou_devstack_user",
        mentions: [(key: String, name: String)] = [(key: "@_user_1", name: "IssueBot")], appID: String = "cli_devstack"
    ) -> String {
        let content = jsonString(["text": text])
        let message: [String: Any] = [
            "message_id": messageID, "root_id": rootID ?? "", "parent_id": rootID ?? "",
            "create_time": "\(Int64(Date().timeIntervalSince1970 * 1000))", "chat_id": chatID, "chat_type": "group",
            "message_type": "text", "content": content,
            "mentions": mentions.map { mention in
                [
                    "key": mention.key, "name": mention.name, "id": ["open_id": "ou_bot_\(mention.name)"],
                    "tenant_key": "t",
                ]
            },
        ]
        let envelope: [String: Any] = [
            "schema": "2.0",
            "header": [
                "event_id": eventID, "event_type": "im.message.receive_v1",
                "create_time": "\(Int64(Date().timeIntervalSince1970 * 1_000_000))", "token": token,
                "app_id": appID, "tenant_key": "t",
            ],
            "event": [
                "sender": ["sender_id": ["open_id": senderOpenID], "sender_type": senderType, "tenant_key": "t"],
                "message": message,
            ],
        ]
        return jsonString(envelope)
    }

    /// A url_verification challenge.
    public static func challenge(_ challenge: String, token: String) -> String {
        jsonString(["challenge": challenge, "token": token, "type": "url_verification"])
    }

    /// The request Feishu would send for `plaintext`: encrypted and signed when `encryptKey` is given.
    public static func request(
        _ plaintext: String, encryptKey: String?, timestamp: Date = Date(), nonce: String = randomNonce()
    ) -> FeishuSignedRequest {
        guard let encryptKey else {
            return FeishuSignedRequest(body: Array(plaintext.utf8), headers: ["Content-Type": "application/json"])
        }
        let body = Array(jsonString(["encrypt": FeishuEventCrypto.encrypt(plaintext, encryptKey: encryptKey)]).utf8)
        let seconds = String(Int64(timestamp.timeIntervalSince1970))
        return FeishuSignedRequest(
            body: body,
            headers: [
                "Content-Type": "application/json",
                FeishuHeaders.timestamp: seconds,
                FeishuHeaders.nonce: nonce,
                FeishuHeaders.signature: FeishuEventCrypto.signature(
                    timestamp: seconds, nonce: nonce, encryptKey: encryptKey, body: body),
            ])
    }

    public static func randomNonce() -> String {
        String((0..<10).map { _ in "0123456789abcdef".randomElement()! })
    }

    static func jsonString(_ object: [String: Any]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
