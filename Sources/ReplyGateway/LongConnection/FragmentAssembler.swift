import FeishuKit
import KafkaClient
import ServiceKit

/// Joins the fragments of one data message (headers `message_id`, `sum`, `seq`). Bounded: at most `maxPending`
/// messages and `maxBytes` in flight, `sum` at most `maxFragments`, a message whose fragments do not all arrive
/// within `ttl` is forgotten (Feishu re-sends what was not answered). Hostile headers are refused, never trusted.
struct FragmentAssembler {
    enum Outcome: Equatable {
        /// The whole payload; the frame to answer is the one that completed it.
        case complete([UInt8])
        case waiting
        /// Why the fragment was dropped.
        case dropped(String)
    }

    private struct Pending {
        var sum: Int
        var parts: [[UInt8]?]
        var received = 0
        var bytes = 0
        var started: ContinuousClock.Instant
    }

    var maxPending = 64
    var maxFragments = 256
    var maxBytes: Int
    var ttl: Duration = .seconds(5)
    private var pending: [String: Pending] = [:]
    private var pendingBytes = 0

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    var pendingCount: Int { pending.count }

    mutating func add(_ frame: FeishuFrame, now: ContinuousClock.Instant = .now) -> Outcome {
        expire(now: now)
        let payload = frame.payload ?? []
        let sumText = frame.header(FeishuFrameHeader.sum) ?? "1"
        guard let sum = Int(sumText), sum >= 1, sum <= maxFragments else {
            return .dropped("sum \(sumText.prefix(20))")
        }
        guard sum > 1 else {
            return payload.count <= maxBytes ? .complete(payload) : .dropped("payload over \(maxBytes) bytes")
        }
        let seqText = frame.header(FeishuFrameHeader.seq) ?? ""
        guard let seq = Int(seqText), seq >= 0, seq < sum else {
            return .dropped("seq \(seqText.prefix(20)) of \(sum)")
        }
        guard let id = frame.header(FeishuFrameHeader.messageID), !id.isEmpty else { return .dropped("no message_id") }
        var entry = pending[id] ?? Pending(sum: sum, parts: Array(repeating: nil, count: sum), started: now)
        guard entry.sum == sum else {
            drop(id)
            return .dropped("sum changed from \(entry.sum) to \(sum)")
        }
        guard pending[id] != nil || pending.count < maxPending else { return .dropped("too many partial messages") }
        guard pendingBytes + payload.count <= maxBytes else {
            drop(id)
            return .dropped("partial messages over \(maxBytes) bytes")
        }
        if entry.parts[seq] == nil {
            entry.parts[seq] = payload
            entry.received += 1
            entry.bytes += payload.count
            pendingBytes += payload.count
        }
        guard entry.received == sum else {
            pending[id] = entry
            return .waiting
        }
        pending[id] = entry
        drop(id)
        return .complete(entry.parts.flatMap { $0 ?? [] })
    }

    private mutating func drop(_ id: String) {
        if let entry = pending.removeValue(forKey: id) { pendingBytes -= entry.bytes }
    }

    private mutating func expire(now: ContinuousClock.Instant) {
        for (id, entry) in pending where now - entry.started > ttl { drop(id) }
    }
}
