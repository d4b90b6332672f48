import Events
import FeishuKit
import Foundation
import HTTPTypes
import KafkaClient
import Logging

/// `POST /feishu/events`: verifies, decrypts and interprets Feishu event subscription v2 callbacks
/// (docs/protocols/feishu.md) and publishes reply commands. Transport-free, so tests call it directly.
///
/// Order of checks: signature and timestamp (when signed) before anything is decrypted; decryption; token;
/// then the event. With an encrypt key configured every request except the url_verification challenge must be
/// signed (the official SDKs do not sign challenges either).
struct FeishuEventHandler: IngressHandler {
    let settings: FeishuSubscriptionSettings
    let intake: CommandIntake
    let threads: (any ThreadIssueLookup)?
    let notices: NoticeQueue?
    let signatureWindow: Duration
    let logger: Logger
    var now: @Sendable () -> Date = { Date() }
    /// Card button clicks (`card.action.trigger`); nil answers them as unhandled events.
    var cardActions: CardActionHandler? = nil

    static let messageReceived = "im.message.receive_v1"

    /// With an encrypt key, a request carrying signature headers must carry all three and a timestamp within the
    /// window (the signature itself covers the body and is checked in `process`). Unsigned requests pass here: the
    /// url_verification challenge is not signed.
    func checkHeaders(_ headers: HTTPFields) throws(IngressRejection) {
        guard settings.encryptKey != nil else { return }
        let present = [FeishuHeaders.timestamp, FeishuHeaders.nonce, FeishuHeaders.signature].map {
            headers[HTTPField.Name($0)!] != nil
        }
        guard present.contains(true) else { return }
        guard !present.contains(false) else { throw .missingSignature }
        try ReplayWindow(width: signatureWindow).check(
            seconds: headers[HTTPField.Name(FeishuHeaders.timestamp)!] ?? "", now: now())
    }

    func process(headers: HTTPFields, body: [UInt8]) async throws(IngressRejection) -> IngressAnswer {
        var signed = false
        if let encryptKey = settings.encryptKey {
            signed = try verifySignature(headers: headers, body: body, encryptKey: encryptKey)
        }
        let plain = try openBody(body)
        let callback: FeishuCallback
        do {
            callback = try JSONDecoder().decode(FeishuCallback.self, from: plain)
        } catch {
            throw .malformedJSON("not a Feishu callback object")
        }
        guard let token = callback.verificationToken,
            FeishuEventCrypto.constantTimeEquals(token, settings.verificationToken)
        else { throw .badToken }
        if callback.isURLVerification {
            guard let challenge = callback.challenge else { throw .malformedJSON("challenge missing") }
            return .ok(["challenge": challenge], outcome: "challenge")
        }
        if settings.encryptKey != nil && !signed { throw .missingSignature }
        guard let eventType = callback.header?.eventType, let eventID = callback.header?.eventID else {
            throw .malformedJSON("not a schema 2.0 event (header.event_type / event_id missing)")
        }
        if eventType == CardActionHandler.eventType, let cardActions {
            return await answerCardAction(plain, eventID: eventID, handler: cardActions)
        }
        guard eventType == Self.messageReceived else {
            logger.info(
                "Feishu event type not handled", metadata: ["event_type": "\(eventType)", LogKey.eventID: "\(eventID)"])
            return .ok(["msg": "success"], outcome: "ignored")
        }
        let message: FeishuMessageEvent.Event
        do {
            message = try JSONDecoder().decode(FeishuMessageEvent.Body.self, from: plain).event
        } catch {
            throw .malformedJSON("im.message.receive_v1 without sender/message")
        }
        return try await handleMessage(message, eventID: eventID)
    }

    // MARK: - Checks

    /// True when valid signature headers are present; throws when they are present but wrong or stale.
    private func verifySignature(headers: HTTPFields, body: [UInt8], encryptKey: String) throws(IngressRejection)
        -> Bool
    {
        let timestamp = headers[HTTPField.Name(FeishuHeaders.timestamp)!]
        let nonce = headers[HTTPField.Name(FeishuHeaders.nonce)!]
        let signature = headers[HTTPField.Name(FeishuHeaders.signature)!]
        guard let timestamp, let nonce, let signature else { return false }
        try ReplayWindow(width: signatureWindow).check(seconds: timestamp, now: now())
        let expected = FeishuEventCrypto.signature(
            timestamp: timestamp, nonce: nonce, encryptKey: encryptKey, body: body)
        guard FeishuEventCrypto.constantTimeEquals(expected, signature.lowercased()) else { throw .badSignature }
        return true
    }

    /// The callback JSON: decrypted from `{"encrypt": …}` when an encrypt key is configured.
    private func openBody(_ body: [UInt8]) throws(IngressRejection) -> Data {
        struct Outer: Decodable { var encrypt: String? }
        let outer: Outer
        do {
            outer = try JSONDecoder().decode(Outer.self, from: Data(body))
        } catch {
            throw .malformedJSON("body is not a JSON object")
        }
        switch (settings.encryptKey, outer.encrypt) {
        case (let key?, let encrypted?):
            do {
                return Data(try FeishuEventCrypto.decrypt(encrypted, encryptKey: key).utf8)
            } catch {
                throw .undecryptable(error.description)
            }
        case (_?, nil):
            throw .undecryptable("an encrypt key is configured but the body is not encrypted")
        case (nil, _?):
            throw .undecryptable("the body is encrypted but FEISHU_ENCRYPT_KEY is not configured")
        case (nil, nil):
            return Data(body)
        }
    }

    // MARK: - Card actions

    /// A verified click: the toast answer (HTTP 200 whatever the outcome, since Feishu shows a non-200 answer as a
    /// generic error; a refused or unsubmitted click says why in the toast).
    private func answerCardAction(_ plain: Data, eventID: String, handler: CardActionHandler) async -> IngressAnswer {
        let answer: CardActionAnswer =
            if let click = FeishuCardAction.decode(callbackBody: plain) {
                await handler.handle(click, eventID: eventID)
            } else {
                .notAnAction
            }
        return IngressAnswer(status: .ok, json: answer.json, outcome: "card_" + answer.outcome)
    }

    // MARK: - Messages

    private func handleMessage(_ event: FeishuMessageEvent.Event, eventID: String) async throws(IngressRejection)
        -> IngressAnswer
    {
        let message = event.message
        var log = logger
        log[metadataKey: LogKey.eventID] = "\(eventID)"
        guard event.sender.senderType == "user" else {
            log.debug(
                "message from a non-user sender ignored", metadata: ["sender_type": "\(event.sender.senderType ?? "-")"]
            )
            return .ok(["msg": "success"], outcome: "ignored")
        }
        let origin = ReplyCommand.Origin(
            platform: "feishu", eventId: eventID, messageId: message.messageID, chatId: message.chatID,
            senderId: event.sender.senderID?.openID ?? event.sender.senderID?.userID, senderName: nil)
        let commandID = CommandIntake.commandID(platform: "feishu", eventID: eventID)
        if intake.isDuplicate(commandID) {
            log.info("repeated Feishu event answered without publishing again")
            return .ok(["msg": "success"], outcome: "duplicate")
        }
        guard message.messageType == "text", let raw = FeishuMessageEvent.text(ofContent: message.content) else {
            log.info("non-text message ignored", metadata: ["message_type": "\(message.messageType ?? "-")"])
            notices?.send(Self.usage, to: origin, key: commandID)
            return .ok(["msg": "success"], outcome: "ignored")
        }
        let mentions = (message.mentions ?? []).map { (key: $0.key, name: $0.name ?? "") }
        let text = MentionText.strip(raw, mentions: mentions)
        guard let command = try await interpret(text, rootID: message.rootID, log: log) else {
            log.info("message names no issue; usage hint sent")
            notices?.send(Self.usage, to: origin, key: commandID)
            return .ok(["msg": "success"], outcome: "ignored")
        }
        let (published, outcome) = try await intake.submit(command, origin: origin, commandID: commandID)
        log.info(
            "reply command accepted",
            metadata: [
                LogKey.commandID: "\(published.commandId)", LogKey.issueUUID: "\(published.issueUUID)",
                "outcome": "\(outcome.rawValue)",
            ])
        return .ok(["msg": "success"], outcome: outcome == .published ? "accepted" : "duplicate")
    }

    /// `#uuid#text`, or any text in the thread of a message that names an issue.
    private func interpret(_ text: String, rootID: String?, log: Logger) async throws(IngressRejection) -> CommandText?
    {
        if let command = CommandText.parse(text) { return command }
        guard let rootID, !rootID.isEmpty, let threads else { return nil }
        do {
            guard let uuid = try await threads.issueUUID(threadRoot: rootID) else { return nil }
            return CommandText(issueUUID: uuid, content: text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            log.warning("thread root lookup failed; Feishu will retry", metadata: [LogKey.error: "\(error)"])
            throw .unavailable("thread root lookup failed")
        }
    }

    static let usage =
        "没有找到要回复的 Issue。请用 #issue_uuid#回复内容，或在 Issue 通知的话题里回复。"
        + " / No issue found: write #issue_uuid#your reply, or reply in the thread of an issue notification."
}
