import FeishuKit
import HTTPTypes

/// `Authorization: Bearer <token>` checks of the token-protected routes (`/feishu/flow`, `/guance/webhook/…`).
enum BearerToken {
    /// Passes when the header carries exactly `token` (compared in constant time).
    static func check(_ headers: HTTPFields, token: String) throws(IngressRejection) {
        guard let authorization = headers[.authorization] else { throw .unauthorized("Authorization header missing") }
        let prefix = "Bearer "
        guard authorization.hasPrefix(prefix),
            FeishuEventCrypto.constantTimeEquals(String(authorization.dropFirst(prefix.count)), token)
        else { throw .unauthorized("wrong bearer token") }
    }
}
