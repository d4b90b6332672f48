import Foundation
import ServiceKit

/// The wait a `Retry-After` header asks for (RFC 9110 section 10.2.3): delta-seconds, or an IMF-fixdate such as
/// `Wed, 21 Oct 2026 07:28:00 GMT` counted from `now`. Anything else (the obsolete date forms, a negative or
/// fractional number, stray bytes) is no answer, and the caller keeps its own pause.
enum RetryAfter {
    /// Seconds to wait, nil when `text` is neither form. A date in the past asks for no wait (0).
    static func seconds(_ text: String, now: Date) -> Int64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 40 else { return nil }
        if bytes.allSatisfy({ (48...57).contains($0) }) {
            return bytes.count <= 10 ? Int64(text) : nil
        }
        guard let date = HTTPDate.secondsSince1970(imfFixdate: text) else { return nil }
        return max(0, date - Int64(now.timeIntervalSince1970.rounded(.down)))
    }
}
