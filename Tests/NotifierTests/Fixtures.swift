import Events
import Foundation
import KafkaClient
import Logging

@testable import Notifier

let testLogger: Logger = {
    var logger = Logger(label: "notifier-test")
    logger.logLevel = .critical
    return logger
}()

/// A deterministic IssueEvent for tests.
func makeEvent(
    _ n: Int = 1, kind: IssueEvent.Kind = .created, level: String = "critical", resource: String = "/api/orders",
    channel: String? = "default", description: String = "p99 latency above 2s on /api/orders"
) -> IssueEvent {
    IssueEvent(
        eventId: "evt-\(n)", kind: kind, occurredAt: "2026-11-30T10:00:00Z", workspaceUUID: "wksp_1",
        channel: channel.map { .init(uuid: "chan_\($0)", name: $0) },
        issue: .init(
            uuid: "issue_\(n)", name: "Checkout latency #\(n)", level: level, statusType: 10, resource: resource,
            resourceType: "service", description: description, createAt: 1_764_496_800 + Int64(n),
            updateAt: 1_764_496_800 + Int64(n), creator: .init(name: "ops", email: "ops@example.com"),
            url: "https://console.guance.example/workspace/wksp_1/issue/issue_\(n)"),
        reply: kind == .reply
            ? .init(
                uuid: "reply_\(n)", content: "looking into it", createAt: 1_764_496_900,
                creator: .init(name: "alice")) : nil)
}

func eventBytes(_ event: IssueEvent) -> [UInt8] {
    try! EventCoding.encode(event)
}

func record(_ event: IssueEvent, partition: Int32 = 0, offset: Int64 = 0) -> KafkaRecord {
    KafkaRecord(
        topic: Topics.issueEvents, partition: partition, offset: offset, key: Array(event.issue.uuid.utf8),
        value: eventBytes(event), headers: [KafkaHeader(key: EventHeaders.eventID, string: event.eventId)])
}

/// Reads a golden file next to this source file; `UPDATE_GOLDEN=1` rewrites it.
func golden(
    _ name: String, _ actual: [UInt8], filePath: String = #filePath
) throws -> (expected: String, actual: String) {
    let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    let pretty = prettyJSON(actual)
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
        try pretty.write(to: url, atomically: true, encoding: .utf8)
    }
    return (try String(contentsOf: url, encoding: .utf8), pretty)
}

func prettyJSON(_ bytes: [UInt8]) -> String {
    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
        let data = try? JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else { return String(decoding: bytes, as: UTF8.self) }
    return String(decoding: data, as: UTF8.self) + "\n"
}

func json(_ bytes: [UInt8]) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
}
