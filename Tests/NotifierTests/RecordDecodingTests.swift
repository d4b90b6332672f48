import Events
import Foundation
import KafkaClient
import Testing

@testable import Notifier

@Suite("Bad input is recognised with a reason")
struct RecordDecodingTests {
    func reason(_ value: String?) -> String? {
        let record = KafkaRecord(
            topic: Topics.issueEvents, partition: 0, offset: 0, key: nil, value: value.map { Array($0.utf8) })
        if case let .failure(problem) = RecordHandler.decode(record) { return problem.reason }
        return nil
    }

    @Test func validEventDecodes() {
        let record = record(makeEvent())
        guard case let .success(event) = RecordHandler.decode(record) else {
            Issue.record("should decode")
            return
        }
        #expect(event == makeEvent())
    }

    @Test func invalidJSONWrongSchemaMissingIssue() throws {
        #expect(reason("{not json") == "value is not a JSON object")
        #expect(reason(nil) == "empty value (tombstone)")
        #expect(
            reason(#"{"schema":"guance.issue-event/v2","issue":{}}"#)?.contains(
                "unsupported schema guance.issue-event/v2") == true)
        #expect(reason(#"{"eventId":"x"}"#) == "no schema field")
        #expect(reason(#"{"schema":"guance.issue-event/v1","eventId":"x"}"#) == "missing issue")
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(eventBytes(makeEvent()))) as? [String: Any])
        var issue = try #require(object["issue"] as? [String: Any])
        issue.removeValue(forKey: "name")
        object["issue"] = issue
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(reason(text) == "missing field issue.name")
    }

    @Test func deadLetterKeepsBytesAndAddsHeaders() {
        let original = KafkaRecord(
            topic: Topics.issueEvents, partition: 4, offset: 17, key: Array("k".utf8), value: Array("{bad".utf8),
            headers: [KafkaHeader(key: "event-id", string: "e1")])
        let message = original.deadLetter(reason: "value is not a JSON object", sink: "feishu")
        #expect(message.topic == "guance.issue-events.dlq")
        #expect(message.value == original.value)
        #expect(message.key == original.key)
        let headers = Dictionary(message.headers.map { ($0.key, $0.stringValue ?? "") }, uniquingKeysWith: { $1 })
        #expect(headers["event-id"] == "e1")
        #expect(headers["dlq-reason"] == "value is not a JSON object")
        #expect(headers["dlq-sink"] == "feishu")
        #expect(headers["dlq-source-topic"] == "guance.issue-events")
        #expect(headers["dlq-source-partition"] == "4")
        #expect(headers["dlq-source-offset"] == "17")
    }
}

@Suite("Created time formatting")
struct EventViewTests {
    @Test(arguments: [Int64(0), 951_782_400, 1_764_496_807, 4_107_542_399, 1_709_251_199, -1])
    func formatsLikeTheReferenceScript(seconds: Int64) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        #expect(
            EventView.format(unixSeconds: seconds)
                == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }
}
