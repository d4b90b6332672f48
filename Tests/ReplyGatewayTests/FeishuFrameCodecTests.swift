import DevStack
import Events
import FeishuKit
import Foundation
import GuanceAPI
import KafkaClient
import ServiceKit
import Testing

/// The long connection's protobuf `Frame`: the encoding byte for byte, and hostile bytes never trapping or hanging.
@Suite("Feishu frame codec")
struct FeishuFrameCodecTests {
    /// Field by field from the `pbbp2.Frame` definition (docs/protocols/feishu-long-connection.md): fields 1–4 as
    /// varints, one header as an embedded message, empty strings 6, 7 and 9 written (as the Go SDK does), payload 8.
    static let eventFrameBytes: [UInt8] =
        [0x08, 0x01, 0x10, 0x02, 0x18, 0x03, 0x20, 0x01]
        + [0x2a, 0x0d, 0x0a, 0x04] + Array("type".utf8) + [0x12, 0x05] + Array("event".utf8)
        + [0x32, 0x00, 0x3a, 0x00, 0x42, 0x02] + Array("{}".utf8) + [0x4a, 0x00]

    @Test func aDataFrameEncodesToTheProtobufBytes() throws {
        let frame = FeishuFrame(
            seqID: 1, logID: 2, service: 3, method: .data, headers: [.init("type", "event")], payload: Array("{}".utf8))
        #expect(frame.encoded() == Self.eventFrameBytes)
        #expect(try FeishuFrame(decoding: Self.eventFrameBytes) == frame)
    }

    @Test func everyFieldRoundTripsIncludingNegativeServiceAndLargeIDs() throws {
        var frame = FeishuFrame(
            seqID: .max, logID: 1 << 40, service: -7, method: .control,
            headers: [.init("type", "pong"), .init("trace_id", "t-1"), .init("空", "")], payload: nil)
        frame.payloadEncoding = "gzip"
        frame.payloadType = "json"
        frame.logIDNew = "log-new"
        let decoded = try FeishuFrame(decoding: frame.encoded())
        #expect(decoded == frame)
        #expect(decoded.header("trace_id") == "t-1")
        #expect(decoded.payload == nil)
    }

    @Test func unknownFieldsAreSkippedAndRepeatedScalarsKeepTheLast() throws {
        // Field 15 as varint, field 16 as fixed64, field 17 as fixed32, field 18 as bytes, then seqID twice.
        let bytes: [UInt8] =
            [0x78, 0x05, 0x81, 0x01] + Array(repeating: 0, count: 8) + [0x8d, 0x01, 0, 0, 0, 0]
            + [0x92, 0x01, 0x01, 0xff] + [0x08, 0x01, 0x08, 0x09]
        let frame = try FeishuFrame(decoding: bytes)
        #expect(frame.seqID == 9)
    }

    @Test func hostileShapesAreRefusedWithTheReason() {
        #expect(throws: FeishuFrameError.truncated(offset: 1)) { try FeishuFrame(decoding: [0x08]) }
        #expect(throws: FeishuFrameError.varintTooLong(offset: 1)) {
            try FeishuFrame(decoding: [0x08] + Array(repeating: 0xff, count: 11))
        }
        // A payload claiming 2^63 bytes.
        #expect(throws: FeishuFrameError.lengthOutOfRange(offset: 1, length: 1 << 63)) {
            try FeishuFrame(decoding: [0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
        }
        #expect(throws: FeishuFrameError.unexpectedWireType(field: 8, wireType: 0)) {
            try FeishuFrame(decoding: [0x40, 0x01])
        }
        #expect(throws: FeishuFrameError.unsupportedWireType(3, offset: 1)) { try FeishuFrame(decoding: [0x5b]) }
        let header: [UInt8] = [0x2a, 0x00]
        #expect(throws: FeishuFrameError.tooManyHeaders(limit: FeishuFrame.maxHeaders)) {
            try FeishuFrame(decoding: Array(Array(repeating: header, count: FeishuFrame.maxHeaders + 1).joined()))
        }
    }

    /// Random bytes, and valid frames with flipped, inserted, deleted bytes and cut tails: every input decodes or
    /// is refused with a `FeishuFrameError`, in bounded time. Seeded; `FRAME_FUZZ_SEED=<seed>` replays a run.
    @Test(.timeLimit(.minutes(1))) func mutatedAndRandomFramesNeverTrapOrHang() {
        let seed =
            ProcessInfo.processInfo.environment["FRAME_FUZZ_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        var seeds: [[UInt8]] = [Self.eventFrameBytes]
        var fragment = FeishuFrame(
            seqID: 42, logID: 7, service: 7001, method: .data,
            headers: [.init("type", "card"), .init("message_id", "m1"), .init("sum", "3"), .init("seq", "1")],
            payload: Array(#"{"schema":"2.0","header":{"event_type":"card.action.trigger"}}"#.utf8))
        fragment.logIDNew = "x"
        seeds.append(fragment.encoded())
        var decoded = 0
        let started = ContinuousClock.now
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 4 == 0 {
                bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            } else {
                bytes = seeds[round % seeds.count]
                for _ in 0...Int.random(in: 0...3, using: &random) {
                    guard !bytes.isEmpty else { break }
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0...3, using: &random) {
                    case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                    case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
                    case 2: bytes.remove(at: at)
                    default: bytes.removeLast(bytes.count - at)
                    }
                }
            }
            if (try? FeishuFrame(decoding: bytes)) != nil { decoded += 1 }
        }
        // Some mutations keep a valid frame, most do not; a codec refusing or accepting everything is broken.
        #expect(decoded > 100 && decoded < 19_000, "seed \(seed)")
        #expect(ContinuousClock.now - started < .seconds(30), "seed \(seed)")
    }
}
