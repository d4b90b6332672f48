import Foundation

extension HostileIngressRequests {
    /// A `card.action.trigger` callback with hostile button values, operators and contexts (valid ones too, so some
    /// clicks are published when the request is authenticated).
    mutating func cardActionEvent(token: String) -> String {
        let actions: [Any] = ["acknowledge", "resolve", "reopen", "", "RESOLVE", hostileText(), 20, NSNull()]
        let value: Any =
            chance(4) ? jsonValue(depth: 2) : ["action": actions[int(actions.count)], "issueUUID": issueUUID()]
        let openIDs: [Any] = ["ou_" + randomText(1...30), "", hostileText(), String(repeating: "o", count: 300), 7]
        let clicker: Any = chance(5) ? jsonValue(depth: 1) : ["open_id": openIDs[int(openIDs.count)]]
        let context: Any =
            chance(5)
            ? jsonValue(depth: 1) : ["open_message_id": "om_" + randomText(0...30), "open_chat_id": hostileText()]
        let object = FeishuEventFactory.cardActionEnvelope(
            eventID: "ev_" + randomText(1...30), token: token, value: value, clicker: clicker, context: context)
        return jsonString(chance(3) ? mutated(object) : object)
    }
}
