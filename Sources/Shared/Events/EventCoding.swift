import Foundation

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

    /// RFC 3339 text for a Unix time in seconds (UTC).
    /// Times outside years 1–9999 (a corrupt or hostile timestamp from Guance) are written as the nearest bound.
    public static func rfc3339(unixSeconds: Int64) -> String {
        rfc3339(Date(timeIntervalSince1970: TimeInterval(min(max(unixSeconds, -62_135_596_800), 253_402_300_799))))
    }

    /// RFC 3339 text for a date (UTC, second precision).
    public static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
