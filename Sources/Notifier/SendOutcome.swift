import Foundation
import NIOHTTP1

/// What one delivery attempt to a sink came to. Each platform decides it from its answer (`WebhookPlatform.classify`;
/// chat platforms answer HTTP 200 on errors, with a code in the body).
enum SendOutcome: Sendable, Equatable {
    case delivered
    /// Worth another attempt of this event: transport error, timeout, 5xx, the platform's busy codes.
    case retryable(reason: String)
    /// The platform throttles the whole sink (11232, 130101, 45009, HTTP 429): the sink waits for its penalty
    /// window; the events are not at fault.
    /// `retryAfter`: how long the platform asked to wait (`Retry-After`); nil: the platform's penalty window.
    case rateLimited(reason: String, retryAfter: Duration? = nil)
    /// Never worth repeating: bad signature, bad request, keyword mismatch, unknown token.
    case rejected(reason: String)

    /// HTTP-status-only decision: 2xx delivered; 408 and 5xx retryable; 429 rate limited; other 4xx rejected.
    static func byStatus(_ status: Int, _ text: @autoclosure () -> String) -> SendOutcome {
        switch status {
        case 200..<300: return .delivered
        case 408, 425, 500...599: return .retryable(reason: "HTTP \(status) \(text())")
        case 429: return .rateLimited(reason: "HTTP 429 \(text())")
        default: return .rejected(reason: "HTTP \(status) \(text())")
        }
    }

    /// A 429's own outcome with the wait its `Retry-After` header asks for (delta-seconds or an HTTP date, counted
    /// from `now`; a malformed value leaves the platform's penalty window), kept within 1 s to 1 h whatever the
    /// server says.
    func honouringRetryAfter(_ headers: HTTPHeaders, now: Date = Date()) -> SendOutcome {
        guard case let .rateLimited(reason, nil) = self,
            let text = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces),
            let seconds = RetryAfter.seconds(text, now: now)
        else { return self }
        return .rateLimited(reason: reason, retryAfter: .seconds(min(max(seconds, 1), 3600)))
    }

    /// The start of an answer's body, for reasons (only rejections and retries quote it: a delivery never builds it).
    static func quote(_ body: [UInt8]) -> String {
        String(decoding: body.prefix(300), as: UTF8.self)
    }
}

extension JSONValue {
    /// A code as the platforms send it: an integer, a number with a zero fraction, or a quoted integer.
    var int: Int? {
        switch self {
        case let .number(text): Int(text) ?? Double(text).flatMap { Int(exactly: $0) }
        case let .string(text): Int(text)
        default: nil
        }
    }
}
