import FeishuKit
import Foundation
import Hummingbird

extension FeishuAppSimulator {
    /// The long connection's endpoint API, and `POST /admin/long-connection/send`: delivers an event over the
    /// connection and answers with what the gateway answered.
    ///
    /// Body: `{"text": "@_user_1 #issue#…", "eventID"?, "dropMidEvent"?: true, "againAfterReconnect"?: true}` for a
    /// message, or `{"cardAction": "acknowledge|resolve|reopen", "issueUUID", "eventID"?}` for a card click.
    /// Answer: `{"code", "attempts", "connection", "data"?, "againCode"?}`; 503 without an open connection.
    func addLongConnectionRoutes(
        to router: Router<BasicRequestContext>, server: @escaping @Sendable () -> FeishuLongConnectionServer?
    ) {
        router.post(RouterPath(stringLiteral: FeishuLongConnectionEndpoint.path)) { request, context in
            guard let server = server() else {
                return Self.json(#"{"code":1000040343,"msg":"long connection not enabled in this fake"}"#)
            }
            guard let body = try? await request.decode(as: FeishuLongConnectionEndpoint.Request.self, context: context)
            else { return Self.json(#"{"code":9499,"msg":"Bad Request"}"#, status: .badRequest) }
            let answer = try JSONEncoder().encode(server.endpointAnswer(body))
            return Self.json(String(decoding: answer, as: UTF8.self))
        }
        router.post("/admin/long-connection/send") { request, context in
            guard let server = server() else {
                return Self.json(#"{"error":"long connection not enabled"}"#, status: .notFound)
            }
            guard let body = try? await request.decode(as: LongConnectionSend.self, context: context) else {
                return Self.json(
                    #"{"error":"expected {\"text\":…} or {\"cardAction\":…,\"issueUUID\":…}"}"#, status: .badRequest)
            }
            return try await Self.send(body, over: server)
        }
    }

    struct LongConnectionSend: Decodable {
        var text: String?
        var eventID: String?
        var dropMidEvent: Bool?
        var againAfterReconnect: Bool?
        var cardAction: String?
        var issueUUID: String?
    }

    private static func send(_ body: LongConnectionSend, over server: FeishuLongConnectionServer) async throws
        -> Response
    {
        let eventID = body.eventID ?? "ev_" + UUID().uuidString.lowercased()
        let token = server.settings.verificationToken
        let payload: String
        let type: String
        if let action = body.cardAction, let issueUUID = body.issueUUID {
            payload = FeishuEventFactory.cardActionEvent(
                eventID: eventID, token: token, action: action, issueUUID: issueUUID)
            type = FeishuFrameHeader.card
        } else if let text = body.text {
            payload = FeishuEventFactory.messageEvent(
                eventID: eventID, token: token, text: text, messageID: "om_" + eventID)
            type = FeishuFrameHeader.event
        } else {
            return json(#"{"error":"text or cardAction+issueUUID required"}"#, status: .badRequest)
        }
        if body.dropMidEvent == true { server.dropNextDeliveries(1) }
        var answer: [String: Any]
        do {
            if body.againAfterReconnect == true {
                let (first, second) = try await server.deliverAgainAfterReconnect(payload, type: type)
                answer = summary(first)
                answer["againCode"] = second.answer.code
            } else {
                answer = summary(try await server.deliver(payload, type: type))
            }
        } catch {
            return json(FeishuEventFactory.jsonString(["error": "\(error)"]), status: .serviceUnavailable)
        }
        answer["eventID"] = eventID
        return json(FeishuEventFactory.jsonString(answer))
    }

    private static func summary(_ delivery: FeishuLongConnectionServer.Delivery) -> [String: Any] {
        var summary: [String: Any] = [
            "code": delivery.answer.code, "attempts": delivery.attempts, "connection": delivery.connection,
        ]
        if let data = delivery.answer.data { summary["data"] = String(decoding: data, as: UTF8.self) }
        return summary
    }
}
