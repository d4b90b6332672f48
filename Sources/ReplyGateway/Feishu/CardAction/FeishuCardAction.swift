import Foundation

/// A `card.action.trigger` callback (a button on one of our issue cards was clicked), as the webhook and the long
/// connection deliver it (docs/protocols/feishu-cards.md). Only the fields the gateway reads; unknown ones are
/// ignored, and a button value of any other shape decodes as `nil` instead of failing the whole callback.
struct FeishuCardAction: Decodable, Sendable, Equatable {
    struct Body: Decodable, Sendable {
        var event: FeishuCardAction
    }

    struct Operator: Decodable, Sendable, Equatable {
        var openID: String?
        var userID: String?

        enum CodingKeys: String, CodingKey {
            case openID = "open_id"
            case userID = "user_id"
        }
    }

    /// The `value` our cards put on each button: `{"action": "acknowledge|resolve|reopen", "issueUUID": "issue_…"}`.
    struct ButtonValue: Decodable, Sendable, Equatable {
        var action: String?
        var issueUUID: String?
    }

    struct Action: Decodable, Sendable, Equatable {
        var value: ButtonValue?
        var tag: String?

        enum CodingKeys: String, CodingKey { case value, tag }

        init(value: ButtonValue?, tag: String?) {
            self.value = value
            self.tag = tag
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            value = try? container.decodeIfPresent(ButtonValue.self, forKey: .value)
            tag = try? container.decodeIfPresent(String.self, forKey: .tag)
        }
    }

    struct Context: Decodable, Sendable, Equatable {
        var openMessageID: String?
        var openChatID: String?

        enum CodingKeys: String, CodingKey {
            case openMessageID = "open_message_id"
            case openChatID = "open_chat_id"
        }
    }

    var clicker: Operator?
    var action: Action?
    var context: Context?

    enum CodingKeys: String, CodingKey {
        case clicker = "operator"
        case action
        case context
    }

    init(clicker: Operator?, action: Action?, context: Context?) {
        self.clicker = clicker
        self.action = action
        self.context = context
    }

    /// The `event` of a decrypted callback body; nil when the body has none of the expected shape.
    static func decode(callbackBody: Data) -> FeishuCardAction? {
        (try? JSONDecoder().decode(Body.self, from: callbackBody))?.event
    }
}
