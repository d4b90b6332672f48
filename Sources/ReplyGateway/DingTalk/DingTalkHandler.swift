import Crypto
import Foundation
import HTTPTypes
import Logging
import Shared

/// `POST /dingtalk/events`: DingTalk robot message callbacks (docs/protocols/dingtalk.md). Headers `timestamp`
/// (ms) and `sign` = base64(HMAC-SHA256(key: AppSecret, message: timestamp + "\n" + AppSecret)), accepted within
/// one hour; the body's `text.content` (mention already removed by DingTalk) must be `#issue_uuid#text`.
struct DingTalkHandler: IngressHandler {
    let appSecret: String
    let intake: CommandIntake
    let notices: NoticeQueue?
    let logger: Logger
    var window: Duration = .seconds(3600)
    var now: @Sendable () -> Date = { Date() }

    struct Callback: Decodable {
        struct Text: Decodable { var content: String? }
        var msgId: String
        var msgtype: String?
        var text: Text?
        var conversationId: String?
        var senderId: String?
        var senderStaffId: String?
        var senderNick: String?
        var sessionWebhook: String?
        var sessionWebhookExpiredTime: Int64?
    }

    /// The expected `sign` header for a timestamp.
    static func sign(timestamp: String, appSecret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp)\n\(appSecret)".utf8), using: SymmetricKey(data: Data(appSecret.utf8)))
        return Data(mac).base64EncodedString()
    }

    func process(headers: HTTPFields, body: [UInt8]) async throws(IngressRejection) -> IngressAnswer {
        guard let timestamp = headers[HTTPField.Name("timestamp")!], let sign = headers[HTTPField.Name("sign")!]
        else { throw .missingSignature }
        guard let milliseconds = Int64(timestamp) else { throw .staleTimestamp("not a number") }
        let skew = abs(Int64(now().timeIntervalSince1970 * 1000) - milliseconds)
        guard skew < window.milliseconds else { throw .staleTimestamp("\(skew / 1000) s from now") }
        guard FeishuEventCrypto.constantTimeEquals(Self.sign(timestamp: timestamp, appSecret: appSecret), sign) else {
            throw .badSignature
        }
        let callback: Callback
        do {
            callback = try JSONDecoder().decode(Callback.self, from: Data(body))
        } catch {
            throw .malformedJSON("not a DingTalk robot message")
        }
        let commandID = CommandIntake.commandID(platform: "dingtalk", eventID: callback.msgId)
        let origin = ReplyCommand.Origin(
            platform: "dingtalk", eventId: callback.msgId, chatId: callback.conversationId,
            senderId: callback.senderStaffId ?? callback.senderId, senderName: callback.senderNick,
            sessionWebhook: callback.sessionWebhook, sessionWebhookExpiresAt: callback.sessionWebhookExpiredTime)
        if intake.isDuplicate(commandID) { return .ok([:], outcome: "duplicate") }
        guard callback.msgtype == nil || callback.msgtype == "text", let text = callback.text?.content,
            let command = CommandText.parse(text)
        else {
            logger.info(
                "DingTalk message names no issue; usage hint sent", metadata: [LogKey.eventID: "\(callback.msgId)"])
            notices?.send(FeishuEventHandler.usage, to: origin, key: commandID)
            return .ok([:], outcome: "ignored")
        }
        let (published, outcome) = try await intake.submit(command, origin: origin, commandID: commandID)
        logger.info(
            "reply command accepted",
            metadata: [
                LogKey.commandID: "\(commandID)", LogKey.issueUUID: "\(published.issueUUID)",
                "route": "/dingtalk/events",
            ])
        return .ok([:], outcome: outcome == .published ? "accepted" : "duplicate")
    }
}
