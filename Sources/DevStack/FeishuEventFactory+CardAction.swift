import Foundation

extension FeishuEventFactory {
    /// A `card.action.trigger` callback (schema 2.0) for a click on one of our issue cards' buttons: `value` is
    /// `{"action": action, "issueUUID": issueUUID}` (docs/protocols/feishu-cards.md).
    public static func cardActionEvent(
        eventID: String, token: String, action: String, issueUUID: String, openID: String = "ou_devstack_user",
        messageID: String = "om_devstack_card", chatID: String = "oc_devstack", appID: String = "cli_devstack"
    ) -> String {
        jsonString(
            cardActionEnvelope(
                eventID: eventID, token: token, value: ["action": action, "issueUUID": issueUUID],
                clicker: ["open_id": openID, "union_id": "on_" + openID, "tenant_key": "t"],
                context: ["open_message_id": messageID, "open_chat_id": chatID], appID: appID))
    }

    /// The callback object around any button value, operator and context (hostile ones included).
    public static func cardActionEnvelope(
        eventID: String, token: String, value: Any, clicker: Any, context: Any, appID: String = "cli_devstack"
    ) -> [String: Any] {
        [
            "schema": "2.0",
            "header": [
                "event_id": eventID, "event_type": "card.action.trigger",
                "create_time": "\(Int64(Date().timeIntervalSince1970 * 1_000_000))", "token": token,
                "app_id": appID, "tenant_key": "t",
            ],
            "event": [
                "operator": clicker, "token": "c-" + eventID,
                "action": ["value": value, "tag": "button", "name": "issue_action"],
                "host": "im_message", "context": context,
            ],
        ]
    }
}
