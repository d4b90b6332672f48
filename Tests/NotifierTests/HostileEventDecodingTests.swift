import Events
import Foundation
import Testing

@testable import Notifier

/// Event records are decoded from Kafka; their numbers came from Guance. Out-of-range values are a decode failure
/// (the record goes to the DLQ), and formatting any Int64 time is safe.
@Suite("Event decoding: numbers at the edges")
struct HostileEventDecodingTests {
    func event(createAt: String, statusType: String = "10") -> [UInt8] {
        var object = json(eventBytes(makeEvent(1)))
        object["issue"] = nil
        let base = String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let issue =
            #""issue":{"uuid":"issue_1","name":"n","level":"critical","statusType":\#(statusType),"resource":"","resourceType":"","description":"","createAt":\#(createAt),"updateAt":1,"creator":null,"url":"https://x"}"#
        return Array((String(base.dropLast()) + "," + issue + "}").utf8)
    }

    @Test(arguments: ["1e300", "9223372036854775808", "-9223372036854775809", "1.5", "\"1\""])
    func anOutOfRangeTimeIsNotAnEvent(value: String) throws {
        let parsed = try JSONReader.parse(event(createAt: value))
        #expect(IssueEvent(json: parsed) == nil)
    }

    @Test func theSameRecordWithASaneTimeIsAnEvent() throws {
        #expect(IssueEvent(json: try JSONReader.parse(event(createAt: "1764496800"))) != nil)
    }

    @Test func anyTimeFormatsWithoutATrapAsTheNearestBound() {
        #expect(EventView.format(unixSeconds: Int64.max) == "9999-12-31 23:59:59")
        #expect(EventView.format(unixSeconds: 253_402_300_800) == "9999-12-31 23:59:59")
        #expect(EventView.format(unixSeconds: Int64.min) == EventView.format(unixSeconds: -62_135_596_800))
        #expect(EventView.format(unixSeconds: 0) == "1970-01-01 00:00:00")
    }
}
