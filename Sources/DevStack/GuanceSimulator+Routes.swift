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

    typealias Handler = @Sendable (inout State, Workspace, _ body: Data, _ request: Request, _ context: BasicRequestContext)
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
            if let key { state.calls.append(CallRecord(apiKey: key, at: now, endpoint: endpoint, status: reply.status)) }
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
            return .raw(status: 200, contentType: "application/json", body: "{\"code\":200,\"content\":{\"data\":[{\"uuid\"")
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

    // MARK: - Envelopes

    static func traceID() -> String { String(UInt64.random(in: 1_000_000_000_000_000...UInt64.max / 2)) }

    static func ok(_ content: Any, pageInfo: [String: Any]? = nil) -> Reply {
        var object: [String: Any] = [
            "code": 200, "content": content, "errorCode": "", "message": "", "success": true, "traceId": traceID(),
        ]
        if let pageInfo { object["pageInfo"] = pageInfo }
        return .envelope(status: 200, object)
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> Reply {
        .envelope(
            status: status,
            [
                "code": status, "content": NSNull(), "errorCode": code, "message": message, "success": false,
                "traceId": traceID(),
            ])
    }

    static func notFound(_ uuid: String) -> Reply {
        error(404, GuanceAPIError.issueNotFoundCode, "issue \(uuid) does not exist")
    }

    static func page<T>(_ items: [T], index: Int, size: Int) -> (slice: [T], info: [String: Any]) {
        let start = min(max(index - 1, 0) * size, items.count)
        let slice = Array(items[start..<min(start + size, items.count)])
        return (slice, ["count": slice.count, "pageIndex": index, "pageSize": size, "totalCount": items.count])
    }

    static func int(_ value: Any?) -> Int64? {
        switch value {
        case let value as Int: Int64(value)
        case let value as Int64: value
        case let value as Double: Int64(value)
        case let value as NSNumber: value.int64Value
        case let value as String: Int64(value)
        default: nil
        }
    }

    // MARK: - Endpoints

    static let channelList: Handler = { _, workspace, _, _, _ in
        ok(workspace.channels.map { channel -> [String: Any] in
            [
                "uuid": channel.uuid, "name": channel.name, "description": "", "workspaceUUID": workspace.uuid,
                "notifyTarget": [Any](), "subscribeType": "", "status": 0, "id": 38, "createAt": 1_680_767_371,
                "updateAt": 1_681_357_025, "deleteAt": -1, "creator": "acnt_sim", "updator": "acnt_sim",
            ]
        })
    }

    static let issueList: Handler = { state, workspace, body, _, _ in
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return error(400, "ft.ParamError", "body must be a JSON object")
        }
        let channel = object["channelUUID"] as? String
        let pageIndex = Int(int(object["pageIndex"]) ?? 1)
        let pageSize = Int(int(object["pageSize"]) ?? 20)
        guard pageIndex >= 1, (1...100).contains(pageSize) else {
            return error(400, "ft.ParamError", "pageIndex >= 1 and pageSize 1...100")
        }
        let start = int(object["startTime"])
        let end = int(object["endTime"])
        let filters = (object["filters"] as? [[String: Any]]) ?? []
        let inChannel = channel == nil || workspace.channels.contains { $0.uuid == channel }
        var matching = state.issueOrder.compactMap { state.issues[$0] }.filter { issue in
            guard inChannel, issue.workspaceUUID == workspace.uuid else { return false }
            let time = state.options.timeFilterField == .createAt ? issue.createAt : issue.updateAt
            if let start, time < start { return false }
            if let end, time > end { return false }
            for filter in filters {
                guard let key = filter["key"] as? String else { continue }
                let wanted = filter["value"].map { "\($0)" } ?? ""
                let actual: String
                switch key {
                case "statusType": actual = "\(issue.statusType)"
                case "resource": actual = issue.draft.resource
                case "level": actual = "\(issue.draft.level.foundationValue)"
                default: continue
                }
                let equal = (filter["equal"] as? Bool) ?? true
                if (actual == wanted) != equal { return false }
            }
            return true
        }
        // Newest first (the console's order; the API's order is not documented).
        matching.sort { ($0.createAt, $0.seq) > ($1.createAt, $1.seq) }
        let (slice, info) = page(matching, index: pageIndex, size: pageSize)
        let data = slice.map { $0.json(workspace: workspace) }
        switch state.options.issueListShape {
        case .documented: return ok(["data": data, "pageInfo": info])
        case .bareList: return ok(data, pageInfo: info)
        }
    }

    static let issueGet: Handler = { state, workspace, _, _, context in
        let uuid = context.parameters.get("uuid") ?? ""
        guard let issue = state.issues[uuid], issue.workspaceUUID == workspace.uuid else { return notFound(uuid) }
        var object = issue.json(workspace: workspace)
        object["attachments"] = [Any]()
        object["bindChannels"] = workspace.channels.map { ["name": $0.name, "uuid": $0.uuid] }
        object["levelInfo"] = ["color": "#E94444", "name": "\(issue.draft.level.foundationValue)"]
        return ok(object)
    }

    static let issueModify: Handler = { state, workspace, body, _, context in
        let uuid = context.parameters.get("uuid") ?? ""
        guard var issue = state.issues[uuid], issue.workspaceUUID == workspace.uuid else { return notFound(uuid) }
        let object = ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:]
        if let status = object["statusType"] {
            guard let value = int(status), [10, 20, 30].contains(value) else {
                return error(400, "ft.ParamError", "statusType must be one of 10, 20, 30")
            }
            issue.statusType = Int(value)
        }
        if let name = object["name"] as? String { issue.draft.name = name }
        issue.updateAt = max(nowSeconds(), issue.updateAt)
        state.issues[uuid] = issue
        appendReply(
            &state, issueUUID: uuid, type: "change", content: "成员修改了Issue状态。", extend: .emptyObject,
            creatorName: "api-key", createAt: issue.updateAt, movesIssue: false)
        return ok(issue.json(workspace: workspace))
    }

    static let replyList: Handler = { state, workspace, _, request, context in
        let uuid = context.parameters.get("uuid") ?? ""
        guard let issue = state.issues[uuid], issue.workspaceUUID == workspace.uuid else { return notFound(uuid) }
        let query = request.uri.queryParameters
        let pageIndex = query["pageIndex"].flatMap { Int($0) } ?? 1
        let pageSize = query["pageSize"].flatMap { Int($0) } ?? 10
        guard pageIndex >= 1, (1...100).contains(pageSize) else {
            return error(400, "ft.ParamError", "pageIndex >= 1 and pageSize 1...100")
        }
        var replies = state.replies[uuid, default: []]
        replies.sort { ($0.createAt, $0.seq) < ($1.createAt, $1.seq) }
        if query["ordering"].map(String.init) == "-createAt" { replies.reverse() }
        let (slice, info) = page(replies, index: pageIndex, size: pageSize)
        return ok(slice.map { $0.json() }, pageInfo: info)
    }

    static let replyCreate: Handler = { state, workspace, body, _, _ in
        struct CreateBody: Decodable {
            var issueUUID: String?
            var content: String?
            var extend: GuanceJSON?
        }
        guard let parsed = try? JSONDecoder().decode(CreateBody.self, from: body), let uuid = parsed.issueUUID else {
            return error(400, "ft.ParamError", "issueUUID is required")
        }
        guard let issue = state.issues[uuid], issue.workspaceUUID == workspace.uuid else { return notFound(uuid) }
        let content = parsed.content ?? ""
        guard content.utf16.count <= 65535 else { return error(400, "ft.ParamError", "content longer than 65535") }
        let reply = appendReply(
            &state, issueUUID: uuid, type: "reply", content: content, extend: parsed.extend ?? .emptyObject,
            creatorName: "guance-chatops api key", createAt: nowSeconds(),
            movesIssue: state.options.replyMovesIssueUpdateAt)
        return ok(reply.json(idNull: true))
    }
}
