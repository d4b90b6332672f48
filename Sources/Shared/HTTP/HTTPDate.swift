import Timing

/// HTTP dates in the one form RFC 9110 section 5.6.7 lets a sender generate, the IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), written and read by `CivilTime` arithmetic: no `Calendar` or date formatter,
/// which would load ICU's time-zone data into every process that answers an HTTP request.
public enum HTTPDate {
    private static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The IMF-fixdate of a second since 1970 (years 0001 to 9999; outside them the nearest bound).
    public static func imfFixdate(secondsSince1970 seconds: Int64) -> String {
        let time = CivilTime(secondsSince1970: seconds)
        let day = CivilTime.digits(time.day, 2)
        let year = CivilTime.digits(time.year, 4)
        return "\(days[time.weekday]), \(day) \(months[Int(time.month) - 1]) \(year) \(time.time) GMT"
    }

    /// Seconds since 1970 of an IMF-fixdate (exactly this layout, 29 bytes, a real date); nil for anything else.
    public static func secondsSince1970(imfFixdate text: some StringProtocol) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 29, days.contains(String(decoding: b[0..<3], as: UTF8.self)), b[3] == UInt8(ascii: ","),
            b[4] == 32, b[7] == 32, b[11] == 32, b[16] == 32, b[19] == UInt8(ascii: ":"),
            b[22] == UInt8(ascii: ":"), b[25] == 32, String(decoding: b[26..<29], as: UTF8.self) == "GMT",
            let monthIndex = months.firstIndex(of: String(decoding: b[8..<11], as: UTF8.self)),
            let day = CivilTime.decimal(b[5..<7]), let year = CivilTime.decimal(b[12..<16]),
            let hour = CivilTime.decimal(b[17..<19]),
            let minute = CivilTime.decimal(b[20..<22]), let second = CivilTime.decimal(b[23..<25])
        else { return nil }
        return CivilTime.secondsSince1970(
            year: year, month: Int64(monthIndex + 1), day: day, hour: hour, minute: minute, second: second)
    }
}
