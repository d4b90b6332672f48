import DevStack
import Events
import Foundation
import KafkaClient
import Testing

@testable import Notifier

@Suite("The hot-path JSON reader agrees with Foundation")
struct JSONReaderTests {
    /// Documents Foundation accepts: the reader must accept them with the same content.
    @Test(arguments: [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#, #"  [ 1 , -0 , 1.5e3 , 2E-2 , 0.25 ]  "#,
        #""\u4e2d\u6587 \ud83d\ude00 \" \\ \/ \b\f\n\r\t""#, #"{"中文":"警告 ✓"}"#, "[]", "{}", #""""#, "123",
        #"{"a":{"b":{"c":[[[{}]]]}}}"#,
    ])
    func acceptsWhatFoundationAccepts(text: String) throws {
        let bytes = Array(text.utf8)
        let foundation = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
        let ours = try JSONReader.parse(bytes)
        #expect(Self.same(ours, foundation), "\(text)")
    }

    /// Documents Foundation refuses: the reader must refuse them too.
    @Test(arguments: [
        "{", "01", "1.", "-", ".5", "tru", "nul", #"{"a" 1}"#, #"{a:1}"#, #""\x""#,
        #""\ud83d""#, #""\ude00x""#, "\"tab\there\"", "[1] 2", "", "   ",
    ])
    func refusesWhatFoundationRefuses(text: String) {
        let bytes = Array(text.utf8)
        #expect((try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) == nil)
        #expect((try? JSONReader.parse(bytes)) == nil, "\(text)")
    }

    /// Foundation tolerates trailing commas; the reader does not, and the record handler's slow path then decides.
    @Test func whatOnlyFoundationToleratesStillDecodesThroughTheSlowPath() throws {
        #expect((try? JSONReader.parse(Array(#"{"a":1,}"#.utf8))) == nil)
        var text = String(decoding: try EventCoding.encode(makeEvent()), as: UTF8.self)
        text.removeLast()
        text += ",}"
        let record = KafkaRecord(
            topic: Topics.issueEvents, partition: 0, offset: 0, key: nil, value: Array(text.utf8))
        guard case .success(let event) = RecordHandler.decode(record) else {
            Issue.record("JSONDecoder accepts a trailing comma, so the record must decode")
            return
        }
        #expect(event == makeEvent())
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect((try? JSONReader.parse([0x22, 0xC3, 0x28, 0x22])) == nil)
        #expect((try? JSONReader.parse([0x22, 0xFF, 0x22])) == nil)
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONReader.parse(Array(deep.utf8))) == nil)
    }

    @Test func readsAnIssueEventLikeJSONDecoder() throws {
        var events = [makeEvent()]
        var bare = makeEvent()
        bare.channel = nil
        bare.issue.creator = nil
        bare.issue.description = "行1\n\"quoted\" \\ tab\t emoji 😀 control \u{01}"
        events.append(bare)
        var reply = makeEvent()
        reply.kind = .reply
        reply.reply = IssueEvent.Reply(uuid: "r1", content: "收到", createAt: 1_764_496_900, creator: nil)
        events.append(reply)
        var clicked = makeEvent()
        clicked.actor = IssueEvent.Person(name: "张三")
        clicked.issue.assignees = [
            IssueEvent.Person(name: "张三", email: "zhang@example.com"), IssueEvent.Person(name: "acnt_1"),
        ]
        events.append(clicked)
        for event in events {
            let bytes = try EventCoding.encode(event)
            let decoded = try #require(IssueEvent(json: try JSONReader.parse(bytes)))
            #expect(decoded == event)
            #expect(decoded == (try JSONDecoder().decode(IssueEvent.self, from: Data(bytes))))
        }
    }

    /// Where JSONDecoder throws, the fast path must not produce an event (the slow path then names the reason).
    @Test(arguments: [
        ("issue.statusType", "\"10\""), ("issue.createAt", "1.5"), ("issue.name", "null"), ("kind", "\"issue.other\""),
        ("channel", "\"default\""), ("issue.creator", "{}"), ("reply", "[]"), ("issue.level", "2"), ("actor", "{}"),
        ("issue.assignees", "{}"), ("issue.assignees", "[1]"), ("issue.assignees", "[{\"email\":\"a@b\"}]"),
    ])
    func refusesWhatJSONDecoderRefuses(path: String, replacement: String) throws {
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(try EventCoding.encode(makeEvent()))) as? [String: Any])
        let value = try JSONSerialization.jsonObject(with: Data(replacement.utf8), options: .fragmentsAllowed)
        let parts = path.split(separator: ".").map(String.init)
        if parts.count == 1 {
            object[parts[0]] = value
        } else {
            var inner = try #require(object[parts[0]] as? [String: Any])
            inner[parts[1]] = value
            object[parts[0]] = inner
        }
        let bytes = Array(try JSONSerialization.data(withJSONObject: object))
        #expect((try? JSONDecoder().decode(IssueEvent.self, from: Data(bytes))) == nil)
        #expect(IssueEvent(json: try JSONReader.parse(bytes)) == nil)
    }

    /// Random events (text with quotes, escapes, control characters, CJK, emoji; optional members on and off)
    /// read the same by both decoders.
    @Test func randomEventsReadTheSameAsWithJSONDecoder() throws {
        var random = SplitMix64(seed: 20_261_130)
        let alphabet: [Character] = Array("aZ09 _-/\\\"'\n\t\r\u{0}\u{1f}\u{7f}é中文警告😀🚨<>&{}[]:,")
        func text() -> String {
            String((0..<Int(random.next() % 40)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
        }
        func number() -> Int64 { Int64(bitPattern: random.next()) >> Int64(random.next() % 64) }
        for _ in 0..<300 {
            var event = makeEvent()
            event.eventId = text()
            event.kind = IssueEvent.Kind.allCases[Int(random.next() % 3)]
            event.channel = random.next() % 2 == 0 ? nil : IssueEvent.Channel(uuid: text(), name: text())
            event.issue.name = text()
            event.issue.level = text()
            event.issue.statusType = Int(number() % 100)
            event.issue.description = text()
            event.issue.createAt = number()
            event.issue.creator = random.next() % 2 == 0 ? nil : IssueEvent.Person(name: text(), email: nil)
            event.reply =
                random.next() % 2 == 0
                ? nil : IssueEvent.Reply(uuid: text(), content: text(), createAt: number(), creator: nil)
            event.actor = random.next() % 2 == 0 ? nil : IssueEvent.Person(name: text(), email: nil)
            event.issue.assignees =
                random.next() % 2 == 0
                ? nil : (0..<Int(random.next() % 3)).map { _ in IssueEvent.Person(name: text(), email: text()) }
            let bytes = try EventCoding.encode(event)
            let fast = IssueEvent(json: try JSONReader.parse(bytes))
            #expect(fast == event)
            #expect(fast == (try JSONDecoder().decode(IssueEvent.self, from: Data(bytes))))
        }
    }

    @Test func optionalMembersMayBeMissingOrNull() throws {
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(try EventCoding.encode(makeEvent()))) as? [String: Any])
        object["channel"] = NSNull()
        object.removeValue(forKey: "reply")
        let bytes = Array(try JSONSerialization.data(withJSONObject: object))
        let event = try #require(IssueEvent(json: try JSONReader.parse(bytes)))
        #expect(event == (try JSONDecoder().decode(IssueEvent.self, from: Data(bytes))))
        #expect(event.channel == nil)
    }

    /// Structural equality with what JSONSerialization produced.
    static func same(_ value: JSONValue, _ other: Any) -> Bool {
        switch value {
        case .object(let members):
            guard let map = other as? [String: Any], map.count == members.count else { return false }
            return members.allSatisfy { member in map[member.key].map { same(member.value, $0) } ?? false }
        case .array(let elements):
            guard let list = other as? [Any], list.count == elements.count else { return false }
            return zip(elements, list).allSatisfy { same($0, $1) }
        case .string(let text):
            return (other as? String) == text
        case .number(let text):
            guard let number = other as? NSNumber, let double = Double(text) else { return false }
            return number.doubleValue == double
        case .bool(let flag):
            guard let number = other as? NSNumber else { return false }
            return number.boolValue == flag
        case .null:
            return other is NSNull
        }
    }
}
