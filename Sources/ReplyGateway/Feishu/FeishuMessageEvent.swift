import Foundation

/// `im.message.receive_v1` (docs/protocols/feishu.md).
struct FeishuMessageEvent: Decodable, Sendable {
    struct Body: Decodable, Sendable {
        var event: Event
    }

    struct Event: Decodable, Sendable {
        var sender: Sender
        var message: Message
    }

    struct UserID: Decodable, Sendable {
        var openID: String?
        var userID: String?
        var unionID: String?

        enum CodingKeys: String, CodingKey {
            case openID = "open_id"
            case userID = "user_id"
            case unionID = "union_id"
        }
    }

    struct Sender: Decodable, Sendable {
        var senderID: UserID?
        var senderType: String?

        enum CodingKeys: String, CodingKey {
            case senderID = "sender_id"
            case senderType = "sender_type"
        }
    }

    struct Mention: Decodable, Sendable {
        var key: String
        var name: String?
        var id: UserID?
    }

    struct Message: Decodable, Sendable {
        var messageID: String
        var rootID: String?
        var parentID: String?
        var chatID: String?
        var chatType: String?
        var messageType: String?
        var content: String?
        var mentions: [Mention]?

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case rootID = "root_id"
            case parentID = "parent_id"
            case chatID = "chat_id"
            case chatType = "chat_type"
            case messageType = "message_type"
            case content
            case mentions
        }
    }

    /// The `text` of a text message's JSON-string `content`.
    static func text(ofContent content: String?) -> String? {
        struct TextContent: Decodable { var text: String }
        guard let content, let data = content.data(using: .utf8) else { return nil }
        return (try? JSONDecoder().decode(TextContent.self, from: data))?.text
    }
}
