/// A failed Guance OpenAPI call, with what the server said. Never carries the API key.
public enum GuanceAPIError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The server answered with an error envelope or a non-2xx status (`ft.InvalidAPIKey`, rate limits, 5xx, or
    /// a 200 with `success:false`).
    case api(endpoint: String, status: Int, errorCode: String, message: String, traceId: String?)
    /// The issue does not exist (or is not visible to this key). The simulator answers an unknown issue uuid with
    /// HTTP 404 and `errorCode` `GuanceAPIError.issueNotFoundCode`; the real code is **unconfirmed**, so any 404 or
    /// any `…NotFound`/`…NotExist…` code on an issue endpoint maps here.
    case issueNotFound(
        issueUUID: String, endpoint: String, status: Int, errorCode: String, message: String,
        traceId: String?)
    /// The answer was not the documented JSON (an HTML page, malformed JSON, a missing `content`).
    case malformedResponse(endpoint: String, status: Int, reason: String, traceId: String?)
    /// No answer within the call's timeout.
    case timeout(endpoint: String, after: Duration)
    /// The connection failed (refused, reset, DNS, TLS).
    case transport(endpoint: String, reason: String)

    /// Rate limit at API-key level (answered with HTTP 401).
    public static let keyRateLimitCode = "ft.TriggerApiAkCurrentLimiting"
    /// Rate limit at workspace level (answered with HTTP 401).
    public static let workspaceRateLimitCode = "ft.TriggerApiWorkspaceCurrentLimiting"
    /// Missing or invalid `DF-API-KEY` (HTTP 403).
    public static let invalidAPIKeyCode = "ft.InvalidAPIKey"
    /// What the simulator answers for an unknown issue uuid. **Unconfirmed**: chosen by this project, not documented.
    public static let issueNotFoundCode = "ft.IssueNotFound"

    public var endpoint: String {
        switch self {
        case let .api(endpoint, _, _, _, _), let .issueNotFound(_, endpoint, _, _, _, _),
            let .malformedResponse(endpoint, _, _, _), let .timeout(endpoint, _), let .transport(endpoint, _):
            endpoint
        }
    }

    /// The HTTP status, when the server answered.
    public var status: Int? {
        switch self {
        case let .api(_, status, _, _, _), let .issueNotFound(_, _, status, _, _, _),
            let .malformedResponse(_, status, _, _):
            status
        case .timeout, .transport: nil
        }
    }

    public var errorCode: String? {
        switch self {
        case let .api(_, _, code, _, _), let .issueNotFound(_, _, _, code, _, _): code
        default: nil
        }
    }

    public var traceId: String? {
        switch self {
        case let .api(_, _, _, _, trace), let .issueNotFound(_, _, _, _, _, trace),
            let .malformedResponse(_, _, _, trace):
            trace
        default: nil
        }
    }

    /// `ft.TriggerApiAkCurrentLimiting` / `ft.TriggerApiWorkspaceCurrentLimiting` (HTTP 401): back off and retry.
    public var isRateLimited: Bool {
        guard let code = errorCode else { return false }
        return code == Self.keyRateLimitCode || code == Self.workspaceRateLimitCode
            || (status == 401 && code.hasSuffix("CurrentLimiting"))
    }

    /// `ft.InvalidAPIKey` (HTTP 403): fatal for this key, never retried.
    public var isInvalidAPIKey: Bool {
        errorCode == Self.invalidAPIKeyCode
    }

    public var isIssueNotFound: Bool {
        if case .issueNotFound = self { return true }
        return false
    }

    /// Worth retrying after a back-off: rate limits, 5xx, timeouts and transport failures.
    public var isRetryable: Bool {
        switch self {
        case .timeout, .transport: return true
        case .issueNotFound: return false
        case let .api(_, status, _, _, _): return isRateLimited || (500...599).contains(status)
        case let .malformedResponse(_, status, _, _): return (500...599).contains(status)
        }
    }

    /// True when the server may have executed the call although it failed (matters for reply create).
    public var isAmbiguous: Bool {
        switch self {
        case .timeout, .transport: true
        case let .api(_, status, _, _, _), let .malformedResponse(_, status, _, _): status >= 500 || status == 200
        case .issueNotFound: false
        }
    }

    /// A small fixed label for metrics.
    public var outcomeLabel: String {
        if isRateLimited { return "rate_limited" }
        if isInvalidAPIKey { return "invalid_key" }
        switch self {
        case .issueNotFound: return "not_found"
        case .malformedResponse: return "malformed"
        case .timeout: return "timeout"
        case .transport: return "transport"
        case let .api(_, status, _, _, _): return status >= 500 ? "server_error" : "api_error"
        }
    }

    public var description: String {
        switch self {
        case let .api(endpoint, status, code, message, trace):
            "Guance \(endpoint) failed: HTTP \(status) \(code.isEmpty ? "(no errorCode)" : code) "
                + "\"\(message)\" traceId=\(trace ?? "-")"
        case let .issueNotFound(uuid, endpoint, status, code, message, trace):
            "Guance issue \(uuid) not found (\(endpoint): HTTP \(status) \(code) \"\(message)\" traceId=\(trace ?? "-"))"
        case let .malformedResponse(endpoint, status, reason, trace):
            "Guance \(endpoint) answered HTTP \(status) with an unusable body: \(reason) traceId=\(trace ?? "-")"
        case let .timeout(endpoint, after):
            "Guance \(endpoint) did not answer within \(after)"
        case let .transport(endpoint, reason):
            "Guance \(endpoint) could not be reached: \(reason)"
        }
    }
}
