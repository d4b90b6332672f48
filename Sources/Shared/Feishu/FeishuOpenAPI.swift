import AsyncHTTPClient
import Foundation
import KafkaClient
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization
import Timing

/// One Feishu app's authorised calls to the Open Platform: the `tenant_access_token` cached until shortly before it
/// expires (fetched again once when the server calls it invalid), the `{"code":0}` envelope checked, and the
/// platform's rate limit (HTTP 429 / code 99991400 with `x-ogw-ratelimit-reset`) reported as `.rateLimited`.
/// Redirects are never followed (the `app_secret` and tokens must reach no other origin).
public final class FeishuOpenAPI: Sendable {
    public let credentials: FeishuAppCredentials
    private let httpClient: HTTPClient
    private let now: @Sendable () -> Date
    private let tokens = FeishuTenantToken()

    public init(
        credentials: FeishuAppCredentials, httpClient: HTTPClient = .outbound,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.credentials = credentials
        self.httpClient = httpClient
        self.now = now
    }

    /// How many times a token was requested from Feishu (the cache's effect, for tests).
    public var tokenFetchCount: Int { tokens.fetchCount }

    // MARK: - Token

    /// A valid tenant access token, from the cache while it has enough life left.
    public func tenantAccessToken() async throws(FeishuAPIError) -> String {
        let current = now()
        if let token = tokens.valid(at: current) { return token }
        let path = FeishuTenantToken.path
        let body = try Self.encode(["app_id": credentials.appID, "app_secret": credentials.appSecret])
        tokens.countFetch()
        let answer = try await call(.POST, path, body: body, token: nil)
        guard let response = try? JSONDecoder().decode(FeishuTenantToken.Answer.self, from: answer.body) else {
            throw .badResponse(path: path, status: answer.status, reason: "not a token response")
        }
        guard response.code == 0, let token = response.tenantAccessToken, let expire = response.expire, expire > 0
        else {
            throw .api(path: path, status: answer.status, code: response.code, message: response.msg ?? "")
        }
        tokens.store(token, expire: expire, fetchedAt: current)
        return token
    }

    // MARK: - Calls

    /// A call with the tenant token, returning the body of a `code == 0` answer. On an invalid-token answer the
    /// token is fetched again once.
    public func authorized(_ method: HTTPMethod, _ path: String, body: Data?) async throws(FeishuAPIError) -> Data {
        var attempt = 0
        while true {
            attempt += 1
            let token = try await tenantAccessToken()
            do {
                let answer = try await call(method, path, body: body, token: token)
                try Self.check(path: path, answer)
                return answer.body
            } catch let error where error.isInvalidToken && attempt == 1 {
                tokens.invalidate()
            }
        }
    }

    struct Answer {
        var status: Int
        var body: Data
        var rateLimitReset: String?
    }

    /// Decides an answer: code 0 passes; the platform's rate limit becomes `.rateLimited`; any other code `.api`.
    static func check(path: String, _ answer: Answer) throws(FeishuAPIError) {
        struct Envelope: Decodable {
            var code: Int
            var msg: String?
        }
        let envelope = try? JSONDecoder().decode(Envelope.self, from: answer.body)
        if answer.status == 429 || envelope?.code == FeishuMessageCode.platformRateLimit {
            throw .rateLimited(
                path: path, code: envelope?.code ?? FeishuMessageCode.platformRateLimit,
                retryAfter: retryAfter(resetHeader: answer.rateLimitReset))
        }
        guard let envelope else {
            throw .badResponse(path: path, status: answer.status, reason: "body has no code")
        }
        guard envelope.code == 0 else {
            throw .api(path: path, status: answer.status, code: envelope.code, message: envelope.msg ?? "")
        }
    }

    /// The wait `x-ogw-ratelimit-reset` asks for (seconds), kept within 1 s – 10 min; 1 s when absent or not a number.
    static func retryAfter(resetHeader: String?) -> Duration {
        guard let text = resetHeader?.trimmingCharacters(in: .whitespaces), let seconds = Double(text),
            seconds.isFinite
        else { return .seconds(1) }
        return .milliseconds(Int64((min(max(seconds, 1), 600) * 1000).rounded(.up)))
    }

    private func call(_ method: HTTPMethod, _ path: String, body: Data?, token: String?)
        async throws(FeishuAPIError) -> Answer
    {
        var request = HTTPClientRequest(url: credentials.baseURL + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await httpClient.execute(
                request, timeout: .milliseconds(credentials.requestTimeout.milliseconds))
            let buffer = try await response.body.collect(upTo: 1 << 20)
            return Answer(
                status: Int(response.status.code), body: Data(buffer.readableBytesView),
                rateLimitReset: response.headers.first(name: "x-ogw-ratelimit-reset"))
        } catch {
            throw .transport(path: path, reason: "\(error)")
        }
    }

    /// A request body: sorted-key JSON of strings and booleans.
    static func encode(_ object: [String: Any]) throws(FeishuAPIError) -> Data {
        do {
            return try SortedKeysJSON.data(object)
        } catch {
            throw .badResponse(path: "-", status: 0, reason: "cannot encode request: \(error)")
        }
    }

    /// A message id as one path segment.
    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "_-"))) ?? id
    }
}
