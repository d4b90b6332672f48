import Foundation
import GuanceAPI
import Hummingbird

extension GuanceSimulator {
    /// `POST /api/v1/issue/{uuid}/modify`, as strict as the documented contract (docs/protocols/guance-openapi.md):
    /// a JSON object body of the documented fields only; `statusType` an integer of 10, 20, 30 (Open, Resolved,
    /// Pending: 15 and 25 cannot be set through the OpenAPI); `extend` an object whose `manager` is a list of account
    /// uuids, e-mails or team ids. A change moves `updateAt` and is listed afterwards like a console change.
    static let issueModify: Handler = { state, workspace, body, _, context in
        let uuid = context.parameters.get("uuid") ?? ""
        guard var issue = state.issues[uuid], issue.workspaceUUID == workspace.uuid else { return notFound(uuid) }
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return error(400, "ft.ParamError", "the body must be a JSON object")
        }
        let documented: Set<String> = ["name", "level", "description", "statusType", "extend", "attachmentUuids"]
        if let unknown = object.keys.sorted().first(where: { !documented.contains($0) }) {
            return error(400, "ft.ParamError", "unknown field \(unknown)")
        }
        // Typed decoding: "20", 20.5 or true are not a statusType; a list is not an extend.
        guard let fields = try? JSONDecoder().decode(ModifyBody.self, from: body) else {
            return error(
                400, "ft.ParamError", "a field has the wrong type (statusType integer, name string, extend object)")
        }
        if let status = fields.statusType {
            guard [10, 20, 30].contains(status) else {
                return error(400, "ft.ParamError", "statusType must be one of 10, 20, 30")
            }
            issue.statusType = status
        }
        if let name = fields.name {
            guard (1...256).contains(name.count) else {
                return error(400, "ft.ParamError", "name must be 1 to 256 characters")
            }
            issue.draft.name = name
        }
        if let manager = fields.extend?.manager {
            guard manager.allSatisfy(isManagerID) else {
                return error(400, "ft.ParamError", "extend.manager must list account uuids, e-mails or team ids")
            }
            issue.managers = manager
        }
        issue.updateAt = max(nowSeconds(), issue.updateAt)
        state.issues[uuid] = issue
        appendReply(
            &state, issueUUID: uuid, type: "change", content: "成员修改了Issue状态。", extend: .emptyObject,
            creatorName: "api-key", createAt: issue.updateAt, movesIssue: false)
        return ok(issue.json(workspace: workspace))
    }

    /// The modify fields the simulator acts on, with the types the documentation gives them.
    struct ModifyBody: Decodable {
        struct Extend: Decodable {
            var manager: [String]?
        }
        var statusType: Int?
        var name: String?
        var extend: Extend?
    }

    /// An assignee as `extend.manager` names one: `acnt_…`, `group_…` or an e-mail address.
    static func isManagerID(_ value: String) -> Bool {
        if value.hasPrefix("acnt_") || value.hasPrefix("group_") { return value.count > 5 && value.count <= 128 }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && value.count <= 254
            && !value.contains(where: \.isWhitespace)
    }
}
