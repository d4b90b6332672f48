import Foundation
import Timing

/// Whether a timestamp from a request lies within a window around now, with integer comparisons only: the outside
/// value is never converted from a floating-point number nor used in arithmetic, so any header value is safe.
struct ReplayWindow: Sendable {
    /// How far the timestamp may be from now, either way.
    var width: Duration

    /// Checks a header of whole seconds (Feishu `X-Lark-Request-Timestamp`).
    func check(seconds text: String, now: Date) throws(IngressRejection) {
        guard let seconds = Int64(text) else { throw .staleTimestamp("not an integer number of seconds") }
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { throw .staleTimestamp("\(seconds) s is out of range") }
        try check(milliseconds: milliseconds, now: now)
    }

    /// Checks a header of milliseconds (DingTalk `timestamp`).
    func check(milliseconds text: String, now: Date) throws(IngressRejection) {
        guard let milliseconds = Int64(text) else { throw .staleTimestamp("not an integer number of milliseconds") }
        try check(milliseconds: milliseconds, now: now)
    }

    /// The bounds are computed from our own clock and configuration; the outside value is only compared.
    private func check(milliseconds: Int64, now: Date) throws(IngressRejection) {
        let current = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let earliest = current - width.milliseconds
        let latest = current + width.milliseconds
        guard milliseconds >= earliest, milliseconds <= latest else {
            throw .staleTimestamp(
                "\(milliseconds) ms is not within \(width.milliseconds / 1000) s of now (\(current) ms)")
        }
    }
}
