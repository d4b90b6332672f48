import Foundation

/// The wait a `Retry-After` header asks for (RFC 9110 section 10.2.3): delta-seconds, or an IMF-fixdate such as
/// `Wed, 21 Oct 2026 07:28:00 GMT` counted from `now`. Anything else (the obsolete date forms, a negative or
/// fractional number, stray bytes) is no answer, and the caller keeps its own pause.
enum RetryAfter {
    /// Seconds to wait, nil when `text` is neither form. A date in the past asks for no wait (0).
    static func seconds(_ text: String, now: Date) -> Int64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 40 else { return nil }
        if bytes.allSatisfy(isDigit) {
            return bytes.count <= 10 ? Int64(text) : nil
        }
        guard let date = imfFixdate(bytes) else { return nil }
        return max(0, date - Int64(now.timeIntervalSince1970.rounded(.down)))
    }

    private static let days: [[UInt8]] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map { Array($0.utf8) }
    private static let months: [[UInt8]] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }

    /// Seconds since 1970 of `Sun, 06 Nov 1994 08:49:37 GMT` (exactly this layout, 29 bytes).
    private static func imfFixdate(_ b: [UInt8]) -> Int64? {
        guard b.count == 29, days.contains(Array(b[0..<3])), b[3] == UInt8(ascii: ","), b[4] == 32, b[7] == 32,
            b[11] == 32, b[16] == 32, b[19] == UInt8(ascii: ":"), b[22] == UInt8(ascii: ":"), b[25] == 32,
            Array(b[26..<29]) == Array("GMT".utf8),
            let monthIndex = months.firstIndex(of: Array(b[8..<11])),
            let day = number(b[5..<7]), let year = number(b[12..<16]), let hour = number(b[17..<19]),
            let minute = number(b[20..<22]), let second = number(b[23..<25]),
            (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        return daysSinceEpoch(year: year, month: monthIndex + 1, day: day) * 86_400 + hour * 3_600 + minute * 60
            + second
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int64($1 - 48) }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    private static func daysSinceEpoch(year: Int64, month: Int, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
