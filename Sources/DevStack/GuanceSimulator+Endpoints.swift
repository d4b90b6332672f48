import Foundation
import GuanceAPI
import Hummingbird
import NIOFoundationEssentialsCompat
import Synchronization

/// The simulated OpenAPI endpoints: channels, issues, replies.
extension GuanceSimulator {
    static let channelList: Handler = { _, workspace, _, _, _ in
        ok(
            workspace.channels.map { channel -> [String: Any] in
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
