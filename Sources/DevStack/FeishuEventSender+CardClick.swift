import Foundation

extension FeishuEventSender {
    /// Sends a click on an issue card's button (`acknowledge`, `resolve` or `reopen`) as Feishu would: encrypted,
    /// signed, with the verification token. The gateway's answer body is the toast JSON.
    public func sendCardClick(
        action: String, issueUUID: String, openID: String = "ou_devstack_user",
        messageID: String = "om_devstack_card", eventID: String = "ev_" + UUID().uuidString.lowercased()
    ) async throws -> Result {
        let event = FeishuEventFactory.cardActionEvent(
            eventID: eventID, token: verificationToken, action: action, issueUUID: issueUUID, openID: openID,
            messageID: messageID)
        let (status, body) = try await send(FeishuEventFactory.request(event, encryptKey: encryptKey))
        return Result(status: status, body: body, eventID: eventID, messageID: messageID)
    }
}
