import Foundation
import Synchronization

/// The chats of the Feishu app fake: cards the app sent, their updates and thread replies, with Feishu's rules where
/// Feishu is strict (docs/protocols/feishu-app.md): `uuid` performs a send or reply at most once per hour, a card body
/// is at most 30 KB, only cards with `update_multi` (JSON 2.0, or 1.0 declaring it) before and after can be updated,
/// a 2.0 card cannot become 1.0, updates only within 14 days, at most 5 updates per second per message and 5
/// messages per second per chat.
///
/// Codes the public docs name are used as documented (230020 frequency limit, 230025 too long, 230031 past 14
/// days); 230001 for the other rejections is our choice (the docs list it as "invalid parameter").
public final class FeishuChatStore: Sendable {
    /// A message the app posted, as tests read it back.
    public struct Message: Sendable, Codable, Equatable {
        public var messageID: String
        public var chatID: String
        public var msgType: String
        /// The current content (the card JSON or the text message's JSON).
        public var content: String
        public var uuid: String?
        public var sentAt: Date
        /// Every accepted update's content, oldest first.
        public var patches: [String]
        /// For a thread reply: the message it answers.
        public var rootID: String?
        /// Thread replies to this message, oldest first.
        public var threadReplies: [String]
    }

    /// A rejected call: HTTP status, body code and message.
    public struct Rejection: Error, Sendable, Equatable {
        public var status: Int
        public var code: Int
        public var message: String
    }

    public static let maxCardBytes = 30 * 1024
    public static let updateWindow: TimeInterval = 14 * 86_400
    public static let uuidWindow: TimeInterval = 3600
    public static let perSecondLimit = 5

    private struct State {
        var messages: [String: Message] = [:]
        var order: [String] = []
        var uuids: [String: (id: String, at: Date)] = [:]
        var chatCalls: [String: [Date]] = [:]
        var messageUpdates: [String: [Date]] = [:]
        var nextID = 1
        var rejections: [Int: Int] = [:]
        var forcedRateLimits = 0
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    // MARK: - Reading (admin)

    /// The messages of a chat in the order they were posted (thread replies included).
    public func messages(chat: String) -> [Message] {
        state.withLock { state in state.order.compactMap { state.messages[$0] }.filter { $0.chatID == chat } }
    }

    public func message(_ id: String) -> Message? { state.withLock { $0.messages[id] } }

    public func contains(_ id: String) -> Bool { state.withLock { $0.messages[id] != nil } }

    /// How many calls were refused, by code (e.g. 230020: a per-chat or per-message limit was exceeded).
    public var rejectionsByCode: [Int: Int] { state.withLock { $0.rejections } }

    /// Moves a message's send time into the past (to test the 14-day window).
    public func age(_ id: String, by interval: TimeInterval) {
        state.withLock { $0.messages[id]?.sentAt.addTimeInterval(-interval) }
    }

    /// The next `calls` message calls are answered with the platform's rate limit (HTTP 429, code 99991400).
    public func forceRateLimit(calls: Int) {
        state.withLock { $0.forcedRateLimits = max(0, calls) }
    }

    /// Whether this call is one of the forced rate-limit answers (counted as a 99991400 rejection).
    func takeForcedRateLimit() -> Bool {
        state.withLock { state in
            guard state.forcedRateLimits > 0 else { return false }
            state.forcedRateLimits -= 1
            state.rejections[99_991_400, default: 0] += 1
            return true
        }
    }

    // MARK: - Calls

    /// `POST /open-apis/im/v1/messages?receive_id_type=chat_id`.
    public func send(chat: String, msgType: String, content: String, uuid: String?) throws(Rejection) -> Message {
        try perform { state, now throws(Rejection) in
            if let existing = Self.repeated(uuid, &state, now) { return existing }
            try Self.checkSize(content, msgType)
            if msgType == "interactive" { _ = try Self.card(content) }
            try Self.take(&state.chatCalls[chat, default: []], now, what: "chat")
            return Self.append(&state, chat: chat, msgType: msgType, content: content, uuid: uuid, root: nil, now)
        }
    }

    /// `POST /open-apis/im/v1/messages/:id/reply` with `reply_in_thread`.
    public func reply(to root: String, msgType: String, content: String, uuid: String?) throws(Rejection) -> Message {
        try perform { state, now throws(Rejection) in
            guard let parent = state.messages[root] else { throw Rejection(400, 230001, "message not found") }
            if let existing = Self.repeated(uuid, &state, now) { return existing }
            try Self.checkSize(content, msgType)
            try Self.take(&state.chatCalls[parent.chatID, default: []], now, what: "chat")
            let threadRoot = parent.rootID ?? root
            let reply = Self.append(
                &state, chat: parent.chatID, msgType: msgType, content: content, uuid: uuid, root: threadRoot, now)
            state.messages[threadRoot]?.threadReplies.append(reply.messageID)
            return reply
        }
    }

    /// `PATCH /open-apis/im/v1/messages/:id`.
    public func patch(_ id: String, content: String) throws(Rejection) -> Message {
        try perform { state, now throws(Rejection) in
            guard let message = state.messages[id] else { throw Rejection(400, 230001, "message not found") }
            guard message.msgType == "interactive" else {
                throw Rejection(400, 230001, "only interactive messages can be updated")
            }
            guard now.timeIntervalSince(message.sentAt) <= Self.updateWindow else {
                throw Rejection(400, 230031, "the message can only be modified within 14 days")
            }
            try Self.checkSize(content, "interactive")
            let old = try Self.card(message.content)
            let new = try Self.card(content)
            guard old.shared, new.shared else {
                throw Rejection(400, 230001, "update_multi must be true before and after the update")
            }
            guard !(old.v2 && !new.v2) else { throw Rejection(400, 230001, "a JSON 2.0 card cannot become 1.0") }
            try Self.take(&state.messageUpdates[id, default: []], now, what: "message")
            state.messages[id]?.content = content
            state.messages[id]?.patches.append(content)
            return state.messages[id]!
        }
    }

    // MARK: - Rules

    private func perform(_ body: (inout State, Date) throws(Rejection) -> Message) throws(Rejection) -> Message {
        let now = now()
        let result = state.withLock { state -> Result<Message, Rejection> in
            let result = Result { () throws(Rejection) in try body(&state, now) }
            if case .failure(let rejection) = result { state.rejections[rejection.code, default: 0] += 1 }
            return result
        }
        return try result.get()
    }

    private static func repeated(_ uuid: String?, _ state: inout State, _ now: Date) -> Message? {
        guard let uuid else { return nil }
        if let seen = state.uuids[uuid], now.timeIntervalSince(seen.at) < uuidWindow { return state.messages[seen.id] }
        return nil
    }

    private static func checkSize(_ content: String, _ msgType: String) throws(Rejection) {
        let limit = msgType == "text" ? 150 * 1024 : maxCardBytes
        guard content.utf8.count <= limit else { throw Rejection(400, 230025, "message content too long") }
    }

    /// Whether a card is JSON 2.0 and shared (`update_multi`: 2.0 always, 1.0 only when declared).
    private static func card(_ content: String) throws(Rejection) -> (v2: Bool, shared: Bool) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any] else {
            throw Rejection(400, 230099, "failed to create card content: not a JSON object")
        }
        let config = object["config"] as? [String: Any]
        guard object["schema"] as? String == "2.0" else { return (false, config?["update_multi"] as? Bool ?? false) }
        let known: Set<String> = ["schema", "config", "card_link", "header", "body"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw Rejection(400, 230099, "failed to create card content: unknown property \(unknown)")
        }
        guard config?["update_multi"] as? Bool ?? true else {
            throw Rejection(400, 230099, "failed to create card content: JSON 2.0 supports only update_multi true")
        }
        return (true, true)
    }

    /// Counts a call against a 5-per-second window, or refuses it.
    private static func take(_ calls: inout [Date], _ now: Date, what: String) throws(Rejection) {
        calls.removeAll { now.timeIntervalSince($0) >= 1 }
        guard calls.count < perSecondLimit else {
            throw Rejection(400, 230020, "operation triggers the frequency limit (\(what))")
        }
        calls.append(now)
    }

    private static func append(
        _ state: inout State, chat: String, msgType: String, content: String, uuid: String?, root: String?, _ now: Date
    ) -> Message {
        let id = "om_app_\(state.nextID)"
        state.nextID += 1
        let message = Message(
            messageID: id, chatID: chat, msgType: msgType, content: content, uuid: uuid, sentAt: now, patches: [],
            rootID: root, threadReplies: [])
        state.messages[id] = message
        state.order.append(id)
        if let uuid { state.uuids[uuid] = (id, now) }
        return message
    }
}

extension FeishuChatStore.Rejection {
    public init(_ status: Int, _ code: Int, _ message: String) {
        self.init(status: status, code: code, message: message)
    }
}
