import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization
import Timing

/// The Feishu app API calls the services make (docs/protocols/feishu.md): `tenant_access_token` (cached until shortly before expiry), reply to
/// a message, and reading a message (to find the issue a thread is about). Redirects are never followed (the
/// `app_secret` and tokens must reach no other origin).
public final class FeishuAppClient: Sendable {
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

    /// How many times a token was requested from Feishu (the cache's effect, for tests and metrics).
    public var tokenFetchCount: Int { tokens.fetchCount }

    // MARK: - Token

    /// A valid tenant access token, from the cache while it has enough life left.
    public func tenantAccessToken() async throws(FeishuAppError) -> String {
        let current = now()
        if let token = tokens.valid(at: current) { return token }
        let path = FeishuTenantToken.path
        let body = try JSONSerialization.data(
            withJSONObject: ["app_id": credentials.appID, "app_secret": credentials.appSecret])
        tokens.countFetch()
        let (status, data) = try await call(.POST, path, body: body, token: nil)
        guard let response = try? JSONDecoder().decode(FeishuTenantToken.Answer.self, from: data) else {
            throw .badResponse(path: path, status: status, reason: "not a token response")
        }
        guard response.code == 0, let token = response.tenantAccessToken, let expire = response.expire else {
            throw .api(path: path, status: status, code: response.code, message: response.msg ?? "")
        }
        tokens.store(token, expire: expire, fetchedAt: current)
        return token
    }

    // MARK: - Messages

    /// Replies to a message in its thread. `uuid` makes a repeated call idempotent on Feishu's side.
    public func reply(to messageID: String, text: String, uuid: String) async throws(FeishuAppError) {
        let content = String(decoding: try JSONSerialization.data(withJSONObject: ["text": text]), as: UTF8.self)
        let body = try JSONSerialization.data(
            withJSONObject: [
                "msg_type": "text", "content": content, "uuid": String(uuid.prefix(50)), "reply_in_thread": true,
            ] as [String: Any])
        _ = try await authorized(.POST, "/open-apis/im/v1/messages/\(Self.escape(messageID))/reply", body: body)
    }

    /// The text content of a message (the JSON `content` string as Feishu returns it), or nil if it has none.
    public func messageContent(_ messageID: String) async throws(FeishuAppError) -> String? {
        struct MessageResponse: Decodable {
            struct Item: Decodable {
                struct Body: Decodable { var content: String? }
                var body: Body?
            }
            struct DataField: Decodable { var items: [Item]? }
            var data: DataField?
        }
        let path = "/open-apis/im/v1/messages/\(Self.escape(messageID))"
        let data = try await authorized(.GET, path, body: nil)
        guard let response = try? JSONDecoder().decode(MessageResponse.self, from: data) else {
            throw .badResponse(path: path, status: 200, reason: "not a message response")
        }
        return response.data?.items?.first?.body?.content
    }

    /// `GET /open-apis/contact/v3/users/:open_id?user_id_type=open_id`: a user's name and e-mail (`email`, else
    /// `enterprise_email`; scopes in docs/reply-gateway.md). Fields the app may not read are absent, not errors.
    public func user(openID: String) async throws(FeishuAppError) -> FeishuContactUser {
        struct UserResponse: Decodable {
            struct User: Decodable {
                var name: String?
                var email: String?
                var enterpriseEmail: String?
                enum CodingKeys: String, CodingKey {
                    case name, email
                    case enterpriseEmail = "enterprise_email"
                }
            }
            struct DataField: Decodable { var user: User? }
            var data: DataField?
        }
        let path = "/open-apis/contact/v3/users/\(Self.escape(openID))?user_id_type=open_id"
        let data = try await authorized(.GET, path, body: nil)
        guard let user = (try? JSONDecoder().decode(UserResponse.self, from: data))?.data?.user else {
            throw .badResponse(path: path, status: 200, reason: "not a user response")
        }
        func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }
        return FeishuContactUser(
            name: nonEmpty(user.name), email: nonEmpty(user.email) ?? nonEmpty(user.enterpriseEmail))
    }

    // MARK: - HTTP

    /// A call with the tenant token; on an invalid-token answer the token is fetched again once.
    private func authorized(_ method: HTTPMethod, _ path: String, body: Data?) async throws(FeishuAppError) -> Data {
        var attempt = 0
        while true {
            attempt += 1
            let token = try await tenantAccessToken()
            do {
                let (status, data) = try await call(method, path, body: body, token: token)
                try Self.checkCode(path: path, status: status, data: data)
                return data
            } catch let error where error.isInvalidToken && attempt == 1 {
                tokens.invalidate()
            }
        }
    }

    private static func checkCode(path: String, status: Int, data: Data) throws(FeishuAppError) {
        struct Envelope: Decodable {
            var code: Int
            var msg: String?
        }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: data) else {
            throw .badResponse(path: path, status: status, reason: "body has no code")
        }
        guard envelope.code == 0 else {
            throw .api(path: path, status: status, code: envelope.code, message: envelope.msg ?? "")
        }
    }

    private func call(_ method: HTTPMethod, _ path: String, body: Data?, token: String?)
        async throws(FeishuAppError) -> (Int, Data)
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
            return (Int(response.status.code), Data(buffer.readableBytesView))
        } catch {
            throw .transport(path: path, reason: "\(error)")
        }
    }

    private static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "_-"))) ?? id
    }
}

extension JSONSerialization {
    /// `data(withJSONObject:)` that cannot fail for the string/bool dictionaries built here.
    fileprivate static func data(withJSONObject object: [String: Any]) throws(FeishuAppError) -> Data {
        do {
            return try SortedKeysJSON.data(object)
        } catch {
            throw .badResponse(path: "-", status: 0, reason: "cannot encode request: \(error)")
        }
    }
}
