import FeishuKit
import KafkaClient
import ServiceKit

/// Why the long connection could not be opened or ended, with what the server said (never a secret).
enum LongConnectionError: Error, CustomStringConvertible {
    /// The endpoint API could not be reached or answered something that is not its JSON.
    case endpointUnreachable(String)
    /// The endpoint API answered a non-zero code; `retryable` for busy/internal errors.
    case endpointRefused(code: Int, message: String, retryable: Bool)
    /// The WebSocket upgrade was refused (`Handshake-*` headers when the server sent them).
    case handshakeRefused(httpStatus: Int, status: String?, message: String?, authErrorCode: String?)
    /// The URL of the endpoint answer is not a ws:// or wss:// URL.
    case badURL(String)
    /// No frame arrived (not even a pong) for this long.
    case silent(seconds: Int)
    /// The server closed the connection.
    case closedByServer
    /// The connection broke (reset, TLS or WebSocket protocol error).
    case connectionLost(String)
    /// `ReconnectCount` attempts failed in a row.
    case reconnectsExhausted(Int)

    /// True when retrying cannot help (wrong credentials, too many connections, attempts exhausted): the gateway
    /// stops and says why.
    var isFatal: Bool {
        switch self {
        case .endpointRefused(_, _, let retryable): !retryable
        case .handshakeRefused(_, _, _, let code): code == FeishuLongConnectionEndpoint.connectionLimitCode
        case .badURL, .reconnectsExhausted: true
        case .endpointUnreachable, .silent, .closedByServer, .connectionLost: false
        }
    }

    /// A short label for the reconnect metric.
    var label: String {
        switch self {
        case .endpointUnreachable: "endpoint_unreachable"
        case .endpointRefused: "endpoint_refused"
        case .handshakeRefused: "handshake_refused"
        case .badURL: "bad_url"
        case .silent: "silent"
        case .closedByServer: "closed"
        case .connectionLost: "lost"
        case .reconnectsExhausted: "exhausted"
        }
    }

    var description: String {
        switch self {
        case .endpointUnreachable(let reason):
            "Feishu long-connection endpoint API unreachable: \(reason)"
        case .endpointRefused(let code, let message, let retryable):
            "Feishu long-connection endpoint API refused with code \(code) (\(message))"
                + (retryable ? "; retrying" : "; check FEISHU_APP_ID/FEISHU_APP_SECRET and that the app is self-built")
        case .handshakeRefused(let httpStatus, let status, let message, let code):
            "Feishu refused the WebSocket upgrade: HTTP \(httpStatus), Handshake-Status \(status ?? "-"), "
                + "Handshake-Msg \(message ?? "-"), Handshake-Autherrcode \(code ?? "-")"
                + (code == FeishuLongConnectionEndpoint.connectionLimitCode
                    ? " (the app has the most long connections Feishu allows)" : "")
        case .badURL(let url):
            "Feishu long-connection endpoint gave no usable ws(s):// URL (\(url.prefix(80)))"
        case .silent(let seconds):
            "no frame from Feishu for \(seconds) s"
        case .closedByServer:
            "Feishu closed the long connection"
        case .connectionLost(let reason):
            "the long connection broke: \(reason)"
        case .reconnectsExhausted(let count):
            "gave up after \(count) reconnect attempts (ReconnectCount from Feishu)"
        }
    }
}
