import Events
import GuanceAPI

extension ReplyCommand {
    /// The reply as written to Guance: the person's name first when the gateway knew it ("张三：收到").
    var guanceContent: String {
        guard let name = origin.senderName, !name.isEmpty else { return content }
        return "\(name)：\(content)"
    }

    /// `extend.chatUser {platform, id, name, email}`: who wrote the reply in the chat (Guance shows the API key's
    /// account as the author). Empty when the sender is unknown.
    var chatUserExtend: GuanceJSON {
        guard let id = origin.senderId, !id.isEmpty else { return .emptyObject }
        var user: [String: GuanceJSON] = ["platform": .string(origin.platform.rawValue), "id": .string(id)]
        if let name = origin.senderName { user["name"] = .string(name) }
        if let email = origin.senderEmail { user["email"] = .string(email) }
        return .object(["chatUser": .object(user)])
    }
}
