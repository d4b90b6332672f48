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

        public init(baseURL: String, apiKey: String) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.apiKey = apiKey
        }
    }

    public let settings: Settings
    public let budget: GuanceRequestBudget
    private let http: HTTPClient
    private let logger: Logger

    public init(settings: Settings, httpClient: HTTPClient, budget: GuanceRequestBudget, logger: Logger) {
        self.settings = settings
        self.http = httpClient
        self.budget = budget
        self.logger = logger
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
        let extendObject = (try? JSONSerialization.jsonObject(
            with: JSONEncoder().encode(extend), options: [.fragmentsAllowed])) ?? [String: Any]()
        let body: [String: Any] = [
            "issueUUID": issueUUID, "content": content, "attachmentUuids": [String](), "extend": extendObject,
        ]
        let answer = try await call(
            .POST, "/api/v1/issue/reply/create", label: "reply_create", json: body, issue: issueUUID,
            retryAmbiguous: false)
        return try decodeContent(GuanceReply.self, answer)
    }

    /// `POST /api/v1/issue/{uuid}/modify` with only `statusType` (10 open, 20 resolved, 30 pending).
    public func modifyIssue(uuid: String, statusType: Int) async throws(GuanceAPIError) -> GuanceIssue {
        let answer = try await call(
            .POST, "/api/v1/issue/\(pathComponent(uuid))/modify", label: "issue_modify",
            json: ["statusType": statusType], issue: uuid)
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

    // MARK: - Transport

    struct Answer {
        var status: Int
        var body: Data
        var head: GuanceEnvelopeHead
        var endpoint: String
    }

    private func call(
        _ method: HTTPMethod, _ path: String, label: String, query: [(String, String)] = [],
        json: [String: Any]? = nil, issue: String? = nil, retryAmbiguous: Bool = true
    ) async throws(GuanceAPIError) -> Answer {
        let endpoint = "\(method.rawValue) \(path)"
        var url = settings.baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&")
        }
        let body = json.flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let answer = try await attemptOnce(method, url: url, body: body, endpoint: endpoint, issue: issue)
                Counter(label: "guance_openapi_calls_total", dimensions: [("endpoint", label), ("outcome", "ok")])
                    .increment()
                return answer
            } catch {
                Counter(label: "guance_openapi_calls_total", dimensions: [("endpoint", label), ("outcome", error.outcomeLabel)])
                    .increment()
                let retryable = error.isRetryable && (retryAmbiguous || !error.isAmbiguous)
                var metadata: Logger.Metadata = [
                    "endpoint": "\(endpoint)", "attempt": "\(attempt)", LogKey.error: "\(error)",
                ]
                if let issue { metadata[LogKey.issueUUID] = "\(issue)" }
                guard retryable, attempt < settings.retry.maxAttempts, !Task.isCancelled else {
                    if error.isInvalidAPIKey {
                        logger.error("Guance rejected the API key", metadata: metadata)
                    } else {
                        logger.debug("Guance call failed", metadata: metadata)
                    }
                    throw error
                }
                let delay = settings.retry.delay(afterAttempt: attempt, rateLimited: error.isRateLimited)
                if error.isRateLimited { await budget.pause(for: delay) }
                metadata["retry_in"] = "\(delay)"
                logger.warning("Guance call failed, retrying", metadata: metadata)
                do { try await Task.sleep(for: delay) } catch { throw GuanceAPIError.transport(endpoint: endpoint, reason: "cancelled") }
            }
        }
    }

    private func attemptOnce(
        _ method: HTTPMethod, url: String, body: Data?, endpoint: String, issue: String?
    ) async throws(GuanceAPIError) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "DF-API-KEY", value: settings.apiKey)
        request.headers.add(name: "Content-Type", value: "application/json;charset=UTF-8")
        request.headers.add(name: "Accept", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let grant: GuanceRequestBudget.Grant
        do { grant = try await budget.acquire(priority: settings.priority) } catch { throw .transport(endpoint: endpoint, reason: "cancelled") }
        let timeout = TimeAmount.nanoseconds(
            Int64(settings.requestTimeout.components.seconds) * 1_000_000_000
                + settings.requestTimeout.components.attoseconds / 1_000_000_000)
        let exchanged: Result<(Int, ByteBuffer), GuanceAPIError>
        do {
            let response = try await http.execute(request, timeout: timeout, logger: nil)
            let bytes = try await response.body.collect(upTo: settings.maxResponseBytes)
            exchanged = .success((Int(response.status.code), bytes))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                exchanged = .failure(.timeout(endpoint: endpoint, after: settings.requestTimeout))
            default:
                exchanged = .failure(.transport(endpoint: endpoint, reason: "\(error)"))
            }
        } catch is NIOTooManyBytesError {
            exchanged = .failure(.malformedResponse(
                endpoint: endpoint, status: 200, reason: "body larger than \(settings.maxResponseBytes) bytes",
                traceId: nil))
        } catch {
            exchanged = .failure(.transport(endpoint: endpoint, reason: "\(error)"))
        }
        // The slot's window starts when the answer (or the failure) arrived: the server saw the call before that.
        await budget.finish(grant)
        let (status, bytes) = try exchanged.get()
        let data = Data(buffer: bytes)
        let head: GuanceEnvelopeHead
        do {
            head = try JSONDecoder().decode(GuanceEnvelopeHead.self, from: data)
        } catch {
            throw .malformedResponse(
                endpoint: endpoint, status: status, reason: "not a JSON envelope (\(Self.snippet(data)))", traceId: nil)
        }
        if !(200...299).contains(status) || head.isFailure {
            let code = head.errorCode ?? ""
            let effectiveStatus = (200...299).contains(status) ? (head.code ?? status) : status
            if let issue, effectiveStatus == 404 || code.contains("NotFound") || code.contains("NotExist") {
                throw .issueNotFound(
                    issueUUID: issue, endpoint: endpoint, status: effectiveStatus, errorCode: code,
                    message: head.message ?? "", traceId: head.traceId)
            }
            throw .api(
                endpoint: endpoint, status: effectiveStatus, errorCode: code,
                message: head.message ?? (head.success == false ? "success:false" : ""), traceId: head.traceId)
        }
        return Answer(status: status, body: data, head: head, endpoint: endpoint)
    }

    private func decodeContent<T: Decodable>(_ type: T.Type, _ answer: Answer) throws(GuanceAPIError) -> T {
        do {
            guard let content = try JSONDecoder().decode(GuanceEnvelopeContent<T>.self, from: answer.body).content else {
                throw GuanceAPIError.malformedResponse(
                    endpoint: answer.endpoint, status: answer.status, reason: "missing content",
                    traceId: answer.head.traceId)
            }
            return content
        } catch let error as GuanceAPIError {
            throw error
        } catch {
            throw .malformedResponse(
                endpoint: answer.endpoint, status: answer.status,
                reason: "unexpected content: \(GuanceLenientDecoding.describe(error))", traceId: answer.head.traceId)
        }
    }

    private func pathComponent(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/")))
            ?? value
    }

    /// The start of a body for error messages (an HTML page's title shows what answered).
    static func snippet(_ data: Data) -> String {
        let text = String(decoding: data.prefix(160), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return data.isEmpty ? "empty body" : "body starts: \(text)"
    }
}

/// An issue-list filter: `{"key": ..., "value": ..., "equal": true|false}`.
public struct GuanceIssueFilter: Sendable {
    public var key: String
    public var value: String
    public var equal: Bool

    public init(key: String, value: String, equal: Bool = true) {
        self.key = key
        self.value = value
        self.equal = equal
    }

    var json: [String: Any] {
        let number = key == "statusType" ? Int(value) : nil
        return ["key": key, "value": number.map { $0 as Any } ?? value, "equal": equal]
    }
}

/// Every page of an issue listing.
public struct GuanceIssueListing: Sendable {
    public var issues: [GuanceIssue] = []
    /// Items that did not decode (missing or mistyped fields), with reasons.
    public var rejected: [GuanceRejectedItem] = []
    public var pages = 0
    public var totalCount: Int?
    /// True when the listing stopped at `maxIssuePages`.
    public var truncated = false

    public init() {}
}
