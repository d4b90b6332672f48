/// A second since 1970-01-01 00:00:00 UTC as a proleptic Gregorian date and time of day, by integer arithmetic
/// (Howard Hinnant's civil_from_days / days_from_civil). Used wherever the services write or read timestamps
/// instead of `Calendar` and date format styles: those look up the process's time zone, which (with Foundation
/// linked) loads ICU's time-zone data — about 4 MiB resident in every process (BENCHMARKS.md) and CPU per event.
public struct CivilTime: Sendable, Equatable {
    public let year: Int64
    /// 1...12
    public let month: Int64
    /// 1...31
    public let day: Int64
    public let hour: Int64
    public let minute: Int64
    public let second: Int64
    /// 0 = Monday ... 6 = Sunday.
    public let weekday: Int

    /// The first and last second the type represents: years 0001 to 9999, the years four digits can write.
    public static let secondsRange: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// The date and time of `seconds`; outside `secondsRange` (a corrupt or hostile timestamp) the nearest bound.
    public init(secondsSince1970 seconds: Int64) {
        let clamped = min(max(seconds, Self.secondsRange.lowerBound), Self.secondsRange.upperBound)
        let days = clamped >= 0 ? clamped / 86_400 : (clamped - 86_399) / 86_400
        let secondOfDay = clamped - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = secondOfDay / 3_600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        // 1970-01-01 was a Thursday (3 counted from Monday).
        weekday = Int(((days + 3) % 7 + 7) % 7)
    }

    /// Seconds since 1970 of a date and time; nil when a field is out of its range (February 30th included).
    public static func secondsSince1970(
        year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64
    ) -> Int64? {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day), (0..<24).contains(hour),
            (0..<60).contains(minute), (0...60).contains(second)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        guard CivilTime(secondsSince1970: days * 86_400).day == day else { return nil }
        return days * 86_400 + hour * 3_600 + minute * 60 + second
    }

    /// The value of ASCII decimal digits (`"2026"` → 2026); nil if any byte is not a digit. For fixed-width fields.
    public static func decimal(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int64($1 - 48) }
    }

    /// `2026-12-02`
    public var date: String { "\(Self.digits(year, 4))-\(Self.digits(month, 2))-\(Self.digits(day, 2))" }

    /// `16:09:33`
    public var time: String { "\(Self.digits(hour, 2)):\(Self.digits(minute, 2)):\(Self.digits(second, 2))" }

    /// `value` zero-padded to `count` decimal digits (`digits(7, 2)` → `07`); `value` is not negative.
    public static func digits(_ value: Int64, _ count: Int) -> String {
        let text = String(value)
        return text.count >= count ? text : String(repeating: "0", count: count - text.count) + text
    }
}
