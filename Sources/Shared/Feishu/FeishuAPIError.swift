/// A failed Feishu Open Platform call, with what the server said (never the app secret or a token).
public enum FeishuAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer (connection refused, timeout, reset).
    case transport(path: String, reason: String)
    /// An answer whose body is not the documented JSON.
    case badResponse(path: String, status: Int, reason: String)
    /// `code != 0` in the body.
    case api(path: String, status: Int, code: Int, message: String)
    /// The platform's rate limit (HTTP 429 or code 99991400): nothing of this app should reach the API before
    /// `retryAfter` (the `x-ogw-ratelimit-reset` header, one second when absent).
    case rateLimited(path: String, code: Int, retryAfter: Duration)

    public var description: String {
        switch self {
        case .transport(let path, let reason): "Feishu API \(path): no answer (\(reason))"
        case .badResponse(let path, let status, let reason): "Feishu API \(path): HTTP \(status), \(reason)"
        case .api(let path, let status, let code, let message):
            "Feishu API \(path): HTTP \(status), code \(code): \(message)"
        case .rateLimited(let path, let code, let retryAfter):
            "Feishu API \(path): rate limited (code \(code)), retry after \(retryAfter)"
        }
    }

    /// The body code, when the server answered with one.
    public var code: Int? {
        switch self {
        case .api(_, _, let code, _), .rateLimited(_, let code, _): code
        case .transport, .badResponse: nil
        }
    }

    /// Codes meaning the tenant access token is not (or no longer) valid: fetch a new one and try again.
    public var isInvalidToken: Bool {
        code.map { [99_991_661, 99_991_663, 99_991_668].contains($0) } ?? false
    }
}

/// Codes of the message APIs the notifier acts on (docs/protocols/feishu-app.md, "Error codes").
public enum FeishuMessageCode {
    /// The platform-wide frequency limit (HTTP 429, header `x-ogw-ratelimit-reset`).
    public static let platformRateLimit = 99_991_400
    /// "The operation triggers the frequency limit": a per-chat or per-message limit.
    public static let frequencyLimit = 230_020
    /// The message is being sent: try again.
    public static let beingSent = 230_049
    /// The message was recalled: it can no longer be updated.
    public static let recalled = 230_011
    /// A message can be updated only within 14 days of sending.
    public static let updateWindowPassed = 230_031
    /// The body is too long (cards: 30 KB).
    public static let tooLong = 230_025
}
