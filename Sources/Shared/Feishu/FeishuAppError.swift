/// A failed Feishu app API call, with what the server said (never the app secret or token).
public enum FeishuAppError: Error, Sendable, CustomStringConvertible {
    /// No answer (connection refused, timeout, reset).
    case transport(path: String, reason: String)
    /// An answer whose body is not the documented JSON.
    case badResponse(path: String, status: Int, reason: String)
    /// `code != 0` in the body.
    case api(path: String, status: Int, code: Int, message: String)

    public var description: String {
        switch self {
        case .transport(let path, let reason): "Feishu app API \(path): no answer (\(reason))"
        case .badResponse(let path, let status, let reason): "Feishu app API \(path): HTTP \(status), \(reason)"
        case .api(let path, let status, let code, let message):
            "Feishu app API \(path): HTTP \(status), code \(code): \(message)"
        }
    }

    /// Codes meaning the tenant access token is not (or no longer) valid: fetch a new one and try again.
    public var isInvalidToken: Bool {
        if case .api(_, _, let code, _) = self { return [99_991_661, 99_991_663, 99_991_668].contains(code) }
        return false
    }
}
