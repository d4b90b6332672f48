import Foundation
import NIOHTTP1

/// The Feishu IM message calls of an app bot (docs/protocols/feishu-app.md): send a card to a chat, replace a sent
/// card, and reply in a message's thread. Sends and replies carry a `uuid` (at most 50 characters): Feishu performs
/// a request with the same `uuid` at most once within an hour, so a retried call cannot post twice.
public struct FeishuMessagesClient: Sendable {
    /// What Feishu answered about a message it created.
    public struct SentMessage: Sendable, Equatable {
        public var messageID: String
        public var chatID: String?
        public var threadID: String?
    }

    public let api: FeishuOpenAPI

    public init(api: FeishuOpenAPI) {
        self.api = api
    }

    /// The longest `uuid` Feishu accepts.
    public static let maxUUIDLength = 50

    /// Sends an interactive card (`card` is the card JSON, e.g. JSON 2.0 with `"schema":"2.0"`) to a chat.
    public func sendCard(chatID: String, card: String, uuid: String) async throws(FeishuAPIError) -> SentMessage {
        let body = try FeishuOpenAPI.encode([
            "receive_id": chatID, "msg_type": "interactive", "content": card,
            "uuid": String(uuid.prefix(Self.maxUUIDLength)),
        ])
        let path = "/open-apis/im/v1/messages?receive_id_type=chat_id"
        return try Self.sentMessage(path: path, try await api.authorized(.POST, path, body: body))
    }

    /// Replaces the content of a card the app sent (the whole card; Feishu requires `update_multi` before and after).
    public func patchCard(messageID: String, card: String) async throws(FeishuAPIError) {
        let body = try FeishuOpenAPI.encode(["content": card])
        _ = try await api.authorized(.PATCH, "/open-apis/im/v1/messages/\(FeishuOpenAPI.escape(messageID))", body: body)
    }

    /// Posts a text message in the thread of `messageID` (the thread is created by the first reply).
    public func replyInThread(to messageID: String, text: String, uuid: String) async throws(FeishuAPIError)
        -> SentMessage
    {
        let content = String(decoding: try FeishuOpenAPI.encode(["text": text]), as: UTF8.self)
        let body = try FeishuOpenAPI.encode([
            "msg_type": "text", "content": content, "uuid": String(uuid.prefix(Self.maxUUIDLength)),
            "reply_in_thread": true,
        ])
        let path = "/open-apis/im/v1/messages/\(FeishuOpenAPI.escape(messageID))/reply"
        return try Self.sentMessage(path: path, try await api.authorized(.POST, path, body: body))
    }

    static func sentMessage(path: String, _ body: Data) throws(FeishuAPIError) -> SentMessage {
        struct Response: Decodable {
            struct Message: Decodable {
                var message_id: String?
                var chat_id: String?
                var thread_id: String?
            }
            var data: Message?
        }
        guard let response = try? JSONDecoder().decode(Response.self, from: body),
            let id = response.data?.message_id, !id.isEmpty
        else {
            throw .badResponse(path: path, status: 200, reason: "no data.message_id in the answer")
        }
        let thread = response.data?.thread_id.flatMap { $0.isEmpty ? nil : $0 }
        return SentMessage(messageID: id, chatID: response.data?.chat_id, threadID: thread)
    }
}
