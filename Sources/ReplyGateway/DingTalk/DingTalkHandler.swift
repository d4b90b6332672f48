import Events
import FeishuKit
import Foundation
import HTTPTypes
import KafkaClient
import Logging
import Signing

/// `POST /dingtalk/events`: DingTalk robot message callbacks (docs/protocols/dingtalk.md). Headers `timestamp` (ms)
/// and `sign` = base64(HMAC-SHA256(key: AppSecret, message: timestamp + "\n" + AppSecret)); the body's
/// `text.content` (mention already removed by DingTalk) must be `#issue_uuid#text`.
///
/// The signature covers only the timestamp, not the body: a `sign` is a bearer value for as long as its timestamp is
/// accepted, so the window is the gateway's replay window (`GATEWAY_SIGNATURE_WINDOW`), and the body's
/// `sessionWebhook` is kept only when `sessionWebhooks` allows it.
struct DingTalkHandler: IngressHandler {
    let appSecret: String
    let intake: CommandIntake
    let notices: NoticeQueue?
    let logger: Logger
    var window: Duration = .seconds(300)
    var sessionWebhooks = SessionWebhookPolicy()
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
        DingTalkSignature.sign(timestamp: timestamp, appSecret: appSecret)
    }

    /// The whole authentication: the signature covers only headers.
    func checkHeaders(_ headers: HTTPFields) throws(IngressRejection) {
        guard let timestamp = headers[HTTPField.Name("timestamp")!], let sign = headers[HTTPField.Name("sign")!]
        else { throw .missingSignature }
        try ReplayWindow(width: window).check(milliseconds: timestamp, now: now())
        guard FeishuEventCrypto.constantTimeEquals(Self.sign(timestamp: timestamp, appSecret: appSecret), sign) else {
            throw .badSignature
        }
    }

    func process(headers: HTTPFields, body: [UInt8]) async throws(IngressRejection) -> IngressAnswer {
        let callback: Callback
        do {
            callback = try JSONDecoder().decode(Callback.self, from: Data(body))
        } catch {
            throw .malformedJSON("not a DingTalk robot message")
        }
        let commandID = CommandIntake.commandID(platform: "dingtalk", eventID: callback.msgId)
        var sessionWebhook = callback.sessionWebhook
        if let address = sessionWebhook, let refusal = sessionWebhooks.refusal(address) {
            logger.warning(
                "DingTalk sessionWebhook refused: no answer in chat for this message",
                metadata: [LogKey.eventID: "\(callback.msgId)", "reason": "\(refusal)"])
            sessionWebhook = nil
        }
        let origin = ReplyCommand.Origin(
            platform: "dingtalk", eventId: callback.msgId, chatId: callback.conversationId,
            senderId: callback.senderStaffId ?? callback.senderId, senderName: callback.senderNick,
            sessionWebhook: sessionWebhook, sessionWebhookExpiresAt: callback.sessionWebhookExpiredTime)
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
