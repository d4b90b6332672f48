import Foundation
import GuanceAPI

extension GuanceSimulator {
    /// Behaviour switches of the simulator.
    public struct Options: Sendable {
        /// Calls per API key per `rateLimitWindow` before 401 `ft.TriggerApiAkCurrentLimiting`; nil turns it off.
        public var keyRateLimit: Int? = 20
        /// Calls per workspace per window before 401 `ft.TriggerApiWorkspaceCurrentLimiting`; nil turns it off.
        public var workspaceRateLimit: Int? = 200
        /// The sliding window of both limits (a minute in Guance; tests scale it down).
        public var rateLimitWindow: Duration = .seconds(60)
        /// The issue-list `content` shape.
        public var issueListShape: IssueListShape = .documented
        /// Which issue field `startTime`/`endTime` filter on (**unconfirmed** in the docs; `createAt` by default).
        public var timeFilterField: TimeFilterField = .createAt
        /// Whether a new reply moves the issue's `updateAt` (assumed; the poller relies on it to find replies).
        public var replyMovesIssueUpdateAt = true

        public init() {}
    }

    /// `content` of the issue list: the documented `{data, pageInfo}` or the bare list of the sample script.
    public enum IssueListShape: Sendable { case documented, bareList }

    public enum TimeFilterField: Sendable { case createAt, updateAt }

    /// A failure the next matching requests get instead of (or before) the normal answer.
    public enum Fault: Sendable, Equatable {
        /// 200 with a body that is not JSON.
        case malformedJSON
        /// An HTML error page with this status (a proxy in the way).
        case htmlPage(status: Int)
        /// HTTP 200 with `success:false` and this error code.
        case successFalse(errorCode: String, message: String)
        /// An envelope error with this status and code (e.g. 500, 503).
        case status(Int, errorCode: String)
        /// The rate-limit answer, whatever the count.
        case rateLimited
        /// Waits this long, then answers normally.
        case delay(Duration)
    }

    /// What a new issue looks like. Unset times mean "now".
    public struct IssueDraft: Sendable {
        public var name: String
        /// HTML, as Guance stores it.
        public var description: String
        /// A number (`2`) or a level uuid (`system_level_2`): sent as given.
        public var level: GuanceJSON
        public var statusType: Int
        public var resource: String
        public var resourceType: String
        public var creatorName: String
        public var creatorEmail: String
        /// Unix seconds; nil = now.
        public var createAt: Int64?
        /// Fields left out of the JSON (to test missing-field handling).
        public var omittedFields: Set<String>

        public init(
            name: String, description: String = "<p>simulated issue</p>", level: GuanceJSON = .number(2),
            statusType: Int = 10, resource: String = "APM-http://sim/checkout", resourceType: String = "viewer",
            creatorName: String = "sim-user", creatorEmail: String = "sim@example.com", createAt: Int64? = nil,
            omittedFields: Set<String> = []
        ) {
            self.name = name
            self.description = description
            self.level = level
            self.statusType = statusType
            self.resource = resource
            self.resourceType = resourceType
            self.creatorName = creatorName
            self.creatorEmail = creatorEmail
            self.createAt = createAt
            self.omittedFields = omittedFields
        }
    }

    /// One request the simulator received with a `DF-API-KEY` header.
    public struct CallRecord: Sendable {
        public var apiKey: String
        public var at: ContinuousClock.Instant
        /// `issue_list`, `reply_list`, ...
        public var endpoint: String
        public var status: Int
    }

    struct Workspace {
        var uuid: String
        var channels: [(uuid: String, name: String)]
    }

    struct StoredIssue {
        var seq: Int
        var uuid: String
        var workspaceUUID: String
        var draft: IssueDraft
        var statusType: Int
        var createAt: Int64
        var updateAt: Int64

        func json(workspace: Workspace) -> [String: Any] {
            var object: [String: Any] = [
                "uuid": uuid, "id": seq, "name": draft.name, "description": draft.description,
                "level": draft.level.foundationValue, "statusType": statusType, "status": 0,
                "resource": draft.resource, "resourceType": draft.resourceType, "resourceUUID": "", "subIdentify": "",
                "workspaceUUID": workspaceUUID,
                "extend": [
                    "channels": [["exists": true, "type": "#", "uuid": workspace.channels[0].uuid]],
                    "members": [[String: Any]](), "sourceLink": "/tracing/service/table",
                    "text": GuanceSimulator.plainText(draft.description),
                ] as [String: Any],
                "creator": "acnt_sim", "updator": "acnt_sim",
                "creatorInfo": [
                    "acntWsNickname": "", "email": draft.creatorEmail, "iconUrl": "", "name": draft.creatorName,
                    "username": draft.creatorEmail,
                ],
                "updatorInfo": ["name": draft.creatorName, "email": draft.creatorEmail],
                "createAt": createAt, "updateAt": updateAt, "deleteAt": -1,
            ]
            for field in draft.omittedFields { object.removeValue(forKey: field) }
            return object
        }
    }

    struct StoredReply {
        var seq: Int
        var uuid: String
        var issueUUID: String
        var workspaceUUID: String
        var type: String
        var content: String
        var extend: GuanceJSON
        var creatorName: String
        var createAt: Int64

        func json(idNull: Bool = false) -> [String: Any] {
            [
                "uuid": uuid, "id": idNull ? NSNull() : seq as Any, "issueUUID": issueUUID, "type": type,
                "content": content, "extend": extend.foundationValue, "attachmentsList": [Any](), "is_modify": false,
                "latest_modify_time": createAt, "status": 0, "workspaceUUID": workspaceUUID, "creator": "acnt_sim",
                "creatorInfo": ["name": creatorName, "email": "", "iconUrl": ""], "updator": "acnt_sim",
                "createAt": createAt, "updateAt": createAt, "deleteAt": -1,
            ]
        }

        var asReply: GuanceReply {
            GuanceReply(
                uuid: uuid, issueUUID: issueUUID, type: type, content: content, extend: extend,
                creatorInfo: GuancePersonInfo(name: creatorName), createAt: createAt)
        }
    }

    struct State {
        var keys: [String: String] = [:]  // api key -> workspace uuid
        var workspaces: [String: Workspace] = [:]
        var issues: [String: StoredIssue] = [:]
        var issueOrder: [String] = []
        var replies: [String: [StoredReply]] = [:]
        var calls: [CallRecord] = []
        /// Accepted calls per key / workspace, for the sliding-window limits.
        var acceptedByKey: [String: [ContinuousClock.Instant]] = [:]
        var acceptedByWorkspace: [String: [ContinuousClock.Instant]] = [:]
        var faults: [(fault: Fault, endpoint: String?, remaining: Int)] = []
        var seq = 100_000
        var options: Options
    }

    /// Plain text of simple HTML, for `extend.text` (the real server's rendering is richer; this is enough).
    static func plainText(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
    }
}

extension GuanceJSON {
    /// The value as `JSONSerialization` objects.
    var foundationValue: Any {
        switch self {
        case .null: NSNull()
        case let .bool(value): value
        case let .number(value): value.rounded() == value && abs(value) < 1e15 ? Int64(value) as Any : value
        case let .string(value): value
        case let .array(values): values.map(\.foundationValue)
        case let .object(members): members.mapValues(\.foundationValue)
        }
    }

}
