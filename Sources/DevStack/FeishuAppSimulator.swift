import FeishuKit
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A fake of the Feishu app API parts the reply gateway uses (docs/protocols/feishu.md, "App API"): tenant access
/// tokens (self-built app), reply to a message (with `uuid` idempotency), and reading a message (for thread roots).
/// Plus admin routes for `make run`: `GET /admin/replies` and `POST /admin/send-event` (a signed, encrypted
/// `im.message.receive_v1` sent to the gateway); with a long-connection fake, its endpoint API and
/// `POST /admin/long-connection/send` (`FeishuAppSimulator+LongConnection.swift`); card clicks and directory users in
/// `FeishuAppSimulator+CardClicks.swift`.
///
/// Error codes: 10014 (app secret invalid) and 99991663 (invalid tenant token, HTTP 400) follow the public SDKs;
/// 230001 for an unknown message id is **unconfirmed** (the notes do not document it).
public final class FeishuAppSimulator: Sendable {
    /// A reply the gateway posted.
    public struct SentReply: Sendable, Equatable, Codable {
        public var messageID: String
        public var msgType: String
        /// The `text` of the JSON `content` string.
        public var text: String
        public var uuid: String?
        public var replyInThread: Bool
    }

    private struct State {
        var tokens: [String: Date] = [:]
        var tokenRequests = 0
        var replies: [SentReply] = []
        var repliesByUUID: [String: String] = [:]
        var messages: [String: String] = [:]
        var nextID = 1
    }

    public let appID: String
    public let appSecret: String
    public let tokenLifetime: Duration
    private let state = Mutex(State())
    /// The contact directory (`GET /open-apis/contact/v3/users/:id`).
    public let contacts = FeishuContactSimulator()
    /// Where `POST /admin/send-event` sends events (set once the gateway's address is known).
    let eventTarget = Mutex<FeishuEventSender?>(nil)
    /// Answers `POST /callback/ws/endpoint` when set (the long-connection fake).
    private let longConnection = Mutex<FeishuLongConnectionServer?>(nil)
    /// Cards the app sent, their updates and thread replies (`FeishuAppSimulator+Messages`).
    public let chats: FeishuChatStore
    /// The `x-ogw-ratelimit-reset` seconds of forced rate-limit answers.
    let rateLimitReset = Mutex(1)

    public init(
        appID: String = "cli_devstack", appSecret: String, tokenLifetime: Duration = .seconds(7200),
        chats: FeishuChatStore = FeishuChatStore()
    ) {
        self.appID = appID
        self.chats = chats
        self.appSecret = appSecret
        self.tokenLifetime = tokenLifetime
    }

    // MARK: - Inspection

    public var replies: [SentReply] { state.withLock { $0.replies } }
    public var tokenRequestCount: Int { state.withLock { $0.tokenRequests } }

    /// Makes a message readable through `GET /open-apis/im/v1/messages/{id}` (a notification a thread hangs off).
    public func addMessage(id: String, text: String) {
        let content = FeishuEventFactory.jsonString(["text": text])
        state.withLock { $0.messages[id] = content }
    }

    /// Invalidates every issued token (as if they expired).
    public func revokeTokens() {
        state.withLock { $0.tokens.removeAll() }
    }

    public func setEventTarget(_ sender: FeishuEventSender) {
        eventTarget.withLock { $0 = sender }
    }

    /// Serves the long connection's endpoint API from `server`.
    public func setLongConnection(_ server: FeishuLongConnectionServer) {
        longConnection.withLock { $0 = server }
    }

    // MARK: - Server

    /// The simulator as a hummingbird application (a `Service`) on 127.0.0.1.
    public func application(
        port: Int = 0, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.post("/open-apis/auth/v3/tenant_access_token/internal") { request, context in
            try await self.issueToken(request, context)
        }
        router.post("/open-apis/im/v1/messages/:id/reply") { request, context in
            try await self.reply(request, context)
        }
        router.get("/open-apis/im/v1/messages/:id") { request, context in
            try self.readMessage(request, context)
        }
        router.get("/open-apis/contact/v3/users/:id") { request, context in
            guard self.authorized(request) else { return Self.invalidTokenResponse() }
            return self.contacts.answer(
                openID: context.parameters.get("id") ?? "", userIDType: request.uri.queryParameters.get("user_id_type"))
        }
        addLongConnectionRoutes(to: router) { self.longConnection.withLock { $0 } }
        router.get("/admin/replies") { _, _ in
            let data = try JSONEncoder().encode(self.replies)
            return Self.json(String(decoding: data, as: UTF8.self))
        }
        router.post("/admin/send-event") { request, context in
            try await self.sendEvent(request, context)
        }
        addCardClickRoutes(router)
        addMessageRoutes(router)
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "feishu-app-simulator"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    private func issueToken(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        struct Body: Decodable {
            var app_id: String
            var app_secret: String
        }
        guard let body = try? await request.decode(as: Body.self, context: context) else {
            return Self.json(#"{"code":9499,"msg":"Bad Request"}"#, status: .badRequest)
        }
        guard body.app_id == appID, body.app_secret == appSecret else {
            return Self.json(#"{"code":10014,"msg":"app secret invalid"}"#)
        }
        let lifetime = Double(tokenLifetime.components.seconds)
        let token = state.withLock { state -> String in
            state.tokenRequests += 1
            let now = Date()
            // Feishu returns the current token while more than 30 minutes (here: half its life) remain.
            if let (token, expiry) = state.tokens.first(where: {
                $0.value.timeIntervalSince(now) > min(1800, lifetime / 2)
            }) {
                _ = expiry
                return token
            }
            let token = "t-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            state.tokens[token] = now.addingTimeInterval(lifetime)
            return token
        }
        let remaining = state.withLock { Int(($0.tokens[token] ?? Date()).timeIntervalSinceNow.rounded()) }
        return Self.json(#"{"code":0,"msg":"ok","tenant_access_token":"\#(token)","expire":\#(remaining)}"#)
    }

    func authorized(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        let token = String(header.dropFirst("Bearer ".count))
        return state.withLock { ($0.tokens[token].map { $0 > Date() }) ?? false }
    }

    private func reply(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard authorized(request) else { return Self.invalidTokenResponse() }
        let messageID = context.parameters.get("id") ?? ""
        if let threadReply = try await threadReply(request, context, root: messageID) { return threadReply }
        struct Body: Decodable {
            var msg_type: String
            var content: String
            var uuid: String?
            var reply_in_thread: Bool?
        }
        guard let body = try? await request.decode(as: Body.self, context: context),
            let text = Self.text(ofContent: body.content)
        else {
            return Self.json(#"{"code":230001,"msg":"invalid message content"}"#, status: .badRequest)
        }
        let id: String = state.withLock { state in
            if let uuid = body.uuid, let existing = state.repliesByUUID[uuid] { return existing }
            let id = "om_reply_\(state.nextID)"
            state.nextID += 1
            state.replies.append(
                SentReply(
                    messageID: messageID, msgType: body.msg_type, text: text, uuid: body.uuid,
                    replyInThread: body.reply_in_thread ?? false))
            if let uuid = body.uuid { state.repliesByUUID[uuid] = id }
            return id
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let data: [String: Any] = [
            "message_id": id, "root_id": messageID, "parent_id": messageID, "thread_id": "", "msg_type": body.msg_type,
            "create_time": "\(now)", "update_time": "\(now)", "deleted": false, "updated": false,
            "chat_id": "oc_devstack",
            "sender": ["id": appID, "id_type": "app_id", "sender_type": "app", "tenant_key": "t"],
            "body": ["content": body.content], "mentions": [] as [Any], "upper_message_id": "",
        ]
        return Self.json(FeishuEventFactory.jsonString(["code": 0, "msg": "success", "data": data]))
    }

    private func readMessage(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        guard authorized(request) else { return Self.invalidTokenResponse() }
        let messageID = context.parameters.get("id") ?? ""
        guard let content = state.withLock({ $0.messages[messageID] }) else {
            return Self.json(#"{"code":230001,"msg":"message not found"}"#, status: .badRequest)
        }
        let item: [String: Any] = [
            "message_id": messageID, "msg_type": "text", "chat_id": "oc_devstack", "body": ["content": content],
        ]
        return Self.json(FeishuEventFactory.jsonString(["code": 0, "msg": "success", "data": ["items": [item]]]))
    }

    private func sendEvent(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        struct Body: Decodable {
            var text: String
            var rootID: String?
        }
        guard let sender = eventTarget.withLock({ $0 }) else {
            return Self.json(#"{"error":"no gateway configured"}"#, status: .serviceUnavailable)
        }
        guard let body = try? await request.decode(as: Body.self, context: context) else {
            return Self.json(#"{"error":"expected {\"text\":\"@_user_1 #issue_uuid#text\"}"}"#, status: .badRequest)
        }
        let result = try await sender.sendMessage(text: body.text, rootID: body.rootID)
        return Self.json(
            FeishuEventFactory.jsonString([
                "gatewayStatus": result.status, "gatewayBody": result.body, "eventID": result.eventID,
                "messageID": result.messageID,
            ]))
    }

    /// `{"action":"resolve","issueUUID":"issue_…","openID":"ou_…","messageID":"om_…"}` → a signed, encrypted click.
    static func invalidTokenResponse() -> Response {
        json(
            #"{"code":99991663,"msg":"Invalid access token for authorization. Please make a request with token attached."}"#,
            status: .badRequest)
    }

    static func text(ofContent content: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any] else {
            return nil
        }
        return object["text"] as? String
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
