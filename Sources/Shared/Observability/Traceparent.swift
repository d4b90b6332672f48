import Events
import Foundation
import KafkaClient
import Logging

/// A W3C Trace Context `traceparent` value (`00-<trace id>-<parent id>-<flags>`), carried in the `traceparent`
/// Kafka header so one issue or reply can be followed through every service's logs (`trace_id`).
public struct Traceparent: Hashable, Sendable, CustomStringConvertible {
    /// 32 lowercase hex digits, not all zero.
    public let traceID: String
    /// 16 lowercase hex digits, not all zero: the span that produced the message.
    public let parentID: String
    /// Trace flags; bit 0 is "sampled".
    public let flags: UInt8

    /// Parses a header value. Accepts version `00` exactly, and later versions by their first four fields as the
    /// specification asks; rejects version `ff`, upper-case hex and all-zero ids.
    public init?(_ header: String) {
        let parts = header.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, let version = Self.hex(parts[0], length: 2), version != "ff",
            version != "00" || parts.count == 4,
            let trace = Self.hex(parts[1], length: 32), trace != String(repeating: "0", count: 32),
            let parent = Self.hex(parts[2], length: 16), parent != String(repeating: "0", count: 16),
            let flagText = Self.hex(parts[3], length: 2), let flags = UInt8(flagText, radix: 16)
        else { return nil }
        self.traceID = trace
        self.parentID = parent
        self.flags = flags
    }

    /// A traceparent with these ids (which must be 32 and 16 lowercase hex digits).
    public init(traceID: String, parentID: String, flags: UInt8 = 1) {
        precondition(
            Self.hex(Substring(traceID), length: 32) != nil && Self.hex(Substring(parentID), length: 16) != nil,
            "invalid trace context ids")
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// A new trace (random ids, sampled): for messages that start a flow, such as a chat reply turned command.
    public static func newTrace() -> Traceparent {
        var generator = SystemRandomNumberGenerator()
        return Traceparent(
            traceID: randomHex(16, using: &generator), parentID: randomHex(8, using: &generator), flags: 1)
    }

    /// The same trace with a new span id: for a message produced while handling one that carried `self`.
    public func child() -> Traceparent {
        var generator = SystemRandomNumberGenerator()
        return Traceparent(traceID: traceID, parentID: Self.randomHex(8, using: &generator), flags: flags)
    }

    /// The header value, always version `00`.
    public var description: String {
        let flagText = String(flags, radix: 16)
        return "00-\(traceID)-\(parentID)-\(flagText.count == 1 ? "0" + flagText : flagText)"
    }

    /// The header carrying this value.
    public var header: KafkaHeader { KafkaHeader(key: EventHeaders.traceparent, string: description) }

    private static func hex(_ text: Substring, length: Int) -> String? {
        guard text.utf8.count == length,
            text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        return String(text)
    }

    private static func randomHex(_ bytes: Int, using generator: inout SystemRandomNumberGenerator) -> String {
        var text = ""
        repeat {
            text = (0..<bytes).map { _ in
                let byte = UInt8.random(in: 0...255, using: &generator)
                return (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }.joined()
        } while text == String(repeating: "0", count: bytes * 2)
        return text
    }
}

extension KafkaRecord {
    /// The record's valid `traceparent` header, if any.
    public var traceparent: Traceparent? { header(EventHeaders.traceparent).flatMap(Traceparent.init) }
}

extension Logger {
    /// This logger with `trace_id` set from the record's `traceparent` (unchanged when there is none).
    public func tracing(_ traceparent: Traceparent?) -> Logger {
        guard let traceparent else { return self }
        var logger = self
        logger[metadataKey: LogKey.traceID] = "\(traceparent.traceID)"
        return logger
    }
}
