import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The Feishu app fake's message calls (send a card, update it, reply in its thread) on `FeishuChatStore`, and the
/// admin routes tests and `make run` read the chats with:
/// - `GET /admin/chats/{chat_id}` → the chat's messages (current content, every update, thread replies)
/// - `GET /admin/messages/{id}` → one message's current content and how many updates it had (`{"content",
///   "patches"}`; cheap to poll, unlike the whole chat)
/// - `POST /admin/messages/{id}/age` `{"days"}` → the message was sent that many days earlier
/// - `POST /admin/rate-limit` `{"calls", "resetSeconds"?}` → the next calls answer HTTP 429, code 99991400
/// - `GET /admin/rejections` → refused calls by code
extension FeishuAppSimulator {
    func addMessageRoutes(_ router: Router<BasicRequestContext>) {
        router.post("/open-apis/im/v1/messages") { request, context in
            try await self.sendMessage(request, context)
        }
        router.patch("/open-apis/im/v1/messages/:id") { request, context in
            try await self.patchMessage(request, context)
        }
        router.get("/admin/chats/:chat") { _, context in
            let messages = self.chats.messages(chat: context.parameters.get("chat") ?? "")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            return Self.json(String(decoding: try encoder.encode(messages), as: UTF8.self))
        }
        router.get("/admin/messages/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let message = self.chats.message(id) else { throw HTTPError(.notFound, message: "no message \(id)") }
            return Self.json(
                FeishuEventFactory.jsonString(["content": message.content, "patches": message.patches.count]))
        }
        router.post("/admin/messages/:id/age") { request, context in
            struct Body: Decodable { var days: Double }
            let body = try await request.decode(as: Body.self, context: context)
            self.chats.age(context.parameters.get("id") ?? "", by: body.days * 86_400)
            return Self.json("{}")
        }
        router.post("/admin/rate-limit") { request, context in
            struct Body: Decodable {
                var calls: Int
                var resetSeconds: Int?
            }
            let body = try await request.decode(as: Body.self, context: context)
            self.rateLimitReset.withLock { $0 = body.resetSeconds ?? 1 }
            self.chats.forceRateLimit(calls: body.calls)
            return Self.json("{}")
        }
        router.get("/admin/rejections") { _, _ in
            let counts = Dictionary(uniqueKeysWithValues: self.chats.rejectionsByCode.map { ("\($0.key)", $0.value) })
            return Self.json(FeishuEventFactory.jsonString(counts))
        }
    }

    private func sendMessage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard authorized(request) else { return Self.invalidTokenResponse() }
        if let limited = forcedRateLimit() { return limited }
        struct Body: Decodable {
            var receive_id: String
            var msg_type: String
            var content: String
            var uuid: String?
        }
        guard request.uri.queryParameters["receive_id_type"] == "chat_id",
            let body = try? await request.decode(as: Body.self, context: context)
        else { return Self.json(#"{"code":230001,"msg":"invalid request"}"#, status: .badRequest) }
        return answer { () throws(FeishuChatStore.Rejection) in
            try self.chats.send(chat: body.receive_id, msgType: body.msg_type, content: body.content, uuid: body.uuid)
        }
    }

    private func patchMessage(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard authorized(request) else { return Self.invalidTokenResponse() }
        if let limited = forcedRateLimit() { return limited }
        struct Body: Decodable { var content: String }
        guard let body = try? await request.decode(as: Body.self, context: context) else {
            return Self.json(#"{"code":230001,"msg":"invalid request"}"#, status: .badRequest)
        }
        let id = context.parameters.get("id") ?? ""
        return answer { () throws(FeishuChatStore.Rejection) in try self.chats.patch(id, content: body.content) }
    }

    /// A reply to a message of the chat store (a card or one of its thread replies), or nil for other messages.
    func threadReply(_ request: Request, _ context: BasicRequestContext, root: String) async throws -> Response? {
        guard chats.contains(root) else { return nil }
        if let limited = forcedRateLimit() { return limited }
        struct Body: Decodable {
            var msg_type: String
            var content: String
            var uuid: String?
        }
        guard let body = try? await request.decode(as: Body.self, context: context) else {
            return Self.json(#"{"code":230001,"msg":"invalid request"}"#, status: .badRequest)
        }
        return answer { () throws(FeishuChatStore.Rejection) in
            try self.chats.reply(to: root, msgType: body.msg_type, content: body.content, uuid: body.uuid)
        }
    }

    private func forcedRateLimit() -> Response? {
        guard chats.takeForcedRateLimit() else { return nil }
        var response = Self.json(
            #"{"code":99991400,"msg":"request trigger frequency limit"}"#, status: .tooManyRequests)
        let reset = rateLimitReset.withLock { $0 }
        response.headers[HTTPField.Name("x-ogw-ratelimit-reset")!] = "\(reset)"
        response.headers[HTTPField.Name("x-ogw-ratelimit-limit")!] = "50"
        return response
    }

    private func answer(_ call: () throws(FeishuChatStore.Rejection) -> FeishuChatStore.Message) -> Response {
        do {
            let message = try call()
            let millis = "\(Int64(message.sentAt.timeIntervalSince1970 * 1000))"
            var data: [String: Any] = [
                "message_id": message.messageID, "msg_type": message.msgType, "chat_id": message.chatID,
                "create_time": millis, "update_time": millis, "deleted": false, "updated": !message.patches.isEmpty,
                "sender": ["id": appID, "id_type": "app_id", "sender_type": "app", "tenant_key": "t"],
                "body": ["content": message.content],
            ]
            if let root = message.rootID {
                data["root_id"] = root
                data["parent_id"] = root
                data["thread_id"] = "omt_\(root)"
            }
            return Self.json(FeishuEventFactory.jsonString(["code": 0, "msg": "success", "data": data]))
        } catch {
            return Self.json(
                FeishuEventFactory.jsonString(["code": error.code, "msg": error.message]),
                status: HTTPResponse.Status(code: error.status))
        }
    }
}
