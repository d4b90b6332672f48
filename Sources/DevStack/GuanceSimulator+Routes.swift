import Foundation
import GuanceAPI
import Hummingbird
import NIOFoundationEssentialsCompat
import Synchronization

extension GuanceSimulator {
    /// What a handler returns: HTTP status and the envelope (or raw bytes for faults).
    enum Reply {
        case envelope(status: Int, [String: Any])
        case raw(status: Int, contentType: String, body: String)

        var status: Int {
            switch self {
            case let .envelope(status, _), let .raw(status, _, _): status
            }
        }
    }

    typealias Handler =
        @Sendable (inout State, Workspace, _ body: Data, _ request: Request, _ context: BasicRequestContext)
        -> Reply

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/api/v1/channel/quick_list") { request, context in
            await self.serve(request, context, endpoint: "channel_list", handler: Self.channelList)
        }
        router.post("/api/v1/issue/list") { request, context in
            await self.serve(request, context, endpoint: "issue_list", handler: Self.issueList)
        }
        router.get("/api/v1/issue/:uuid/get") { request, context in
            await self.serve(request, context, endpoint: "issue_get", handler: Self.issueGet)
        }
        router.post("/api/v1/issue/:uuid/modify") { request, context in
            await self.serve(request, context, endpoint: "issue_modify", handler: Self.issueModify)
        }
        router.get("/api/v1/issue/reply/:uuid/list") { request, context in
            await self.serve(request, context, endpoint: "reply_list", handler: Self.replyList)
        }
        router.post("/api/v1/issue/reply/create") { request, context in
            await self.serve(request, context, endpoint: "reply_create", handler: Self.replyCreate)
        }
        addAdminRoutes(router)
        return router
    }

    // MARK: - Pipeline: record, faults, auth, rate limit, handler

    func serve(
        _ request: Request, _ context: BasicRequestContext, endpoint: String, handler: Handler
    ) async -> Response {
        var request = request
        let body = (try? await request.collectBody(upTo: 8 << 20)).map { Data(buffer: $0) } ?? Data()
        let key = request.headers.first { $0.name.canonicalName == "df-api-key" }?.value
        let fault = state.withLock { state -> Fault? in
            guard let index = state.faults.firstIndex(where: { $0.endpoint == nil || $0.endpoint == endpoint }) else {
                return nil
            }
            let fault = state.faults[index].fault
            state.faults[index].remaining -= 1
            if state.faults[index].remaining <= 0 { state.faults.remove(at: index) }
            return fault
        }
        if case let .delay(duration) = fault { try? await Task.sleep(for: duration) }
        let now = ContinuousClock.now
        let reply: Reply = state.withLock { state in
            let reply = Self.process(&state, key: key, endpoint: endpoint, fault: fault, now: now) { state, ws in
                handler(&state, ws, body, request, context)
            }
            if let key {
                state.calls.append(CallRecord(apiKey: key, at: now, endpoint: endpoint, status: reply.status))
            }
            return reply
        }
        if reply.status == 200 {
            switch endpoint {
            case "issue_modify": push("issue.modify", issueUUID: context.parameters.get("uuid") ?? "")
            case "reply_create":
                struct Created: Decodable { var issueUUID: String }
                if let created = try? JSONDecoder().decode(Created.self, from: body) {
                    push("issueReply.add", issueUUID: created.issueUUID)
                }
            default: break
            }
        }
        return Self.response(reply)
    }

    static func process(
        _ state: inout State, key: String?, endpoint: String, fault: Fault?, now: ContinuousClock.Instant,
        handler: (inout State, Workspace) -> Reply
    ) -> Reply {
        guard let key, let workspaceUUID = state.keys[key], let workspace = state.workspaces[workspaceUUID] else {
            return error(403, GuanceAPIError.invalidAPIKeyCode, "Invalid API Key")
        }
        let window = state.options.rateLimitWindow
        let keyCalls = state.acceptedByKey[key, default: []].filter { now - $0 < window }
        let workspaceCalls = state.acceptedByWorkspace[workspaceUUID, default: []].filter { now - $0 < window }
        state.acceptedByKey[key] = keyCalls
        state.acceptedByWorkspace[workspaceUUID] = workspaceCalls
        if fault == .rateLimited || state.options.keyRateLimit.map({ keyCalls.count >= $0 }) == true {
            return error(401, GuanceAPIError.keyRateLimitCode, "API Key 请求频率超过限制 (too many requests for this key)")
        }
        if let limit = state.options.workspaceRateLimit, workspaceCalls.count >= limit {
            return error(401, GuanceAPIError.workspaceRateLimitCode, "工作空间请求频率超过限制 (too many requests)")
        }
        state.acceptedByKey[key, default: []].append(now)
        state.acceptedByWorkspace[workspaceUUID, default: []].append(now)
        switch fault {
        case .malformedJSON:
            return .raw(
                status: 200, contentType: "application/json", body: "{\"code\":200,\"content\":{\"data\":[{\"uuid\"")
        case let .htmlPage(status):
            return .raw(
                status: status, contentType: "text/html",
                body: "<html><head><title>\(status) Bad Gateway</title></head><body><h1>\(status)</h1></body></html>")
        case let .successFalse(code, message):
            var envelope = error(200, code, message)
            if case let .envelope(_, object) = envelope {
                var object = object
                object["code"] = 200
                envelope = .envelope(status: 200, object)
            }
            return envelope
        case let .status(status, code):
            return error(status, code, "simulated failure")
        case .rateLimited, .delay, nil:
            return handler(&state, workspace)
        }
    }

    static func response(_ reply: Reply) -> Response {
        switch reply {
        case let .envelope(status, object):
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        case let .raw(status, contentType, body):
            return Response(
                status: .init(code: status), headers: [.contentType: contentType],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
