/// Why a webhook request got no HTTP answer. Descriptions name the origin only: the path and query of a webhook URL
/// are its secret.
enum WebhookHTTPError: Error, Equatable, CustomStringConvertible {
    case invalidURL(reason: String)
    case connectFailed(origin: String, reason: String)
    case timedOut(origin: String, after: Duration)
    /// The server closed the connection (or it broke) before the whole response arrived.
    case connectionClosed(origin: String, reason: String)
    case shutDown

    var description: String {
        switch self {
        case .invalidURL(let reason): "invalid webhook URL: \(reason)"
        case .connectFailed(let origin, let reason): "cannot connect to \(origin): \(reason)"
        case .timedOut(let origin, let after): "no answer from \(origin) within \(after)"
        case .connectionClosed(let origin, let reason): "connection to \(origin) ended before the answer: \(reason)"
        case .shutDown: "the webhook client is shut down"
        }
    }
}
