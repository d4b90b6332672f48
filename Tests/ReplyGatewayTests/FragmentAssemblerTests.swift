import Events
import FeishuKit
import GuanceAPI
import KafkaClient
import ServiceKit
import Testing

@testable import ReplyGateway

@Suite("Long-connection fragments and back-off")
struct FragmentAssemblerTests {
    static func fragment(_ id: String, sum: String, seq: String, _ text: String) -> FeishuFrame {
        FeishuFrame(
            method: .data,
            headers: [.init("type", "event"), .init("message_id", id), .init("sum", sum), .init("seq", seq)],
            payload: Array(text.utf8))
    }

    @Test func fragmentsJoinInSeqOrderWhateverOrderTheyArriveIn() {
        var assembler = FragmentAssembler(maxBytes: 1 << 20)
        #expect(assembler.add(Self.fragment("m", sum: "3", seq: "2", "!\"}")) == .waiting)
        #expect(assembler.add(Self.fragment("m", sum: "3", seq: "0", "{\"a\":")) == .waiting)
        // A repeated fragment changes nothing.
        #expect(assembler.add(Self.fragment("m", sum: "3", seq: "0", "{\"a\":")) == .waiting)
        #expect(assembler.add(Self.fragment("m", sum: "3", seq: "1", "\"hi")) == .complete(Array(#"{"a":"hi!"}"#.utf8)))
        #expect(assembler.pendingCount == 0)
        #expect(assembler.add(Self.fragment("whole", sum: "1", seq: "0", "{}")) == .complete(Array("{}".utf8)))
    }

    @Test func hostileHeadersAreDroppedNotTrusted() {
        var assembler = FragmentAssembler(maxBytes: 100)
        for (sum, seq) in [("0", "0"), ("-1", "0"), ("abc", "0"), ("100000", "0"), ("3", "3"), ("3", "-1"), ("3", "x")]
        {
            guard case .dropped = assembler.add(Self.fragment("m", sum: sum, seq: seq, "x")) else {
                Issue.record("sum \(sum) seq \(seq) was not dropped")
                continue
            }
        }
        // A message whose sum changes is forgotten.
        #expect(assembler.add(Self.fragment("m", sum: "2", seq: "0", "x")) == .waiting)
        guard case .dropped = assembler.add(Self.fragment("m", sum: "3", seq: "1", "y")) else {
            Issue.record("a changed sum was accepted")
            return
        }
        #expect(assembler.pendingCount == 0)
        // More partial bytes than allowed: dropped, memory stays bounded.
        #expect(assembler.add(Self.fragment("big", sum: "2", seq: "0", String(repeating: "a", count: 90))) == .waiting)
        guard
            case .dropped = assembler.add(Self.fragment("other", sum: "2", seq: "0", String(repeating: "b", count: 20)))
        else {
            Issue.record("the byte limit was not enforced")
            return
        }
        guard
            case .dropped = assembler.add(
                Self.fragment("whole", sum: "1", seq: "0", String(repeating: "c", count: 101)))
        else {
            Issue.record("an oversized whole message was accepted")
            return
        }
    }

    @Test func partialMessagesAreBoundedInCountAndExpire() {
        var assembler = FragmentAssembler(maxBytes: 1 << 20)
        assembler.maxPending = 4
        let start = ContinuousClock.now
        for index in 0..<4 {
            #expect(assembler.add(Self.fragment("m\(index)", sum: "2", seq: "0", "x"), now: start) == .waiting)
        }
        guard case .dropped = assembler.add(Self.fragment("m4", sum: "2", seq: "0", "x"), now: start) else {
            Issue.record("a fifth partial message was kept")
            return
        }
        // After the 5 s the SDKs keep fragments, the old ones are gone and new ones fit again.
        #expect(assembler.add(Self.fragment("m5", sum: "2", seq: "0", "x"), now: start + .seconds(6)) == .waiting)
        #expect(assembler.pendingCount == 1)
    }

    @Test func backoffStartsWithTheNonceThenDoublesToTheIntervalWithJitter() {
        let config = FeishuLongConnectionClientConfigValues(
            FeishuLongConnectionClientConfig(
                reconnectCount: -1, reconnectInterval: 120, reconnectNonce: 30, pingInterval: 120))
        let backoff = LongConnectionBackoff(minimum: .seconds(1))
        #expect(backoff.delay(attempt: 0, config: config) { $0.upperBound } == .seconds(30))
        #expect(backoff.delay(attempt: 0, config: config) { $0.lowerBound } == .zero)
        let highest = (1...12).map { backoff.delay(attempt: $0, config: config) { $0.upperBound } }
        #expect(Array(highest.prefix(8)) == [1, 2, 4, 8, 16, 32, 64, 120].map { Duration.seconds($0) })
        #expect(highest.allSatisfy { $0 <= .seconds(120) })
        #expect(backoff.delay(attempt: 3, config: config) { $0.lowerBound } == .seconds(2))
    }

    @Test func serverIntervalsAreClampedToSaneBounds() {
        let silly = FeishuLongConnectionClientConfigValues(
            FeishuLongConnectionClientConfig(
                reconnectCount: nil, reconnectInterval: -5, reconnectNonce: -1, pingInterval: 0))
        #expect(silly.pingInterval == 1)
        #expect(silly.reconnectInterval == 0)
        #expect(silly.reconnectNonce == 0)
        #expect(silly.reconnectCount == -1)
        #expect(FeishuLongConnectionClientConfigValues(.init(pingInterval: 86_400)).pingInterval == 600)
    }
}
