import Foundation
import HTTPTypes
import ServiceKit

/// What a callback handler answers: HTTP status, a JSON body, and an outcome label for logs and metrics.
struct IngressAnswer: Sendable, Equatable {
    var status: HTTPResponse.Status
    var json: String
    /// `accepted`, `duplicate`, `challenge`, `ignored` or a rejection label.
    var outcome: String
    /// Why a request was rejected, for the log line (no secrets).
    var detail: String? = nil

    static func ok(_ object: [String: String], outcome: String) -> IngressAnswer {
        IngressAnswer(status: .ok, json: encode(object), outcome: outcome)
    }

    static func rejected(_ rejection: IngressRejection) -> IngressAnswer {
        IngressAnswer(
            status: rejection.status, json: encode(["error": publicMessage(rejection)]), outcome: rejection.label,
            detail: rejection.description)
    }

    /// What the caller is told: the kind of problem, never which secret or what was expected.
    private static func publicMessage(_ rejection: IngressRejection) -> String {
        switch rejection {
        case .tooLarge: "body too large"
        case .malformedJSON: "malformed JSON"
        case .undecryptable: "cannot decrypt body"
        case .missingSignature, .badSignature, .staleTimestamp: "signature check failed"
        case .badToken, .unauthorized: "unauthorized"
        case .badRequest(let what): what
        case .unavailable: "temporarily unavailable, retry"
        case .notConfigured(let what): "\(what) is not configured"
        }
    }

    static func encode(_ object: [String: String]) -> String {
        let data = (try? SortedKeysJSON.data(object)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
