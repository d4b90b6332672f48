import Foundation
import Timing

/// One JSON encoding for every event on every topic: sorted keys, no escaped slashes, UTF-8.
public enum EventCoding {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    /// RFC 3339 text for a Unix time in seconds (UTC, `2026-12-02T16:09:33Z`).
    /// Times outside years 1–9999 (a corrupt or hostile timestamp from Guance) are written as the nearest bound.
    public static func rfc3339(unixSeconds: Int64) -> String {
        let time = CivilTime(secondsSince1970: unixSeconds)
        return "\(time.date)T\(time.time)Z"
    }

    /// RFC 3339 text for a date (UTC, second precision: the fraction is dropped).
    public static func rfc3339(_ date: Date) -> String {
        rfc3339(unixSeconds: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    /// The Unix time of RFC 3339 text as `rfc3339` writes it (`2026-12-02T16:09:33Z`); nil for anything else.
    public static func unixSeconds(rfc3339 text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z"),
            let year = CivilTime.decimal(b[0..<4]), let month = CivilTime.decimal(b[5..<7]),
            let day = CivilTime.decimal(b[8..<10]),
            let hour = CivilTime.decimal(b[11..<13]), let minute = CivilTime.decimal(b[14..<16]),
            let second = CivilTime.decimal(b[17..<19])
        else { return nil }
        return CivilTime.secondsSince1970(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}
