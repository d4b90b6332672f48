import Foundation
import GuanceAPI
import Hummingbird

/// The simulator's admin API over HTTP (no `DF-API-KEY`, loopback only), for `make run` and scripts:
/// - `POST /__admin/issues` `{"name", "description"?, "level"?, "statusType"?, "createAt"?, "apiKey"?}` → the issue
/// - `POST /__admin/issues/{uuid}/replies` `{"content", "creatorName"?, "extend"?}` → the reply
/// - `POST /__admin/issues/{uuid}/status` `{"statusType"}` → the issue
/// - `GET /__admin/calls?apiKey=…&windowSeconds=60` → `{"total", "maxInAnyWindow", "rateLimited", "modified"}`
///   (`modified`: issue modify calls answered 200)
extension GuanceSimulator {
    struct AdminIssue: Decodable {
        var name: String
        var description: String?
        var level: GuanceJSON?
        var statusType: Int?
        var createAt: Int64?
        var apiKey: String?
    }

    struct AdminReply: Decodable {
        var content: String
        var creatorName: String?
        var extend: GuanceJSON?
    }

    struct AdminStatus: Decodable {
        var statusType: Int
    }

    func addAdminRoutes(_ router: Router<BasicRequestContext>) {
        router.post("/__admin/issues") { request, context in
            let body = try await request.decode(as: AdminIssue.self, context: context)
            var draft = IssueDraft(name: body.name, createAt: body.createAt)
            if let description = body.description { draft.description = description }
            if let level = body.level { draft.level = level }
            if let status = body.statusType { draft.statusType = status }
            return Self.json(self.encode(self.addIssue(draft, apiKey: body.apiKey)))
        }
        router.post("/__admin/issues/:uuid/replies") { request, context in
            let body = try await request.decode(as: AdminReply.self, context: context)
            let uuid = context.parameters.get("uuid") ?? ""
            guard
                let reply = self.addReply(
                    issueUUID: uuid, content: body.content, extend: body.extend ?? .emptyObject,
                    creatorName: body.creatorName ?? "console-user")
            else { throw HTTPError(.notFound, message: "no issue \(uuid)") }
            return Self.json(["uuid": reply.uuid, "issueUUID": uuid, "createAt": reply.createAt])
        }
        // What tests read back without spending the key's rate limit (the writer under test shares it).
        router.get("/__admin/issues/:uuid/replies") { _, context in
            let uuid = context.parameters.get("uuid") ?? ""
            let replies = self.replies(issueUUID: uuid).map { reply -> [String: Any] in
                ["uuid": reply.uuid, "content": reply.content, "createAt": reply.createAt]
            }
            let data = (try? JSONSerialization.data(withJSONObject: replies, options: [.sortedKeys])) ?? Data()
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("/__admin/issues/:uuid/status") { request, context in
            let body = try await request.decode(as: AdminStatus.self, context: context)
            let uuid = context.parameters.get("uuid") ?? ""
            self.setStatus(issueUUID: uuid, statusType: body.statusType)
            guard let issue = self.issue(uuid: uuid) else { throw HTTPError(.notFound, message: "no issue \(uuid)") }
            return Self.json(self.encode(issue))
        }
        router.get("/__admin/calls") { request, _ in
            let query = request.uri.queryParameters
            let key = query["apiKey"].map(String.init) ?? self.apiKey
            let window = Duration.seconds(query["windowSeconds"].flatMap { Int($0) } ?? 60)
            return Self.json([
                "total": self.calls(apiKey: key).count,
                "maxInAnyWindow": self.maxCallsInAnyWindow(apiKey: key, window: window),
                "rateLimited": self.rateLimitedAnswers(apiKey: key),
                "modified": self.calls(apiKey: key).filter { $0.endpoint == "issue_modify" && $0.status == 200 }.count,
            ])
        }
    }

    func encode(_ issue: GuanceIssue) -> [String: Any] {
        [
            "uuid": issue.uuid, "name": issue.name, "statusType": issue.statusType, "level": issue.level,
            "createAt": issue.createAt, "updateAt": issue.updateAt, "workspaceUUID": issue.workspaceUUID,
        ]
    }

    static func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
