import KafkaClient
import Testing

@testable import Notifier

/// `notifier dlq list` prints records whose timestamps their producers set: any value prints, none traps.
@Suite("DLQ listing")
struct DLQListingTests {
    @Test(arguments: [Int64.max, Int64.min, 0, 1_764_496_800_000])
    func anyRecordTimestampPrints(millis: Int64) {
        let record = KafkaRecord(
            topic: "guance.issue-events.dlq", partition: 0, offset: 7, key: Array("k".utf8), value: nil,
            timestampMilliseconds: millis)
        let text = DLQListing.describe(record)
        #expect(text.hasPrefix("guance.issue-events.dlq 0:7  "))
        #expect(text.contains("value: <null>"))
    }
}
