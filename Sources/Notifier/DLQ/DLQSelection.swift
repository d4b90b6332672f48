import Events
import Foundation
import KafkaClient

/// Which parked records a `notifier dlq` command works on: all filters given must match.
struct DLQSelection: Sendable, Equatable {
    /// Only records parked at or after this time (by the DLQ record's timestamp).
    var since: Date?
    /// Only these DLQ positions (partition and offset in the DLQ topic).
    var positions: Set<DLQPosition> = []
    /// Only records whose `dlq-reason` contains this text (case-insensitive).
    var reasonContains: String?

    /// True when no filter is set, i.e. every record is selected.
    var selectsEverything: Bool { since == nil && positions.isEmpty && reasonContains == nil }

    func matches(_ record: KafkaRecord) -> Bool {
        if let since {
            guard let millis = record.timestampMilliseconds,
                Date(timeIntervalSince1970: Double(millis) / 1000) >= since
            else { return false }
        }
        if !positions.isEmpty, !positions.contains(DLQPosition(partition: record.partition, offset: record.offset)) {
            return false
        }
        if let reasonContains {
            guard let reason = record.header(EventHeaders.dlqReason),
                reason.range(of: reasonContains, options: .caseInsensitive) != nil
            else { return false }
        }
        return true
    }

    /// Parses `--since`: an RFC 3339 timestamp, or a duration back from `now` such as `90s`, `30m`, `2h`, `7d`.
    static func parseSince(_ text: String, now: Date = Date()) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last, let seconds = units[unit], let amount = Double(text.dropLast()), amount >= 0
        else { return nil }
        return now.addingTimeInterval(-amount * seconds)
    }
}

/// A record's place in the DLQ topic, written `P:O` on the command line.
struct DLQPosition: Hashable, Sendable, CustomStringConvertible {
    var partition: Int32
    var offset: Int64

    init(partition: Int32, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }

    init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let partition = Int32(parts[0]), let offset = Int64(parts[1]),
            partition >= 0, offset >= 0
        else { return nil }
        self.init(partition: partition, offset: offset)
    }

    var description: String { "\(partition):\(offset)" }
}
