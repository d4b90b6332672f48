import AsyncHTTPClient
import Foundation
import KafkaClient
import Logging
import Metrics
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1
import ServiceKit

/// A client of the Guance OpenAPI issue endpoints (see docs/protocols/guance-openapi.md).
///
/// Every call sends `DF-API-KEY`, waits its turn in the key's `GuanceRequestBudget`, has a timeout, and is retried
/// with back-off and jitter on rate limits, 5xx, timeouts and transport failures (reply create: on rate limits
/// only, because a retry after an ambiguous failure could write the reply twice; see `findReply`). The `HTTPClient`
/// is shared (connection reuse) and owned by the caller, who shuts it down.
public struct GuanceOpenAPIClient: Sendable {
    /// Where and how to call.
    public struct Settings: Sendable {
        /// Base URL without trailing slash, e.g. `https://openapi.guance.com`.
        public var baseURL: String
        /// The `DF-API-KEY`. Never logged.
        public var apiKey: String
        /// Timeout of one HTTP exchange (each attempt).
        public var requestTimeout: Duration = .seconds(10)
        public var retry = GuanceRetryPolicy()
        /// Answers larger than this are rejected as malformed rather than buffered.
        public var maxResponseBytes = 32 << 20
        /// The page size `listAllIssues` uses (the API's largest documented page).
        public var issuePageSize = 100
        /// `listAllIssues` stops after this many pages (a runaway guard; logged).
        public var maxIssuePages = 200
        /// Whose calls these are, for the budget: polling yields to interactive callers.
        public var priority = GuanceCallPriority.interactive
        /// For polling: calls of each window left to interactive callers when fewer than the budget's reserve (nil =
        /// the whole reserve). See `GuanceRequestBudget.acquire(priority:keeping:)`.
        public var reserveKept: Int?

        public init(baseURL: String, apiKey: String) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.apiKey = apiKey
        }
    }

    public let settings: Settings
    public let budget: GuanceRequestBudget
    let http: HTTPClient
    let logger: Logger

    public init(settings: Settings, httpClient: HTTPClient, budget: GuanceRequestBudget, logger: Logger) {
        self.settings = settings
        self.http = httpClient
        self.budget = budget
        self.logger = logger
    }

    /// The same client, leaving only `kept` calls of each window to interactive callers (a lent reserve).
    public func keeping(_ kept: Int) -> GuanceOpenAPIClient {
        var settings = settings
        settings.reserveKept = kept
        return GuanceOpenAPIClient(settings: settings, httpClient: http, budget: budget, logger: logger)
    }

    /// An `HTTPClient` suited to the OpenAPI (gzip accepted, pooled connections, redirects never followed: the
    /// `DF-API-KEY` must reach no other origin). The caller shuts it down.
    public static func makeHTTPClient() -> HTTPClient {
        HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .outbound)
    }

    // MARK: - Endpoints

    /// `GET /api/v1/channel/quick_list`: the workspace's channels (deleted ones included; see `isLive`).
    public func listChannels() async throws(GuanceAPIError) -> [GuanceChannel] {
        let answer = try await call(.GET, "/api/v1/channel/quick_list", label: "channel_list")
        let list = try decodeContent(GuanceLenientList<GuanceChannel>.self, answer)
        return list.items
    }

    /// `POST /api/v1/issue/list`: one page of a channel's issues in `[startTime, endTime]` (Unix seconds).
    public func listIssues(
        channelUUID: String, startTime: Int64?, endTime: Int64?, pageIndex: Int = 1, pageSize: Int = 100,
        filters: [GuanceIssueFilter] = []
    ) async throws(GuanceAPIError) -> GuancePage<GuanceIssue> {
        var body: [String: Any] = [
            "channelUUID": channelUUID, "pageIndex": pageIndex, "pageSize": pageSize, "search": "",
            "filters": filters.map(\.json),
        ]
        if let startTime { body["startTime"] = startTime }
        if let endTime { body["endTime"] = endTime }
        let answer = try await call(.POST, "/api/v1/issue/list", label: "issue_list", json: body)
        let content = try decodeContent(GuanceIssueListContent.self, answer)
        return GuancePage(
            items: content.list.items, pageInfo: content.pageInfo ?? answer.head.pageInfo,
            rejected: content.list.rejected)
    }

    /// Every page of `listIssues` up to `pageInfo.totalCount` (or an empty / short page).
    public func listAllIssues(
        channelUUID: String, startTime: Int64?, endTime: Int64?, filters: [GuanceIssueFilter] = []
    ) async throws(GuanceAPIError) -> GuanceIssueListing {
        var listing = GuanceIssueListing()
        let pageSize = settings.issuePageSize
        var pageIndex = 1
        while pageIndex <= settings.maxIssuePages {
            let page = try await listIssues(
                channelUUID: channelUUID, startTime: startTime, endTime: endTime, pageIndex: pageIndex,
                pageSize: pageSize, filters: filters)
            listing.pages += 1
            listing.issues += page.items
            listing.rejected += page.rejected
            let received = page.items.count + page.rejected.count
            listing.totalCount = page.pageInfo?.totalCount
            if received == 0 { return listing }
            if let total = page.pageInfo?.totalCount {
                if pageIndex * pageSize >= total { return listing }
            } else if received < pageSize {
                return listing
            }
            pageIndex += 1
        }
        logger.warning(
            "issue list stopped at the page limit",
            metadata: ["pages": "\(settings.maxIssuePages)", "channel": "\(channelUUID)"])
        listing.truncated = true
        return listing
    }

    /// `GET /api/v1/issue/{uuid}/get`.
    public func getIssue(uuid: String) async throws(GuanceAPIError) -> GuanceIssue {
        let answer = try await call(.GET, "/api/v1/issue/\(pathComponent(uuid))/get", label: "issue_get", issue: uuid)
        return try decodeContent(GuanceIssue.self, answer)
    }

    /// `GET /api/v1/issue/reply/{uuid}/list?ordering=-createAt`: one page of replies, newest first. Includes system
    /// change records (`type:"change"`).
    public func listReplies(
        issueUUID: String, pageIndex: Int = 1, pageSize: Int = 20
    ) async throws(GuanceAPIError) -> GuancePage<GuanceReply> {
        let answer = try await call(
            .GET, "/api/v1/issue/reply/\(pathComponent(issueUUID))/list", label: "reply_list",
            query: [("ordering", "-createAt"), ("pageIndex", "\(pageIndex)"), ("pageSize", "\(pageSize)")],
            issue: issueUUID)
        let list = try decodeContent(GuanceLenientList<GuanceReply>.self, answer)
        return GuancePage(items: list.items, pageInfo: answer.head.pageInfo, rejected: list.rejected)
    }

    /// `POST /api/v1/issue/reply/create`. Retried only on rate-limit answers: after a timeout or a 5xx the reply
    /// may exist, so the error is thrown and the caller checks with `findReply(issueUUID:commandID:)`.
    public func createReply(
        issueUUID: String, content: String, extend: GuanceJSON = .emptyObject
    ) async throws(GuanceAPIError) -> GuanceReply {
        let extendObject =
            (try? JSONSerialization.jsonObject(
                with: JSONEncoder().encode(extend), options: [.fragmentsAllowed])) ?? [String: Any]()
        let body: [String: Any] = [
            "issueUUID": issueUUID, "content": content, "attachmentUuids": [String](), "extend": extendObject,
        ]
        let answer = try await call(
            .POST, "/api/v1/issue/reply/create", label: "reply_create", json: body, issue: issueUUID,
            retryAmbiguous: false)
        return try decodeContent(GuanceReply.self, answer)
    }

    /// `POST /api/v1/issue/{uuid}/modify`: sets `statusType` (10 open, 20 resolved, 30 pending) and/or the assignees
    /// (`extend.manager`: account uuids, e-mails or team ids); fields left nil are not sent. Not retried after an
    /// ambiguous failure (timeout, reset, 5xx): the caller reads the issue to see whether the change was made.
    public func modifyIssue(
        uuid: String, statusType: Int? = nil, managers: [String]? = nil
    ) async throws(GuanceAPIError) -> GuanceIssue {
        var body: [String: Any] = [:]
        if let statusType { body["statusType"] = statusType }
        if let managers { body["extend"] = ["manager": managers] }
        let answer = try await call(
            .POST, "/api/v1/issue/\(pathComponent(uuid))/modify", label: "issue_modify", json: body, issue: uuid,
            retryAmbiguous: false)
        return try decodeContent(GuanceIssue.self, answer)
    }

    /// The reply this product wrote for `commandID` on an issue, if any (newest pages first, at most `maxPages`).
    public func findReply(
        issueUUID: String, commandID: String, maxPages: Int = 3, pageSize: Int = 50
    ) async throws(GuanceAPIError) -> GuanceReply? {
        for pageIndex in 1...max(maxPages, 1) {
            let page = try await listReplies(issueUUID: issueUUID, pageIndex: pageIndex, pageSize: pageSize)
            if let found = page.items.first(where: { $0.chatOpsMarker?.commandID == commandID }) { return found }
            let seen = pageIndex * pageSize
            if page.items.count + page.rejected.count < pageSize { return nil }
            if let total = page.pageInfo?.totalCount, seen >= total { return nil }
        }
        return nil
    }
}
