import HTTPTypes

/// Why a callback was not accepted. `reason` is logged (never with secrets); `status` is what the platform sees.
enum IngressRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLarge(bytes: Int?, limit: Int)
    case malformedJSON(String)
    case undecryptable(String)
    case missingSignature
    case staleTimestamp(String)
    case badSignature
    case badToken
    case unauthorized(String)
    case badRequest(String)
    case unavailable(String)
    case notConfigured(String)

    var status: HTTPResponse.Status {
        switch self {
        case .tooLarge: .contentTooLarge
        case .malformedJSON, .undecryptable, .badRequest: .badRequest
        case .missingSignature, .staleTimestamp, .badSignature, .badToken, .unauthorized: .unauthorized
        case .unavailable: .serviceUnavailable
        case .notConfigured: .notFound
        }
    }

    /// Short label for metrics (a small fixed set).
    var label: String {
        switch self {
        case .tooLarge: "too_large"
        case .malformedJSON: "malformed"
        case .undecryptable: "undecryptable"
        case .missingSignature, .badSignature: "bad_signature"
        case .staleTimestamp: "stale_timestamp"
        case .badToken, .unauthorized: "bad_token"
        case .badRequest: "bad_request"
        case .unavailable: "unavailable"
        case .notConfigured: "not_configured"
        }
    }

    var description: String {
        switch self {
        case .tooLarge(let bytes, let limit):
            "body of \(bytes.map(String.init) ?? "more than \(limit)") bytes exceeds the limit of \(limit)"
        case .malformedJSON(let what): "malformed JSON: \(what)"
        case .undecryptable(let what): "cannot decrypt: \(what)"
        case .missingSignature: "signature headers missing"
        case .staleTimestamp(let what): "timestamp outside the replay window: \(what)"
        case .badSignature: "signature does not match"
        case .badToken: "verification token does not match"
        case .unauthorized(let what): "unauthorized: \(what)"
        case .badRequest(let what): "bad request: \(what)"
        case .unavailable(let what): "unavailable: \(what)"
        case .notConfigured(let what): "\(what) is not configured"
        }
    }
}
