import Events
import Foundation
import KafkaClient

/// How `notifier dlq list` and `replay` print a parked record.
enum DLQListing {
    /// Characters of the value shown in a listing.
    static let previewLength = 160

    /// A few lines describing one DLQ record: position, time, key, why and where from, a value preview.
    static func describe(_ record: KafkaRecord) -> String {
        // A record's timestamp is whatever its producer set: clamped to years 1-9999 before formatting.
        let time = record.timestampMilliseconds.map { EventCoding.rfc3339(unixSeconds: $0 / 1000) } ?? "-"
        var lines = ["\(record.topic) \(record.partition):\(record.offset)  \(time)  key=\(record.keyString ?? "-")"]
        lines.append("  reason: \(record.header(EventHeaders.dlqReason) ?? "-")")
        let source = [
            record.header(EventHeaders.dlqSourceTopic) ?? "-",
            record.header(EventHeaders.dlqSourcePartition).map { "[\($0)]" } ?? "",
            record.header(EventHeaders.dlqSourceOffset).map { "@\($0)" } ?? "",
        ].joined()
        lines.append("  sink: \(record.header(EventHeaders.dlqSink) ?? "-")  source: \(source)")
        lines.append("  value: \(preview(record.value))")
        return lines.joined(separator: "\n")
    }

    /// The start of the value on one line (`<null>` for a tombstone, a byte count when not UTF-8).
    static func preview(_ value: [UInt8]?) -> String {
        guard let value else { return "<null>" }
        guard let text = String(validating: value, as: UTF8.self) else { return "<\(value.count) bytes, not UTF-8>" }
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > previewLength ? String(flat.prefix(previewLength)) + "…" : flat
    }
}
