import Foundation
import Synchronization

/// One Feishu app's `tenant_access_token` cache, shared by the app clients (`FeishuAppClient`, `FeishuOpenAPI`): the
/// token is used until shortly before it expires, forgotten when the server calls it invalid, and every fetch is
/// counted (the cache's effect, for tests and metrics).
final class FeishuTenantToken: Sendable {
    /// The internal-app token endpoint.
    static let path = "/open-apis/auth/v3/tenant_access_token/internal"

    /// The token endpoint's answer.
    struct Answer: Decodable {
        var code: Int
        var msg: String?
        var tenantAccessToken: String?
        var expire: Int?
        enum CodingKeys: String, CodingKey {
            case code, msg, expire
            case tenantAccessToken = "tenant_access_token"
        }
    }

    private struct Cached {
        var token: String
        var refreshAt: Date
    }

    private let cached = Mutex<Cached?>(nil)
    private let fetches = Atomic<Int>(0)

    /// How many times a token was requested from Feishu.
    var fetchCount: Int { fetches.load(ordering: .relaxed) }

    /// The cached token while it has enough life left at `now`.
    func valid(at now: Date) -> String? {
        guard let token = cached.withLock({ $0 }), token.refreshAt > now else { return nil }
        return token.token
    }

    /// Counts a request to the token endpoint.
    func countFetch() {
        fetches.add(1, ordering: .relaxed)
    }

    /// Keeps a token fetched at `fetchedAt` that lives `expire` seconds. Feishu hands out a new token once less than
    /// 30 minutes remain; it is refreshed then (or at half-life for short-lived tokens), so a token is never used
    /// close to its expiry.
    func store(_ token: String, expire: Int, fetchedAt: Date) {
        let margin = min(1800, Double(expire) / 2)
        cached.withLock { $0 = Cached(token: token, refreshAt: fetchedAt + Double(expire) - margin) }
    }

    /// Forgets the token (the server called it invalid).
    func invalidate() {
        cached.withLock { $0 = nil }
    }
}
